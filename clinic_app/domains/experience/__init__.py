"""Patient experience: the NHS Friends and Family Test, answered by the patient."""
