"""Placeholder until filled."""

__all__: list[str] = []
