"""The letters due: discharges and onward referrals whose letter is not signed."""
