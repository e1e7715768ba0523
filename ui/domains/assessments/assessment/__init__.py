"""A clinician's structured assessment: drafted, signed with the password, then addenda."""
