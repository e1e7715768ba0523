"""The contact note of a follow-up: its screen and the words for its codes."""
