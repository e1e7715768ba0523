"""The access trail screen."""
