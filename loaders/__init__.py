"""Loaders that put the facts in data/ into the database."""
