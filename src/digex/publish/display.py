"""How a terminal table shows a tidy value: in its indicator's own unit and decimals.

A tidy table (and every file written from it) holds values unscaled and unrounded; a table for
reading shows each indicator as its definition says (`display_mult`, `display_decimals` in
`data/indicators.toml`; a row in another registry unit, a target in JOBS, as that unit says):
money in billions with three decimals, the average per firm in millions, counts as integers,
per cents with one decimal, the HHI on its 0-1 scale. Scaling is done on the decimal value
(no float division), then rounded half up. Nothing here imports pandas or PyArrow: a cached
answer is printed without them.
"""

from __future__ import annotations

import csv
import io
import math
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Final

from digex.indicators.registry import registry
from digex.publish.rounding import round_half_up

SCALES: Final = {3: "k", 6: "m", 9: "bn", 12: "tn"}
"""Short names of the usual powers of ten, written before the unit (bn MAD)."""
MISSING: Final = "—"


def unit_label(unit: str, unit_mult: int) -> str:
    """`bn MAD`, `m USD`, `%`, `firms` (the registry's unit labels); an unusual power as
    `MAD ×10^5`."""
    label = registry().unit_label(unit)
    if not unit_mult:
        return label
    scale = SCALES.get(unit_mult)
    return f"{scale} {label}" if scale else f"{label} ×10^{unit_mult}"


def shown_value(
    indicator: str, value: object, unit: str, unit_mult: int, *, own_scale: bool
) -> tuple[str, str]:
    """The value cell and unit cell of one tidy row.

    `unit_mult` is the row's (the power its value is already in). With `own_scale` (no
    `--unit-mult` given) an unscaled value is shown in its indicator's own power of ten.
    """
    display_mult, decimals = registry().presentation(indicator, unit)
    mult = display_mult if own_scale and not unit_mult else unit_mult
    label = unit_label(unit, mult)
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING, label
    assert isinstance(value, int | float | Decimal), value
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    rounded = round_half_up(exact.scaleb(unit_mult - mult), decimals)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.0"
    return f"{rounded:,.{decimals}f}", label


@cache
def region_names(lang: str = "en") -> dict[str, str]:
    """M49 region code -> name, read from the packaged codelist with the csv module (PyArrow,
    which `read_codelist` uses, would cost a cached answer half a second)."""
    text = (files("digex") / "data" / "codelists" / "regions.csv").read_text(encoding="utf-8")
    return {row["code"]: row[f"name_{lang}"] for row in csv.DictReader(io.StringIO(text))}


def member_label(cut: str, member: str, lang: str = "en") -> str:
    """A member as a table shows it: a region with its name after its M49 code."""
    if cut == "region":
        name = region_names(lang).get(member)
        if name:
            return f"{member} {name}"
    return member
