"""Area deprivation: the words for the lookup import's codes (no screens yet)."""
