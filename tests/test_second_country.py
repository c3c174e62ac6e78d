"""A second country, end to end: a store made with the test profile of Tunisia (TND, three
decimals; its own firm identifier, French column names and targets) loads, computes and
summarises with no code changed, every figure checked against a hand computation in millimes."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from tests.conftest import TODAY, write_csv

import digex
from digex.api import Digex
from digex.publish.summary import headline

TN = Path(__file__).parent / "fixtures" / "profiles" / "TN.toml"

HEADER = (
    "ref_operation",
    "mois_reference",
    "matricule_fiscal",
    "activite_principale",
    "pays_client",
    "devise_facturation",
    "montant_devise",
    "sens_operation",
)
RATES_HEADER = ("mois_reference", "devise_facturation", "cours_moyen_bct")
JOBS_HEADER = ("exercice", "activite_principale", "effectif_declare")
RATES = {  # TND per unit, by year
    ("EUR", 2023): Decimal("3.385217"),
    ("EUR", 2024): Decimal("3.402561"),
    ("USD", 2023): Decimal("3.112345"),
    ("USD", 2024): Decimal("3.129876"),
}
FIRM_A, FIRM_B = "1234567A", "7654321B"


def _declarations() -> list[tuple[str, ...]]:
    """Every month of 2023 and 2024 (so both years are complete), in euros for IT outsourcing
    and in dollars for business processes, and one export invoiced in dinars to the millime."""
    rows: list[tuple[str, ...]] = []
    for year in (2023, 2024):
        for m in range(1, 13):
            eur = f"{(100_000 + 7_919 * m) * (year - 2020)}.{1235 * m % 10_000:04d}"
            rows.append(
                (f"E{year}{m:02d}", f"{year}-{m:02d}", FIRM_A, "ITO", "FR", "EUR", eur, "X")
            )
            usd = f"{40_000 + 333 * m + (year - 2023) * 5_000}.{(77 * m) % 100:02d}"
            rows.append(
                (f"U{year}{m:02d}", f"{year}-{m:02d}", FIRM_B, "BPO", "US", "USD", usd, "X")
            )
    rows.append(("T1", "2024-06", FIRM_B, "BPO", "DE", "TND", "750000.125", "X"))
    return rows


REJECTED = ("R1", "2024-02", "001234567000089", "ITO", "FR", "EUR", "10", "X")
"""A Moroccan firm identifier (15 digits): valid in MA's profile, not in this one."""


