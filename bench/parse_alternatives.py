"""Parsing and validating a declarations file: DuckDB (what digex runs) against Polars and Arrow.

Issue 19, target 5: before deciding that the engine is the limit, measure the alternatives on
this job. Each path turns the benchmark's CSV into what the load stores from, in DuckDB (the
storage engine whatever parses): TEMP TABLE `checked` (every row: line, typed values, whether it
is accepted) and the rejected rows. Each runs in a process of its own, the paths taking turns;
reported: wall and CPU seconds of the work (the imports apart) and the counts and sums that must
agree.

- `duckdb`: digex's own path, `readers.stage_delimited` and `validate.check_declarations`
  (every rule: blanks, Arabic-Indic digits, decimal marks, case, repeated ids, messages).
- `polars`: Polars reads the CSV (every field as text) and computes the narrow validated table
  with the rules of `impl_polars.py` (the plain, machine-written form of each field: fewer
  rules than digex, so a lower bound on what the whole rule set would cost), then DuckDB takes
  it through Arrow.
- `arrow`: PyArrow's CSV reader parses (every field as text, in parallel), DuckDB validates it
  with digex's checks (`stage` is then a view over the Arrow table).

    python bench/parse_alternatives.py bench/data/1M/declarations.csv \
        --rates bench/data/1M/rates.csv [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
PATHS = ("duckdb", "polars", "arrow")
TODAY = dt.date(2026, 12, 4)


def _prepare(con: Any, rates: Path) -> dict[str, str]:
    """The code types, code lists and rates a load's checks read (as `Loader.run` makes them)."""
    import csv

    from digex.ingest.load import _load_rates, _register_codelists
    from digex.sql import literal
    from digex.store.append import Basis
    from digex.store.codes import CODED

    types = {}
    for column, codes in CODED.items():
        name = f"code_{column}_v1"
        con.execute(f"CREATE TYPE {name} AS ENUM ({', '.join(map(literal, sorted(codes())))})")
        types[column] = name
    with rates.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    table = tuple(
        sorted(
            (dt.date(int(r["period"][:4]), int(r["period"][5:7]), 1), r["currency"],
             Decimal(r["rate"]))
            for r in rows
        )
    )  # fmt: skip
    _register_codelists(con, types)
    _load_rates(con, Basis(0, True, (), table, {}, {}), [])
    return types


def _rules(types: dict[str, str]) -> Any:
    from digex.ingest.validate import Rules

    return Rules("MAD", "^[0-9]{15}$", "ICE", TODAY, minor_units=2, code_types=types)


def run_duckdb(con: Any, path: Path, types: dict[str, str]) -> None:
    from digex.ingest.load import DECLARATION_FIELDS
    from digex.ingest.readers import stage_delimited
    from digex.ingest.validate import check_declarations

    header = path.open(encoding="utf-8").readline().strip().split(",")
    mapping = {n: header.index(n) for n in DECLARATION_FIELDS}
    stage_delimited(con, path, ",", DECLARATION_FIELDS, mapping, len(header))
    check_declarations(con, _rules(types))


def run_arrow(con: Any, path: Path, types: dict[str, str]) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from digex.ingest.load import DECLARATION_FIELDS
    from digex.ingest.validate import check_declarations

    header = path.open(encoding="utf-8").readline().strip().split(",")
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in header}, strings_can_be_null=False
        ),
    )
    table = table.append_column("line", pa.array(range(2, table.num_rows + 2), pa.int64()))
    con.register("arrow_rows", table)
    cols = ", ".join(f"nullif(trim({f}), '') AS {f}" for f in DECLARATION_FIELDS)
    for name, where in (
        ("stage", ""),
        ("stage_some", "WHERE line IN (SELECT line FROM stage_wanted)"),
    ):
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT line, CAST(NULL AS VARCHAR) AS raw, "
            f"false AS malformed, {cols} FROM arrow_rows {where}"
        )
        if name == "stage":
            con.execute("CREATE OR REPLACE TEMP TABLE stage_wanted (line BIGINT)")
    check_declarations(con, _rules(types))


