"""Corticosteroid injections: the formulary, targets, consent risks, checklist and defaults."""
