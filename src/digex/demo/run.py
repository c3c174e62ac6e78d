"""The demo as a flow: generate the synthetic files, make a store, load them, mark it synthetic.

Any edge (the command line, a notebook, a test) runs the same steps and shows their results
its own way; nothing here prints. The store is re-created on every run, and the load date is
fixed so that a seed always gives the same store (the calibration publishes 2024 and the
first half of 2025, complete by mid-July).
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from digex.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from digex.api import Digex
    from digex.demo.generator import DemoFiles
    from digex.ingest.load import LoadResult, Progress
    from digex.releases.create import ReleaseInfo

MIN_FIRMS = 50
"""The generator's minimum: the five segments need ten firms each."""
LOAD_DATE = dt.date(2025, 7, 15)
"""The day the demo's declarations are loaded (it decides which months count as complete)."""
USER = "demo"
HEADLINE_PERIODS = ("2024", "2025-H1")
"""The periods the demo's headline tables show: the calibration's published figures."""


def check_size(*, firms: int, rows: int) -> None:
    """Refuse a size the generator cannot honour, before any file is touched."""
    if firms < MIN_FIRMS:
        raise UsageError(
            f"firms={firms}: give {MIN_FIRMS} or more (ten firms for each of the five segments)"
        )
    if rows < 1:
        raise UsageError(f"rows={rows}: give a number of declaration rows, 1 or more")


MARK = "made by the digex demo generator"
"""What the README.txt the generator writes into its folder says: only a folder holding it
is emptied before a new run (any other folder may be the user's own)."""


def is_demo_folder(folder: Path) -> bool:
    """Whether `folder` is one the generator made (its README.txt says so)."""
    readme = folder / "README.txt"
    try:
        return readme.is_file() and MARK in readme.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def check_places(out_dir: Path, db: Path) -> None:
    """Refuse, before any file is touched, a files folder that is a file or holds files the
    generator did not make (`out_dir=.` must not empty the working folder), and a store path
    that is a folder."""
    _check_out_dir(out_dir)
    _check_db(db)


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"out_dir={out_dir} is a file; give a folder for the demo's files").naming(
            out_dir=out_dir
        )
    if out_dir.is_dir() and any(out_dir.iterdir()) and not is_demo_folder(out_dir):
        raise UsageError(
            f"out_dir={out_dir} holds files the demo did not make; give a new or empty folder "
            "(a folder the demo made before is emptied and made again)"
        ).naming(out_dir=out_dir)


def _check_db(db: Path) -> None:
    """Refuse a folder, and a store another process is writing (another `digex demo` on the
    same paths: re-creating its store under it would mix the two runs' releases)."""
    from digex.store.store import refuse_if_written

    if db.is_dir():
        raise UsageError(
            f"db={db} is a folder; give the path of the demo store's file (e.g. demo.duckdb)"
        ).naming(db=db)
    refuse_if_written(db)


@dataclass(frozen=True)
class Generated:
    files: DemoFiles
    seconds: float


def make_files(out_dir: Path, *, seed: int, firms: int, rows: int) -> Generated:
    """Write the demo's files into `out_dir`, emptied first if the demo made it (the same
    seed, the same files); a folder holding anything else is refused (`check_places`)."""
    from digex.demo.generator import generate

    check_size(firms=firms, rows=rows)
    _check_out_dir(out_dir)
    start = time.perf_counter()
    if is_demo_folder(out_dir):
        shutil.rmtree(out_dir)
    files = generate(out_dir, seed=seed, firms=firms, rows=rows)
    return Generated(files, time.perf_counter() - start)


@dataclass
class Loaded:
    store: Digex
    """The demo store, open for writing: the caller closes it (`with loaded.store: ...`)."""
    results: list[LoadResult]
    seconds: float


def make_store(db: Path, files: DemoFiles, *, progress: Progress | None = None) -> Loaded:
    """A new store at `db` (any earlier one removed) holding `files`, marked synthetic so that
    every output says so."""
    import digex

    _check_db(db)
    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    start = time.perf_counter()
    store = digex.init(
        db, profile="MA"
    )  # the demo's data are Moroccan, whatever DIGEX_PROFILE says
    try:
        store.store.set_meta("synthetic", "true")
        results = store.load(
            list(files.declarations),
            rates=[files.rates],
            jobs=[files.jobs],
            series=files.series or (),
            progress=progress,
            today=LOAD_DATE,
            user=USER,
        )
    except BaseException:
        store.close()
        raise
    return Loaded(store, results, time.perf_counter() - start)


LATE_FILE = "late-2024-12.csv"
"""The late file the demo loads between the preliminary and the revised 2024 release."""
LATE_AMOUNTS = {
    "ITO": "480000.00",
    "CRM": "470000.00",
    "ESO": "460000.00",
    "BPO": "490000.00",
    "KPO": "450000.00",
}
"""MAD declared for December 2024, one declaration per segment, 2.35 million in all. The demo
data hit the published three-decimal levels to within a few hundred MAD, so less than half a
million per segment keeps every published figure true in both vintages: 26.2 bn, +0.2 %, each
segment's level to three decimals and share, the growth of ESO and BPO. KPO's growth, which is
not published (its level is tiny), moves from -38.5 % to -37.9 %; the rest of the revision is
seen only in unrounded values (`digex release diff 2024.1 2024.2`)."""
DEMO_RELEASES = (
    # period, status, created (UTC), published (UTC), note
    ("2024", "preliminary", dt.datetime(2025, 3, 24, 8, 0), dt.datetime(2025, 3, 28, 9, 0),
     "first figures for 2024"),
    ("2024", "revised", dt.datetime(2025, 8, 4, 8, 0), dt.datetime(2025, 8, 8, 9, 0),
     f"late declarations for December 2024 ({LATE_FILE})"),
    ("2025-H1", "preliminary", dt.datetime(2025, 8, 4, 8, 30), dt.datetime(2025, 8, 8, 9, 0),
     "first figures for the first half of 2025"),
)  # fmt: skip
"""The demo's releases, at times that fit the release calendar (data/calendar/MA.toml: 2024
preliminary by the end of March 2025, 2025-H1 within six weeks of June): each created a few
days before it is published (an embargo), the revision of 2024 published with 2025-H1."""


