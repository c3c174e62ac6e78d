"""The older series as an auxiliary aggregate series: a small file by year, every row accepted
or rejected with a reason, money kept exactly in minor units, returned beside the main series
under its own label."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import write_csv

import digex
from digex.api import Digex
from digex.errors import ProfileError, UsageError
from digex.indicators.auxiliary import parse_series
from digex.profile import load_profile

HEADER = ("series", "year", "value")


def load_series(db: Digex, path: Path, rows: list[tuple[str, ...]], **kw: Any) -> Any:
    [result] = db.load(series=write_csv(path, rows, header=kw.pop("header", HEADER)), **kw)
    return result


def stored(db: Digex) -> list[tuple[Any, ...]]:
    return db.store.con.execute(
        "SELECT series, year, segment, value FROM current_auxiliary ORDER BY series, year"
    ).fetchall()


def test_values_are_kept_exactly_and_bad_rows_rejected(store: Digex, tmp_path: Path) -> None:
    rows = [
        ("EXPORTS_3SEG", "2022", "16500000000.5"),
        ("exports_3seg", "٢٠٢٣", '"17 900 000 000,00"'),  # Arabic-Indic year, grouped, comma
        ("EXPORTS_5SEG", "2023", "26170000000"),  # line 4: not declared
        ("EXPORTS_3SEG", "2021", "1.234"),  # line 5: three decimals, MAD has two
        ("EXPORTS_3SEG", "20x1", "1"),  # line 6
        ("EXPORTS_3SEG", "2023", "1"),  # line 7: 2023 again
        ("EXPORTS_3SEG", "2020", "-5"),  # line 8
        ("EXPORTS_3SEG", "2019", ""),  # line 9
        ("EXPORTS_3SEG", "2018", '"1,234,567"'),  # line 10: a comma is the decimal mark
    ]
    result = load_series(store, tmp_path / "s.csv", rows)
    assert (result.kind, result.rows_read, result.rows_accepted, result.rows_rejected) == (
        "series",
        9,
        2,
        7,
    )
    assert stored(store) == [
        ("EXPORTS_3SEG", 2022, "_T", 1_650_000_000_050),
        ("EXPORTS_3SEG", 2023, "_T", 1_790_000_000_000),
    ]
    rejected = store.rejects()
    assert rejected["kind"].unique().tolist() == ["series"]
    assert rejected["line"].tolist() == [4, 5, 6, 7, 8, 9, 10]
    assert rejected["reasons"].tolist() == [
        "SERIES_UNKNOWN",
        "VALUE_INVALID",
        "YEAR_INVALID",
        "ROW_DUPLICATE",
        "VALUE_INVALID",
        "VALUE_MISSING",
        "VALUE_INVALID",
    ]
    messages = rejected["message"].tolist()
    assert messages[0] == (
        'series "EXPORTS_5SEG" is not declared in the country profile (declared: EXPORTS_3SEG)'
    )
    assert "at most 2 decimal(s)" in messages[1]
    assert rejected["segment"].tolist()[0] == "EXPORTS_5SEG"  # the series as written


def test_the_series_is_returned_beside_the_main_one(store: Digex, tmp_path: Path) -> None:
    rows = [("EXPORTS_3SEG", "2022", "16500000000.50"), ("EXPORTS_3SEG", "2023", "17900000000")]
    load_series(store, tmp_path / "s.csv", rows)
    frame = store.indicators(["2022", "2023"])  # no declaration at all: the series alone
    got = {
        (r.indicator, r.period, r.member, r.flow, r.unit): r.value
        for r in frame.itertuples()
        if r.indicator.startswith("SERIES_")
    }
    growth = (Decimal("17900000000") / Decimal("16500000000.50") - 1) * 100
    assert got.keys() == {
        ("SERIES_LEVEL", "2022", "EXPORTS_3SEG", "X", "MAD"),
        ("SERIES_LEVEL", "2023", "EXPORTS_3SEG", "X", "MAD"),
        ("SERIES_GROWTH", "2023", "EXPORTS_3SEG", "X", "PC"),  # none into 2022: no 2021
    }
    assert Decimal(got["SERIES_LEVEL", "2022", "EXPORTS_3SEG", "X", "MAD"]) == Decimal(
        "16500000000.50"
    )
    assert abs(Decimal(got["SERIES_GROWTH", "2023", "EXPORTS_3SEG", "X", "PC"]) - growth) < Decimal(
        "1e-9"
    )
    billions = store.indicators("2023", indicators=["SERIES_LEVEL"], unit_mult=9)
    assert billions["value"].tolist() == [17.9]
    assert store.indicators("2023", by="segment").empty  # the total cut only


def test_headers_in_french_and_a_later_file_replacing_a_year(store: Digex, tmp_path: Path) -> None:
    first = load_series(
        store,
        tmp_path / "a.csv",
        [("EXPORTS_3SEG", "2023", "17800000000")],
        header=("Série", "Année", "Valeur"),
    )
    assert first.rows_accepted == 1
    again = load_series(store, tmp_path / "b.csv", [("EXPORTS_3SEG", "2023", "17800000000")])
    assert (again.rows_accepted, again.reused) == (1, False)  # other bytes: a new load
    load_series(store, tmp_path / "c.csv", [("EXPORTS_3SEG", "2023", "17900000000")])
    assert stored(store) == [("EXPORTS_3SEG", 2023, "_T", 1_790_000_000_000)]
    reused = load_series(store, tmp_path / "d.csv", [("EXPORTS_3SEG", "2023", "17900000000")])
    assert reused.reused  # the same content accompanies many loads, like rates and jobs


def test_nothing_to_load_names_the_series_option(store: Digex) -> None:
    with pytest.raises(UsageError, match="`series`"):
        store.load()


def test_a_count_series_has_no_decimals(tmp_path: Path) -> None:
    text = load_profile("MA").text + (
        '\n[[series]]\nid = "FIRMS_OLD"\nflow = "_Z"\nunit = "FIRMS"\n'
        'name = { en = "Firms", fr = "Entreprises", ar = "المقاولات" }\n'
        'perimeter = { en = "Older register", fr = "Ancien registre", ar = "السجل القديم" }\n'
    )
    path = tmp_path / "XX.toml"
    path.write_text(text, encoding="utf-8")
    with digex.init(tmp_path / "c.duckdb", profile=str(path)) as db:
        result = load_series(
            db, tmp_path / "s.csv", [("FIRMS_OLD", "2023", "120"), ("FIRMS_OLD", "2022", "1.5")]
        )
        assert (result.rows_accepted, result.rows_rejected) == (1, 1)
        frame = db.indicators("2023", indicators=["SERIES_LEVEL"])  # _Z: always shown
        assert frame[["member", "value", "unit"]].values.tolist() == [["FIRMS_OLD", 120.0, "FIRMS"]]


NAMES = {"en": "x", "fr": "x", "ar": "x"}


def entry(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": "S", "unit": "MAD", "name": NAMES, "perimeter": NAMES}
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([entry(id="JOBS")], "reserved"),
        ([entry(id="old series")], "upper-case"),
        ([entry(unit="USDX")], "use MAD, FIRMS, JOBS"),
        # a series file's values are whole and never negative but in the national currency:
        # a per cent, an index or another currency would lose their decimals or their sign
        ([entry(unit="USD")], "`unit` 'USD' is not one a series can be in; use MAD, FIRMS, JOBS"),
        ([entry(unit="PC")], "`unit` 'PC' is not one"),
        ([entry(unit="INDEX")], "`unit` 'INDEX' is not one"),
        ([entry(flow="N")], "`flow`"),
        ([entry(name={"en": "x", "fr": "x"})], "`name` needs a text in ar"),
        ([entry(perimeter=None)], "`perimeter` needs a text in ar, fr, en"),
        ([entry(perimetre=NAMES)], "unknown keys"),
        ([entry(), entry()], "once"),
    ],
)
def test_profile_errors_name_the_series(items: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        parse_series({"series": items}, "MAD", "XX.toml")


def test_counts_and_the_national_currency_are_accepted() -> None:
    items = [entry(id=f"S{n}", unit=u) for n, u in enumerate(("MAD", "FIRMS", "JOBS"))]
    assert [s.unit for s in parse_series({"series": items}, "MAD", "XX.toml")] == [
        "MAD",
        "FIRMS",
        "JOBS",
    ]


def test_a_profile_with_series_is_hashable() -> None:
    """A frozen profile is hashable (the dictionaries it holds are left out of the hash)."""
    profile = load_profile("MA")
    assert profile.series_headers is not None
    assert hash(profile) == hash(load_profile("MA"))
    assert {profile: 1}[load_profile("MA")] == 1


def test_the_moroccan_profile_declares_the_older_series() -> None:
    (old,) = load_profile("MA").series
    assert (old.id, old.flow, old.unit) == ("EXPORTS_3SEG", "X", "MAD")
    assert all(old.names[lang] and old.perimeter[lang] for lang in ("ar", "fr", "en"))


def test_the_cli_loads_a_series_file(tmp_path: Path) -> None:
    from tests.inprocess import run_here

    path = write_csv(tmp_path / "s.csv", [("EXPORTS_3SEG", "2023", "17900000000")], header=HEADER)
    db = tmp_path / "c.duckdb"
    digex.init(db).close()
    run = run_here(["load", "--series", path, "--db", db, "--no-indicators"], tmp_path).ok()
    assert "s.csv" in run.stdout
    with digex.connect(db, read_only=True) as store:
        assert stored(store) == [("EXPORTS_3SEG", 2023, "_T", 1_790_000_000_000)]
        assert store.loads()["kind"].tolist() == ["series"]
    refused = run_here(["load", "--db", db], tmp_path)
    assert refused.code == 2
    assert "--series SERIES" in refused.stderr


@pytest.mark.parametrize(
    ("mark", "accepted", "rejected"),
    [
        (".", ["17900000000.5", "17,900,000,000.50", "17900000000"], ["1,5", "1.234.567,50"]),
        (",", ["17900000000,5", "17.900.000.000,50", "17900000000"], ["1.5", "1,234,567.50"]),
    ],
)
def test_a_given_decimal_mark_is_the_only_one(
    store: Digex, tmp_path: Path, mark: str, accepted: list[str], rejected: list[str]
) -> None:
    """`--decimal` speaks for the series file too: the other mark only groups thousands
    (without it, one `.` or `,` is read as the decimal mark: 1,5 would be 1.5)."""
    values = [*accepted, *rejected]
    rows = [("EXPORTS_3SEG", str(2000 + n), f'"{v}"') for n, v in enumerate(values)]
    result = load_series(store, tmp_path / "s.csv", rows, decimal_mark=mark)
    assert (result.rows_accepted, result.rows_rejected) == (len(accepted), len(rejected))
    kept = [v for _, _, _, v in stored(store)]
    assert kept == [1_790_000_000_050, 1_790_000_000_050, 1_790_000_000_000]
    refused = store.rejects()
    assert set(refused["reasons"]) == {"VALUE_INVALID"}


def written(minor: int, mark: str, group: bool) -> str:
    """`minor` centimes as a person might write them: a decimal mark, blanks every 3 digits."""
    units, cents = divmod(minor, 100)
    digits = f"{units:,}".replace(",", "\u00a0") if group else str(units)
    return f'"{digits}{mark}{cents:02d}"' if cents or mark == "," else digits


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Digex, Path]]:
    folder = tmp_path_factory.mktemp("centimes")
    with digex.init(folder / "h.duckdb") as db:
        yield db, folder


@settings(max_examples=15)
@given(
    st.lists(
        st.tuples(st.integers(0, 10**16 - 1), st.sampled_from([".", ","]), st.booleans()),
        min_size=1,
        max_size=20,
    )
)
def test_money_is_stored_to_the_centime(
    shared: tuple[Digex, Path], values: list[tuple[int, str, bool]]
) -> None:
    db, folder = shared
    rows = [
        ("EXPORTS_3SEG", str(1900 + n), written(minor, mark, group))
        for n, (minor, mark, group) in enumerate(values)
    ]
    result = load_series(db, folder / "s.csv", rows)
    assert result.rows_rejected == 0
    kept = db.store.con.execute(
        f"SELECT value FROM auxiliary WHERE load_id = {result.load_id:d} ORDER BY year"
    ).fetchall()
    assert [v for (v,) in kept] == [minor for minor, _, _ in values]


def test_the_load_help_names_series_files() -> None:
    import typer.main

    from digex.cli import app

    load = typer.main.get_command(app).commands["load"]  # type: ignore[attr-defined]
    helps = {p.name: p.help for p in load.params}
    assert "--series" in helps["files"]
    assert "series files" in helps["replace"]
    assert "series" in helps["decimal"]


def test_a_store_recording_a_profile_without_series_says_which_to_record(
    tmp_path: Path,
) -> None:
    """A store made with MA 2026.2 (before [[series]]) reads its files with that profile:
    a series file is refused whole, naming the recorded profile and how to record MA's."""
    import warnings

    from tests.inprocess import run_here

    from digex.errors import ProfileWarning
    from digex.profile import profile_from_text
    from digex.store import Store
    from digex.store.country import record

    installed = load_profile("MA")
    text = installed.text
    start, end = text.index("[[series]]"), text.index("[series_headers]")
    older = text[:start].replace(f'version = "{installed.version}"', 'version = "2026.2"')
    older += text[end:]
    path = tmp_path / "o.duckdb"
    digex.init(path).close()
    with Store(path) as store:
        record(store, profile_from_text(older, source="MA", where="MA 2026.2"))
    data = write_csv(tmp_path / "s.csv", [("EXPORTS_3SEG", "2023", "17900000000")], header=HEADER)
    run = run_here(["load", "--series", data, "--db", path, "--no-indicators"], tmp_path)
    assert run.code == 1
    said = " ".join(run.stderr.split())
    assert "records country profile MA 2026.2, which declares no auxiliary series" in said
    assert "record the installed profile with init first (--profile MA)" in said
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProfileWarning)
        with digex.connect(path, read_only=True) as db:
            assert db.loads().empty  # refused whole: nothing stored
