"""The command line as a user runs it: `digex ARGS` with its arguments, working directory,
environment, output streams and exit code.

Most commands run in this process (`tests.inprocess.run_here`: `digex.cli.main` with
`sys.argv`, the working directory and the environment set, stdout and stderr captured), which
is what the console script calls: a subprocess would spend a second or more importing digex,
pandas and Ibis again for each of the ~80 commands. What only a real process shows stays a
real process: the console script and its exit codes (`test_exit_codes`), concurrent processes
sharing a store, and which packages a command imports. The shared base store is only ever
copied, never opened by the CLI.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from tests.conftest import FIRM, HEADER, write_csv
from tests.inprocess import Run, run_here, user_env

import digex
import digex.indicators.registry

DIGEX = Path(sys.executable).with_name("digex")
TIMEOUT = 120
FIRM2 = "000000000000001"

RATES = [
    (f"{year}-{m:02d}", cur, rate)
    for year in (2023, 2024)
    for m in range(1, 13)
    for cur, rate in (("EUR", "10.800000"), ("USD", "10.000000"))
]
DECLARATIONS = [
    ("A1", "2023-03", FIRM, "ITO", "FR", "EUR", "1000", "X"),
    ("A2", "2023-06", FIRM2, "CRM", "NA", "MAD", "5000", "X"),
    ("A3", "2024-02", FIRM, "ITO", "FR", "EUR", "1500.50", "X"),
    ("A4", "2024-05", FIRM2, "CRM", "NA", "MAD", "6000", "X"),
    ("A5", "2024-07", FIRM, "SI2", "US", "USD", "250", "X"),
    ("A6", "2024-08", FIRM2, "BPO", "US", "USD", "100", "M"),
    ("R1", "2024-03", FIRM, "XYZ", "NA", "EUR", "007.50", "X"),  # SEGMENT_UNKNOWN, line 8
    ("R2", "2024-03"),  # ROW_MALFORMED, line 9
]
NEW = [("N1", "2024-04", FIRM, "ITO", "FR", "EUR", "10", "X")]
TABLES = ("loads", "declarations", "rejects", "rates", "rate_rejects", "load_totals")


# --- running the CLI -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    """The user's environment without DIGEX_DB (every call names its --db), wide and plain.

    Subprocesses read the bytecode `make` compiled (site-packages and src); a private
    PYTHONPYCACHEPREFIX would first compile pandas, Ibis and the rest again (measured: 4.5 s of
    CPU for 0.1 s saved per process)."""
    return user_env(PYTHONIOENCODING="utf-8")


def spawn_all(calls: Sequence[tuple[Sequence[str | Path], Path]], env: dict[str, str]) -> list[Run]:
    """Start every `digex ARGS` (the console script, in its working directory) at once, then
    wait for them all."""
    procs: list[tuple[tuple[str, ...], subprocess.Popen[str]]] = []
    try:
        for args, cwd in calls:
            argv = tuple(str(a) for a in args)
            proc = subprocess.Popen(
                [str(DIGEX), *argv],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
            procs.append((argv, proc))
        runs = []
        for argv, proc in procs:
            stdout, stderr = proc.communicate(timeout=TIMEOUT)
            runs.append(Run(argv, proc.returncode, stdout, stderr))
        return runs
    finally:
        for _, proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def run_all(calls: Sequence[tuple[Sequence[str | Path], Path]], env: dict[str, str]) -> list[Run]:
    """Every `digex ARGS` (in its working directory) in this process, one after the other."""
    return [run_here(args, cwd, env) for args, cwd in calls]


def run(*args: str | Path, cwd: Path, env: dict[str, str]) -> Run:
    return run_all([(args, cwd)], env)[0]


STAGE = re.compile(r"^\[ *\d+\.\d s\] ")


def assert_one_line_error(r: Run, *needles: str, code: int = 1) -> None:
    """Exit `code` (1: the data, the store or the environment; 2: a usage error), a single
    `error:` line on stderr naming what is wrong, and no traceback."""
    assert r.code == code, (r.args, r.code, r.stdout, r.stderr)
    assert "Traceback" not in r.stdout + r.stderr
    # a load in a pipe reports its stages on stderr before the error ("[   0.6 s] d.csv: reading")
    lines = [line for line in r.stderr.splitlines() if not STAGE.match(line)]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: "), r.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def cells(stdout: str, first: str) -> list[str]:
    """The cells of the table row of `stdout` whose first cell is `first`."""
    for line in stdout.splitlines():
        parts = [p.strip() for p in re.split("[│┃]", line.strip().strip("│┃"))]
        if parts and parts[0] == first:
            return parts
    raise AssertionError(f"no row {first!r} in:\n{stdout}")


def snapshot(path: Path) -> dict[str, object]:
    """Row counts of the stored tables and the whole load log, read without writing."""
    with digex.connect(path, read_only=True) as db:
        con = db.store.con
        state: dict[str, object] = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in TABLES
        }
        state["log"] = con.execute("SELECT * FROM loads ORDER BY load_id").fetchall()
    return state


# --- data ------------------------------------------------------------------------------------


def write_inputs(folder: Path) -> tuple[Path, Path]:
    rates = write_csv(folder / "rates.csv", RATES, header=("period", "currency", "rate"))
    return rates, write_csv(folder / "d.csv", DECLARATIONS)


@dataclass(frozen=True)
class BaseStore:
    path: Path
    folder: Path
    declarations_load: int
    before: dict[str, object]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> BaseStore:
    """A store with one rates and one declarations load (built in-process: it is only setup)."""
    folder = tmp_path_factory.mktemp("base")
    rates, decl = write_inputs(folder)
    with digex.init(folder / "base.duckdb") as db:
        [_, result] = db.load(decl, rates=rates)
    assert (result.rows_accepted, result.rows_rejected) == (6, 2)
    assert not (folder / "base.duckdb.wal").exists()
    return BaseStore(
        folder / "base.duckdb", folder, result.load_id, snapshot(folder / "base.duckdb")
    )


def copy_store(base: BaseStore, folder: Path) -> Path:
    """A private copy of the base store and its input files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("rates.csv", "d.csv"):
        shutil.copy(base.folder / name, folder / name)
    return Path(shutil.copy(base.path, folder / "s.duckdb"))


