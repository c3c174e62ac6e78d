"""Compiled SQL of a suite pass on DuckDB, recorded once and run again without Ibis.

A suite pass (`Suite.run`: every family of one frequency, for its cuts and periods) is a fixed
list of statements: temporary tables materialised in turn (coverage, firm cells, levels), then
one query per family. Ibis building and compiling those statements cost most of a small
computation's time (1,000 rows: about 1.5 CPU s of Ibis around 0.1 s of DuckDB), and the same
text comes out every time for the same inputs. So, on DuckDB, the pass is compiled into a
`Plan` whose only varying values, the calendar years the engine reads and the ordinals of the
periods asked for, are placeholders: Ibis compiles it with sentinel values (`FIRST_YEAR`,
`LAST_YEAR`, `ORDINAL_BASE`...), and each run writes the real integers in their place. The
definitions stay written once, as Ibis expressions (DESIGN.md); PostgreSQL and Spark keep
running them through Ibis.

A plan is found by a key (`Inputs.key`) of everything its text depends on, computed without
Ibis: the frequency, the families and their cuts, whether periods are asked and how many, the
engine's table names, the currency's minor units, the code-list correspondences, the foreign
currencies, the versions of digex, Ibis, sqlglot, DuckDB and the store schema, and a digest of
the source of the modules that build the expressions (an edited engine.py is a new key, never
an old plan). The single queries a computation makes beside its passes (the jobs and auxiliary
series rows, the jobs' levels: `Engine.frame`) are planned the same way (`Read`). Plans are
kept in the process, and the standard ones (a load computes the latest year and half-year by
every single cut) ship with the package (`data/plans/suite.json`, written by
`scripts/build_plans.py`; a test fails when they differ from what Ibis compiles now). A missing
or unusable plan means compiling with Ibis, never a wrong number.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from digex import __version__
from digex.indicators.cuts import CUTS
from digex.sql import identifier, literal

if TYPE_CHECKING:
    import duckdb
    import ibis.expr.types as ir
    import pandas as pd
    import pyarrow as pa

    from digex.indicators.cuts import Mappings
    from digex.indicators.engine import Engine
    from digex.indicators.suite import Suite

FORMAT: Final = "p1"
"""Version of the plans' own layout and of the placeholders' meaning."""
FIRST_YEAR: Final = 7001
"""Sentinel of the first calendar year a pass reads (its date literal is `MAKE_DATE(7001, 1,
1)` in the compiled text, replaced by the real first year's)."""
LAST_YEAR: Final = 7002
"""Sentinel of the last calendar year read: the engine compares with the next year's first day,
`MAKE_DATE(7003, 1, 1)`."""
ORDINAL_BASE: Final = 31001
"""Sentinels of the ordinals of the periods asked (the i-th smallest is ORDINAL_BASE + i): in
the same integer type as real ordinals (SMALLINT), far from any other constant of the SQL."""
SHIPPED: Final = Path(__file__).resolve().parents[1] / "data" / "plans" / "suite.json"
SOURCES: Final = (
    "indicators/engine.py",
    "indicators/firms.py",
    "indicators/cuts.py",
    "indicators/periods.py",
    "indicators/suite.py",
    "indicators/plans.py",
    "store/replay.py",
)
"""The modules whose code makes a plan's text (relative to the package)."""
STANDARD: Final = tuple(
    (freq, cuts, periods)
    for freq in ("A", "H", "Q", "M")
    for cuts in (CUTS, ("total",))
    for periods in (1, None)
)
"""The passes shipped compiled: every single cut (what a load computes for the latest year and
half-year, and `--by all`) or the total (a query's default), for one period or every period."""
_EXCLUDE = re.compile(r'EXCLUDE \(("[a-z_0-9]+"(?:, "[a-z_0-9]+")*)\)')
"""The columns a `drop` leaves out: Ibis writes them in a set's order, which differs from one
process to the next (string hashing); sorted, the text of a plan is the same everywhere."""


def _sorted_names(found: re.Match[str]) -> str:
    return f"EXCLUDE ({', '.join(sorted(found.group(1).split(', ')))})"


_SENTINEL = re.compile(r"\b(?:700[1-3]|31[0-9]{3})\b")


@dataclass(frozen=True)
class Inputs:
    """Everything the text of a suite pass depends on."""

    freq: str
    families: tuple[tuple[str, tuple[str, ...]], ...]
    """Each family computed, with the cuts it is computed for, in the suite's order."""
    currencies: tuple[str, ...]
    """The foreign family's currencies."""
    periods: int | None
    """How many periods are asked (their ordinals are placeholders), or None for every
    period (no year is read apart)."""
    tables: tuple[str, str, str]
    minor_units: int
    mappings: str
    """A digest of the code-list correspondences."""

    def key(self) -> str:
        return _key("suite", asdict(self))


@dataclass(frozen=True)
class Read:
    """One query a computation makes beside the suite's passes (the jobs and auxiliary series
    rows, the jobs' levels of exports: `Engine.frame`), keyed as a pass is."""

    name: str
    years: bool
    """Whether the query reads calendar years apart (placeholders)."""
    described: tuple[tuple[str, str], ...]
    """The other values the query's text is built from (e.g. the series read)."""
    tables: tuple[str, str, str]
    minor_units: int
    mappings: str

    def key(self) -> str:
        return _key("read", asdict(self))


def _key(kind: str, inputs: Mapping[str, Any]) -> str:
    described = {"kind": kind, "inputs": inputs, "software": software()}
    text = json.dumps(described, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Plan:
    """The statements of one suite pass with placeholders, and what they need registered."""

    key: str
    statements: tuple[tuple[str, str | None], ...]
    """(SQL, role): the role names the result of a query (coverage or a family), None for a
    temporary table."""
    temporary: tuple[str, ...]
    mappings: tuple[tuple[str, str], ...]
    """(registered name, correspondence: ebops or region) of the code-list tables read."""
    types: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    """Per role, the integer columns Ibis types as 64-bit integers (DuckDB's sums are 128-bit;
    Ibis converts them back), as (column, type)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "statements": [list(s) for s in self.statements],
            "temporary": list(self.temporary),
            "mappings": [list(m) for m in self.mappings],
            "types": [[role, [list(c) for c in cols]] for role, cols in self.types],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Plan:
        return cls(
            key=str(data["key"]),
            statements=tuple((str(sql), role) for sql, role in data["statements"]),
            temporary=tuple(data["temporary"]),
            mappings=tuple((str(n), str(k)) for n, k in data["mappings"]),
            types=tuple(
                (str(role), tuple((str(c), str(t)) for c, t in cols))
                for role, cols in data["types"]
            ),
        )

    def filled(self, years: tuple[int, int] | None, ordinals: Sequence[int]) -> list[str]:
        """The statements' SQL with the real years and ordinals in place of the sentinels."""
        values: dict[str, str] = {}
        if years is not None:
            first, last = years
            values[str(FIRST_YEAR)] = literal(int(first))
            values[str(LAST_YEAR + 1)] = literal(int(last) + 1)
        for i, ordinal in enumerate(sorted(ordinals)):
            values[str(ORDINAL_BASE + i)] = literal(int(ordinal))
        return [_SENTINEL.sub(lambda m: values[m.group(0)], sql) for sql, _ in self.statements]


@cache
def software() -> dict[str, str]:
    """The versions and the code a plan's text comes from, read without importing Ibis."""
    from importlib.metadata import version

    import duckdb

    from digex.store import SCHEMA_VERSION

    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in SOURCES:
        try:
            text = (root / name).read_bytes()
        except OSError:  # an installation without sources: only this process's plans match
            text = b"unreadable"
        digest.update(name.encode() + b"\0" + text + b"\0")
    return {
        "format": FORMAT,
        "digex": __version__,
        "ibis": version("ibis-framework"),
        "sqlglot": version("sqlglot"),
        "duckdb": duckdb.__version__,
        "schema": str(SCHEMA_VERSION),
        "code": digest.hexdigest(),
    }


def mappings_digest(mappings: Mappings) -> str:
    return hashlib.sha256(repr(mappings).encode()).hexdigest()


_KEPT: dict[str, Plan] = {}


@cache
def _shipped() -> dict[str, Plan]:
    """The plans shipped with the package (none when the file is missing or unreadable)."""
    try:
        data = json.loads(SHIPPED.read_text(encoding="utf-8"))
        return {p["key"]: Plan.from_json(p) for p in data["plans"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


_SHIPPING: list[bool] = []
"""Holds an item while `standard` compiles the plans to ship (the shipped ones then unused)."""


def find(key: str) -> Plan | None:
    """The plan of `key`: kept in this process, else shipped; None when neither has it."""
    return _KEPT.get(key) or (None if _SHIPPING else _shipped().get(key))


def keep(plan: Plan) -> None:
    _KEPT[plan.key] = plan


class Recorder:
    """Compiles what an engine materialises and queries into a plan's statements instead of
    running them (`Engine(recorder=...)`): a materialised table becomes a named temporary
    table, read by the later statements by that name."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.statements: list[tuple[str, str | None]] = []
        self.temporary: list[str] = []
        self.mappings: dict[str, str] = {}
        self.types: dict[str, tuple[tuple[str, str], ...]] = {}

    def materialise(self, expr: ir.Table) -> ir.Table:
        import ibis

        name = f"digex_plan_t{len(self.temporary)}"
        sql = self._compile(expr)
        self.statements.append((f"CREATE OR REPLACE TEMP TABLE {identifier(name)} AS {sql}", None))
        self.temporary.append(name)
        return ibis.table(expr.schema(), name=name)

    def query(self, role: str, expr: ir.Table) -> None:
        self.statements.append((self._compile(expr), role))
        self.types[role] = tuple(
            (c, str(t)) for c, t in expr.schema().items() if t.is_integer() or t.is_boolean()
        )

    def _compile(self, expr: ir.Table) -> str:
        import ibis.expr.operations as ops

        sql: str = self.backend.compile(expr)
        for node in expr.op().find(ops.InMemoryTable):
            kind = "ebops" if "seg_" in node.schema.names else "region"
            name = f"digex_plan_{kind}"
            sql = sql.replace(identifier(node.name), identifier(name))
            self.mappings[name] = kind
        return _EXCLUDE.sub(_sorted_names, sql)

    def plan(self, key: str, *, years: bool, periods: int) -> Plan | None:
        """The plan recorded, or None when a sentinel's number appears where it cannot be
        filled (a constant of the same value elsewhere): the pass then runs through Ibis."""
        dates = (f"MAKE_DATE({FIRST_YEAR}, 1, 1)", f"MAKE_DATE({LAST_YEAR + 1}, 1, 1)")
        expected = {str(ORDINAL_BASE + i) for i in range(periods)}
        if years:
            expected |= {str(FIRST_YEAR), str(LAST_YEAR + 1)}
        for sql, _ in self.statements:
            found = _SENTINEL.findall(sql)
            in_dates = sum(sql.count(d) for d in dates)
            years_found = sum(1 for f in found if f.startswith("700"))
            if not set(found) <= expected or years_found != in_dates:
                return None
        return Plan(
            key=key,
            statements=tuple(self.statements),
            temporary=tuple(self.temporary),
            mappings=tuple(sorted(self.mappings.items())),
            types=tuple(sorted(self.types.items())),
        )


def run(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    years: tuple[int, int] | None,
    ordinals: Sequence[int],
    mappings: Mappings,
) -> dict[str, pd.DataFrame]:
    """Run `plan` on a store cursor for these years and ordinals: each role's frame."""
    return {
        role: table.to_pandas()
        for role, table in run_arrow(con, plan, years, ordinals, mappings).items()
    }


def run_arrow(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    years: tuple[int, int] | None,
    ordinals: Sequence[int],
    mappings: Mappings,
) -> dict[str, pa.Table]:
    """`run`'s results as Arrow tables (the suite shapes them without pandas), with the
    types Ibis gives the columns."""
    import pyarrow as pa

    from digex.store import replay

    registered = {name: _mapping_table(kind, mappings) for name, kind in plan.mappings}
    sqls = plan.filled(years, ordinals)
    roles = [role for _, role in plan.statements]
    found = replay.run(
        con, list(zip(sqls, roles, strict=True)), registered=registered, temporary=plan.temporary
    )
    types = dict(plan.types)
    out = {}
    for role, table in found.items():
        for column, kind in types.get(role, ()):
            i = table.schema.get_field_index(column)
            if kind != "boolean" and not pa.types.is_integer(table.schema.field(i).type):
                table = table.set_column(i, column, table.column(i).cast(pa.int64()))
        out[role] = table
    return out


def standard(suite: Suite, series: Sequence[str]) -> list[tuple[Inputs | Read, Plan]]:
    """The `STANDARD` passes compiled on `suite`'s engine (a new store's, read with the profile
    the plans are for), and the reads beside them (`standard_reads`: the profile's `series`),
    as `scripts/build_plans.py` ships them; one that cannot be planned is left out (it runs
    through Ibis)."""
    out: list[tuple[Inputs | Read, Plan]] = []
    _SHIPPING.append(True)
    try:
        for freq, cuts, periods in STANDARD:
            inputs = suite.inputs(freq, suite.families(freq, cuts), periods)
            plan = suite.record(inputs, inputs.key())
            if plan is not None:
                out.append((inputs, plan))
        for read, build, years in standard_reads(suite.engine, series):
            suite.engine.frame(read.name, build, years=years, described=dict(read.described))
            if (plan := _KEPT.get(read.key())) is not None:
                out.append((read, plan))
    finally:
        _SHIPPING.clear()
    return out


def standard_reads(
    engine: Engine, series: Sequence[str]
) -> list[tuple[Read, Callable[[Engine], ir.Table], tuple[int, int] | None]]:
    """The reads a load's computation makes beside its passes: the jobs rows, the levels the
    jobs are compared with (for some years), the auxiliary `series` rows."""
    from digex.indicators.auxiliary import series_query
    from digex.indicators.targets import jobs_levels_query, jobs_rows_query

    ids = list(series)
    years = (FIRST_YEAR, LAST_YEAR)
    return [
        (engine.read("jobs_rows"), jobs_rows_query, None),
        (engine.read("jobs_levels", years=True), jobs_levels_query, years),
        (
            engine.read("series_rows", described={"series": json.dumps(ids)}),
            series_query(ids),
            None,
        ),
    ]


def shipped_text(made: Sequence[tuple[Inputs | Read, Plan]]) -> str:
    """The shipped file's text: each plan with the inputs it was compiled for."""
    plans = [{"inputs": asdict(inputs), **plan.as_json()} for inputs, plan in made]
    return json.dumps({"format": FORMAT, "plans": plans}, indent=1, ensure_ascii=False) + "\n"


def _mapping_table(kind: str, mappings: Mappings) -> pa.Table:
    """A correspondence as `digex.indicators.cuts.with_member` reads it."""
    import pyarrow as pa

    if kind == "ebops":
        pairs: Sequence[tuple[str, str | None]] = mappings.ebops
        names = ["seg_", "member"]
    else:
        pairs = mappings.regions
        names = ["cc_", "region_"]
    columns = list(zip(*pairs, strict=True)) if pairs else [(), ()]
    return pa.table([pa.array(list(c), pa.string()) for c in columns], names=names)
