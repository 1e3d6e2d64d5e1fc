"""Benchmarks: run with `make bench`, figures go in the README."""
