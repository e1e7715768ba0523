"""The service's figures: computed from the measures each record type offers."""
