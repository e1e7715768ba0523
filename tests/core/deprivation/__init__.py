"""Tests of the deprivation lookup."""
