"""The Python API: what the CLI (and later the web API) are thin layers over."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from digex.errors import ProfileWarning
from digex.profile import CountryProfile, load_profile
from digex.store import Store
from digex.store.country import StoreProfile, adopt_profile, read_profile, record_on

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow as pa

    from digex.indicators.consistency import CheckResult
    from digex.indicators.engine import Engine
    from digex.indicators.select import Fetch, T
    from digex.ingest.load import LoadResult, Progress
    from digex.ingest.parsers import DecimalMark
    from digex.publish.tidy import Rows
    from digex.releases.calendar import Calendar
    from digex.releases.calendar import Entry as CalendarEntry
    from digex.releases.create import ReleaseInfo
    from digex.releases.verify import Verification
    from digex.store.store import Snapshot

PathLike = str | Path
Output = Literal["pandas", "arrow"]

if TYPE_CHECKING:  # release history (list, show, diff, revisions)
    from digex.releases.analysis import Analysis
    from digex.releases.diff import ReleaseDiff
    from digex.releases.gate import Audited
    from digex.releases.show import ReleaseDetails


class Digex:
    """An open store with the country profile it is read with: the one the store records."""

    def __init__(self, store: Store, profile: CountryProfile) -> None:
        self.store = store
        self.profile = profile
        self.profile_change: str | None = None
        """Set when the installed profile differs from the one the store records (the store
        keeps reading its data with the recorded one): what differs and what to do."""
        self.profile_note: str | None = None
        """What opening or creating the store recorded, if anything: the profile of a store
        made before stores recorded theirs (no warning: its data are read as before), or the
        one `create` was asked to record in place of the store's."""

    @classmethod
    def open(
        cls, path: PathLike | None = None, *, read_only: bool = False, profile: str | None = None
    ) -> Digex:
        """Open a store, read with the country profile it records. `profile` (a code or a
        .toml path) must then be of the same country; a different version of it, as one
        installed since, is reported (`profile_change` and a `ProfileWarning`), not used."""
        asked = load_profile(profile) if profile is not None else None
        return cls._with(Store(path, read_only=read_only), lambda s: read_profile(s, asked))

    @classmethod
    def create(cls, path: PathLike | None = None, *, profile: str | None = None) -> Digex:
        """Create a store recording `profile` (default `$DIGEX_PROFILE`, else MA), or open an
        existing one: with `profile`, the store then records it in place of its own (a new
        version of the same country's, or any while it holds no load; `profile_note` says
        what changed); without, it keeps its own."""
        from digex import settings

        asked = load_profile(profile) if profile is not None else None
        new = not Path(path if path is not None else settings.default_path()).exists()
        # a new store's default is checked before a file is made; an existing one keeps its own
        default = (asked or load_profile()) if new else None
        made: list[CountryProfile] = []  # a new file records its profile as it is created

        def first(con: duckdb.DuckDBPyConnection) -> None:
            if default is not None:
                record_on(con, default)
                made.append(default)

        store = Store.create(path, first=first)
        if made:
            return cls._with(store, lambda s: StoreProfile(made[0]))
        return cls._with(store, lambda s: adopt_profile(s, asked, default))

    @classmethod
    def _with(cls, store: Store, read: Callable[[Store], StoreProfile]) -> Digex:
        try:
            found = read(store)
        except BaseException:
            store.close()
            raise
        db = cls(store, found.profile)
        db.profile_change, db.profile_note = found.change, found.note
        if found.change is not None:
            warnings.warn(found.change, ProfileWarning, stacklevel=3)
        return db

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
        reason: str | None = None,
        series: PathLike | Sequence[PathLike] = (),
    ) -> list[LoadResult]:
        """Load declaration files (and the rates and auxiliary series) in one transaction.

        Any of them may be empty (a corrected rates file is loaded alone), not all. `series`:
        files of the auxiliary aggregate series the profile declares (series, year, value).
        Returns one reconciliation per file: rates, jobs, series, then declarations. Nothing
        is written if any file fails. `reason` (why the files are loaded) is kept with each
        load's event in the audit log (`log`).
        """
        from digex.errors import UsageError
        from digex.ingest.load import Loader, LoadOptions

        if not (_as_list(files) or _as_list(rates) or _as_list(jobs) or _as_list(series)):
            raise UsageError(
                "nothing to load: give declaration files, `rates`, `jobs` or `series` files"
            )

        why = (reason or "").strip() or None
        options = LoadOptions(encoding, delimiter, decimal_mark, today, user, why)
        return Loader(self.store, self.profile, options).run(
            [Path(f) for f in _as_list(files)],
            [Path(f) for f in _as_list(rates)],
            [int(r) for r in ([replace] if isinstance(replace, int) else replace)],
            progress,
            [Path(f) for f in _as_list(jobs)],
            [Path(f) for f in _as_list(series)],
        )

    @staticmethod
    def _output(table: pa.Table, output: Output) -> Any:
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
        from digex.store import queries

        with self.store.reading() as con:
            return self._output(queries.rejects(con, load_id), output)

    @overload
    def loads(self, *, output: Literal["pandas"] = "pandas") -> pd.DataFrame: ...
    @overload
    def loads(self, *, output: Literal["arrow"]) -> pa.Table: ...
    def loads(self, *, output: Output = "pandas") -> Any:
        """The load log, with whether each load is still current, and its status: 'current',
        'replaced' (by a later load) or 'withdrawn' (with who withdrew it, when and why).

        `reconverted` counts the stored declarations converted again because this rates load
        was stored or withdrawn, `reconverted_months` the months and currencies concerned."""
        from digex.store import queries

        with self.store.reading() as con:
            return self._output(queries.load_log(con), output)

    def withdraw(self, load_id: int, *, reason: str, user: str | None = None) -> None:
        """Take a load out of the current view (declarations, rejects, rates, jobs, totals)
        without deleting it; the load log keeps who withdrew it, when and why. A load the
        withdrawn one had replaced is current again. Cached indicators become stale; when a
        rates load is withdrawn, declarations are converted again at the rates in force."""
        from digex.store.withdraw import withdraw

        units = self.profile.minor_units
        withdraw(self.store, int(load_id), reason=reason, minor_units=units, user=user)

    def log(
        self,
        *,
        action: str | None = None,
        since: dt.date | None = None,
        limit: int | None = None,
        output: Output = "pandas",
    ) -> Any:
        """The audit log, oldest first: who loaded, replaced, withdrew or released what, when
        (UTC) and why; only `action`'s events, those made on or after `since` (a UTC day),
        the last `limit` of them."""
        from digex.store import audit

        with self.store.reading() as con:
            table = audit.events(con, action, since=since, limit=limit)
        return self._output(table, output)

    def calendar_entries(
        self,
        today: dt.date | dt.datetime | None = None,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> list[CalendarEntry]:
        """The profile's release calendar on `today` (a date: the end of that day in the
        office's time zone; default now), with the releases the store holds: what `calendar`
        returns, as entries (which `digex.releases.ical` writes)."""
        from digex.releases import calendar as cal
        from digex.store import releases

        rules = self.calendar_rules()
        now = cal.moment(today or dt.datetime.now(dt.UTC), rules.timezone)
        with self.store.reading() as con:
            made = cal.made_of(releases.listing(con).to_pylist())
        return cal.window(rules, made, now, since, until)

    def calendar_rules(self) -> Calendar:
        """The release calendar the store's profile states (`ProfileError` when it states
        none, as a profile made before calendars were)."""
        from digex.errors import ProfileError

        if self.profile.calendar is None:
            raise ProfileError(
                f"the country profile the store {self.path} records ({self.profile.label}) "
                "states no release calendar: add a [calendar] table to it "
                "(digex/data/profiles/MA.toml has one) and record it with init "
                f"(profile={self.profile.source or self.profile.code})"
            )
        return self.profile.calendar

    def calendar(
        self,
        today: dt.date | dt.datetime | None = None,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        output: Output = "pandas",
    ) -> Any:
        """Past and upcoming releases by day: each scheduled release's deadline (`due`) and
        state (due, published, published-late or late), and the releases no rule schedules;
        an embargoed release is `due` until its publication time (`published_at`, UTC).
        `today`: a date (the end of that day in the office's time zone) or an aware datetime
        (default now); `since`/`until` keep the days shown (the publication day when there is
        one, else the deadline) within them (default: from the calendar's first day to twelve
        months ahead)."""
        import pyarrow as pa

        from digex.releases.calendar import COLUMNS, table_rows

        rows = table_rows(self.calendar_entries(today, since=since, until=until))
        types = {"due": pa.date32(), "published_at": pa.timestamp("us", "UTC")}
        arrays = [
            pa.array([row[i] for row in rows], types.get(name, pa.string()))
            for i, name in enumerate(COLUMNS)
        ]
        return self._output(pa.table(arrays, names=list(COLUMNS)), output)

    @overload
    def declarations(self, *, output: Literal["pandas"] = "pandas") -> pd.DataFrame: ...
    @overload
    def declarations(self, *, output: Literal["arrow"]) -> pa.Table: ...
    def declarations(self, *, output: Output = "pandas") -> Any:
        """Current accepted declarations (national-currency value in minor units)."""
        from digex.store import queries

        with self.store.reading() as con:
            return self._output(queries.current_declarations(con), output)

    def engine(self) -> Engine:
        """The indicator engine over this store (Ibis on a cursor of the store's own DuckDB
        connection; each query sees the latest commit)."""
        from digex.indicators.engine import Engine

        return Engine(self.store.engine_sources(self.profile.minor_units))

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
        release: str | None = None,
        as_of: str | dt.date | dt.datetime | None = None,
        embargoed: bool = False,
        confidential: bool = False,
    ) -> Any:
        """Indicators as a tidy table: one row per indicator x flow x cut member x period.

        `period` is a label (2024, 2024-Q3, 2025-H1, 2024-03) or a list of them; without it,
        every period at `freq` (default annual). Values are unrounded; `unit_mult=9` gives money
        in billions; `top=5` keeps the five largest members (e.g. partners) of each period.

        Without `release` or `as_of` the figures are computed from the live store: they are
        unreleased (a pandas frame's `attrs["source"]` is "live", an Arrow table's schema
        metadata `digex.source` too). Published figures, with a `release_id` column saying
        which release each row comes from and `attrs["source"]` "release":

        - `release="2025-H1.1"`: that release's observations (one under embargo only with
          `embargoed=True`, for the office's own staff);
        - `as_of="2025-08-15"` (the end of that day, UTC; a date and time is exact): each
          observation as published then, from the release published last by then that holds
          it (the periods a release is compared with are vintages of those periods too).
          Releases under embargo then, or now, are never read. `NotPublished` when nothing
          had been published by then.

        Published figures are the public view of releases whose release gate passed
        (disclosure control): a suppressed row has no value and `conf_status` "C", a free one
        "F"; a release made before disclosure control, or whose gate failed, is refused
        (`NotPublished`). `confidential=True` (authorised internal use only, never for
        publication) reads the values a release stored and the internal codes (A, O, T, M
        primary, D secondary or derived, C manual). Live figures are never protected.

        The other options narrow published rows exactly as they narrow live ones.
        """
        from digex.indicators.select import to_arrow, to_frame

        fetch: Fetch[Any] = to_arrow if output == "arrow" else to_frame
        if release is None and as_of is None and not embargoed:
            _live_only(confidential)
            # straight from the engine: a cached answer needs no pandas
            found = self._answer(period, freq, by, flow, indicators, unit_mult, top, fetch)
            return _labelled(found, "live")
        found = self._published(
            period,
            freq,
            by,
            flow,
            indicators,
            unit_mult,
            top,
            fetch,
            release,
            as_of,
            embargoed,
            confidential,
        )
        return _labelled(found, "release")

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
        release: str | None = None,
        as_of: str | dt.date | dt.datetime | None = None,
        embargoed: bool = False,
        confidential: bool = False,
    ) -> Rows:
        """The rows `indicators` returns, as plain Python tuples, for callers that only print
        them: a cached answer then imports neither pandas nor PyArrow (the CLI answers in a
        fraction of a second instead of two)."""
        from digex.publish.tidy import Rows

        if release is None and as_of is None and not embargoed:
            _live_only(confidential)
            return self._answer(period, freq, by, flow, indicators, unit_mult, top, Rows.fetch)
        return self._published(
            period,
            freq,
            by,
            flow,
            indicators,
            unit_mult,
            top,
            Rows.fetch,
            release,
            as_of,
            embargoed,
            confidential,
        )

    def write_indicators(
        self,
        path: PathLike,
        period: str | Sequence[str] | None = None,
        *,
        freq: str | None = None,
        by: str = "total",
        flow: str | Sequence[str] = "X",
        indicators: Sequence[str] | None = None,
        unit_mult: int = 0,
        top: int | None = None,
    ) -> int:
        """Write the live figures `indicators` returns to the Parquet file `path`; the number
        of rows written. The file is the one `indicators(..., output="arrow")` written with
        PyArrow gives (columns, types, `digex.source` "live"), but the engine writes it, so a
        cached answer imports neither pandas nor PyArrow."""
        import duckdb

        from digex.errors import DigexError
        from digex.indicators.select import ParquetFile

        target = Path(path)
        if not target.parent.is_dir():
            raise DigexError(
                f"cannot write {target}: its folder does not exist; create it or choose another"
            ).naming("path")
        try:
            written: int = self._answer(
                period, freq, by, flow, indicators, unit_mult, top, ParquetFile(target)
            )
        except duckdb.IOException as e:  # the engine's own I/O error (full disk, no permission)
            raise DigexError(f"cannot write {target}: {e}").naming("path") from e
        return written

    def _published(
        self,
        period: str | Sequence[str] | None,
        freq: str | None,
        by: str,
        flow: str | Sequence[str],
        indicators: Sequence[str] | None,
        unit_mult: int,
        top: int | None,
        fetch: Fetch[T],
        release: str | None,
        as_of: str | dt.date | dt.datetime | None,
        embargoed: bool,
        confidential: bool = False,
    ) -> T:
        """A release's observations, or each as of a time (`digex.store.published`), narrowed
        by the live query's own selection: the public view unless `confidential`."""
        from digex.errors import UsageError
        from digex.indicators.cuts import check_cut
        from digex.indicators.options import check_query
        from digex.indicators.periods import parse_period
        from digex.indicators.select import Selection
        from digex.store import published

        check_query(period, freq, by, flow, indicators, unit_mult, top)
        if release is not None and as_of is not None:
            raise UsageError(
                "give `release` (one release) or `as_of` (what was published then), not both"
            ).naming("release", "as_of")
        if embargoed and release is None:
            raise UsageError(
                "`embargoed` reads one release under embargo: give `release` too (as_of never "
                "reads a release before its publication)"
            ).naming("embargoed", "release")
        at = published.parse_as_of(as_of) if as_of is not None else None
        labels = [period] if isinstance(period, str) else period
        scope = published.Scope(
            periods=None if labels is None else tuple(parse_period(p).label for p in labels),
            freq=freq or "A",
            cuts=None if by == "all" else (check_cut(by),),
        )
        selection = Selection.of(
            self.profile, flow=flow, indicators=indicators, unit_mult=unit_mult, top=top
        )
        with self.store.reading() as con:
            if release is not None:
                source, _ = published.release_rows(
                    con, release, scope, embargoed=embargoed, confidential=confidential
                )
            else:
                assert at is not None
                source = published.as_of_rows(con, at, scope, confidential=confidential)
            con.execute(selection.sql(source, carry=published.CARRIED))
            return fetch(con)

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
        from digex.indicators.select import Selection, narrow_frame, statement
        from digex.store import kept, offline

        check_query(period, freq, by, flow, indicators, unit_mult, top)
        keys = cache.requests(period, freq, by)
        selection = Selection.of(
            self.profile, flow=flow, indicators=indicators, unit_mult=unit_mult, top=top
        )
        with self.store.snapshot() as snap:
            held = snap.content()
            found = kept.answer(
                snap.con,
                cache.state_of(held, self.profile),
                keys,
                statement(selection, fetch),
                fetch,
            )
            if found is not None:
                return found
            computed = self._compute(snap, period=period, freq=freq, by=by)
        self._keep(keys, computed, held)
        with offline.connect() as con:  # narrowing a computed table needs no store
            return narrow_frame(con, computed, selection, fetch)

    def _compute(
        self,
        snap: Snapshot,
        *,
        period: str | Sequence[str] | None,
        by: str | Sequence[str],
        freq: str | None = None,
    ) -> pd.DataFrame:
        """The suite computed on one state of the store. The engine (and its Ibis cursor) is
        left behind here, so that nothing holds it when the results are kept."""
        from digex.indicators.engine import Engine
        from digex.indicators.service import compute

        # Ibis is imported only if some query's compiled SQL is not known yet
        engine = Engine(snap.sources(self.profile.minor_units, deferred=True))
        return compute(engine, self.profile, period=period, freq=freq, by=by)

    def _keep(
        self,
        keys: list[str],
        computed: pd.DataFrame | Sequence[pd.DataFrame],
        held: tuple[int, int],
    ) -> None:
        """Keep computed results when the store is free within a moment (else skip: they are
        computed again on the next query), and only for the content they were computed on."""
        from digex.indicators import cache

        self.store.write_briefly(
            lambda store: cache.write(store, self.profile, keys, computed, computed_on=held)
        )

    def precompute(self, freqs: Sequence[str] = ("A", "H")) -> list[str]:
        """Compute and keep every indicator of every cut, both flows, for the latest complete
        period of each frequency in `freqs` (by default the year and the half-year a release
        publishes first), so that queries on them are answered from the cache at once.

        The CLI runs this after each load, while the user is waiting anyway. Only the periods
        the loads since the last computation reached are computed again (`cache.carry`): a
        monthly file of June recomputes the half-year, not the year before. Returns the
        periods now kept (none when the store holds no declarations).
        """
        from digex.indicators import cache
        from digex.indicators.periods import latest_complete
        from digex.store import kept, queries

        with self.store.reading() as con:
            span = queries.period_range(con)
        if span is None:
            return []
        oldest, newest = span
        latest = [latest_complete(f, newest) for f in freqs]
        periods = sorted({p.label for p in latest if dt.date(p.year, p.last_month, 1) >= oldest})
        if not periods:
            return []
        keys = cache.requests(periods, None, "all")
        with self.store.snapshot() as snap:
            held = snap.content()
            if kept.lookup(snap.con, cache.state_of(held, self.profile), keys) is not None:
                return periods
        # every kept result the loads since did not reach stays kept, the latest periods' and
        # any other a query kept (2023 by partner)
        carried: set[str] = set()
        self.store.write_briefly(
            lambda store: carried.update(cache.carry(store, self.profile, computed_on=held))
        )
        # only the (period, cut) entries not carried are computed: one pass per set of cuts
        stale: dict[str, dict[str, str]] = {}
        for key in keys:
            if key not in carried:
                _freq, cut, label = key.split("|")
                stale.setdefault(label, {})[cut] = key
        groups: dict[tuple[str, ...], list[str]] = {}
        for label, by_cut in sorted(stale.items()):
            groups.setdefault(tuple(by_cut), []).append(label)
        for cuts, labels in groups.items():
            computed, held = self._compute_apart(labels, cuts)
            self._keep([stale[label][cut] for label in labels for cut in cuts], computed, held)
        return periods

    def _compute_apart(
        self, labels: Sequence[str], cuts: Sequence[str]
    ) -> tuple[list[pd.DataFrame], tuple[int, int]]:
        """The suite of the periods `labels` by `cuts`, each period's pass in a thread of its
        own, on a snapshot of its own: the passes' frames (kept together, never concatenated
        in pandas), with the store content they were computed on.

        A pass alternates between the engine (which runs its statements without holding
        Python's lock) and Python shaping their results and adding the jobs, series and breaks
        (which holds it; some 30 ms a pass at 1M rows since the shaping is Arrow's): run one
        after the other, the second core idles meanwhile; side by side, one pass's Python
        overlaps the other's statements. The rows are the same as one computation of all the
        periods gives (the kept results are read in their key's order, never in this one).
        The snapshots must see one content; if a commit slipped in between (another thread
        of this process writing), the periods are computed together on one snapshot."""
        import concurrent.futures

        def one(period: str | Sequence[str]) -> tuple[list[pd.DataFrame], tuple[int, int]]:
            with self.store.snapshot() as snap:
                return [self._compute(snap, period=period, by=cuts)], snap.content()

        if len(labels) > 1:
            with concurrent.futures.ThreadPoolExecutor(
                len(labels), thread_name_prefix="digex-suite"
            ) as pool:
                done = list(pool.map(one, labels))
            helds = {held for _, held in done}
            if len(helds) == 1:
                return [frame for frames, _ in done for frame in frames], helds.pop()
        return one(list(labels))

    def targets(self, *, output: Output = "pandas") -> Any:
        """Progress toward the profile's national targets (level, gap, growth achieved/needed)."""
        from digex.indicators.engine import Engine
        from digex.indicators.service import targets

        with self.store.snapshot() as snap:
            sources = snap.sources(self.profile.minor_units)
            frame = targets(Engine(sources), self.profile)
        if output == "arrow":
            import pyarrow as pa

            return pa.Table.from_pandas(frame, preserve_index=False)
        return frame

    # -- release history: the list, one release, two compared, revision analysis ----------
    def releases(self) -> pd.DataFrame:
        """Every release, oldest first: its `releases` row, how many loads and indicators it
        holds, and `embargoed` (published later than now)."""
        from digex.releases.show import listing

        with self.store.reading() as con:
            return listing(con)

    def release(
        self, release_id: str, *, embargoed: bool = False, confidential: bool = False
    ) -> ReleaseDetails:
        """One release in full: metadata, the loads it used, the inputs it froze, and its
        observations counted by indicator (`UnknownRelease` when the store has no such id).
        One under embargo only with `embargoed` (staff; `NotPublished` otherwise); one whose
        release gate has not passed, and the internal inputs, only with `confidential`."""
        from digex.releases.show import describe

        with self.store.reading() as con:
            return describe(con, release_id, embargoed=embargoed, confidential=confidential)

    def release_diff(
        self,
        old: str,
        new: str,
        *,
        indicators: Sequence[str] | None = None,
        by: str | None = None,
        freq: str | None = None,
        period: str | Sequence[str] | None = None,
        flow: str | Sequence[str] | None = None,
        changed_only: bool = True,
        embargoed: bool = False,
        confidential: bool = False,
    ) -> ReleaseDiff:
        """Release `old` compared with `new`: `.rows` the observations (by default those whose
        value changed, appeared or vanished) with the change in each indicator's measure,
        `.summary()` their counts by indicator and cut, and why: `.loads` (the loads one
        used and the other did not), `.inputs` (the frozen copies compared), `.settings`.
        A release under embargo only with `embargoed` (staff; `NotPublished` otherwise).
        Public values (a suppressed one missing) unless `confidential` (internal use only)."""
        from digex.releases.diff import diff, filters

        chosen = filters(indicators=indicators, by=by, freq=freq, period=period, flow=flow)
        with self.store.reading() as con:
            return diff(
                con,
                old,
                new,
                chosen,
                changed_only=changed_only,
                embargoed=embargoed,
                confidential=confidential,
            )

    def revision_analysis(
        self,
        indicator: str,
        *,
        by: str = "total",
        member: str | None = None,
        freq: str = "A",
        flow: str = "X",
        earlier: str | int = "first",
        later: str | int = "latest",
        lags: int | None = None,
        confidential: bool = False,
    ) -> Analysis:
        """The revision analysis of one series over every published release: a triangle per
        member of `by` (only `member` when given) and its statistics (`digex.releases.analysis`).
        `earlier` and `later` choose the estimates compared: first, latest, or N (the N-th
        published value of each period). Public values (of releases whose gate passed; a
        suppressed value is skipped) unless `confidential` (internal use only)."""
        from digex.releases.analysis import analyse, check_series, positions
        from digex.releases.show import now_utc
        from digex.store import history

        check_series(indicator, by=by, freq=freq, flow=flow)
        first, last = positions(earlier, later)
        with self.store.reading() as con:
            rows = history.vintages(
                con,
                indicator,
                cut=by,
                flow=flow,
                freq=freq,
                member=member,
                now=now_utc(),
                confidential=confidential,
            ).to_pylist()
        return analyse(
            rows,
            indicator=indicator,
            cut=by,
            flow=flow,
            freq=freq,
            earlier=first,
            later=last,
            lags=lags,
        )

    @overload
    def revisions(
        self,
        indicator: str,
        *,
        by: str = ...,
        member: str | None = ...,
        freq: str = ...,
        flow: str = ...,
        earlier: str | int = ...,
        later: str | int = ...,
        triangle: Literal[False] = ...,
        confidential: bool = ...,
    ) -> pd.DataFrame: ...
    @overload
    def revisions(
        self,
        indicator: str,
        *,
        by: str = ...,
        member: str | None = ...,
        freq: str = ...,
        flow: str = ...,
        earlier: str | int = ...,
        later: str | int = ...,
        triangle: Literal[True],
        confidential: bool = ...,
    ) -> tuple[pd.DataFrame, pd.DataFrame]: ...
    def revisions(
        self,
        indicator: str,
        *,
        by: str = "total",
        member: str | None = None,
        freq: str = "A",
        flow: str = "X",
        earlier: str | int = "first",
        later: str | int = "latest",
        triangle: bool = False,
        confidential: bool = False,
    ) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
        """Revision statistics of one series, a row per member of `by`: n, mean revision,
        mean absolute revision, relative MAR, the sign counts and shares, the plain and HAC
        t-tests (see `digex.releases.revisions`). With `triangle=True`, also the triangle: a
        row per (member, period), a column per release in publication order."""
        analysis = self.revision_analysis(
            indicator,
            by=by,
            member=member,
            freq=freq,
            flow=flow,
            earlier=earlier,
            later=later,
            confidential=confidential,
        )
        if triangle:
            return analysis.stats_frame(), analysis.triangle_frame()
        return analysis.stats_frame()

    def check(self) -> list[CheckResult]:
        """Run the consistency checks (parts sum to totals, shares to 100, ...)."""
        from digex.indicators import cache
        from digex.indicators.consistency import run_checks
        from digex.indicators.engine import Engine
        from digex.store import kept

        with self.store.snapshot() as snap:
            sources = snap.sources(self.profile.minor_units)
            held = kept.every(snap.con, cache.state_of(snap.content(), self.profile))
            return run_checks(Engine(sources), kept=held)

    def create_release(
        self,
        period: str,
        status: str,
        note: str | None = None,
        publish_at: dt.datetime | None = None,
        user: str | None = None,
        *,
        now: dt.datetime | None = None,
        disclosure: PathLike | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> ReleaseInfo:
        """Freeze a release of `period` (preliminary, revised or final): every indicator of
        every cut for it and the periods it is compared with, the loads it used and a copy of
        its inputs, with a content hash, in the store and in a read-only snapshot file beside
        it. `publish_at` embargoes it until then (UTC when naive); `now` stands for the
        creation time (the demo and tests). What is refused and what is warned of:
        `digex.releases.create`.

        Disclosure control protects it: `disclosure` names the parameters' file (default
        `$DIGEX_DISCLOSURE`, else the documented defaults); a release whose gate fails is
        refused (`GateFailed`) and nothing is written. `ReleaseInfo.gate` is the gate's public
        summary. `progress` is told each step as it starts (computing, disclosure control,
        estimates, storing: tens of seconds on a large store)."""
        from digex.releases.create import create

        return create(
            self.store,
            self.profile,
            period,
            status,
            note=note,
            publish_at=publish_at,
            user=user,
            now=now,
            disclosure=disclosure,
            progress=progress,
        )

    def verify_release(self, release_id: str, *, shown: int = 20) -> Verification:
        """Check that a release is what it was made as: its rows give the recorded hash,
        every observation recomputed from its frozen inputs (the loads it names, as they
        were, and its profile) is identical, and its snapshot file gives the hash too.
        `Verification.identical` is the answer; its checks, counts and first `shown`
        differences say why not (see `digex.releases.verify`). Nothing is raised for a failed
        check: `raise_if_failed()` does (exit code 3 on the command line)."""
        from digex.releases.verify import verify

        return verify(self.store, self.profile.minor_units, release_id, shown=shown)

    # -- disclosure control: the gate again, overrides, the pattern, the loss (internal) ------
    def audit_release(self, release_id: str, *, user: str | None = None) -> Audited:
        """Run the release gate again on a release's stored pattern (the cube rebuilt from the
        declarations it was computed from) and record the run: the latest run decides whether
        the release is served. `Audited.report.summary()` is public; the rest is internal.
        Nothing is raised for a failing gate (`Audited.refusal()` is the error)."""
        from digex.releases.gate import audit_release

        return audit_release(self.store, self.profile.minor_units, release_id, user=user)

    def add_override(
        self,
        *,
        period: str,
        cut: str,
        member: str,
        action: str,
        reason: str,
        freq: str | None = None,
        flow: str = "X",
        measure: str = "LEVEL",
        user: str | None = None,
    ) -> int:
        """Record a disclosure override after review: `action` "suppress" forces the label
        suppressed, "publish" publishes a primary cell judged safe; `reason` is required.
        Releases made afterwards follow it (the gate still audits them). Returns its id."""
        from digex.indicators.periods import parse_period
        from digex.releases.gate import add_override

        label = {
            "flow": flow,
            "freq": freq or parse_period(period).freq,
            "period": parse_period(period).label,
            "cut": cut,
            "member": member,
            "measure": measure,
        }
        return add_override(self.store, label, action, reason, user=user)

    def overrides(self) -> pd.DataFrame:
        """Every disclosure override recorded, oldest first (the latest per label is in
        force)."""
        from digex.store import disclosure

        with self.store.reading() as con:
            frame: pd.DataFrame = disclosure.overrides(con).to_pandas()
        return frame

    def release_cells(self, release_id: str, *, suppressed_only: bool = False) -> pd.DataFrame:
        """INTERNAL: a release's suppression pattern, one row per label (value, contributors,
        the two largest, rule, protection levels, CONF_STATUS, origin). Never publish it."""
        from digex.releases.diff import unknown_release
        from digex.store import disclosure, releases

        with self.store.reading() as con:
            if releases.metadata(con, release_id) is None:
                raise unknown_release(con, release_id)
            frame: pd.DataFrame = disclosure.cells(
                con, release_id, suppressed_only=suppressed_only
            ).to_pandas()
        return frame

    def information_loss(self, release_id: str) -> pd.DataFrame:
        """INTERNAL: how many cells and how much value a release's pattern hides, by table."""
        from digex.releases.gate import loss

        return loss(self.store, release_id)

    def write_release_snapshot(self, release_id: str) -> Path:
        """Write a release's snapshot file again from the store's rows (when creating it could
        not); an existing snapshot is never replaced."""
        from digex.releases.snapshot import write_snapshot

        return write_snapshot(self.store, release_id)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Digex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _labelled(result: Any, source: Literal["live", "release"]) -> Any:
    """Say where figures come from: the live store (unreleased) or releases."""
    if hasattr(result, "attrs"):  # a pandas frame
        result.attrs["source"] = source
    elif hasattr(result, "replace_schema_metadata"):  # an Arrow table
        metadata = {**(result.schema.metadata or {}), b"digex.source": source.encode()}
        result = result.replace_schema_metadata(metadata)
    return result


def _live_only(confidential: bool) -> None:
    """Refuse `confidential` on a live query: it names the stored values of releases (live
    figures are never protected, so asking for them unprotected says nothing)."""
    if confidential:
        from digex.errors import UsageError

        raise UsageError(
            "`confidential` reads the values a release stored: give `release` or `as_of` too "
            "(figures from the live store are never disclosure-protected: internal use only)"
        ).naming("confidential", "release", "as_of")


def _as_list(value: PathLike | Sequence[PathLike]) -> list[PathLike]:
    if isinstance(value, str | Path):
        return [value]
    return list(value)


def indicators_on(
    url: str,
    period: str | Sequence[str] | None = None,
    *,
    profile: str | None = None,
    freq: str | None = None,
    by: str = "total",
    flow: str | Sequence[str] = "X",
    indicators: Sequence[str] | None = None,
    unit_mult: int = 0,
) -> pd.DataFrame:
    """The same indicators computed on another engine (Spark, PostgreSQL, a DuckDB file),
    named by a URL (see `digex.backends.sources_from_url`); nothing is cached. A digex
    store (`duckdb://`) is read with the profile it records (`profile` must then be of the
    same country, as for `Digex.open`); another engine's data with `profile`, a code or a
    .toml path (default `$DIGEX_PROFILE`, else MA). The figures are unreleased:
    `attrs["source"]` is "live"."""
    from digex.backends import sources_from_url
    from digex.indicators.engine import Engine
    from digex.indicators.options import check_query
    from digex.indicators.select import select
    from digex.indicators.service import compute

    check_query(period, freq, by, flow, indicators, unit_mult)
    country = _engine_profile(url, profile)
    sources = sources_from_url(url, minor_units=country.minor_units)
    frame = compute(Engine(sources), country, period=period, freq=freq, by=by)
    chosen = select(frame, country, flow=flow, indicators=indicators, unit_mult=unit_mult)
    return _labelled(chosen, "live")  # type: ignore[no-any-return]


def _engine_profile(url: str, profile: str | None) -> CountryProfile:
    """The profile an engine's data are read with: a digex store's own record (its values
    are in that profile's minor units), else the one named (the data carry no record)."""
    from digex.backends import _path_of

    if url.split(":", 1)[0].lower() != "duckdb":  # checked by `sources_from_url`, not here
        return load_profile(profile)
    with Digex.open(_path_of(url), read_only=True, profile=profile) as db:
        return db.profile