# --- 1. help ---------------------------------------------------------------------------------


def test_help(tmp_path: Path, env: dict[str, str]) -> None:
    calls = [(["--help"], tmp_path), (["load", "--help"], tmp_path)]
    calls.append((["indicators", "--help"], tmp_path))
    top, load, indicators = (r.ok() for r in run_all(calls, env))
    for command in ("init", "load", "rejects", "loads", "indicators", "summary", "check"):
        assert command in top.stdout
    for option in ("--rates", "--replace", "--encoding", "--decimal", "--delimiter", "--db"):
        assert option in load.stdout
    # --unit-mult says what its default means instead of showing "[default: -1]"
    text = " ".join(re.sub("[│╭╮╰╯─]", " ", indicators.stdout).split())
    unit_mult = text.split("--unit-mult", 1)[1].split("--format", 1)[0]
    assert "[default" not in unit_mult
    assert "each indicator in its own unit" in unit_mult


# --- 2. init, load, rejects ------------------------------------------------------------------


def test_init_load_and_rejects(tmp_path: Path, env: dict[str, str]) -> None:
    rates, decl = write_inputs(tmp_path)
    db = tmp_path / "store" / "s.duckdb"
    init = run("init", "--db", db, cwd=tmp_path, env=env).ok()
    assert "ready" in init.stdout
    assert db.exists()

    loaded = run("load", decl, "--rates", rates, "--db", db, cwd=tmp_path, env=env).ok()
    assert "accepted" in loaded.stdout
    assert "rejected" in loaded.stdout
    header = cells(loaded.stdout, "load")
    assert header[3:7] == ["read", "accepted", "rejected", "check"]
    assert cells(loaded.stdout, "1")[1:] == ["rates.csv", "csv utf-8", "48", "48", "0", "ok"]
    assert cells(loaded.stdout, "2")[1:] == ["d.csv", "csv utf-8", "8", "6", "2", "ok"]
    assert cells(loaded.stdout, "SEGMENT_UNKNOWN")[1] == "1"
    assert cells(loaded.stdout, "ROW_MALFORMED")[1] == "1"
    assert not list(tmp_path.glob("digex.duckdb*"))  # --db was used, not a default store
    # then the indicators a release publishes first were computed and kept
    assert re.search(r"Indicators for \d{4} and \d{4}-H[12] kept", loaded.stdout)

    out_csv = tmp_path / "out.csv"
    listed = run("rejects", "--db", db, cwd=tmp_path, env=env)
    exported = run("rejects", "--export", out_csv, "--db", db, cwd=tmp_path, env=env)
    listed.ok()
    assert "2 rejected rows" in listed.stdout
    row = cells(listed.stdout, "d.csv")
    assert row[1:3] == ["8", "SEGMENT_UNKNOWN"]
    assert "XYZ" in row[3]
    assert "ROW_MALFORMED" in listed.stdout

    exported.ok()
    assert "2 rejected rows written to" in exported.stdout
    frame = pd.read_csv(out_csv, dtype=str, keep_default_na=False)
    assert {"file_name", "line", "reasons", "raw", *HEADER} <= set(frame.columns)
    bad = frame.set_index("line").loc["8"]
    assert bad["file_name"] == "d.csv"
    assert bad["reasons"] == "SEGMENT_UNKNOWN"
    original = dict(zip(HEADER, DECLARATIONS[6], strict=True))
    assert {k: bad[k] for k in HEADER} == original  # verbatim: "NA" (Namibia), "007.50", zeros
    assert bad["partner"] == "NA"
    malformed = frame.set_index("line").loc["9"]
    assert (malformed["file_name"], malformed["reasons"]) == ("d.csv", "ROW_MALFORMED")
    assert malformed["raw"] == "R2,2024-03"


# --- 3. error paths --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    needles: tuple[str, ...]
    code: int = 1


