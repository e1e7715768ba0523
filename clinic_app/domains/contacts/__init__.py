"""The note of a follow-up contact: what the patient said, what was found and done, the plan."""
