"""Reads of club feed."""
