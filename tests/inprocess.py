"""`digex ARGS` run in this process, as the console script runs it, for CLI tests that test what
a command does rather than the process around it.

A subprocess spends a second or more importing digex, pandas and Ibis before doing anything;
`digex.cli.main` with `sys.argv`, the working directory and the environment set does the same
work without that. What only a real process shows (the console script, its exit code as the
shell sees it, a terminal, concurrent processes, what a command imports) stays a subprocess.
"""

from __future__ import annotations

import io
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import digex.cli


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def ok(self) -> Run:
        assert self.code == 0, f"digex {' '.join(self.args)} exited {self.code}:\n{self.stderr}"
        assert "Traceback" not in self.stdout + self.stderr
        return self


def user_env(**overrides: str) -> dict[str, str]:
    """This process's environment without DIGEX_DB (every call names its --db), wide and
    plain unless `overrides` say otherwise."""
    env = {k: v for k, v in os.environ.items() if k != "DIGEX_DB"}
    return env | {"COLUMNS": "200", "NO_COLOR": "1"} | overrides


def _forget_consoles() -> None:
    """The CLI's consoles are made once per process and read COLUMNS then: forget them (any
    cached function of digex.cli, and any cached "console" function of another digex module),
    so that each command reads its own environment."""
    for name, module in list(sys.modules.items()):
        if name != "digex" and not name.startswith("digex."):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and (
                module is digex.cli or "console" in getattr(value, "__name__", "").lower()
            ):
                clear()


def run_here(args: Sequence[str | Path], cwd: Path, env: Mapping[str, str] | None = None) -> Run:
    """`digex ARGS` by `digex.cli.main`: in `cwd`, with exactly `env` (default `user_env()`)
    as the environment, stdout and stderr captured apart, the exit code from SystemExit. An
    exception that main lets through is what a user would see as a traceback and exit 1, and
    is recorded so (the tests then fail on "Traceback")."""
    argv = tuple(str(a) for a in args)
    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_argv, saved_cwd = dict(os.environ), sys.argv, Path.cwd()
    _forget_consoles()
    code = 0
    try:
        os.environ.clear()
        os.environ.update(user_env() if env is None else env)
        os.chdir(cwd)
        sys.argv = ["digex", *argv]
        with redirect_stdout(out), redirect_stderr(err):
            try:
                digex.cli.main()
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
            except Exception:
                traceback.print_exc()
                code = 1
    finally:
        os.chdir(saved_cwd)
        sys.argv = saved_argv
        os.environ.clear()
        os.environ.update(saved_env)
    return Run(argv, code, out.getvalue(), err.getvalue())
