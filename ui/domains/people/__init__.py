"""People screens: search, the patient's record, registration and referrals."""