def write_late_file(store: Digex, folder: Path) -> Path:
    """The late file: one December 2024 declaration per segment of `LATE_AMOUNTS`, each by a
    firm that declared in that segment in 2024 (identifiers taken from the store)."""
    import pyarrow.compute as pc

    table = store.declarations(output="arrow")
    year = table.filter(pc.equal(pc.year(table["period"]), 2024))
    lines = ["declaration_id,period,firm_id,segment,partner,currency,amount,flow"]
    for i, (segment, amount) in enumerate(LATE_AMOUNTS.items(), start=1):
        firms = year.filter(pc.equal(year["segment"], segment))["firm_id"].to_pylist()
        firm = min(firms)
        lines.append(f"LATE-2024-12-{i:03d},2024-12,{firm},{segment},FR,MAD,{amount},X")
    path = folder / LATE_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SEGMENTS = ("ITO", "CRM", "ESO", "BPO", "KPO")
"""DESIGN.md's five segments: their levels and shares, and the total's level, are the public
table every release must publish (disclosure control must not hide them)."""


@dataclass
class Released:
    releases: list[ReleaseInfo]
    late: LoadResult
    seconds: float
    unpublished: dict[str, list[str]] = field(default_factory=dict)
    """Per release, the headline figures its public view does not show (none, normally)."""


def unpublished_headline(store: Digex, release_id: str, period: str) -> list[str]:
    """The figures of DESIGN.md's table (the total's level, each segment's level and share
    of `period`) that the public view of `release_id` does not publish: suppressed (C) or
    absent."""
    wanted = [("LEVEL", "total", "_T")] + [
        (indicator, "segment", segment) for indicator in ("LEVEL", "SHARE") for segment in SEGMENTS
    ]
    shown = set()
    for cut in ("total", "segment"):
        frame = store.indicators(
            period, by=cut, indicators=["LEVEL", "SHARE"], release=release_id, embargoed=True
        )
        free = frame[(frame["conf_status"] == "F") & frame["value"].notna()]
        shown |= {(r.indicator, r.cut, r.member) for r in free.itertuples()}
    return [f"{i} {cut} {member}" for i, cut, member in wanted if (i, cut, member) not in shown]


def make_releases(
    store: Digex,
    folder: Path,
    *,
    progress: Callable[[str], None] | None = None,
    stage: Callable[[str], None] | None = None,
) -> Released:
    """The demo's releases (`DEMO_RELEASES`): preliminary 2024, then a late file, revised
    2024, then preliminary 2025-H1, so that every later output has history to show. Each is
    protected (disclosure control, default parameters); `Released.unpublished` says which
    of DESIGN.md's headline figures a release's public view would not show. `progress` is
    told each step as it starts and ends (a release takes tens of seconds: a terminal that
    stays silent that long looks hung); `stage` is told each step inside a release."""
    say = progress or (lambda _: None)
    step = stage or (lambda _: None)
    start = time.perf_counter()
    made = []
    late: LoadResult | None = None
    for period, status, created, published, note in DEMO_RELEASES:
        if status == "revised" and late is None:
            path = write_late_file(store, folder)
            (late,) = store.load(path, today=LOAD_DATE, user=USER)
        say(f"release {period} ({status}): computing, protecting and freezing its figures")
        began = time.perf_counter()
        info = store.create_release(
            period,
            status,
            note=note,
            publish_at=published,
            user=USER,
            now=created,
            progress=_prefixed(step, f"{period} ({status}): "),
        )
        made.append(info)
        say(f"release {info.release_id} made in {time.perf_counter() - began:.1f} s")
    assert late is not None
    unpublished = {
        info.release_id: unpublished_headline(store, info.release_id, info.period) for info in made
    }
    return Released(made, late, time.perf_counter() - start, unpublished)


def _prefixed(tell: Callable[[str], None], prefix: str) -> Callable[[str], None]:
    def say(what: str) -> None:
        tell(prefix + what)

    return say


PUBLISHED_PERIODS = ("2024", "2025-H1")
"""The demo's releases `make demo` publishes (the latest vintage of each period)."""


def publish_demo(
    db: Path, latest: dict[str, str], *, progress: Callable[[str], None] | None = None
) -> list[Path]:
    """Publish the latest release of each of `PUBLISHED_PERIODS` into
    `<store folder>/publication/<release id>/`; returns the folders."""
    from digex.publish.publication import publish

    folders = []
    for period in PUBLISHED_PERIODS:
        rid = latest[period]
        target = db.parent / "publication" / rid
        if target.exists():  # the demo re-creates everything it made before
            shutil.rmtree(target)
        told = None if progress is None else (lambda what, rid=rid: progress(f"{rid}: {what}"))
        folders.append(publish(db, rid, target, progress=told).out)
    return folders
