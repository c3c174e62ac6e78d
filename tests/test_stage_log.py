"""The stage lines `digex load` writes where no bar is drawn (a pipe, a log file).

Stages that follow each other within the interval are held back, so that 78 small demo files
do not print 234 lines; a stage held back that way and then running long must still be named.
A 1M-row declarations file loaded after a small rates file was not: the log said
`rates.csv: reading` for the whole of the declarations' reading and checking.
"""

from __future__ import annotations

import time

import pytest

from digex.cli import _StageLog

INTERVAL = 0.2


def lines(text: str) -> list[str]:
    return [line.split("] ", 1)[1] for line in text.splitlines() if "] " in line]


def test_a_long_stage_held_back_is_named_once_it_has_lasted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = _StageLog(interval=INTERVAL)
    log("rates.csv: reading", 0.0, 2)
    log("declarations.csv: reading", 0.1, 2)  # straight after: held back for now
    assert lines(capsys.readouterr().err) == ["rates.csv: reading"]
    time.sleep(INTERVAL * 3)  # the declarations are still being read
    out = capsys.readouterr().err
    assert lines(out) == ["declarations.csv: reading"]
    began = float(out.split("]")[0].strip("[ s"))
    assert began < INTERVAL  # the line says when the stage began, not when it was written
    log("done", 2.0, 2)
    log.close()
    assert lines(capsys.readouterr().err) == ["done"]


def test_short_stages_in_a_row_stay_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    log = _StageLog(interval=INTERVAL)
    log("a.csv: reading", 0.0, 3)
    for name in ("a.csv: checking", "b.csv: reading", "b.csv: checking", "c.csv: reading"):
        log(name, 0.5, 3)
    log("done", 3.0, 3)
    time.sleep(INTERVAL * 2)
    log.close()
    assert lines(capsys.readouterr().err) == ["a.csv: reading", "done"]


def test_a_load_that_ends_leaves_no_line_pending(capsys: pytest.CaptureFixture[str]) -> None:
    log = _StageLog(interval=INTERVAL)
    log("a.csv: reading", 0.0, 1)
    log("a.csv: checking", 0.5, 1)
    log.close()  # the load failed before the check had lasted the interval
    time.sleep(INTERVAL * 2)
    assert lines(capsys.readouterr().err) == ["a.csv: reading"]
