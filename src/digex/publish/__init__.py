"""Presentation: rounding, locale-correct numbers and headline tables (no computation here)."""
