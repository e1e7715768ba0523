"""A patient's record: banner, demographics, alerts and referrals."""
