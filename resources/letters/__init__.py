"""The letters: their headings, targets and the ITK outpatient-letter rules, as data."""