def _make_inputs(folder: Path) -> None:
    write_csv(folder / "new.csv", NEW)
    (folder / "bin.csv").write_bytes(b"\x00\x01\x02binary\x00\xff" * 50)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for i in range(200):
        sheet.append([f"E{i}", "2024-01", FIRM, "ITO", "FR", "EUR", 1000 + i, "X"])
    book.save(folder / "full.xlsx")
    data = (folder / "full.xlsx").read_bytes()
    (folder / "cut.xlsx").write_bytes(data[: len(data) // 2])
    write_csv(folder / "cols.csv", [("1", "2", "3")], header=("a", "b", "c"))
    shutil.copy(folder / "d.csv", folder / "again.csv")


LOAD = ("load", "new.csv")  # a good new file first: it must be rolled back with the bad one
CASES = {
    "binary": Case((*LOAD, "bin.csv", "--rates", "rates.csv"), ("bin.csv", "not a CSV")),
    "truncated_xlsx": Case(
        (*LOAD, "cut.xlsx", "--rates", "rates.csv"), ("cut.xlsx", "not a readable .xlsx")
    ),
    "wrong_columns": Case(
        (*LOAD, "cols.csv", "--rates", "rates.csv"),
        ("cols.csv", "missing column(s) declaration_id", "header has: a, b, c"),
    ),
    "missing_file": Case((*LOAD, "nowhere.csv", "--rates", "rates.csv"), ("nowhere.csv",)),
    "duplicate": Case(
        (*LOAD, "again.csv", "--rates", "rates.csv"),
        ("again.csv", "already loaded as load", "--replace"),
    ),
    "no_store": Case(("load", "new.csv", "--db", "nostore.duckdb"), ("nostore.duckdb",)),
    "unknown_replace": Case(
        ("load", "new.csv", "--rates", "rates.csv", "--replace", "99"),
        ("--replace 99", "no load 99", "digex loads"),
    ),
    "bad_period": Case(("indicators", "--period", "2024-13"), ("2024-13", "period"), 2),
    "bad_cut": Case(("indicators", "--by", "colour"), ("colour", "segment"), 2),
    # the profile is read for indicators from the store too (it was silently ignored)
    "bad_profile": Case(("indicators", "--profile", "nowhere.toml"), ("nowhere.toml",)),
}


@pytest.fixture(scope="module")
def error_runs(
    base: BaseStore, tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]
) -> dict[str, tuple[Run, Path]]:
    """Every error case on its own copy of the base store, all started together."""
    root = tmp_path_factory.mktemp("errors")
    calls: list[tuple[list[str], Path]] = []
    stores = []
    for name, case in CASES.items():
        folder = root / name
        stores.append(copy_store(base, folder))
        _make_inputs(folder)
        args = list(case.args)
        if "--db" not in args:
            args += ["--db", "s.duckdb"]
        calls.append((args, folder))
    return {
        name: (r, store) for name, r, store in zip(CASES, run_all(calls, env), stores, strict=True)
    }


@pytest.mark.parametrize("case", list(CASES))
def test_errors_are_one_line_and_change_nothing(
    case: str, base: BaseStore, error_runs: dict[str, tuple[Run, Path]]
) -> None:
    r, store = error_runs[case]
    assert_one_line_error(r, *CASES[case].needles, code=CASES[case].code)
    assert snapshot(store) == base.before
    assert not Path(str(store) + ".wal").exists()


def test_missing_file_message(error_runs: dict[str, tuple[Run, Path]]) -> None:
    assert "no such file" in error_runs["missing_file"][0].stderr


def test_missing_store_says_init_and_is_not_created(
    error_runs: dict[str, tuple[Run, Path]],
) -> None:
    r, store = error_runs["no_store"]
    assert "digex init" in r.stderr
    assert not list(store.parent.glob("nostore.duckdb*"))


@pytest.mark.parametrize(
    ("args", "expected", "code"),
    [
        # A file name like "x[red].csv" is shown as "x.csv" (another file)...
        pytest.param(("load", "x[red].csv"), "x[red].csv", 1, id="markup_eats_name"),
        # ... and "[/...]" in a path (or a CSV header) raises MarkupError with a traceback.
        pytest.param(("loads", "--db", "no[/pe]"), "no[/pe]", 1, id="markup_crash"),
        pytest.param(
            ("rejects", "--export", "no/such/dir/out.csv"),
            "out.csv",
            1,
            id="export_unwritable",
        ),
        pytest.param(
            ("indicators", "-p", "2024", "-f", "csv", "-o", "no/such/dir/i.csv"),
            "i.csv",
            1,
            id="output_unwritable",
        ),
        pytest.param(
            ("load", "new.csv", "--delimiter", ";;"),
            "delimiter",
            2,
            id="long_delimiter",
        ),
    ],
)
def test_more_error_paths(
    args: tuple[str, ...],
    expected: str,
    code: int,
    base: BaseStore,
    tmp_path: Path,
    env: dict[str, str],
) -> None:
    db = copy_store(base, tmp_path)
    write_csv(tmp_path / "new.csv", NEW)
    if "--db" not in args:
        args = (*args, "--db", str(db))
    assert_one_line_error(run(*args, cwd=tmp_path, env=env), expected, code=code)
    assert snapshot(db) == base.before


# --- 4. replace ------------------------------------------------------------------------------


def test_duplicate_with_replace_replaces(
    base: BaseStore, tmp_path: Path, env: dict[str, str]
) -> None:
    db = copy_store(base, tmp_path)
    old = base.declarations_load
    shutil.copy(tmp_path / "d.csv", tmp_path / "again.csv")
    loaded = run(
        "load",
        "again.csv",
        "--rates",
        "rates.csv",
        "--replace",
        str(old),
        "--no-indicators",
        "--db",
        db,
        cwd=tmp_path,
        env=env,
    ).ok()
    assert "Indicators for" not in loaded.stdout
    new = cells(loaded.stdout, str(old + 1))
    assert new[1] == "again.csv"
    assert new[-1] == f"ok, replaces load {old}"
    log = run("loads", "--wide", "--db", db, cwd=tmp_path, env=env).ok()
    header = cells(log.stdout, "load")
    was, now = (dict(zip(header, cells(log.stdout, str(i)), strict=True)) for i in (old, old + 1))
    assert (was["file"], was["status"], was["replaces"]) == ("d.csv", "replaced", "")
    assert (now["file"], now["status"], now["replaces"]) == ("again.csv", "current", str(old))
    after = snapshot(db)
    assert after["declarations"] == (12,)  # history is kept
    assert after["loads"] == (3,)  # the rates file was reused, not loaded again


# --- 5. outputs ------------------------------------------------------------------------------

COLUMNS = "indicator,freq,period,cut,member,flow,value,unit,unit_mult,obs_status,completeness"


@pytest.fixture(scope="module")
def output_runs(
    base: BaseStore, tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]
) -> Iterator[list[Run]]:
    db = copy_store(base, tmp_path_factory.mktemp("outputs"))
    folder = db.parent
    common = ("indicators", "--period", "2024", "--by", "segment", "--db", db)
    # One after the other: they share one store (see test_read_commands_take_no_write_lock).
    runs = [
        run(*args, cwd=folder, env=env)
        for args in (
            [*common, "--format", "csv"],
            [*common, "--format", "json"],
            [*common, "--format", "parquet", "-o", folder / "f.parquet"],
            ["summary", "2024", "--db", db],
            ["check", "--db", db],
        )
    ]
    yield runs
    assert snapshot(db) == base.before


