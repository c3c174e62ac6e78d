"""Indicator metadata by id: the registry's entries under their former names.

Kept so that code written against `definitions()` and `Definition` keeps working; everything
about an indicator is now in `digex.indicators.registry`.
"""

from __future__ import annotations

from digex.indicators.registry import Indicator, definitions, unit_of

Definition = Indicator

__all__ = ["Definition", "definitions", "unit_of"]
