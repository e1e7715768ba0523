"""The triage worklist: untriaged referrals by the date they are due, triaged one at a time."""
