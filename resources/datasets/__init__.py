"""National and research data sets: their tables and fields as data, with sources."""
