"""Printed documents (PDF): letters, cards and summaries people take away."""
