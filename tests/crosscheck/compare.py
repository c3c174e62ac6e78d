"""Comparing digex's outcome of a load with the reference's: row by row and by reason code."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from tests.crosscheck import reference as ref

from digex.api import Digex

TODAY = dt.date(2025, 7, 15)
Key = tuple[str, int]  # (file name, line)


@dataclass
class Case:
    """Files loaded by digex and judged by the reference, with both outcomes."""

    db: Digex
    kinds: dict[Key, str]
    fields: dict[Key, list[str]]
    expected: list[ref.Row]
    results: list[Any]

    def outcomes(self) -> dict[Key, tuple[object, ...]]:
        files = {r.load_id: r.file.name for r in self.results if r.kind == "declarations"}
        out: dict[Key, tuple[object, ...]] = {}
        decl = self.db.declarations()
        for rec in decl.itertuples():
            period = (rec.period.year, rec.period.month)
            out[(files[rec.load_id], rec.line)] = (
                "accepted",
                int(rec.value_minor),
                rec.segment,
                rec.partner,
                period,
                rec.flow,
            )
        for rec in declaration_rejects(self.db).itertuples():
            out[(files[rec.load_id], rec.line)] = (
                "rejected",
                frozenset(re.findall(r"[A-Z][A-Z_]+", rec.reasons)),
            )
        return out


def expected_outcomes(rows: Sequence[ref.Row]) -> dict[Key, tuple[object, ...]]:
    out: dict[Key, tuple[object, ...]] = {}
    for r in rows:
        if r.accepted:
            out[(r.file, r.line)] = (
                "accepted",
                r.value_minor,
                r.segment,
                r.partner,
                r.period,
                r.flow,
            )
        else:
            out[(r.file, r.line)] = ("rejected", frozenset(r.reasons))
    return out


def mismatches(case: Case) -> list[str]:
    got, want = case.outcomes(), expected_outcomes(case.expected)
    out = []
    for key in sorted(want.keys() | got.keys()):
        if got.get(key) != want.get(key):
            out.append(
                f"{key[0]}:{key[1]} ({case.kinds.get(key)}) {case.fields.get(key)}: "
                f"digex {got.get(key)} reference {want.get(key)}"
            )
    return out


def declaration_rejects(db: Digex) -> pd.DataFrame:
    """The rejected declaration rows (`rejects()` lists those of rates and jobs files too)."""
    rejects = db.rejects()
    return rejects[rejects["kind"] == "declarations"]


def reason_counts(case: Case) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for reasons in declaration_rejects(case.db)["reasons"]:
        counts.update(set(re.findall(r"[A-Z][A-Z_]+", reasons)))
    counts["rejected"] = sum(r.rows_rejected for r in case.results if r.kind == "declarations")
    counts["accepted"] = sum(r.rows_accepted for r in case.results if r.kind == "declarations")
    return dict(counts)


def check_rows(case: Case) -> None:
    found = mismatches(case)
    assert not found, f"{len(found)} rows differ:\n" + "\n".join(found[:25])


def check_counts(case: Case) -> None:
    """Counts by reason from the rejects listing, and the load's own reconciliation (rows read =
    accepted + rejected, reasons per file), against the reference's."""
    want = ref.reason_counts(case.expected)
    assert reason_counts(case) == want
    files = [r for r in case.results if r.kind == "declarations"]
    assert sum(r.rows_read for r in files) == want["accepted"] + want["rejected"]
    summed: Counter[str] = Counter()
    for r in files:
        summed.update(r.reasons)
    assert dict(summed) == {k: v for k, v in want.items() if k not in ("accepted", "rejected")}