def _millimes(row: tuple[str, ...]) -> int:
    """amount x rate in millimes, rounded half away from zero: the hand computation."""
    currency, amount = row[5], Decimal(row[6])
    rate = Decimal(1) if currency == "TND" else RATES[(currency, int(row[1][:4]))]
    return int((amount * rate * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def tunisia(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store made with the TN profile, loaded once (the module's tests only read it)."""
    folder = tmp_path_factory.mktemp("tn")
    rates = [
        (f"{year}-{m:02d}", currency, str(rate))
        for (currency, year), rate in RATES.items()
        for m in range(1, 13)
    ]
    files = {
        "declarations": write_csv(
            folder / "declarations.csv", [*_declarations(), REJECTED], header=HEADER, delimiter=";"
        ),
        "rates": write_csv(folder / "cours.csv", rates, header=RATES_HEADER, delimiter=";"),
        "jobs": write_csv(
            folder / "emplois.csv",
            [("2023", "_T", "1200"), ("2024", "_T", "1350")],
            header=JOBS_HEADER,
            delimiter=";",
        ),
    }
    with digex.init(folder / "tn.duckdb", profile=str(TN)) as db:
        results = db.load(
            files["declarations"], rates=files["rates"], jobs=files["jobs"], today=TODAY
        )
    assert [(r.kind, r.rows_accepted, r.rows_rejected) for r in results] == [
        ("rates", 48, 0),
        ("jobs", 2, 0),
        ("declarations", 49, 1),
    ]
    return folder / "tn.duckdb"


@pytest.fixture
def db(tunisia: Path) -> Iterator[Digex]:
    # no profile named: the store's own is used (nothing in the code says Tunisia)
    with digex.connect(tunisia, read_only=True) as opened:
        yield opened


def _level(db: Digex, period: str, by: str) -> dict[str, Decimal]:
    frame = db.indicators(period, by=by, indicators=["LEVEL"])
    return {
        str(m): Decimal(repr(float(v)))
        for m, v in zip(frame["member"], frame["value"], strict=True)
    }


def test_the_store_is_read_with_its_own_profile(db: Digex) -> None:
    assert (db.profile.code, db.profile.national_currency, db.profile.minor_units) == (
        "TN",
        "TND",
        3,
    )
    assert db.profile_change is None


def test_values_are_kept_in_millimes(db: Digex) -> None:
    stored = db.declarations()
    got = dict(zip(stored["declaration_id"], stored["value_minor"].astype(int), strict=True))
    assert got == {row[0]: _millimes(row) for row in _declarations()}
    assert got["T1"] == 750_000_125  # a dinar amount to the millime, rate 1
    [reasons] = db.rejects()["reasons"].tolist()
    assert reasons == "FIRM_ID_INVALID"


def test_levels_growth_and_summary_in_dinars(db: Digex) -> None:
    rows = _declarations()

    def total(year: int, segment: str | None = None) -> int:
        return sum(
            _millimes(r) for r in rows if r[1].startswith(str(year)) and segment in (None, r[3])
        )

    table = headline(db, "2024", "fr")
    assert "(milliards de TND)" in table.title
    lines = {r.code: r for r in table.rows}
    billion_millimes = 10**12
    assert lines["_T"].level == Fraction(total(2024), billion_millimes)
    assert lines["_T"].previous == Fraction(total(2023), billion_millimes)
    assert lines["_T"].growth == (Fraction(total(2024), total(2023)) - 1) * 100
    assert lines["BPO"].share == Fraction(total(2024, "BPO") * 100, total(2024))
    assert lines["ITO"].level == Fraction(total(2024, "ITO"), billion_millimes)
    assert lines["CRM"].level is None  # a segment with no declaration
    # the tidy table the headline was made from, now kept: levels to the millime
    by_segment = _level(db, "2024", "segment")
    assert by_segment == {
        "ITO": Decimal(total(2024, "ITO")) / 1000,
        "BPO": Decimal(total(2024, "BPO")) / 1000,
    }
    assert _level(db, "2024", "total") == {"_T": Decimal(total(2024)) / 1000}


def test_targets_are_the_profiles(db: Digex) -> None:
    frame = db.targets()
    got = {
        (str(i), str(m)): (str(u), Decimal(repr(float(v))))
        for i, m, u, v in zip(
            frame["indicator"], frame["member"], frame["unit"], frame["value"], strict=True
        )
    }
    exports = Decimal(sum(_millimes(r) for r in _declarations() if r[1].startswith("2024")))
    assert got[("TARGET_LEVEL", "EXPORTS_2030")] == ("TND", exports / 1000)
    unit, progress = got[("TARGET_PROGRESS", "EXPORTS_2030")]
    assert unit == "PC"
    assert progress.quantize(Decimal("1e-9")) == (exports / 10 / 2_000_000_000).quantize(
        Decimal("1e-9")
    )
    assert {m for _, m in got} == {"EXPORTS_2030"}  # Morocco's targets are not there


def test_the_command_line_needs_no_profile_after_init(tmp_path: Path) -> None:
    """`digex load` on a TN store: no `--profile`, the French headers read, and the totals by
    currency in dinars to the millime."""
    from typer.testing import CliRunner

    from digex.cli import app

    store = str(tmp_path / "tn.duckdb")
    rows = [
        ("T1", "2024-06", FIRM_B, "BPO", "DE", "TND", "750000.125", "X"),
        ("T2", "2024-06", FIRM_B, "BPO", "BH", "BHD", "10.125", "X"),  # 3 decimals too
        ("T3", "2024-06", FIRM_B, "BPO", "JP", "JPY", "1500", "X"),  # none
    ]
    declarations = write_csv(tmp_path / "d.csv", rows, header=HEADER, delimiter=";")
    rates = [("2024-06", "BHD", "8.123456"), ("2024-06", "JPY", "0.019876")]
    rates_file = write_csv(tmp_path / "r.csv", rates, header=RATES_HEADER, delimiter=";")
    runner = CliRunner()
    done = runner.invoke(app, ["init", "--db", store, "--profile", str(TN)])
    assert done.exit_code == 0, done.output
    args = ["load", str(declarations), "--rates", str(rates_file), "--no-indicators"]
    done = runner.invoke(app, [*args, "--db", store])
    assert done.exit_code == 0, done.output
    cells = [[w for w in x.split() if w != "│"] for x in done.stdout.splitlines()]
    shown = {c[0]: c[-2:] for c in cells if c}
    assert shown["TND"] == ["750,000.125", "750,000.125"]
    assert shown["BHD"] == ["10.125", "82.250"]  # 10.125 x 8.123456 = 82.2499..., in millimes
    assert shown["JPY"] == ["1,500", "29.814"]  # 1500 x 0.019876 = 29.814


def test_summary_check_and_targets_on_the_command_line(
    tunisia: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's read commands on a TN store: dinars, the profile's own targets, the checks
    passing, and an engine URL on the store reading millimes as the store does."""
    import sys

    from digex.cli import main

    def said(*args: str) -> str:
        monkeypatch.delenv("DIGEX_PROFILE", raising=False)
        monkeypatch.setattr(sys, "argv", ["digex", *args, "--db", str(tunisia)])
        with pytest.raises(SystemExit) as exit_:
            main()
        assert exit_.value.code in (0, None)
        captured = capsys.readouterr()
        assert "error" not in captured.err
        return " ".join(captured.out.split())

    summary = said("summary", "2024")
    assert "2024 (billion TND)" in summary
    billions = Decimal(sum(_millimes(r) for r in _declarations() if r[1][:4] == "2024")) / 10**12
    assert f"Total │ 0.020 │ {billions.quantize(Decimal('0.001'))} │ 100.0%" in summary
    assert "EXPORTS_2030" in said("targets")
    check = said("check")
    assert "exact in minor units" in check
    assert "│ ok │" in check  # and exit 0: every check passed (3 otherwise)
    monkeypatch.setenv("DIGEX_PROFILE", "MA")
    url = f"duckdb://{tunisia}"
    csv_args = ["indicators", "-p", "2024", "--indicator", "LEVEL", "--format", "csv"]
    monkeypatch.setattr(sys, "argv", ["digex", *csv_args, "--engine", url])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code in (0, None)
    total = sum(_millimes(r) for r in _declarations() if r[1].startswith("2024"))
    assert f"{Decimal(total) / 1000}" in capsys.readouterr().out


def test_an_engine_url_on_the_store_reads_its_profile(tunisia: Path, db: Digex) -> None:
    """`indicators --engine duckdb:///store` reads the store's values in millimes, as the
    store itself does (not with $DIGEX_PROFILE's, nor MA's, two decimals)."""
    from digex.api import indicators_on

    frame = indicators_on(f"duckdb://{tunisia}", "2024", indicators=["LEVEL"])
    got = {
        str(m): Decimal(repr(float(v)))
        for m, v in zip(frame["member"], frame["value"], strict=True)
    }
    assert got == _level(db, "2024", "total")
    assert got == {
        "_T": Decimal(sum(_millimes(r) for r in _declarations() if r[1][:4] == "2024")) / 1000
    }


@pytest.mark.parametrize(("freq", "periods"), [("A", None), ("M", ["2024-06", "2024-12"])])
def test_compiled_passes_give_what_ibis_computes_in_dinars(
    db: Digex, freq: str, periods: list[str] | None
) -> None:
    """The compiled SQL of a pass (`digex.indicators.plans`) for three decimals, every cut and
    both flows: exactly Ibis's rows (a plan compiled for dirhams' two is never used)."""
    import pandas as pd

    from digex.indicators.cuts import ALL_CUTS
    from digex.indicators.engine import Engine
    from digex.indicators.periods import parse_period
    from digex.indicators.suite import Suite

    chosen = None if periods is None else [parse_period(p) for p in periods]
    with db.store.snapshot() as snap:
        runs = [
            Suite(Engine(snap.sources(3)), "TND", compiled=compiled).run(
                freq, list(ALL_CUTS), flows=("X", "M"), periods=chosen
            )
            for compiled in (False, True, True)
        ]
    assert not runs[0].empty
    for compiled in runs[1:]:
        pd.testing.assert_frame_equal(compiled, runs[0], check_exact=True)
