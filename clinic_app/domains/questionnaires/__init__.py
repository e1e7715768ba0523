"""Outcome questionnaires: definitions, scoring, responses over an episode."""
