"""Regenerate the compiled suite passes shipped with digex: src/digex/data/plans/suite.json.

Each standard pass (`digex.indicators.plans.STANDARD`) is compiled by Ibis on a new, empty
store read with the MA profile (its minor units, the installed code lists and indicator
registry), as `digex load` and a query would compile it, and written with the key of what its
text depends on. Run it after changing the engine, the suite, the registry's families or
currencies, the code lists, or the versions of digex, Ibis, sqlglot or DuckDB:
`tests/indicators/test_plans.py` fails until then (the passes then run through Ibis, slower,
never wrong). The output is deterministic.

Usage: python scripts/build_plans.py [--out PATH]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import digex
from digex.indicators import plans
from digex.indicators.engine import Engine
from digex.indicators.suite import Suite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=plans.SHIPPED)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        digex.init(Path(folder) / "s.duckdb") as db,
        db.store.snapshot() as snap,
    ):
        engine = Engine(snap.sources(db.profile.minor_units))
        series = [s.id for s in db.profile.series]
        made = plans.standard(Suite(engine, db.profile.national_currency), series)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(plans.shipped_text(made), encoding="utf-8")
    print(f"{len(made)} plans (passes and reads) written to {args.out}")


if __name__ == "__main__":
    main()
