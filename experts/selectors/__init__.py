"""Reads of the experts app, one module per part: certification, directory, feed,
questions."""
