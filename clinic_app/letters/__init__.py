"""Letters: composed from what each record type offers, never from a domain's tables."""
