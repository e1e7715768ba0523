"""The service lead's list of pack codes: which GTIN on a pack is which product."""
