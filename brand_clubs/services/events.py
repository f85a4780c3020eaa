"""Writes of club events."""
