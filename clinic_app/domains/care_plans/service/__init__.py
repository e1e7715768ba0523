"""Care plans' use cases: the plan's draft, signing, review, its print and the PIFU list."""
