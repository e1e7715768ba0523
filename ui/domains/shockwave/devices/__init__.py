"""The register of shockwave devices, kept by the service lead."""
