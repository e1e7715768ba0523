"""Outcome questionnaire screens, including patient mode."""
