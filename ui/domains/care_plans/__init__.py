"""The care plan screen and the words for its error codes."""
