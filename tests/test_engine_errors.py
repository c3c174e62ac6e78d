"""Engine URLs and settings digex cannot use are one line and an exit code, not a traceback.

Each case runs the CLI's `main` in-process (what the console script runs): an exception that is
not translated escapes as a traceback and fails the test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import digex
from digex.cli import main


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


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://u@127.0.0.1:99999/x", "Port out of range"),
        ("postgresql://u@[::1", "Invalid IPv6 URL"),
        ("postgresql://u:secret@127.0.0.1:abc/x", "Port could not be cast"),
    ],
)
def test_an_engine_url_that_cannot_be_read_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, reason: str
) -> None:
    code, err = run(capsys, monkeypatch, "indicators", "-p", "2024", "--engine", url)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "error: the engine URL cannot be read" in err
    assert reason in err
    assert "secret" not in err  # the URL (and its password) is not repeated


def test_a_memory_limit_too_small_to_open_the_store_names_the_setting(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = tmp_path / "s.duckdb"
    digex.init(store).close()
    before = store.read_bytes()
    monkeypatch.setenv("DIGEX_MEMORY_LIMIT", "5b")
    code, err = run(capsys, monkeypatch, "loads", "--db", str(store))
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "DIGEX_MEMORY_LIMIT='5b' is not a size" in err
    assert store.read_bytes() == before
    # a store made with it: refused the same way, nothing left behind
    code, err = run(capsys, monkeypatch, "init", "--db", str(tmp_path / "new.duckdb"))
    assert code == 1
    assert "DIGEX_MEMORY_LIMIT='5b' is not a size" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.duckdb"]
