"""The register of patient group directions, kept by the service lead."""
