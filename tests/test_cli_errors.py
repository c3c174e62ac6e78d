"""Errors from the engines, the file system and the store reach the user as one line.

Each case runs the CLI's `main` in-process (what the console script runs), so a third-party
exception that is not translated escapes as a traceback and fails the test. Each checks one
line on stderr, the exit code of the README's table, and that nothing on disk changed.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

import digex.errors
from digex.cli import FLAGS, app, for_cli, main
from digex.demo.run import check_size
from digex.errors import ProfileError, UsageError
from digex.indicators.auxiliary import parse_series
from digex.releases.breaks import parse_breaks
from digex.releases.calendar import parse_calendar
from digex.releases.create import check_request
from digex.store import Store

SRC = Path(digex.errors.__file__).parent


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str]:
    """Exit code and stderr of `digex ARGS`."""
    monkeypatch.delenv("DIGEX_DB", raising=False)
    monkeypatch.setattr(sys, "argv", ["digex", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    code = exit_.value.code
    return int(code) if isinstance(code, int) else 0, capsys.readouterr().err


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the digest of its content."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else "/"
        for p in sorted(folder.rglob("*"))
    }


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize(
    ("engine", "says"),
    [
        ("postgresql://u:secret@127.0.0.1:1/x", "cannot connect to PostgreSQL at 127.0.0.1:1/x"),
        ("spark://{tmp}/missing", "declarations.parquet not found"),
    ],
    ids=["postgres-down", "spark-folder-missing"],
)
def test_an_engine_that_cannot_be_used_is_one_line(
    engine: str,
    says: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Store.create(tmp_path / "s.duckdb").close()
    before = snapshot(tmp_path)
    url = engine.format(tmp=tmp_path)
    code, err = run(
        capsys, monkeypatch, "indicators", "--db", str(tmp_path / "s.duckdb"), "--engine", url
    )
    line = one_line(err)
    assert code == 1
    assert says in line
    assert "secret" not in line  # the password in the URL is not repeated
    assert snapshot(tmp_path) == before


def test_a_store_in_a_folder_with_an_apostrophe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spill folder's path went unquoted into SQL: `init` failed and left an empty file."""
    db = tmp_path / "l'office" / "x.duckdb"
    code, _ = run(capsys, monkeypatch, "init", "--db", str(db))
    assert code == 0
    with Store(db, read_only=True) as store:
        assert store.schema_version() > 0


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        ((), {"DIGEX_MEMORY_LIMIT": "lots"}, "DIGEX_MEMORY_LIMIT='lots'"),
        (("--profile", "XX"), {}, "no country profile shipped for XX"),
    ],
    ids=["memory-limit", "profile"],
)
def test_a_store_that_cannot_be_created_leaves_nothing(
    args: tuple[str, ...],
    env: dict[str, str],
    says: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, err = run(capsys, monkeypatch, "init", "--db", str(tmp_path / "new" / "x.duckdb"), *args)
    assert code == 1
    assert says in one_line(err)
    assert list(tmp_path.iterdir()) == []


def test_a_file_where_the_store_s_folder_would_be(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "new").write_text("not a folder")
    before = snapshot(tmp_path)
    code, err = run(capsys, monkeypatch, "init", "--db", str(tmp_path / "new" / "x" / "s.duckdb"))
    assert code == 1
    assert "a file stands where its folder would be" in one_line(err)
    assert snapshot(tmp_path) == before


def test_a_demo_too_small_is_a_usage_error_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "demo"
    code, err = run(
        capsys,
        monkeypatch,
        "demo",
        "--firms",
        "10",
        "--out",
        str(out / "data"),
        "--db",
        str(out / "d.duckdb"),
    )
    assert code == 2
    assert "--firms 10: give 50 or more" in one_line(err)
    assert not out.exists()


def test_every_error_class_is_in_errors_py() -> None:
    """A `DigexError` subclass defined elsewhere would be a second place to look for errors."""
    ours = {
        name
        for name, value in vars(digex.errors).items()
        if isinstance(value, type) and issubclass(value, digex.errors.DigexError)
    }
    elsewhere = []
    for path in SRC.rglob("*.py"):
        if path.name == "errors.py" and path.parent == SRC:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                }
                if bases & ours:
                    elsewhere.append(f"{path.relative_to(SRC)}: {node.name}")
    assert elsewhere == []


