"""Placeholder until the letters feature lands."""
