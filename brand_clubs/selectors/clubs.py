"""Reads of club clubs."""