def test_core_parameters_are_named_as_the_cli_options_that_set_them() -> None:
    """The core names `name=value` or `` `name` ``; the command line says `--option`."""
    with pytest.raises(UsageError) as refused:
        check_size(firms=10, rows=1000)
    assert str(refused.value).startswith("firms=10: give 50 or more")
    assert for_cli(str(refused.value)).startswith("--firms 10: give 50 or more")
    assert for_cli("top=3 needs `by`, one of x") == "--top 3 needs --by, one of x"
    assert for_cli("give decimal_mark=. or decimal_mark=,") == "give --decimal . or --decimal ,"
    assert for_cli("first line\n\tsecond line\n") == "first line second line"
    kept = "DIGEX_MEMORY_LIMIT='lots'; see `digex loads`; a.rows=1, my_rows=2, `sum`"
    assert for_cli(kept) == kept


def test_paths_and_urls_keep_their_words() -> None:
    """Only a parameter the core names is rewritten: never a part of a path or a URL."""
    url = "spark:///tmp/by=year/period=2024"
    assert for_cli(f"no Parquet files in {url}; export them") == (
        f"no Parquet files in {url}; export them"
    )
    assert for_cli("rows=1.csv: no header", protect=["data/rows=1.csv"]) == (
        "rows=1.csv: no header"
    )
    declared = UsageError("rows=1.csv has top=3, which needs `by`").naming("by", top=3)
    assert for_cli(declared) == "rows=1.csv has --top 3, which needs --by"
    path = "/data/my profiles/by=x/TN.toml"
    named = UsageError(f"record it with init (profile={path})").naming(profile=path)
    assert for_cli(named) == f"record it with init (--profile '{path}')"


def options_of(command: Any) -> set[str]:
    """Every option of `command` and, for a group (`digex release`), of its subcommands."""
    found = {o for p in command.params for o in p.opts}
    for sub in getattr(command, "commands", {}).values():
        found |= options_of(sub)
    return found


def test_every_option_a_parameter_maps_to_exists() -> None:
    options = options_of(typer.main.get_command(app))
    assert set(FLAGS.values()) <= options
    assert {"--status", "--publish-at", "--note", "--earlier"} <= options  # in groups


def test_the_release_groups_options_are_named_as_the_command_line_spells_them() -> None:
    assert (FLAGS["status"], FLAGS["publish_at"], FLAGS["note"]) == (
        "--status",
        "--publish-at",
        "--note",
    )
    now = dt.datetime(2025, 3, 1, 12, 0)
    with pytest.raises(UsageError) as status:
        check_request("2024", "draft status", None, now)
    assert for_cli(status.value).startswith("--status 'draft status': a release's status is")
    with pytest.raises(UsageError) as early:
        check_request("2024", "final", dt.datetime(2025, 3, 1, 9, 0), now)
    assert for_cli(early.value).startswith(
        "--publish-at 2025-03-01T09:00:00: the publication time is before the release"
    )


BREAK = {
    "id": "b",
    "date": dt.date(2023, 1, 1),
    "explanation": {"en": "x", "fr": "x", "ar": "x"},
    "indicators": "LEVEL",
}
CALENDAR = {
    "since": dt.date(2025, 1, 1),
    "release": [{"kind": "k", "frequency": "A", "status": "draft"}],
}


@pytest.mark.parametrize(
    ("raise_it", "key"),
    [
        (lambda: parse_breaks({"break": [BREAK]}), "`indicators` must be a list"),
        (lambda: parse_series({"series": [{"id": "S", "flow": "N"}]}, "MAD", "XX"), "`flow`"),
        (lambda: parse_calendar({"calendar": CALENDAR}, "XX"), "`status` is 'draft'"),
    ],
)
def test_a_profiles_keys_are_not_renamed_as_options(raise_it: Any, key: str) -> None:
    """`indicators` in a [[break]] is the file's key, not the command line's --indicator."""
    with pytest.raises(ProfileError) as error:
        raise_it()
    assert key in for_cli(error.value)


