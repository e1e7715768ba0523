"""What every screen shares: the task runner, error wording, theme and common widgets."""
