"""Faulty rows, injected so that validation has real work and its every reason code is exercised.

Each faulty row is an extra row built from a valid row of the same month with exactly one field
spoilt, so the loader must reject it for exactly one reason and the calibrated totals of the
valid rows are untouched. The reason expected for each is the code of `docs/internals.md`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

Row = dict[str, Any]

_MISSING_FIELDS = {
    "ID_MISSING": "declaration_id",
    "PERIOD_MISSING": "period",
    "FIRM_ID_MISSING": "firm_id",
    "SEGMENT_MISSING": "segment",
    "PARTNER_MISSING": "partner",
    "CURRENCY_MISSING": "currency",
    "AMOUNT_MISSING": "amount",
    "FLOW_MISSING": "flow",
}
# Relative frequency of each kind; empty fields are rarer than wrong ones in real files.
FAULT_WEIGHTS: dict[str, float] = {
    "SEGMENT_UNKNOWN": 1.0,
    "PARTNER_UNKNOWN": 1.0,
    "CURRENCY_UNKNOWN": 1.0,
    "RATE_MISSING": 1.0,
    "AMOUNT_NOT_POSITIVE": 1.2,
    "AMOUNT_INVALID": 1.0,
    "ID_DUPLICATE": 1.2,
    "PERIOD_INVALID": 0.6,
    "PERIOD_FUTURE": 0.6,
    "FIRM_ID_INVALID": 0.8,
    "FLOW_UNKNOWN": 0.6,
    **dict.fromkeys(_MISSING_FIELDS, 0.2),
}
FAULT_KINDS: tuple[str, ...] = tuple(FAULT_WEIGHTS)
UNRATED_CURRENCY = "JPY"
"""A real ISO 4217 code for which the rates file has no row at all."""


def _not_positive(row: Row, rng: np.random.Generator) -> None:
    row["amount"] = "0.00" if rng.random() < 0.4 else "-" + row["amount"]


def _invalid_amount(row: Row, rng: np.random.Generator) -> None:
    u = rng.random()
    if u < 0.5:  # a letter O typed (or scanned) for a zero
        text: str = row["amount"]
        row["amount"] = text.replace("0", "O", 1) if "0" in text else "O" + text[1:]
    else:
        row["amount"] = "n/a" if u < 0.75 else "#VALUE!"


def _set(field: str, value: str | None) -> Callable[[Row, np.random.Generator], None]:
    def spoil(row: Row, rng: np.random.Generator) -> None:
        row[field] = value

    return spoil


def _set_period(value: str | None) -> Callable[[Row, np.random.Generator], None]:
    """A row without a usable month has no rate to look up either; invoicing it in dirhams
    (which need none) keeps RATE_MISSING from becoming a second, accidental fault."""

    def spoil(row: Row, rng: np.random.Generator) -> None:
        row["currency"] = "MAD"
        row["period"] = value

    return spoil


def _invalid_period(row: Row, rng: np.random.Generator) -> None:
    """A month number that does not exist, in the file's year."""
    _set_period(row["period"][:5] + ("13" if rng.random() < 0.7 else "00"))(row, rng)


def _short_firm_id(row: Row, rng: np.random.Generator) -> None:
    row["firm_id"] = row["firm_id"][:-1]


def _unchanged(row: Row, rng: np.random.Generator) -> None:
    """Faults carried by the id, which is assigned once the rows are in file order."""


_SPOIL: dict[str, Callable[[Row, np.random.Generator], None]] = {
    "SEGMENT_UNKNOWN": _set("segment", "XYZ"),
    "PARTNER_UNKNOWN": _set("partner", "ZZ"),
    "CURRENCY_UNKNOWN": _set("currency", "ABC"),
    "RATE_MISSING": _set("currency", UNRATED_CURRENCY),
    "AMOUNT_NOT_POSITIVE": _not_positive,
    "AMOUNT_INVALID": _invalid_amount,
    "ID_DUPLICATE": _unchanged,
    "PERIOD_INVALID": _invalid_period,
    "PERIOD_FUTURE": _set_period("2031-01"),
    "FIRM_ID_INVALID": _short_firm_id,
    "FLOW_UNKNOWN": _set("flow", "E"),
    **{
        k: _set(f, None)
        for k, f in _MISSING_FIELDS.items()
        if k not in ("ID_MISSING", "PERIOD_MISSING")
    },
    "PERIOD_MISSING": _set_period(None),
    "ID_MISSING": _unchanged,
}


def allocate(
    rng: np.random.Generator, total: int, month_rows: NDArray[np.int64]
) -> list[list[str]]:
    """Fault kinds for each month: every kind at least once (when there is room), the rest drawn
    by frequency, spread over months in proportion to their rows."""
    if total <= 0:
        return [[] for _ in month_rows]
    w = np.array(list(FAULT_WEIGHTS.values()))
    extra = rng.choice(len(FAULT_KINDS), size=max(total - len(FAULT_KINDS), 0), p=w / w.sum())
    kinds = np.concatenate([np.arange(min(total, len(FAULT_KINDS))), extra])
    months = rng.choice(len(month_rows), size=len(kinds), p=month_rows / month_rows.sum())
    out: list[list[str]] = [[] for _ in month_rows]
    for k, m in zip(kinds.tolist(), months.tolist(), strict=True):
        out[m].append(FAULT_KINDS[k])
    return out


@dataclass(frozen=True)
class Injected:
    """A month's rows in file order with ids, and where its faulty rows are (1-based rows)."""

    table: pa.Table
    fault_rows: list[int]
    fault_ids: list[str]
    fault_reasons: list[str]


def inject(table: pa.Table, kinds: list[str], rng: np.random.Generator, id_prefix: str) -> Injected:
    """Add the faulty rows at random places (a duplicate always after its original) and number
    every row; a duplicate takes its original's id, which is what makes it faulty."""
    n, k = table.num_rows, len(kinds)
    base = rng.integers(0, n, k)
    rows = table.take(pa.array(base)).to_pylist()
    for row, kind in zip(rows, kinds, strict=True):
        _SPOIL[kind](row, rng)
    faults = pa.Table.from_pylist(rows, schema=table.schema)
    is_dup_fault = np.array([kind == "ID_DUPLICATE" for kind in kinds], dtype=bool)
    keys = np.concatenate(
        [
            np.arange(n, dtype=np.float64),
            np.where(is_dup_fault, base + 0.5 + rng.random(k) * (n - base), rng.random(k) * n),
        ]
    )
    order = np.argsort(keys, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(n + k)
    combined = pa.concat_tables([table, faults]).take(pa.array(order))
    # Sequence numbers in file order; a duplicate repeats the number of its original.
    is_dup = np.concatenate([np.zeros(n, dtype=bool), is_dup_fault])[order]
    seq = np.cumsum(~is_dup)
    seq[position[n:][is_dup_fault]] = seq[position[base[is_dup_fault]]]
    ids = pc.binary_join_element_wise(
        id_prefix, pc.utf8_lpad(pc.cast(pa.array(seq), pa.string()), 6, "0"), ""
    )
    no_id = np.zeros(n + k, dtype=bool)
    no_id[position[n:][np.array([kind == "ID_MISSING" for kind in kinds], dtype=bool)]] = True
    ids = pc.if_else(pa.array(no_id), pa.scalar(None, pa.string()), ids)
    fault_pos = position[n:]
    return Injected(
        table=combined.add_column(0, "declaration_id", ids),
        fault_rows=(fault_pos + 1).tolist(),
        fault_ids=[i or "" for i in ids.take(pa.array(fault_pos)).to_pylist()],
        fault_reasons=list(kinds),
    )
