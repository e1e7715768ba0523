"""People: patients, referrals and episodes, search, users and signing in."""
