"""The shockwave services: courses and their sessions, and the device register."""
