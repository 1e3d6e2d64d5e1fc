"""Placeholder until the stats feature lands."""
