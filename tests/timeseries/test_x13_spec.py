"""The X-13 spec digex writes and the program's reports it reads (`digex.timeseries.x13`,
`digex.timeseries.diagnostics`): line lengths, holiday groups, the error report, the .udg
keys, and a fixed model run as given."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from digex.timeseries import x13
from digex.timeseries.diagnostics import from_udg, parse_udg

ERR_HTML = """<h1 class="center">Error messages generated from processing the spec file  <br>
 s.spc:</h1>
  <p><strong>WARNING:</strong> &nbsp; Automatic transformation selection cannot be done on a
           series with zero or negative values.
  </p>
  <p><strong>ERROR:</strong> &nbsp; Series to be modelled and/or seasonally adjusted must have at
         least 3 complete years of data.
  </p>
  <p>
  No seasonal adjustment this run
  </p>
"""

UDG = """arimamdl: (0 1 1)(0 1 1)
aictrans: Log(y)
f3.m01:  0.053
f3.m07:  1.211
f3.q:  0.20
f3.qm2:  0.22
lbq$09:  19.550       8      0.012
lbq$12:  22.622      11      0.020
qsrsd:         0.00000    1.00000
qssadj:         2.10000    0.35000
f2.idseasonal: yes
sspans: yes
ssran.p01: Jan        99.85       99.94      100.43        0.58      100.08
ssran.p08: Aug        84.10       87.90       86.02        3.80       86.01
outlier.total:  2
$regression:
group	variable	estimate
"""


def _monthly(n: int, start: str = "2015-01") -> pd.Series:
    index = pd.period_range(start, periods=n, freq="M")
    t = np.arange(n)
    values = 1e12 * np.exp(0.01 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12)) + np.pi
    return pd.Series(values, index=index, name="big")


def test_spec_lines_stay_under_132_characters_and_holiday_groups_are_in_sequence() -> None:
    series = _monthly(120)
    rng = np.random.default_rng(3)
    regressors = pd.DataFrame(
        -1e3 * rng.random((132, 2)) / 7,
        index=pd.period_range("2015-01", periods=132, freq="M"),
        columns=["eid_al_fitr", "eid_al_adha"],
    )
    text = x13.spec_text(
        series, transform="log", model=None, constant=True, regressors=regressors, decompose=True
    )
    assert max(len(line) for line in text.splitlines()) < 132
    # two holidays without Ramadan: groups 1 and 2 (the program refuses holiday2 + holiday3)
    assert " usertype=(holiday holiday2)" in text.splitlines()
    assert " user=(fitr adha)" in text.splitlines()
    assert "automdl{ diff=(1 1) }" in text
    assert "x11{ save=(d10 d11 d12) }" in text
    assert 'series{ title="digex" start=2015.01 period=12' in text
    quarterly = series.groupby(series.index.asfreq("Q")).sum()
    text = x13.spec_text(
        quarterly, transform="none", model="(0 1 1)(0 1 1)", constant=False, regressors=None,
        decompose=False,
    )  # fmt: skip
    assert "start=2015.1 period=4" in text
    assert "arima{ model=(0 1 1)(0 1 1) }" in text
    assert "regression" not in text
    assert "x11" not in text


def test_the_error_report_and_the_diagnostics_file_are_read(tmp_path: Path) -> None:
    report = tmp_path / "s_err.html"
    report.write_text(ERR_HTML, encoding="latin-1")
    errors, warnings = x13._report(report)
    assert errors == [
        "Series to be modelled and/or seasonally adjusted must have at least 3 complete "
        "years of data."
    ]
    assert warnings == [
        "Automatic transformation selection cannot be done on a series with zero or "
        "negative values."
    ]
    diagnostics = from_udg(parse_udg(UDG))
    assert diagnostics.m == {"M1": 0.053, "M7": 1.211}
    assert (diagnostics.q, diagnostics.q2) == (0.20, 0.22)
    assert diagnostics.ljung_box == {9: 0.012, 12: 0.020}
    assert diagnostics.residual_seasonality_p == 1.0
    assert diagnostics.adjusted_seasonality_p == 0.35
    assert diagnostics.identifiable_seasonality is True
    assert diagnostics.sliding_spans == "unstable"  # August's factor moves 3.8 %
    assert diagnostics.sliding_spans_max_range == 3.8
    assert diagnostics.outliers == 2
    assert "M7 >= 1" in diagnostics.summary()
    assert from_udg({"sspans": "failed"}).sliding_spans == "not enough data"
    assert type(diagnostics).from_dict(diagnostics.to_dict()) == diagnostics


def test_a_fixed_model_is_run_as_given() -> None:
    series = _monthly(96)
    fit = x13.fit(series, transform="log", model="(0 1 1)(0 1 1)")
    assert fit.model == "(0 1 1)(0 1 1)"
    assert fit.transform == "log"
    assert fit.adjusted is not None
    assert fit.seasonal is not None
    assert list(fit.adjusted.index) == list(series.index)
    assert np.allclose(fit.adjusted * fit.seasonal, series, rtol=1e-6)
