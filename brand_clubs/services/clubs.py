"""Writes of club clubs."""
