"""The decision-aid screens: the consultation turned towards the patient, and its print."""
