"""Shockwave (ESWT) courses: the indications, contraindications and the service's defaults."""
