"""The service's measures, age bands and small-number rule, each with its source."""
