"""Images that arrived without a patient the app could match, waiting for a person."""