def test_indicators_csv(output_runs: list[Run]) -> None:
    r = output_runs[0].ok()
    assert r.stdout.splitlines()[0] == COLUMNS
    frame = pd.read_csv(io.StringIO(r.stdout), dtype={"period": str})
    assert set(frame["period"]) == {"2024"}
    assert set(frame["cut"]) == {"segment"}
    assert set(frame["member"]) <= {"_T", "ITO", "CRM", "ESO", "BPO", "KPO"}
    level = frame[(frame["indicator"] == "LEVEL") & (frame["flow"] == "X")].set_index("member")
    # ITO: 1500.50 EUR x 10.8 + 250 USD (EBOPS SI2) x 10.0; CRM: 6000 MAD; the M row is imports
    assert level.loc["ITO", "value"] == pytest.approx(18705.40)
    assert level.loc["CRM", "value"] == pytest.approx(6000)
    assert level.loc["ITO", "unit"] == "MAD"


def test_indicators_json_and_parquet(output_runs: list[Run]) -> None:
    csv, as_json, parquet = (r.ok() for r in output_runs[:3])
    expected = pd.read_csv(io.StringIO(csv.stdout), dtype={"period": str})
    records = json.loads(as_json.stdout)
    assert isinstance(records, list)
    assert len(records) == len(expected) > 0
    assert all(list(rec) == COLUMNS.split(",") for rec in records)
    assert {(r["indicator"], r["member"], r["flow"]) for r in records} == set(
        zip(expected["indicator"], expected["member"], expected["flow"], strict=True)
    )
    assert "rows written to" in parquet.stdout
    path = Path(parquet.args[parquet.args.index("-o") + 1])
    frame = pd.read_parquet(path)
    assert list(frame.columns) == COLUMNS.split(",")
    assert len(frame) == len(expected)
    merged = frame.merge(expected, on=["indicator", "member", "flow"], suffixes=("", "_csv"))
    assert merged["value"].tolist() == pytest.approx(merged["value_csv"].tolist())


def test_summary_and_check(output_runs: list[Run]) -> None:
    summary, check = (r.ok() for r in output_runs[3:])
    assert "2024" in summary.stdout
    assert "2023" in summary.stdout
    assert "Total" in summary.stdout
    assert "Consistency checks" in check.stdout
    assert "FAILED" not in check.stdout


# --- 6. concurrent use -----------------------------------------------------------------------


