"""What every implementation script shares: its command line and the summary it prints.

Each `impl_*.py` is a standalone script run as its own process by `run.py`. It reads the
declarations (CSV or Parquet, chosen by the file's extension), the rates and the codelists,
does the reference job its own way, and prints one JSON line (the last line of its output):

    {"impl": ..., "rows_read": N, "rows_accepted": N, "rows_rejected": N, "exact": bool,
     "values": {"LEVEL|X|2024|_T": minor units, "GROWTH_YOY|X|2024|ITO": percent,
                "SHARE|X|2025-H1|CRM": percent, "TOP|X|2024|1": "FR", ...}}

so that `run.py` can check that all of them, and digex, found the same numbers. Money is in
national-currency minor units (centimes), as integers: `exact` says whether they were computed
with exact decimal arithmetic (they must then agree to the centime) or through floats.

Only the standard library here: importing this must not change what a script costs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODELISTS = ROOT / "src" / "digex" / "data" / "codelists"
NATIONAL_CURRENCY = "MAD"
FIRM_PATTERN = "[0-9]{15}"  # Morocco's ICE, as in the MA country profile
SEGMENTS = ("ITO", "CRM", "ESO", "BPO", "KPO")
# The periods the summary reports (the latest year and half-year, as digex's suite is run for),
# and the earlier ones their growth needs.
PERIODS = ("2024", "2025-H1")
PREVIOUS = {"2024": "2023", "2025-H1": "2024-H1"}
TOP = 5


def default_firms(rows: int) -> int:
    """Firms for a generated dataset of `rows` rows: the generator runs out of firm x partner x
    currency combinations with too few firms."""
    return max(1000, rows // 1000)


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("declarations", type=Path, help="declarations.csv or .parquet")
    parser.add_argument("--rates", type=Path, required=True, help="rates.csv")
    parser.add_argument("--codelists", type=Path, default=CODELISTS)
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=dt.date.today(),
        help="a period after this month is in the future (default: today)",
    )
    parser.add_argument("--threads", type=int, default=0, help="engine threads (0: default)")
    parser.add_argument(
        "--memory-limit", default=None, help="DuckDB's memory_limit, e.g. 8GB (default: DuckDB's)"
    )
    return parser.parse_args()


def current_month(today: dt.date) -> dt.date:
    return today.replace(day=1)


def period_label(year: int, half: int | None = None) -> str:
    return str(year) if half is None else f"{year}-H{half}"


def key(indicator: str, flow: str, period: str, member: str) -> str:
    return f"{indicator}|{flow}|{period}|{member}"


def emit(
    impl: str,
    *,
    rows_read: int,
    rows_accepted: int,
    rows_rejected: int,
    exact: bool,
    rows: Iterable[tuple[str, str, str, str, object]],
    extra: dict[str, object] | None = None,
) -> None:
    """Print the summary: `rows` are (indicator, flow, period, member, value) tuples; only the
    reported periods are kept."""
    values: dict[str, object] = {}
    for indicator, flow, period, member, value in rows:
        if period in PERIODS or period in PREVIOUS.values():
            if isinstance(value, float) and value != value:  # NaN: undefined, leave out
                continue
            values[key(indicator, flow, period, member)] = value
    summary = {
        "impl": impl,
        "rows_read": int(rows_read),
        "rows_accepted": int(rows_accepted),
        "rows_rejected": int(rows_rejected),
        "exact": exact,
        "values": dict(sorted(values.items())),
        **(extra or {}),
    }
    sys.stdout.write(json.dumps(summary) + "\n")
    sys.stdout.flush()
