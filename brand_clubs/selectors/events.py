"""Reads of club events."""
