"""Questionnaire definitions (structure and scoring), one JSON file per questionnaire."""
