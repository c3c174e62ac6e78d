"""Corrected rates reach the figures: a rates correction converts its months again, exactly,
and nothing else; the values of the load stay in the history."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from tests.conftest import FIRM, TODAY, write_csv

from digex.api import Digex
from digex.errors import InvalidFile, UsageError
from digex.store.reconvert import RatesWouldVanish

RATES_HEADER = ("period", "currency", "rate")
FIRST = [("2024-03", "EUR", "10.8"), ("2024-04", "EUR", "10.8"), ("2024-03", "USD", "9.9")]
CORRECTED = [("2024-03", "EUR", "10.95"), ("2024-04", "EUR", "10.8"), ("2024-03", "USD", "9.9")]
DECLARATIONS = [
    ("M1", "2024-03", FIRM, "ITO", "FR", "EUR", "1000.5", "X"),
    ("M2", "2024-03", FIRM, "CRM", "FR", "EUR", "0.5", "X"),  # 0.5 x 10.95 = 5.475: a tie
    ("M3", "2024-03", FIRM, "ITO", "US", "USD", "333.3333", "X"),
    ("M4", "2024-03", FIRM, "ITO", "MA", "MAD", "12.34", "X"),
    ("A1", "2024-04", FIRM, "ITO", "FR", "EUR", "2500.25", "X"),
]


def minor(amount: str, rate: str) -> int:
    """round(amount x rate) in centimes, half away from zero (all amounts are positive)."""
    exact = Decimal(amount) * Decimal(rate) * 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def expected(rates: dict[tuple[str, str], str]) -> dict[str, int]:
    return {d[0]: minor(d[6], "1" if d[5] == "MAD" else rates[(d[1], d[5])]) for d in DECLARATIONS}


def monthly_levels(db: Digex) -> dict[str, Decimal]:
    frame = db.indicators(["2024-03", "2024-04"], indicators=["LEVEL"])
    return {str(p): Decimal(repr(v)) for p, v in zip(frame["period"], frame["value"], strict=True)}


def values(db: Digex) -> dict[str, int]:
    frame = db.declarations()
    return dict(zip(frame["declaration_id"], frame["value_minor"].astype(int), strict=True))


@pytest.fixture
def loaded(store: Digex, tmp_path: Path) -> Digex:
    rates = write_csv(tmp_path / "rates.csv", FIRST, header=RATES_HEADER)
    store.load(write_csv(tmp_path / "d.csv", DECLARATIONS), rates=rates, today=TODAY)
    return store


def test_a_corrected_rate_changes_its_month_only_checked_by_hand(
    loaded: Digex, tmp_path: Path
) -> None:
    first = {(p, c): r for p, c, r in FIRST}
    assert values(loaded) == expected(first)
    before = monthly_levels(loaded)
    stored_before = loaded.store.con.execute("SELECT * FROM declarations ORDER BY line").fetchall()

    fixed = write_csv(tmp_path / "rates-fixed.csv", CORRECTED, header=RATES_HEADER)
    [result] = loaded.load(files=[], rates=fixed, replace=[], today=TODAY)
    corrected = {(p, c): r for p, c, r in CORRECTED}
    want = expected(corrected)
    assert values(loaded) == want
    assert "current_reconversions" in _engine_view(loaded)
    assert want["M2"] == 548  # the tie 547.5 rounds away from zero
    assert want["M1"] != expected(first)["M1"]
    # the figures: March changes by exactly the difference of its EUR rows, April not at all
    march = Decimal(sum(v for k, v in want.items() if k.startswith("M"))) / 100
    assert monthly_levels(loaded) == {"2024-03": march, "2024-04": before["2024-04"]}
    assert before["2024-03"] != march
    # recorded: the rates file's summary and the conversion log; history untouched
    assert any("2 declarations" in w and "2024-03 EUR" in w for w in result.warnings)
    log = loaded.store.con.execute(
        "SELECT cause, load_id, rows_converted, months FROM conversions"
    ).fetchall()
    assert log == [("rates", result.load_id, 2, "2024-03 EUR")]
    shown = loaded.loads().set_index("load_id").loc[result.load_id]
    assert (shown["reconverted"], shown["reconverted_months"]) == (2, "2024-03 EUR")
    assert (
        loaded.store.con.execute("SELECT * FROM declarations ORDER BY line").fetchall()
        == stored_before
    )
    # a current declaration reports the rate it is now converted at
    rates_now = dict(
        zip(loaded.declarations()["declaration_id"], loaded.declarations()["rate"], strict=True)
    )
    assert rates_now["M1"] == Decimal("10.95")
    assert rates_now["A1"] == Decimal("10.8")


def test_withdrawing_the_correction_converts_back(loaded: Digex, tmp_path: Path) -> None:
    fixed = write_csv(tmp_path / "rates-fixed.csv", CORRECTED, header=RATES_HEADER)
    [result] = loaded.load(rates=fixed, today=TODAY)
    # declarations loaded after the correction are converted at it when loaded
    late = [("L1", "2024-03", FIRM, "ITO", "FR", "EUR", "10", "X")]
    loaded.load(write_csv(tmp_path / "late.csv", late), today=TODAY)
    assert values(loaded)["L1"] == minor("10", "10.95")

    loaded.withdraw(result.load_id, reason="the correction was itself wrong")
    first = {(p, c): r for p, c, r in FIRST}
    assert values(loaded) == {**expected(first), "L1": minor("10", "10.8")}
    causes = loaded.store.con.execute(
        "SELECT cause, rows_converted FROM conversions ORDER BY conversion_id"
    ).fetchall()
    assert causes == [("rates", 2), ("withdrawal", 3)]


def test_rates_identical_to_those_in_force_convert_nothing(loaded: Digex, tmp_path: Path) -> None:
    same = write_csv(tmp_path / "same.csv", list(reversed(FIRST)), header=RATES_HEADER)
    [result] = loaded.load(rates=same, today=TODAY)
    assert result.warnings == ()
    assert loaded.store.con.execute("SELECT count(*) FROM reconversions").fetchone() == (0,)
    # the engine's view still reads the stored values alone (no join: queries cost nothing)
    assert "reconversions" not in _engine_view(loaded)


def _engine_view(db: Digex) -> str:
    row = db.store.con.execute(
        "SELECT sql FROM duckdb_views() WHERE view_name = 'current_declarations_coded'"
    ).fetchone()
    return str(row[0]) if row else ""


def test_a_corrected_rates_file_replaces_the_first_with_replace(
    loaded: Digex, tmp_path: Path
) -> None:
    """`--replace` names the rates load a rates file loaded alone supersedes: the replaced
    load leaves the rates in force, the declarations take the corrected rate."""
    rates_load = int(loaded.loads().set_index("kind").loc["rates", "load_id"])
    fixed = write_csv(tmp_path / "rates-fixed.csv", CORRECTED, header=RATES_HEADER)
    [result] = loaded.load(rates=fixed, replace=rates_load, today=TODAY)
    assert result.replaces == rates_load
    statuses = loaded.loads().set_index("load_id")["status"].to_dict()
    assert statuses[rates_load] == "replaced"
    assert values(loaded) == expected({(p, c): r for p, c, r in CORRECTED})
    # replacing the replaced load again, or a withdrawn one, is refused with its reason
    with pytest.raises(InvalidFile, match="already replaced"):
        loaded.load(rates=tmp_path / "rates.csv", replace=rates_load, today=TODAY)
    loaded.withdraw(result.load_id, reason="wrong")
    with pytest.raises(InvalidFile, match="was withdrawn"):
        loaded.load(rates=fixed, replace=result.load_id, today=TODAY)
    with pytest.raises(UsageError, match="one per such file in that order"):
        loaded.load(rates=fixed, replace=[1, 2], today=TODAY)


def test_a_load_brought_back_by_a_withdrawal_takes_the_rates_in_force(
    loaded: Digex, tmp_path: Path
) -> None:
    """A replaced load is not re-converted while it is not current; withdrawing its replacement
    brings it back, converted at the rates in force then, not those of its own load."""
    log = loaded.loads().set_index("file_name")
    first = int(log.loc["d.csv", "load_id"])
    again = [(f"R{d[0]}", *d[1:]) for d in DECLARATIONS]  # the same months, other ids
    [replacement] = loaded.load(write_csv(tmp_path / "d2.csv", again), replace=first, today=TODAY)
    corrected = write_csv(tmp_path / "rates2.csv", CORRECTED, header=RATES_HEADER)
    loaded.load([], rates=corrected, replace=int(log.loc["rates.csv", "load_id"]), today=TODAY)
    loaded.withdraw(replacement.load_id, reason="the first file was right after all")
    assert values(loaded) == expected({(d[0], d[1]): d[2] for d in CORRECTED})


def test_rates_cannot_be_withdrawn_from_under_their_declarations(
    loaded: Digex, tmp_path: Path
) -> None:
    rates = int(loaded.loads().set_index("file_name").loc["rates.csv", "load_id"])
    with pytest.raises(RatesWouldVanish, match=r"2024-03 EUR \(2 declarations\)"):
        loaded.withdraw(rates, reason="wrong file")
    assert loaded.loads().set_index("load_id").loc[rates, "status"] == "current"
    assert values(loaded) == expected({(d[0], d[1]): d[2] for d in FIRST})


def test_a_correction_loaded_with_declarations_converts_the_earlier_ones_only(
    loaded: Digex, tmp_path: Path
) -> None:
    """A corrected rates file loaded with new declarations of the corrected month: the new
    ones are converted at the correction when loaded, and only the earlier ones are converted
    again (the reconversion reads the earlier loads alone)."""
    fixed = write_csv(tmp_path / "rates-fixed.csv", CORRECTED, header=RATES_HEADER)
    late = [("L1", "2024-03", FIRM, "ITO", "FR", "EUR", "10", "X")]
    results = loaded.load(write_csv(tmp_path / "late.csv", late), rates=fixed, today=TODAY)
    rates_result = next(r for r in results if r.kind == "rates")
    corrected = {(p, c): r for p, c, r in CORRECTED}
    assert values(loaded) == {**expected(corrected), "L1": minor("10", "10.95")}
    log = loaded.store.con.execute(
        "SELECT cause, load_id, rows_converted, months FROM conversions"
    ).fetchall()
    assert log == [("rates", rates_result.load_id, 2, "2024-03 EUR")]
    converted = loaded.store.con.execute("SELECT DISTINCT load_id FROM reconversions").fetchall()
    assert converted == [(int(loaded.loads().set_index("file_name").loc["d.csv", "load_id"]),)]
