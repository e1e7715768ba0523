"""Tests of the Friends and Family Test screen."""