def run_polars(con: Any, path: Path, types: dict[str, str], rates: Path) -> None:
    import polars as pl

    folder = BENCH.parent / "src" / "digex" / "data" / "codelists"

    def codes(name: str) -> pl.LazyFrame:
        return pl.scan_csv(folder / name, infer_schema=False)

    segments = pl.concat(
        [
            codes("segments.csv").select(segment="code", v_segment="code"),
            codes("ebops.csv")
            .filter(pl.col("segment").is_not_null())
            .select(segment="ebops_code", v_segment="segment"),
        ]
    )
    countries = codes("countries.csv").select(partner="code", partner_ok=pl.lit(True))
    currencies = codes("currencies.csv").select(currency="code", currency_ok=pl.lit(True))
    rate_frame = pl.scan_csv(rates, infer_schema=False).select(
        "period", "currency", rate=pl.col("rate").cast(pl.Decimal(18, 8))
    )
    month = TODAY.replace(day=1)
    amount_ok = pl.col("amount").str.contains(r"^[0-9]{1,14}(\.[0-9]{1,4})?$")
    period_ok = pl.col("period").str.contains(r"^(19|2[0-9])[0-9][0-9]-(0[1-9]|1[0-2])$")
    fields = ("period", "firm_id", "segment", "partner", "currency", "amount", "flow")
    rows = (
        pl.scan_csv(path, infer_schema=False)
        .with_row_index("line", offset=2)
        .join(segments, on="segment", how="left", maintain_order="left")
        .join(countries, on="partner", how="left", maintain_order="left")
        .join(currencies, on="currency", how="left", maintain_order="left")
        .join(rate_frame, on=["period", "currency"], how="left", maintain_order="left")
        .with_columns(
            v_period=pl.when(period_ok).then((pl.col("period") + "-01").str.to_date("%Y-%m-%d")),
            v_amount=pl.when(amount_ok).then(pl.col("amount").cast(pl.Decimal(18, 4))),
            v_rate=pl.when(pl.col("currency") == "MAD")
            .then(pl.lit(1).cast(pl.Decimal(18, 8)))
            .otherwise(pl.col("rate")),
            repeated=pl.col("declaration_id").is_not_null()
            & (
                ~pl.col("declaration_id").is_first_distinct()
                | (pl.struct(fields).n_unique().over("declaration_id") > 1)
            ),
        )
    )
    bad = (
        pl.col("declaration_id").is_null()
        | pl.col("repeated")
        | pl.col("v_period").is_null()
        | (pl.col("v_period") > month)
        | ~pl.col("firm_id").str.contains(r"^[0-9]{15}$").fill_null(False)
        | pl.col("v_segment").is_null()
        | pl.col("partner_ok").is_null()
        | pl.col("currency_ok").is_null()
        | pl.col("v_rate").is_null()
        | pl.col("v_amount").is_null()
        | (pl.col("v_amount") <= 0)
        | ~pl.col("flow").is_in(["X", "M"]).fill_null(False)
    )
    checked = rows.select(
        "line",
        "declaration_id",
        "v_period",
        v_firm_id="firm_id",
        v_segment="v_segment",
        v_partner="partner",
        v_currency="currency",
        v_amount="v_amount",
        v_flow="flow",
        v_rate="v_rate",
        reasons=pl.when(bad.fill_null(True)).then(pl.lit("X")).otherwise(pl.lit("")),
    ).collect()
    con.register("polars_checked", checked.to_arrow())
    con.execute("CREATE OR REPLACE TEMP TABLE checked AS SELECT * FROM polars_checked")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE rejected AS SELECT line FROM checked WHERE reasons <> ''"
    )


def one(path_name: str, declarations: Path, rates: Path) -> dict[str, Any]:
    """Run one path in this process; its figures and what must agree."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    import duckdb

    import digex.ingest.validate  # noqa: F401

    if path_name == "polars":
        import polars  # noqa: F401
    if path_name in ("polars", "arrow"):
        import pyarrow.csv  # noqa: F401
    imports = time.process_time() - cpu0
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    types = _prepare(con, rates)
    cpu, wall = time.process_time(), time.perf_counter()
    if path_name == "duckdb":
        run_duckdb(con, declarations, types)
    elif path_name == "arrow":
        run_arrow(con, declarations, types)
    else:
        run_polars(con, declarations, types, rates)
    work_cpu, work_wall = time.process_time() - cpu, time.perf_counter() - wall
    # accepted: no reason in `checked` and not among the rejected rows (digex finds the
    # repeated ids after the first pass, so their rows are rejected only in `rejected`)
    row = con.execute(
        "WITH c AS (SELECT *, reasons = '' AND line NOT IN (SELECT line FROM rejected) AS ok "
        "FROM checked) "
        "SELECT count(*), count(*) FILTER (ok), sum(v_amount) FILTER (ok), "
        "hash(string_agg(CAST(line AS VARCHAR), ',' ORDER BY line) FILTER (NOT ok)) FROM c"
    ).fetchone()
    assert row is not None
    rejected = con.execute("SELECT count(*) FROM rejected").fetchone()
    return {
        "path": path_name,
        "cpu": work_cpu,
        "wall": work_wall,
        "imports_cpu": imports,
        "process_wall": time.perf_counter() - wall0,
        "rows": int(row[0]),
        "accepted": int(row[1]),
        "amount_accepted": str(row[2]),
        "rejected": int(rejected[0]) if rejected else 0,
        "rejected_lines_hash": str(row[3]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("declarations", type=Path)
    parser.add_argument("--rates", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--one", choices=PATHS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.declarations, args.rates)))
        return
    runs: dict[str, list[dict[str, Any]]] = {}
    paths = args.paths.split(",")
    for i in range(args.repeat):
        for name in paths[i % len(paths) :] + paths[: i % len(paths)]:  # turns rotate
            out = subprocess.run(
                [sys.executable, __file__, str(args.declarations), "--rates", str(args.rates),
                 "--one", name],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            runs.setdefault(name, []).append(json.loads(out.stdout))
    print(f"{'path':8} {'work CPU s':>10} {'work wall s':>11} {'imports CPU s':>13}  rows, "
          "accepted, amount accepted, rejected lines")  # fmt: skip
    for name, rs in runs.items():
        med = {k: statistics.median(r[k] for r in rs) for k in ("cpu", "wall", "imports_cpu")}
        r = rs[0]
        print(
            f"{name:8} {med['cpu']:10.2f} {med['wall']:11.2f} {med['imports_cpu']:13.2f}  "
            f"{r['rows']:,}, {r['accepted']:,}, {r['amount_accepted']}, "
            f"{r['rejected']:,} ({r['rejected_lines_hash']})"
        )


if __name__ == "__main__":
    main()
