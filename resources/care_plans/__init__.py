"""Personalised care and support plans: safety nets, support services and PIFU defaults."""
