"""Reproducible benchmarks of bankcrm against the tools a user would otherwise pick."""
