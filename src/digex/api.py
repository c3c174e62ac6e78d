"""The Python API: what the CLI (and later the web API) are thin layers over."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from digex.profile import CountryProfile, load_profile
from digex.store import Store

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from digex.indicators.consistency import CheckResult
    from digex.indicators.engine import Engine
    from digex.indicators.select import Fetch, T
    from digex.ingest.load import LoadResult, Progress
    from digex.ingest.parsers import DecimalMark
    from digex.publish.tidy import Rows

PathLike = str | Path
Output = Literal["pandas", "arrow"]


class Digex:
    """An open store with the country profile it is read with."""

    def __init__(self, store: Store, profile: CountryProfile) -> None:
        self.store = store
        self.profile = profile

    @classmethod
    def open(
        cls, path: PathLike | None = None, *, read_only: bool = False, profile: str = "MA"
    ) -> Digex:
        return cls(Store(path, read_only=read_only), load_profile(profile))

    @classmethod
    def create(cls, path: PathLike | None = None, *, profile: str = "MA") -> Digex:
        country = load_profile(profile)  # first: an unknown profile leaves no file behind
        return cls(Store.create(path), country)

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def synthetic(self) -> bool:
        """Whether the store holds generated demo data (every output then says so)."""
        return self.store.synthetic

    def load(
        self,
        files: PathLike | Sequence[PathLike] = (),
        *,
        rates: PathLike | Sequence[PathLike] = (),
        jobs: PathLike | Sequence[PathLike] = (),
        replace: int | Sequence[int] = (),
        encoding: str | None = None,
        delimiter: str | None = None,
        decimal_mark: DecimalMark = "auto",
        today: dt.date | None = None,
        user: str | None = None,
        progress: Progress | None = None,
    ) -> list[LoadResult]:
        """Load declaration files (and the rates and auxiliary series) in one transaction.

        Any of the three may be empty (a corrected rates file is loaded alone), not all.
        Returns one reconciliation per file: rates, then jobs, then declarations. Nothing is
        written if any file fails.
        """
        from digex.errors import UsageError
        from digex.ingest.load import Loader, LoadOptions

        if not (_as_list(files) or _as_list(rates) or _as_list(jobs)):
            raise UsageError("nothing to load: give declaration files, `rates` or `jobs` files")

        options = LoadOptions(encoding, delimiter, decimal_mark, today, user)
        return Loader(self.store, self.profile, options).run(
            [Path(f) for f in _as_list(files)],
            [Path(f) for f in _as_list(rates)],
            [int(r) for r in ([replace] if isinstance(replace, int) else replace)],
            progress,
            [Path(f) for f in _as_list(jobs)],
        )

    def _query(self, sql: str, params: Sequence[object], output: Output) -> Any:
        table = self.store.con.execute(sql, list(params)).fetch_arrow_table()
        return table if output == "arrow" else table.to_pandas()

    @overload
    def rejects(
        self, *, load_id: int | None = None, output: Literal["pandas"] = "pandas"
    ) -> pd.DataFrame: ...
    @overload
    def rejects(self, *, load_id: int | None = None, output: Literal["arrow"]) -> pa.Table: ...
    def rejects(self, *, load_id: int | None = None, output: Output = "pandas") -> Any:
        """Rejected rows of current loads with file, line, reason codes and original values.

        Rows of declaration, rates and jobs files alike, `kind` saying which; the rates'
        and jobs' own fields are in `rate`, `year` and `jobs` (their `period`, `currency`
        and `segment` in the declarations' columns of the same name).
        """
        # the id is written into the SQL, not bound: binding a parameter makes DuckDB import
        # pandas, most of the time `digex rejects --load N` takes
        where = f"WHERE load_id = {int(load_id):d}" if load_id is not None else ""
        return self._query(
            "SELECT load_id, file_name, line, reasons, message, declaration_id, period, firm_id,"
            " segment, partner, currency, amount, flow, raw, kind, rate, year, jobs "
            f"FROM current_all_rejects {where} ORDER BY load_id, line",
            [],
            output,
        )

    @overload
    def loads(self, *, output: Literal["pandas"] = "pandas") -> pd.DataFrame: ...
    @overload
    def loads(self, *, output: Literal["arrow"]) -> pa.Table: ...
    def loads(self, *, output: Output = "pandas") -> Any:
        """The load log, with whether each load is still current, and its status: 'current',
        'replaced' (by a later load) or 'withdrawn' (with who withdrew it, when and why).

        `reconverted` counts the stored declarations converted again because this rates load
        was stored or withdrawn, `reconverted_months` the months and currencies concerned."""
        return self._query(
            "SELECT l.load_id, l.kind, l.file_name, l.file_format, l.encoding, l.loaded_at,"
            " l.loaded_by, l.rows_read, l.rows_accepted, l.rows_rejected, l.replaces,"
            " a.load_id IS NOT NULL AS current, l.content_hash,"
            " CASE WHEN w.load_id IS NOT NULL THEN 'withdrawn'"
            " WHEN a.load_id IS NOT NULL THEN 'current' ELSE 'replaced' END AS status,"
            " w.withdrawn_at, w.withdrawn_by, w.reason AS withdraw_reason,"
            " coalesce(c.rows, 0) AS reconverted, c.months AS reconverted_months "
            "FROM loads l LEFT JOIN active_loads a USING (load_id)"
            " LEFT JOIN withdrawals w USING (load_id)"
            " LEFT JOIN (SELECT load_id, CAST(sum(rows_converted) AS BIGINT) AS rows,"
            " string_agg(months, '; ' ORDER BY conversion_id) AS months"
            " FROM conversions GROUP BY load_id) c USING (load_id) "
            "ORDER BY l.load_id",
            [],
            output,
        )

    def withdraw(self, load_id: int, *, reason: str, user: str | None = None) -> None:
        """Take a load out of the current view (declarations, rejects, rates, jobs, totals)
        without deleting it; the load log keeps who withdrew it, when and why. A load the
        withdrawn one had replaced is current again. Cached indicators become stale; when a
        rates load is withdrawn, declarations are converted again at the rates in force."""
        from digex.ingest.load import minor_units
        from digex.store.withdraw import withdraw

        units = minor_units(self.profile.national_currency)
        withdraw(self.store, int(load_id), reason=reason, minor_units=units, user=user)

    @overload
    def declarations(self, *, output: Literal["pandas"] = "pandas") -> pd.DataFrame: ...
    @overload
    def declarations(self, *, output: Literal["arrow"]) -> pa.Table: ...
    def declarations(self, *, output: Output = "pandas") -> Any:
        """Current accepted declarations (national-currency value in minor units)."""
        return self._query("SELECT * FROM current_declarations", [], output)

    def engine(self) -> Engine:
        """The indicator engine over this store (Ibis on the store's own DuckDB connection)."""
        import ibis

        from digex.indicators.engine import Engine, Sources
        from digex.ingest.load import minor_units
        from digex.store.codes import ENGINE_VIEW

        backend = ibis.duckdb.from_connection(self.store.con)
        units = minor_units(self.profile.national_currency)
        return Engine(Sources(backend, declarations=ENGINE_VIEW, minor_units=units))

    def indicators(
        self,
        period: str | Sequence[str] | None = None,
        *,
        freq: str | None = None,
        by: str = "total",
        flow: str | Sequence[str] = "X",
        indicators: Sequence[str] | None = None,
        unit_mult: int = 0,
        top: int | None = None,
        output: Output = "pandas",
    ) -> Any:
        """Indicators as a tidy table: one row per indicator x flow x cut member x period.

        `period` is a label (2024, 2024-Q3, 2025-H1, 2024-03) or a list of them; without it,
        every period at `freq` (default annual). Values are unrounded; `unit_mult=9` gives money
        in billions; `top=5` keeps the five largest members (e.g. partners) of each period.
        """
        from digex.indicators.select import to_arrow, to_frame

        if output == "arrow":  # straight from the engine: a cached answer needs no pandas
            return self._answer(period, freq, by, flow, indicators, unit_mult, top, to_arrow)
        return self._answer(period, freq, by, flow, indicators, unit_mult, top, to_frame)

    def indicator_rows(
        self,
        period: str | Sequence[str] | None = None,
        *,
        freq: str | None = None,
        by: str = "total",
        flow: str | Sequence[str] = "X",
        indicators: Sequence[str] | None = None,
        unit_mult: int = 0,
        top: int | None = None,
    ) -> Rows:
        """The rows `indicators` returns, as plain Python tuples, for callers that only print
        them: a cached answer then imports neither pandas nor PyArrow (the CLI answers in a
        fraction of a second instead of two)."""
        from digex.publish.tidy import Rows

        return self._answer(period, freq, by, flow, indicators, unit_mult, top, Rows.fetch)

    def _answer(
        self,
        period: str | Sequence[str] | None,
        freq: str | None,
        by: str,
        flow: str | Sequence[str],
        indicators: Sequence[str] | None,
        unit_mult: int,
        top: int | None,
        fetch: Fetch[T],
    ) -> T:
        """Narrow the cached table for the query, or compute (and cache) it on a miss."""
        from digex.indicators import cache
        from digex.indicators.options import check_query
        from digex.indicators.select import Selection, narrow, narrow_frame

        check_query(period, freq, by, flow, indicators, unit_mult, top)
        keys = cache.requests(period, freq, by)
        selection = Selection.of(
            self.profile, flow=flow, indicators=indicators, unit_mult=unit_mult, top=top
        )
        cached = cache.lookup(self.store, self.profile, keys)
        if cached is not None:
            return narrow(self.store.con, cached, selection, fetch)
        from digex.indicators.service import compute

        computed = compute(self.engine(), self.profile, period=period, freq=freq, by=by)
        self.store.write_briefly(lambda store: cache.write(store, self.profile, keys, computed))
        return narrow_frame(self.store.con, computed, selection, fetch)

    def precompute(self, freqs: Sequence[str] = ("A", "H")) -> list[str]:
        """Compute and keep every indicator of every cut, both flows, for the latest complete
        period of each frequency in `freqs` (by default the year and the half-year a release
        publishes first), so that queries on them are answered from the cache at once.

        The CLI runs this after each load: every load makes earlier results stale, and the
        user is waiting anyway. Returns the periods computed (none when the store holds no
        declarations).
        """
        from digex.indicators import cache
        from digex.indicators.periods import latest_complete

        row = self.store.con.execute(
            "SELECT min(period), max(period) FROM current_declarations"
        ).fetchone()
        if row is None or row[0] is None:
            return []
        oldest: dt.date = row[0]
        latest = [latest_complete(f, row[1]) for f in freqs]
        periods = sorted({p.label for p in latest if dt.date(p.year, p.last_month, 1) >= oldest})
        if not periods:
            return []
        keys = cache.requests(periods, None, "all")
        if cache.lookup(self.store, self.profile, keys) is None:
            from digex.indicators.service import compute

            computed = compute(self.engine(), self.profile, period=periods, by="all")
            self.store.write_briefly(lambda store: cache.write(store, self.profile, keys, computed))
        return periods

    def targets(self, *, output: Output = "pandas") -> Any:
        """Progress toward the profile's national targets (level, gap, growth achieved/needed)."""
        from digex.indicators.service import targets

        frame = targets(self.engine(), self.profile)
        if output == "arrow":
            import pyarrow as pa

            return pa.Table.from_pandas(frame, preserve_index=False)
        return frame

    def check(self) -> list[CheckResult]:
        """Run the consistency checks (parts sum to totals, shares to 100, ...)."""
        from digex.indicators import cache
        from digex.indicators.consistency import run_checks

        return run_checks(self.engine(), kept=cache.kept(self.store, self.profile))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Digex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _as_list(value: PathLike | Sequence[PathLike]) -> list[PathLike]:
    if isinstance(value, str | Path):
        return [value]
    return list(value)


def indicators_on(
    url: str,
    period: str | Sequence[str] | None = None,
    *,
    profile: str = "MA",
    freq: str | None = None,
    by: str = "total",
    flow: str | Sequence[str] = "X",
    indicators: Sequence[str] | None = None,
    unit_mult: int = 0,
) -> pd.DataFrame:
    """The same indicators computed on another engine (Spark, PostgreSQL, a DuckDB file),
    named by a URL (see `digex.backends.sources_from_url`); nothing is cached."""
    from digex.backends import sources_from_url
    from digex.indicators.engine import Engine
    from digex.indicators.options import check_query
    from digex.indicators.select import select
    from digex.indicators.service import compute
    from digex.ingest.load import minor_units

    check_query(period, freq, by, flow, indicators, unit_mult)
    country = load_profile(profile)
    sources = sources_from_url(url, minor_units=minor_units(country.national_currency))
    frame = compute(Engine(sources), country, period=period, freq=freq, by=by)
    return select(frame, country, flow=flow, indicators=indicators, unit_mult=unit_mult)