def test_concurrent_queries_all_succeed(
    base: BaseStore, tmp_path: Path, env: dict[str, str]
) -> None:
    """Queries open the store read-only; the first one to compute a result takes the write
    lock for the milliseconds it needs to cache it, and the others wait for it instead of
    failing (DuckDB has one writer at a time)."""
    db = copy_store(base, tmp_path)
    procs = [
        subprocess.Popen(
            [str(DIGEX), "indicators", "--period", "2024", "--format", "csv", "--db", str(db)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [e for _, e in outputs]
    assert len({o for o, _ in outputs}) == 1  # cached or computed, the same answer


# --- 7. cached answers -----------------------------------------------------------------------

HEAVY = ("pandas", "ibis", "pyarrow", "numpy")
PROBE = """import io, json, sys
from contextlib import redirect_stdout
calls, wanted = json.loads(sys.argv[1]), set(sys.argv[2].split(","))
from digex.cli import main
printed = []
for args in calls:
    sys.argv = ["digex", *args]
    out = io.StringIO()
    try:
        with redirect_stdout(out):
            main()
    except SystemExit as e:
        assert not e.code, (args, e.code)
    printed.append(out.getvalue())
heavy = sorted({m.split(".")[0] for m in sys.modules} & wanted)
print(json.dumps({"printed": printed, "imported": heavy}))
"""
"""Runs each `digex ARGS` of a JSON list in one fresh process, one after the other, and
prints as JSON what each printed and which heavy packages (HEAVY) the process imported in
all: none means that none of the commands imported any."""


def probe(
    calls: Sequence[Sequence[str | Path]], cwd: Path, env: dict[str, str]
) -> tuple[list[str], list[str]]:
    argv = json.dumps([[str(a) for a in args] for args in calls])
    r = subprocess.run(
        [sys.executable, "-c", PROBE, argv, ",".join(HEAVY)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    answer = json.loads(r.stdout)
    return answer["printed"], answer["imported"]


CACHED_QUERIES = [
    (("--by", "segment"), {"by": "segment"}),
    (
        ("--by", "partner", "--top", "1", "--flow", "X", "--flow", "M"),
        {"by": "partner", "top": 1, "flow": ["X", "M"]},
    ),
    (
        ("--by", "all", "-i", "LEVEL", "-i", "SHARE", "--unit-mult", "9"),
        {"by": "all", "indicators": ["LEVEL", "SHARE"], "unit_mult": 9},
    ),
]


def test_cached_answers_print_what_pandas_writes_without_pandas(
    base: BaseStore, tmp_path: Path, env: dict[str, str]
) -> None:
    """The first query computes (Ibis, pandas); the repeats read the cache and print csv, json
    and the table from plain rows, byte for byte what pandas wrote, without importing pandas,
    Ibis, PyArrow or NumPy. Each query's computing runs come first in one process, then every
    repeat in a second one, which must import none of them."""
    db = copy_store(base, tmp_path)
    commands = [("indicators", "-p", "2024", *args, "--db", db) for args, _ in CACHED_QUERIES]
    computed, imported = probe([(*c, "-f", "csv") for c in commands], tmp_path, env)
    assert {"ibis", "pandas"} <= set(imported)
    formats = ("csv", "json", "table")
    repeats = [(*c, "-f", fmt) for c in commands for fmt in formats]
    printed, imported = probe(repeats, tmp_path, env)
    assert imported == []
    for q, (_, query) in enumerate(CACHED_QUERIES):
        with digex.connect(db, read_only=True) as store:
            frame = store.indicators("2024", **query)  # type: ignore[arg-type]
        assert len(frame) > 0
        # the CSV keeps 15 significant digits of a float (no noise such as 0.048000000939999996)
        plain = frame.assign(value=[float(f"{v:.15g}") for v in frame["value"]])
        expected = {
            "csv": plain.to_csv(index=False),
            "json": frame.to_json(orient="records", force_ascii=False, indent=1) + "\n",
        }
        assert computed[q] == expected["csv"], query
        for f, fmt in enumerate(formats):
            text = printed[q * len(formats) + f]
            if fmt in expected:
                assert text == expected[fmt], (query, fmt)
            else:
                assert f"{len(frame):,} indicator values" in text
                member = frame["member"].iloc[0]
                assert any(member in line for line in text.splitlines())


def test_parquet_from_the_cache_equals_the_frame(
    base: BaseStore, tmp_path: Path, env: dict[str, str]
) -> None:
    db = copy_store(base, tmp_path)
    common = ("indicators", "-p", "2024", "--by", "partner", "--top", "2", "--db", db)
    run(*common, "-f", "csv", cwd=tmp_path, env=env).ok()  # computes and caches
    run(*common, "-f", "parquet", "-o", tmp_path / "p.parquet", cwd=tmp_path, env=env).ok()
    with digex.connect(db, read_only=True) as store:
        frame = store.indicators("2024", by="partner", top=2)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "p.parquet"), frame)


# --- 8. usage errors and exit codes ----------------------------------------------------------

USAGE = {
    "freq": Case(("indicators", "--freq", "W"), ("--freq 'W'", "A, H, Q, M"), 2),
    "flow": Case(("indicators", "--flow", "Z"), ("--flow 'Z'", "X, M"), 2),
    "freq_and_period": Case(
        ("indicators", "--freq", "Q", "-p", "2024"), ("--freq Q", "period 2024"), 2
    ),
    "top_without_by": Case(("indicators", "--top", "3"), ("--top 3", "--by", "partner"), 2),
    "top_on_engine": Case(
        ("indicators", "--by", "partner", "--top", "2", "--engine", "duckdb:///s.duckdb"),
        ("--top", "--engine"),
        2,
    ),
    "engine": Case(("indicators", "--engine", "foo://x"), ("unknown engine", "duckdb://"), 2),
    "negative_limit": Case(("rejects", "--limit", "-5"), ("--limit -5", "0 or more"), 2),
    "format": Case(("indicators", "--format", "xml"), ("--format 'xml'", "csv"), 2),
    "table_output": Case(("indicators", "-o", "t.txt"), ("--output", "--format csv"), 2),
    "indicator": Case(("indicators", "-i", "NOPE"), ("'NOPE'", "LEVEL"), 2),
    "lang": Case(("summary", "2024", "--lang", "de"), ("--lang 'de'", "fr"), 2),
    "decimal": Case(("load", "new.csv", "--decimal", "x"), ("--decimal 'x'", "auto"), 2),
    "replace_count": Case(
        ("load", "new.csv", "--replace", "1", "--replace", "2"), ("--replace", "per"), 2
    ),
    "nothing_to_load": Case(("load",), ("nothing to load", "--rates"), 2),
    "demo_firms": Case(
        ("demo", "--firms", "10", "--rows", "500", "--out", "gen", "--db", "demo.duckdb"),
        ("--firms 10", "50"),
        2,
    ),
}


@pytest.fixture(scope="module")
def usage_runs(
    base: BaseStore, tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]
) -> dict[str, tuple[Run, Path]]:
    """Every usage error on its own copy of the base store, all started together."""
    root = tmp_path_factory.mktemp("usage")
    calls: list[tuple[list[str], Path]] = []
    stores = []
    for name, case in USAGE.items():
        folder = root / name
        stores.append(copy_store(base, folder))
        write_csv(folder / "new.csv", NEW)
        args = list(case.args)
        if "--db" not in args:
            args += ["--db", "s.duckdb"]
        calls.append((args, folder))
    return {
        name: (r, store) for name, r, store in zip(USAGE, run_all(calls, env), stores, strict=True)
    }


@pytest.mark.parametrize("case", list(USAGE))
def test_usage_errors_exit_2_before_any_work(
    case: str, base: BaseStore, usage_runs: dict[str, tuple[Run, Path]]
) -> None:
    r, store = usage_runs[case]
    assert_one_line_error(r, *USAGE[case].needles, code=2)
    assert r.stdout == ""  # refused before anything was printed or computed
    assert snapshot(store) == base.before
    assert not [p.name for p in store.parent.iterdir() if p.name in ("gen", "demo.duckdb")]


def _break_a_check(db: Path) -> None:
    """Make the store's engine view disagree with itself from one query to the next, as a
    corrupted store would: the checks then find sums that differ."""
    import duckdb

    from digex.store.codes import ENGINE_VIEW

    with duckdb.connect(str(db)) as con:
        con.execute(f"ALTER VIEW {ENGINE_VIEW} RENAME TO coded_as_stored")
        con.execute(
            f"CREATE VIEW {ENGINE_VIEW} AS SELECT * REPLACE "
            "(value_minor + CAST(floor(random() * 1000) + 1 AS BIGINT) AS value_minor) "
            "FROM coded_as_stored"
        )


def test_exit_codes(base: BaseStore, tmp_path: Path, env: dict[str, str]) -> None:
    """0 success; 1 the data, the store or the environment; 2 usage; 3 a check found problems;
    and the README's table says the same. The console script, in its own process, gives 1, 2
    and 3 (and 0 in test_concurrent_queries_all_succeed); 0 and the command line's own usage
    error are checked in-process."""
    good = copy_store(base, tmp_path / "good")
    broken = copy_store(base, tmp_path / "broken")
    _break_a_check(broken)
    calls: list[tuple[Sequence[str | Path], Path]] = [
        (("loads", "--db", tmp_path / "none.duckdb"), tmp_path),
        (("indicators", "--freq", "W", "--db", good), tmp_path),
        (("check", "--db", broken), tmp_path),
    ]
    missing, usage, failed = spawn_all(calls, env)
    ok, unknown = run_all(
        [(("check", "--db", good), tmp_path), (("load", "--no-such-option"), tmp_path)], env
    )
    assert ok.ok().code == 0
    assert_one_line_error(missing, "digex init", code=1)
    assert_one_line_error(usage, "--freq", code=2)
    assert_one_line_error(failed, "consistency check(s) failed", code=3)
    assert "FAILED" in failed.stdout
    assert unknown.code == 2  # the command line's own usage errors
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| (\d) \| (.+?) \|$", readme, re.MULTILINE))
    assert sorted(table) == ["0", "1", "2", "3"]
    assert "usage" in table["2"]
    assert "check" in table["3"]


# --- 9. rates or jobs alone, 80 columns, hashes, units ----------------------------------------


def test_rates_or_jobs_alone(tmp_path: Path, env: dict[str, str]) -> None:
    rates, _ = write_inputs(tmp_path)
    jobs = write_csv(
        tmp_path / "jobs.csv", [("2024", "ITO", "100")], header=("year", "segment", "jobs")
    )
    db = tmp_path / "s.duckdb"
    run("init", "--db", db, cwd=tmp_path, env=env).ok()
    first = run("load", "--rates", rates, "--db", db, cwd=tmp_path, env=env).ok()
    assert cells(first.stdout, "1")[1:] == ["rates.csv", "csv utf-8", "48", "48", "0", "ok"]
    second = run("load", "--jobs", jobs, "--db", db, cwd=tmp_path, env=env).ok()
    assert cells(second.stdout, "2")[1:] == ["jobs.csv", "csv utf-8", "1", "1", "0", "ok"]
    assert snapshot(db)["declarations"] == (0,)
    # a corrected rates file alone supersedes the first (issue 12: corrected rates)
    corrected = tmp_path / "rates2.csv"
    corrected.write_text(rates.read_text().replace("10.800000", "10.900000"))
    third = run("load", "--rates", corrected, "--replace", "1", "--db", db, cwd=tmp_path, env=env)
    assert cells(third.ok().stdout, "3")[1:] == [
        "rates2.csv",
        "csv utf-8",
        "48",
        "48",
        "0",
        "ok, replaces load 1",
    ]


LONG_NAME = "declarations_2024_april_corrected_second_version_from_the_bank.csv"


@pytest.fixture(scope="module")
def narrow_runs(
    base: BaseStore, tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]
) -> dict[str, Run]:
    """Each table printed in an 80-column terminal, after a load of a file with a long name."""
    db = copy_store(base, tmp_path_factory.mktemp("narrow"))
    folder = db.parent
    more = [("N2", "2024-09", FIRM, "ITO", "DE", "EUR", "5", "X")]
    # every month of 2024 declared: a complete year, which the targets compare with
    more += [(f"B{m}", f"2024-{m:02d}", FIRM2, "BPO", "US", "USD", "1", "X") for m in range(1, 13)]
    write_csv(folder / LONG_NAME, [*NEW, *more])
    narrow = {**env, "COLUMNS": "80"}
    runs = {"load": run("load", LONG_NAME, "--db", db, cwd=folder, env=narrow)}
    commands = {
        "loads": ("loads",),
        "loads_wide": ("loads", "--wide"),
        "rejects": ("rejects",),
        "targets": ("targets",),
        "region": ("indicators", "-p", "2024", "--by", "region"),
        "segment": ("indicators", "-p", "2024", "--by", "segment"),
        "csv": ("indicators", "-p", "2024", "--by", "segment", "-f", "csv"),
        "csv_bn": ("indicators", "-p", "2024", "--by", "all", "--unit-mult", "9", "-f", "csv"),
    }
    calls = [((*args, "--db", db), folder) for args in commands.values()]
    runs.update(zip(commands, run_all(calls, narrow), strict=True))
    return runs


@pytest.mark.parametrize("name", ["load", "loads", "rejects", "targets", "region", "segment"])
def test_tables_fit_80_columns_without_cutting_cells(
    name: str, narrow_runs: dict[str, Run]
) -> None:
    r = narrow_runs[name].ok()
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    assert "…" not in r.stdout  # rich marks a cut cell with an ellipsis


def test_load_summary_wraps_a_long_name_and_keeps_counts(narrow_runs: dict[str, Run]) -> None:
    r = narrow_runs["load"].ok()
    row = cells(r.stdout, "3")
    assert row[3:6] == ["14", "14", "0"]
    # the file column of the reconciliation (7 columns), its name folded over several lines
    folded = "".join(
        line.split("│")[1].strip() for line in r.stdout.splitlines() if line.count("│") == 6
    )
    assert LONG_NAME in folded


def test_load_log_shows_the_content_hash(base: BaseStore, narrow_runs: dict[str, Run]) -> None:
    with digex.connect(base.path, read_only=True) as db:
        digest = db.loads()["content_hash"].tolist()
    narrow, wide = narrow_runs["loads"].ok(), narrow_runs["loads_wide"].ok()
    assert cells(narrow.stdout, "load")[-1] == "hash"
    for load_id, full in enumerate(digest, start=1):
        row = cells(narrow.stdout, str(load_id))
        assert row[-1] == full[:8]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[2])  # a whole short date
        assert cells(wide.stdout, str(load_id))[-1] == full
    assert "--wide" in narrow.stdout