@pytest.mark.postgres
def test_a_postgres_schema_without_the_views_is_one_line(
    pg_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ibis's TableNotFound at the first query was a traceback; the views are looked up when
    connecting."""
    url = f"{pg_url}/digex_no_such_schema"
    code, err = run(capsys, monkeypatch, "indicators", "--engine", url)
    assert code == 1
    assert "has no current_declarations, current_rates, current_auxiliary" in one_line(err)


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("summary", "20x4"), 2, "20x4"),
        (("indicators", "-p", "20244"), 2, "20244"),
        (("load", "--encoding", "bogus", "--rates", "r.csv"), 2, "--encoding 'bogus'"),
        (("rejects", "--load", "99"), 1, "--load 99: there is no load 99"),
    ],
    ids=["summary-period", "indicators-period", "load-encoding", "rejects-load"],
)
def test_exit_codes_are_the_readme_s(
    args: tuple[str, ...],
    code: int,
    says: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A period or an encoding that cannot be is a usage error (2) whichever command is given
    it, refused before any file is read; a load that is not there is an error (1), not an
    empty list."""
    db = tmp_path / "s.duckdb"
    Store.create(db).close()
    (tmp_path / "r.csv").write_text("period,currency,rate\n2024-01,EUR,10.9\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    got, err = run(capsys, monkeypatch, *args, "--db", str(db))
    assert (got, says in one_line(err)) == (code, True), err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("out", "db", "says"),
    [
        (".", "demo.duckdb", "--out . holds files the demo did not make"),
        ("notes.txt", "demo.duckdb", "--out notes.txt is a file"),
        ("data", "mine", "--db mine is a folder"),
    ],
    ids=["out-working-folder", "out-file", "db-folder"],
)
def test_the_demo_never_deletes_what_it_did_not_make(
    out: str,
    db: str,
    says: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`demo --out .` emptied the working folder; `--out FILE` and `--db DIR` were tracebacks."""
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("mine too", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    code, err = run(capsys, monkeypatch, "demo", "--out", out, "--db", db)
    assert (code, says in one_line(err)) == (2, True), err
    assert snapshot(tmp_path) == before


def test_the_demo_recognises_its_own_folder(tmp_path: Path) -> None:
    from digex.demo import generator
    from digex.demo.run import MARK, is_demo_folder

    assert MARK in generator._readme(1, 50, 10, 0.01, {})
    assert MARK in generator._readme_single(1, 50, 10, 0.01)
    (tmp_path / "README.txt").write_text(generator._readme(1, 50, 10, 0.01, {}), encoding="utf-8")
    assert is_demo_folder(tmp_path)
    (tmp_path / "README.txt").write_text("my own notes", encoding="utf-8")
    assert not is_demo_folder(tmp_path)


def test_a_second_demo_on_a_store_being_written_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `digex demo` runs on the same paths: the second removed the first's store under
    it (the first went on writing a removed file, and read the second's releases back). Now
    the second is refused while the first holds the store, and nothing is touched."""
    import subprocess

    db = tmp_path / "demo.duckdb"
    Store.create(db).close()
    hold = (  # another process holding the store's write lock, as a running demo does
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
        "print('held', flush=True); time.sleep(60)"
    )
    argv = [sys.executable, "-c", hold, str(db)]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) as holder:  # closes its pipe
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "held"
            monkeypatch.chdir(tmp_path)
            before = snapshot(tmp_path)
            code, err = run(capsys, monkeypatch, "demo", "--out", "data", "--db", str(db))
            assert code == 1, err
            assert "being written by another process" in one_line(err)
            assert snapshot(tmp_path) == before
        finally:
            holder.kill()
