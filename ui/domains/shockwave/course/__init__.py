"""The shockwave (ESWT) course screen."""
