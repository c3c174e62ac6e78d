"""The demo generator: deterministic, calibrated to the published figures, realistically messy.

The files are read back here with plain pandas, openpyxl and pyarrow and checked by a small
validator written for the test, not with digex's loader, so that a loader bug cannot hide a
generator bug (or the reverse).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tomllib
import zipfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from tests.conftest import DEMO_ROWS

from digex.demo import DemoFiles, generate
from digex.demo.population import currency_probabilities, make_units
from digex.demo.sampling import MonthSampler

DATA = Path(__file__).resolve().parents[1] / "src" / "digex" / "data"
COLUMNS = [
    "declaration_id",
    "period",
    "firm_id",
    "segment",
    "partner",
    "currency",
    "amount",
    "flow",
]
SEGMENTS = ("ITO", "CRM", "ESO", "BPO", "KPO")
EBOPS = {"SI2": "ITO", "SJ31": "ESO", "SJ35": "CRM"}
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
FAULT_CODES = {
    "ID_MISSING", "ID_DUPLICATE", "PERIOD_MISSING", "PERIOD_INVALID", "PERIOD_FUTURE",
    "FIRM_ID_MISSING", "FIRM_ID_INVALID", "SEGMENT_MISSING", "SEGMENT_UNKNOWN",
    "PARTNER_MISSING", "PARTNER_UNKNOWN", "CURRENCY_MISSING", "CURRENCY_UNKNOWN", "RATE_MISSING",
    "AMOUNT_MISSING", "AMOUNT_INVALID", "AMOUNT_NOT_POSITIVE", "FLOW_MISSING", "FLOW_UNKNOWN",
}  # fmt: skip
ROWS = DEMO_ROWS  # the data the other tests load (tests/conftest.py)


# --- reading the files back, independently of digex.ingest ------------------------------------


def _aliases() -> dict[str, str]:
    profile = tomllib.loads((DATA / "profiles" / "MA.toml").read_text(encoding="utf-8"))
    return {a.lower(): field for field, names in profile["headers"].items() for a in names}


def _decode(raw: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 when it decodes, else the Windows code page under which
    the header reads as known column names."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    aliases = _aliases()
    for encoding in ("cp1252", "cp1256"):
        text = raw.decode(encoding)
        header = re.split(r"[,;\t]", text.splitlines()[0])
        if all(h.strip().lower() in aliases for h in header):
            return text, encoding
    raise AssertionError("no encoding gives a known header")


def _read_text(path: Path) -> pd.DataFrame:
    text, _ = _decode(path.read_bytes())
    delimiter = max(",;\t", key=text.splitlines()[0].count)
    df = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    aliases = _aliases()
    df.columns = pd.Index([aliases[c.strip().lower()] for c in df.columns])
    amount = df["amount"].str.translate(ARABIC_DIGITS)
    df["amount"] = amount.str.replace(",", ".") if delimiter == ";" else amount
    return df[COLUMNS]


def _excel_text(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, int | float) else str(value)


def _read_xlsx(path: Path) -> pd.DataFrame:
    with path.open("rb") as handle:
        wb = openpyxl.load_workbook(handle, read_only=True)
        values = list(wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
    assert list(values[0]) == COLUMNS
    return pd.DataFrame([[_excel_text(v) for v in row] for row in values[1:]], columns=COLUMNS)


def _read_parquet(path: Path) -> pd.DataFrame:
    df: pd.DataFrame = pq.read_table(path).to_pandas().fillna("")
    return df[COLUMNS]


@dataclass(frozen=True)
class Loaded:
    rows: pd.DataFrame  # COLUMNS as text, plus file and row (1-based data row in the file)
    faults: pd.DataFrame
    rates: dict[tuple[str, str], Decimal]


def _read_all(demo: DemoFiles) -> Loaded:
    readers = {".csv": _read_text, ".xlsx": _read_xlsx, ".parquet": _read_parquet}
    frames = []
    for path in demo.declarations:
        df = readers[path.suffix](path)
        df["file"] = path.name
        df["row"] = np.arange(1, len(df) + 1)
        frames.append(df)
    faults = pd.read_csv(demo.faults, dtype=str, keep_default_na=False)
    faults["row"] = faults["row"].astype(int)
    r = pd.read_csv(demo.rates, dtype=str, keep_default_na=False)
    rates = {(p, c): Decimal(v) for p, c, v in zip(r.period, r.currency, r.rate, strict=True)}
    return Loaded(pd.concat(frames, ignore_index=True), faults, rates)


def _valid_exports(loaded: Loaded) -> pd.DataFrame:
    """Rows not listed in faults.csv, with their value in MAD rounded to the centime per row."""
    bad = set(zip(loaded.faults["file"], loaded.faults["row"], strict=True))
    keys = zip(loaded.rows["file"], loaded.rows["row"], strict=True)
    rows = loaded.rows[[k not in bad for k in keys]].copy()
    cent = Decimal("0.01")
    rows["mad"] = pd.Series(
        [
            (Decimal(a) * (Decimal(1) if c == "MAD" else loaded.rates[(p, c)])).quantize(
                cent, ROUND_HALF_UP
            )
            for a, c, p in zip(rows["amount"], rows["currency"], rows["period"], strict=True)
        ],
        index=rows.index,
        dtype=object,
    )
    rows["seg"] = rows["segment"].map(lambda s: EBOPS.get(s, s))
    return rows


@pytest.fixture(scope="module")
def demo(demo_files: DemoFiles) -> DemoFiles:
    return demo_files


@pytest.fixture(scope="module")
def loaded(demo: DemoFiles) -> Loaded:
    return _read_all(demo)


@pytest.fixture(scope="module")
def valid(loaded: Loaded) -> pd.DataFrame:
    return _valid_exports(loaded)


# --- the published figures -------------------------------------------------------------------


def _months(period: str) -> set[str]:
    year, _, part = period.partition("-")
    first, last = {"": (1, 12), "Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12)}.get(
        part, (1, 6) if part == "H1" else (7, 12)
    )
    return {f"{year}-{m:02d}" for m in range(first, last + 1)}


def _level(valid: pd.DataFrame, period: str, segment: str) -> Decimal:
    x = valid[(valid["flow"] == "X") & valid["period"].isin(_months(period))]
    if segment != "_T":
        x = x[x["seg"] == segment]
    return Decimal(sum(x["mad"], Decimal(0)))


def _computed(fig: dict[str, Any], valid: pd.DataFrame, jobs: pd.DataFrame) -> Decimal:
    if fig["measure"] == "jobs":
        return Decimal(int(jobs[jobs["year"] == int(fig["period"])]["jobs"].sum()))
    level = _level(valid, fig["period"], fig["segment"])
    if fig["kind"] == "level":
        return level / Decimal(10) ** int(fig["unit_mult"])
    if fig["kind"] == "growth":
        return (level / _level(valid, fig["base"], fig["segment"]) - 1) * 100
    assert fig["kind"] == "share"
    return level / _level(valid, fig["period"], "_T") * 100


def _check_figures(demo: DemoFiles, valid: pd.DataFrame) -> list[str]:
    reference = tomllib.loads((DATA / "reference" / "MA.toml").read_text(encoding="utf-8"))
    jobs = pd.read_csv(demo.jobs)
    wrong = []
    for fig in reference["figure"]:
        if not fig["computable"]:
            continue
        step = Decimal(1).scaleb(-fig["decimals"])
        got = _computed(fig, valid, jobs).quantize(step, ROUND_HALF_UP)
        if got != Decimal(str(fig["value"])).quantize(step):
            wrong.append(f"{fig['id']}: published {fig['value']}, demo gives {got}")
    return wrong


def test_reference_file_has_every_published_figure() -> None:
    reference = tomllib.loads((DATA / "reference" / "MA.toml").read_text(encoding="utf-8"))
    figures = {f["id"]: f for f in reference["figure"]}
    assert len(figures) == len(reference["figure"]) == 23
    assert figures["EXP_2024"]["value"] == 26.2
    assert figures["EXP_2024"]["decimals"] == 1
    assert figures["EXP_2023_3SEG"]["computable"] is False
    for fig in figures.values():
        assert fig["unit"] in ("MAD", "percent", "jobs")
        assert fig["kind"] in ("level", "growth", "share")
        assert re.fullmatch(r"\d{4}(-(Q[1-4]|H[12]))?", fig["period"])
        assert fig["segment"] in (*SEGMENTS, "_T")
        assert ("base" in fig) == (fig["kind"] == "growth")


def test_every_reference_figure_is_reproduced(demo: DemoFiles, valid: pd.DataFrame) -> None:
    assert _check_figures(demo, valid) == []


def test_segments_add_up_to_the_published_segment_sum(valid: pd.DataFrame) -> None:
    total = _level(valid, "2024", "_T") / Decimal(10) ** 9
    assert total.quantize(Decimal("0.001")) == Decimal("26.219")
    # Growth on rounded figures would be 3.9 %; the data carry the unrounded 12.93 and 13.38.
    assert (_level(valid, "2024-H1", "_T") / 10**9).quantize(Decimal("0.01")) == Decimal("12.93")
    assert (_level(valid, "2025-H1", "_T") / 10**9).quantize(Decimal("0.01")) == Decimal("13.38")


@pytest.mark.parametrize(
    ("seed", "rows", "firms"),
    [
        (7, 20_000, 600),
        # Few firms for many rows: keys are scarce and drawn exhaustively, still without repeats.
        (123, 60_000, 60),
    ],
)
def test_calibration_holds_for_other_seeds_and_sizes(
    tmp_path: Path, seed: int, rows: int, firms: int
) -> None:
    demo = generate(tmp_path, seed=seed, rows=rows, firms=firms)
    valid = _valid_exports(_read_all(demo))
    assert _check_figures(demo, valid) == []
    assert not valid.duplicated(["period", "firm_id", "seg", "partner", "currency", "flow"]).any()


def test_more_rows_than_possible_keys_use_every_key_then_repeat() -> None:
    units = make_units(np.random.default_rng(1), 50)
    month = 40
    keys = MonthSampler(units, month, np.random.default_rng(2)).keys(50_000)
    possible = units.active(month).sum() * (currency_probabilities() > 0).sum() * 2
    assert len(keys.unit) == 50_000
    assert len(np.unique(keys.code())) == possible < 50_000


# --- faults -----------------------------------------------------------------------------------


def _period_reasons(period: str, now: str) -> list[str]:
    if not period:
        return ["PERIOD_MISSING"]
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        return ["PERIOD_INVALID"]
    return ["PERIOD_FUTURE"] if period > now else []


def _reasons(row: dict[str, Any], seen: set[str], ctx: dict[str, Any]) -> list[str]:
    """What an independent validator objects to in a row (empty list: a valid row)."""
    did, period = row["declaration_id"], row["period"]
    out = ["ID_MISSING"] if not did else ["ID_DUPLICATE"] if did in seen else []
    out += _period_reasons(period, ctx["now"])
    checks = [
        ("FIRM_ID", row["firm_id"], re.fullmatch(r"\d{15}", row["firm_id"]) is not None),
        ("SEGMENT", row["segment"], row["segment"] in SEGMENTS or row["segment"] in EBOPS),
        ("PARTNER", row["partner"], row["partner"] in ctx["countries"]),
        ("CURRENCY", row["currency"], row["currency"] in ctx["currencies"]),
        ("FLOW", row["flow"], row["flow"] in ("X", "M")),
    ]
    for name, value, ok in checks:
        if not value:
            out.append(f"{name}_MISSING")
        elif not ok:
            out.append(f"{name}_{'INVALID' if name == 'FIRM_ID' else 'UNKNOWN'}")
    cur = row["currency"]
    rated = cur == "MAD" or (period, cur) in ctx["rates"]
    if cur in ctx["currencies"] and period and period <= ctx["now"] and not rated:
        out.append("RATE_MISSING")
    amount = row["amount"]
    if not amount:
        out.append("AMOUNT_MISSING")
    elif not re.fullmatch(r"-?\d+(\.\d+)?", amount):
        out.append("AMOUNT_INVALID")
    elif Decimal(amount) <= 0:
        out.append("AMOUNT_NOT_POSITIVE")
    return out


def test_each_faulty_row_has_exactly_its_reason_and_other_rows_none(loaded: Loaded) -> None:
    codelists = DATA / "codelists"
    ctx = {
        "now": dt.date.today().strftime("%Y-%m"),
        "countries": set(pd.read_csv(codelists / "countries.csv", keep_default_na=False).code),
        "currencies": set(pd.read_csv(codelists / "currencies.csv", keep_default_na=False).code),
        "rates": loaded.rates,
    }
    expected = {(f, r): e for f, r, e in loaded.faults[["file", "row", "expected_reason"]].values}
    seen: dict[str, set[str]] = {}
    wrong = []
    records: list[dict[str, Any]] = loaded.rows.to_dict("records")  # type: ignore[assignment]
    for row in records:
        ids = seen.setdefault(row["file"], set())
        got = _reasons(row, ids, ctx)
        want = (
            [expected[(row["file"], row["row"])]] if (row["file"], row["row"]) in expected else []
        )
        if got != want:
            wrong.append((row["file"], row["row"], got, want))
        ids.add(row["declaration_id"])
    assert wrong == []


def test_every_fault_kind_is_present_and_counted(demo: DemoFiles, loaded: Loaded) -> None:
    assert set(loaded.faults["expected_reason"]) == FAULT_CODES
    assert 0.008 * ROWS <= len(loaded.faults) <= 0.012 * ROWS
    assert len(loaded.rows) == demo.rows_written
    amounts = set(loaded.rows["amount"])
    assert {"n/a", "#VALUE!"} <= amounts
    assert any("O" in a for a in amounts)
    assert "2031-01" in set(loaded.rows["period"])


def test_duplicates_copy_an_earlier_row_of_the_same_file(loaded: Loaded) -> None:
    rows = loaded.rows.set_index(["file", "row"])
    dups = loaded.faults[loaded.faults["expected_reason"] == "ID_DUPLICATE"]
    for file, did, row in dups[["file", "declaration_id", "row"]].values:
        same = loaded.rows[(loaded.rows["file"] == file) & (loaded.rows["declaration_id"] == did)]
        assert len(same) == 2
        assert same["row"].iloc[1] == row
        first = same.iloc[0]
        assert list(first[COLUMNS]) == list(rows.loc[(file, row)][COLUMNS])


# --- realism ----------------------------------------------------------------------------------


def test_kpo_has_about_a_dozen_firms_and_none_dominates(valid: pd.DataFrame) -> None:
    kpo = valid[(valid["seg"] == "KPO") & (valid["flow"] == "X")]
    assert 10 <= kpo["firm_id"].nunique() <= 14
    for year in ("2019", "2020", "2021", "2022", "2023", "2024", "2025"):
        in_year = kpo[kpo["period"].str.startswith(year)]
        by_firm = in_year.groupby("firm_id")["mad"].sum()
        assert max(by_firm) / sum(by_firm) < Decimal("0.25"), year


def test_declarations_look_like_the_real_thing(valid: pd.DataFrame) -> None:
    ids = valid["declaration_id"]
    assert ids.is_unique
    assert ids.str.fullmatch(r"D\d{4}-\d{2}-\d{6}").all()
    assert (valid["period"] == valid["file"].str.extract(r"(\d{4}-\d{2})")[0]).all()
    assert (valid["firm_id"].str[0] == "0").mean() > 0.2  # leading zeros survive as text
    assert valid["firm_id"].nunique() > 500
    partners = valid["partner"].value_counts()
    assert partners.index[0] == "FR"
    assert "NA" in partners.index
    assert {"ES", "US", "GB", "BE", "DE", "CA", "CH"} <= set(partners.index[:12])
    assert set(valid["currency"]) == {"EUR", "USD", "GBP", "CHF", "CAD", "MAD"}
    assert set(EBOPS) <= set(valid["segment"])
    assert 0.04 < (valid["flow"] == "M").mean() < 0.12
    assert (valid["amount"].str.fullmatch(r"\d+\.\d{2}")).all()
    # A firm's declaration for a month, segment, partner, currency and flow is one row.
    key = ["period", "firm_id", "seg", "partner", "currency", "flow"]
    assert not valid.duplicated(key).any()
    # The firm population changes: some firms only declare late, others stop.
    first = valid.groupby("firm_id")["period"].min()
    last = valid.groupby("firm_id")["period"].max()
    assert (first >= "2022-01").sum() > 20
    assert (last <= "2023-12").sum() > 20


def test_rates_and_jobs(demo: DemoFiles) -> None:
    rates = pd.read_csv(demo.rates, dtype={"period": str, "currency": str, "rate": str})
    assert list(rates.columns) == ["period", "currency", "rate"]
    assert len(rates) == 78 * 5
    assert set(rates["currency"]) == {"EUR", "USD", "GBP", "CHF", "CAD"}
    assert rates["rate"].str.fullmatch(r"\d+\.\d{6}").all()
    bands = {"EUR": (10.7, 11.0), "USD": (9.4, 10.3), "GBP": (12, 13), "CHF": (10, 11.3)}
    for cur, (low, high) in {**bands, "CAD": (7.0, 7.5)}.items():
        values = rates[rates["currency"] == cur]["rate"].astype(float)
        assert values.between(low, high).all(), cur
    jobs = pd.read_csv(demo.jobs)
    assert list(jobs.columns) == ["year", "segment", "jobs"]
    assert set(jobs["year"]) == set(range(2019, 2025))
    assert jobs[jobs["year"] == 2024]["jobs"].sum() == 148_500


# --- formats, labels, determinism -------------------------------------------------------------


def _file(demo: DemoFiles, period: str) -> Path:
    return next(p for p in demo.declarations if p.stem.endswith(period))


def test_file_mix_encodings_and_formats(demo: DemoFiles) -> None:
    assert [p.stem[-7:] for p in demo.declarations] == sorted(
        p.stem[-7:] for p in demo.declarations
    )
    assert len(demo.declarations) == 78
    suffixes = [p.suffix for p in demo.declarations]
    assert suffixes.count(".xlsx") >= 1
    assert suffixes.count(".parquet") >= 1

    french = _file(demo, "2019-03").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        french.decode("utf-8")
    header, first = french.decode("cp1252").split("\r\n")[:2]
    assert header == "numero_declaration;période;ICE;activité;pays_partenaire;devise;montant;flux"
    assert re.fullmatch(r"\d+,\d{2}", first.split(";")[6])

    arabic = _file(demo, "2020-11").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        arabic.decode("utf-8")
    names = arabic.decode("cp1256").split("\r\n")[0].split("\t")
    assert names[0] == "رقم_التصريح"
    assert names[6] == "المبلغ"
    assert _decode(_file(demo, "2022-02").read_bytes())[1] == "cp1256"

    digits = _file(demo, "2021-08").read_text(encoding="utf-8").splitlines()[1].split(",")[6]
    assert re.fullmatch(r"[٠-٩]+\.[٠-٩]{2}", digits)
    assert _file(demo, "2019-09").read_bytes().startswith(b"\xef\xbb\xbf")
    assert _file(demo, "2019-01").read_bytes().startswith(b"declaration_id,period,")

    with _file(demo, "2019-06").open("rb") as handle:
        book = openpyxl.load_workbook(handle, read_only=True)
        rows = book.worksheets[0].iter_rows(min_row=2, max_row=2, values_only=True)
        first_row = next(rows)
        rows.close()
        book.close()
    assert isinstance(first_row[2], str)
    assert isinstance(first_row[6], float)
    table = pq.read_table(_file(demo, "2020-03"))
    assert all(str(t) == "string" for t in table.schema.types)


def test_everything_says_it_is_synthetic(demo: DemoFiles) -> None:
    assert "SYNTHETIC DEMO DATA" in (demo.folder / "README.txt").read_text(encoding="utf-8")
    for path in demo.declarations:
        if path.suffix == ".xlsx":
            with path.open("rb") as handle:
                book = openpyxl.load_workbook(handle, read_only=True)
                props = book.properties
                book.close()
            assert "SYNTHETIC DEMO DATA" in (props.title or "")
            assert "SYNTHETIC DEMO DATA" in (props.description or "")
        elif path.suffix == ".parquet":
            meta = pq.read_schema(path).metadata
            assert "SYNTHETIC DEMO DATA" in meta[b"synthetic"].decode()


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    a = generate(tmp_path / "a", seed=11, rows=20_000, progress=lambda d, t: calls.append((d, t)))
    b = generate(tmp_path / "b", seed=11, rows=20_000)
    c = generate(tmp_path / "c", seed=12, rows=20_000)
    assert calls[-1] == (a.rows_written, a.rows_written)
    assert len(calls) == 78
    files = [p.relative_to(a.folder) for p in sorted(a.folder.rglob("*")) if p.is_file()]
    for rel in files:
        assert (a.folder / rel).read_bytes() == (b.folder / rel).read_bytes(), rel
    assert a.faults.read_bytes() != c.faults.read_bytes()
    assert _file(a, "2019-01").read_bytes() != _file(c, "2019-01").read_bytes()
    # The xlsx package carries no time of writing.
    with zipfile.ZipFile(_file(a, "2019-06")) as z:
        assert {i.date_time for i in z.infolist()} == {(2025, 1, 1, 0, 0, 0)}


def test_rejects_bad_parameters(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="firms"):
        generate(tmp_path, firms=10)
    with pytest.raises(ValueError, match="fault_rate"):
        generate(tmp_path, fault_rate=0.9)