def _csv_values(r: Run) -> dict[tuple[str, str, str, str], str]:
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    return {(x["indicator"], x["period"], x["member"], x["flow"]): x["value"] for x in rows}


def test_indicator_table_shows_each_indicator_in_its_own_unit(
    narrow_runs: dict[str, Run],
) -> None:
    table, values = narrow_runs["segment"].ok(), _csv_values(narrow_runs["csv"].ok())
    header = cells(table.stdout, "indicator")
    shown = {}
    for line in table.stdout.splitlines():
        parts = [p.strip() for p in line.split("│")]
        if len(parts) == len(header) and parts[0] and parts[0] != "indicator":
            row = dict(zip(header, parts, strict=True))
            shown[row["indicator"], row["period"], row["member"], row["flow"]] = row
    assert len(shown) == len(values) > 20
    for key, text in values.items():
        d = digex.indicators.registry.definitions()[key[0]]
        exact = Decimal(text) if text else None
        cell = shown[key]["value"].rstrip("*†")
        mark = shown[key]["value"][len(cell) :]  # a figure on incomplete months: its mark
        assert shown[key]["status"].endswith(mark), shown[key]
        if exact is None:
            assert cell == "—"
            continue
        q = exact.scaleb(-d.display_mult).quantize(
            Decimal(1).scaleb(-d.display_decimals), ROUND_HALF_UP
        )
        assert cell == f"{abs(q) if q == 0 else q:,}", (key, text, cell)
    assert any(row["value"].endswith("†") for row in shown.values())  # the test store's 2023
    assert "† incomplete base: the period compared with has months without data" in table.stdout
    # by hand: ITO has one firm and 18,705.40 + 10 EUR x 10.8 (N1) + 5 EUR x 10.8 (N2)
    # = 18,867.40 MAD, of 24,987.40 (+ 6,000 CRM, 12 x 10 BPO): 75.51 %; 0.0189 million MAD
    assert shown["FIRMS", "2024", "ITO", "X"]["value"] == "1"
    assert shown["FIRMS", "2024", "ITO", "X"]["unit"] == "firms"
    assert shown["SHARE", "2024", "ITO", "X"]["value"] == "75.5"
    assert shown["AVG_PER_FIRM", "2024", "ITO", "X"]["value"] == "0.019"
    assert shown["AVG_PER_FIRM", "2024", "ITO", "X"]["unit"] == "m MAD"
    assert shown["LEVEL", "2024", "ITO", "X"]["unit"] == "bn MAD"


