"""digex's numbers in the summary shape of `_common.emit`, for the cross-check (not timed).

Reads the indicator suite's output (`digex indicators ... --format parquet -o FILE`) and the
load log of the store (read-only).

    python bench/digex_summary.py out.parquet --db store.duckdb
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import _common as common
import duckdb
import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", type=Path)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    con = duckdb.connect(str(args.db), read_only=True)
    counts = con.execute(
        "SELECT sum(rows_read), sum(rows_accepted), sum(rows_rejected) FROM loads "
        "WHERE kind = 'declarations'"
    ).fetchone()
    con.close()
    assert counts is not None
    f = pd.read_parquet(args.suite)
    if (f["unit_mult"] != 0).any():
        raise SystemExit("the suite must be written with unit multiplier 0")
    out: list[tuple[str, str, str, str, object]] = []
    records: list[dict[str, Any]] = f.to_dict("records")  # type: ignore[assignment]
    for r in records:
        ind, flow, period, member, value = (
            str(r["indicator"]), str(r["flow"]), str(r["period"]), str(r["member"]),
            float(r["value"]),
        )  # fmt: skip
        if r["cut"] not in ("total", "segment"):
            continue
        if ind == "LEVEL":
            out.append(("LEVEL", flow, period, member, round(value * 100)))
        elif ind == "GROWTH_YOY" or (ind == "SHARE" and r["cut"] == "segment"):
            out.append((ind, flow, period, member, value))
    partners = [r for r in records if r["cut"] == "partner" and r["indicator"] == "LEVEL"]
    partners.sort(key=lambda r: (-float(r["value"]), str(r["member"])))
    rank: dict[tuple[str, str], int] = {}
    for r in partners:
        cell = (str(r["flow"]), str(r["period"]))
        rank[cell] = rank.get(cell, 0) + 1
        if rank[cell] <= common.TOP:
            out.append(("TOP", *cell, str(rank[cell]), str(r["member"])))
            out.append(("TOPV", *cell, str(rank[cell]), round(float(r["value"]) * 100)))
    common.emit(
        "digex",
        rows_read=counts[0] or 0,
        rows_accepted=counts[1] or 0,
        rows_rejected=counts[2] or 0,
        exact=True,
        rows=out,
    )


if __name__ == "__main__":
    main()
