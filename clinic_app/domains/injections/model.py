"""The tables of injections: the PGD register, the injection record and its addenda."""
