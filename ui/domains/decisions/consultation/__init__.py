"""The shared-decision consultation: a decision aid talked through with the patient."""
