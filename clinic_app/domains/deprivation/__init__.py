"""Area deprivation: postcode to LSOA to the English Index of Multiple Deprivation decile."""
