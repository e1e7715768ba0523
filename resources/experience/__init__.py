"""The Friends and Family Test question and answers, with their source."""
