"""Letters to the GP, the patient and the next service, and their FHIR documents."""
