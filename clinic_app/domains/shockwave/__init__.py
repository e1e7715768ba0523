"""Shockwave therapy (ESWT): the device register, courses and their signed sessions."""
