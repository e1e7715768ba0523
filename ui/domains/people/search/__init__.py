"""Finding a patient by name, NHS number or date of birth."""
