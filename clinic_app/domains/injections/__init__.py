"""Corticosteroid injections: the formulary, the PGD register and the injection record."""
