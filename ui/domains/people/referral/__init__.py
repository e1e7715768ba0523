"""Recording a new referral for the open patient."""
