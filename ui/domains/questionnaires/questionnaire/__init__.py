"""The questionnaire screen: clinician entry and the patient's one-question-a-screen mode."""
