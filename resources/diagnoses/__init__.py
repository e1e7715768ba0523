"""The curated list of MSK working diagnoses, with SNOMED CT ids and their sources."""