def test_targets_show_their_values(narrow_runs: dict[str, Run]) -> None:
    r = narrow_runs["targets"].ok()
    level = cells(r.stdout, "TARGET_LEVEL")
    # 24,987.40 MAD of exports in 2024 (see above), in billions
    assert (level[1], level[-3], level[-2]) == ("2024", "0.000", "bn MAD")
    progress = cells(r.stdout, "TARGET_PROGRESS")
    assert progress[-2] == "%"


def test_regions_show_their_names(narrow_runs: dict[str, Run]) -> None:
    r = narrow_runs["region"].ok()
    for name in ("150 Europe", "002 Africa", "019 Americas"):
        assert name in r.stdout.replace("\n", " "), name


def test_csv_has_no_float_noise(narrow_runs: dict[str, Run]) -> None:
    values = _csv_values(narrow_runs["csv_bn"].ok())
    assert values
    for text in values.values():
        if text:
            digits = Decimal(text).normalize().as_tuple().digits
            assert len(digits) <= 15, text
    # 18,867.40 MAD of ITO in 2024 (see above), in billions
    assert values["LEVEL", "2024", "ITO", "X"] == "1.88674e-05"


# --- 10. files safe in a spreadsheet ----------------------------------------------------------

HOSTILE_ROW = ("=1+2", "2024-03", "+212600000000", "ITO", "@SUM(A1)", "EUR", "-2+3+cmd!A0", "X")


