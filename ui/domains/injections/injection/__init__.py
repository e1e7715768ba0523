"""The injection record: the decision behind it, the site, drugs and checks, signed."""
