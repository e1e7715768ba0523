"""Assessments: structured history and examination, working diagnosis, signing."""