def test_exports_neutralise_formulas_and_keep_what_is_stored(
    base: BaseStore, tmp_path: Path, env: dict[str, str]
) -> None:
    db = copy_store(base, tmp_path)
    write_csv(tmp_path / "hostile.csv", [HOSTILE_ROW])
    run("load", "hostile.csv", "--no-indicators", "--db", db, cwd=tmp_path, env=env).ok()
    calls: list[tuple[Sequence[str | Path], Path]] = [
        (("rejects", "--export", tmp_path / "r.csv", "--db", db), tmp_path),
        (("indicators", "-p", "2024", "--by", "all", "-f", "csv", "--db", db), tmp_path),
    ]
    _, indicators = (r.ok() for r in run_all(calls, env))
    with (tmp_path / "r.csv").open(encoding="utf-8", newline="") as f:
        rows = {r["line"]: r for r in csv.DictReader(f)}
    row = rows["2"]
    for column, value in zip(HEADER, HOSTILE_ROW, strict=True):
        assert row[column] == ("'" + value if value[0] in "=+-@" else value), column
    assert row["line"] == "2"  # numbers stay numbers
    with digex.connect(db, read_only=True) as store:
        stored = store.rejects()
    kept = stored[stored["line"] == 2].iloc[0]
    assert (kept["declaration_id"], kept["amount"]) == ("=1+2", "-2+3+cmd!A0")
    for line in indicators.stdout.splitlines()[1:]:
        cells_ = next(csv.reader([line]))
        assert not any(c.startswith("'") for c in cells_)  # codes and numbers as they are
        float(cells_[6] or "nan")
