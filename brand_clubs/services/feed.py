"""Writes of club feed."""
