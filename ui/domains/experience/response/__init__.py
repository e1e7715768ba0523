"""The Friends and Family Test, handed to the patient to answer."""
