"""Helpers for running the shop's own processes from the tests and the bench (not shipped)."""
