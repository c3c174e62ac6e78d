"""Indicator metadata (id, names in ar/fr/en, unit, definition, how tables show it), read from a
data file.

Publication, the CLI and the API reuse these texts; an indicator that the engine computes but
that has no definition here is a bug, and a test checks there is none.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class Definition:
    id: str
    unit: str
    names: dict[str, str]
    definitions: dict[str, str]
    unit_mult: int = 0
    """Power of ten a table shows the value in (9: billions); files keep units."""
    decimals: int = 1
    """Places a table rounds the shown value to (half up)."""

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]


@cache
def definitions() -> dict[str, Definition]:
    text = (files("digex") / "data" / "indicators.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return {
        key: Definition(
            key,
            str(v["unit"]),
            dict(v["name"]),
            dict(v["definition"]),
            int(v["unit_mult"]),
            int(v["decimals"]),
        )
        for key, v in data.items()
        if isinstance(v, dict)
    }


def unit_of(indicator: str, national_currency: str) -> str:
    unit = definitions()[indicator].unit
    return national_currency if unit == "NC" else unit
