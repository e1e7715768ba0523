"""The scan logbook: a trainee's verified scans by body region and supervision, and exports."""
