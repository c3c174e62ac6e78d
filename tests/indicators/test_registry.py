"""The indicator registry: one definition per indicator, checked whole, read by every part.

A tiny store built in code (two firms, two years) is enough to run the real suite; the
registries given to it are the packaged one, or the packaged one with one entry more.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from importlib.resources import files
from typing import Any

import ibis
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as hs

from digex.api import Digex
from digex.indicators import status as st
from digex.indicators.cuts import CUTS
from digex.indicators.engine import Engine, Sources
from digex.indicators.registry import Registry, RegistryError, parse, registry
from digex.indicators.select import Selection
from digex.indicators.suite import FAMILIES, Suite, _statuses
from digex.profile import load_profile
from digex.publish.display import shown_value

MONTHS = [f"{year}-{m:02d}-01" for year in (2023, 2024) for m in range(1, 13)]
DECLARATIONS = [
    # period, firm, segment, partner, currency, flow, value_minor: every month of two years
    *((p, "F1", "ITO", "FR", "EUR", "X", 100_00 if p < "2024" else 150_00) for p in MONTHS),
    *((p, "F2", "BPO", "US", "USD", "X", 300_00 if p < "2024" else 250_00) for p in MONTHS),
    ("2024-01-01", "F2", "BPO", "US", "USD", "M", 40_00),
]


def raw() -> dict[str, Any]:
    text = (files("digex") / "data" / "indicators.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def with_entry(key: str, **entry: Any) -> Registry:
    """The packaged registry with one entry more (a copy of LEVEL's, changed by `entry`)."""
    data = raw()
    data[key] = {**data["LEVEL"], **entry}
    return parse(data)


@pytest.fixture(scope="module")
def engine() -> Engine:
    con = ibis.duckdb.connect()
    con.raw_sql(
        "CREATE TABLE current_declarations (period DATE, firm_id VARCHAR, segment VARCHAR,"
        " partner VARCHAR, currency VARCHAR, flow VARCHAR, value_minor BIGINT)"
    )
    con.raw_sql("CREATE TABLE current_rates (period DATE, currency VARCHAR, rate DECIMAL(18,8))")
    for row in DECLARATIONS:
        con.raw_sql(f"INSERT INTO current_declarations VALUES {row!r}")
    for month in MONTHS:
        for cur, rate in (("USD", "10"), ("EUR", "11")):
            con.raw_sql(f"INSERT INTO current_rates VALUES ('{month}', '{cur}', {rate})")
    return Engine(Sources(con, minor_units=2))


def test_every_family_column_is_a_column_of_the_engine_cells(engine: Engine) -> None:
    suite = Suite(engine, "MAD")
    for family in FAMILIES:
        indicators = registry().family(family)
        assert indicators, family
        columns = set(suite.cells(family, "A", CUTS).columns)
        missing = {i.id: i.column for i in indicators if i.column not in columns}
        assert not missing, (family, missing)
    # every family of the registry is computed by someone: the suite or the targets module
    assert {i.family for i in registry().indicators.values()} == {*FAMILIES, "target", "jobs"}


def test_an_entry_whose_column_the_engine_lacks_is_an_error(engine: Engine) -> None:
    broken = with_entry("LEVEL_TYPO", column="levle")
    with pytest.raises(RegistryError, match=r"LEVEL_TYPO: .* no column 'levle'"):
        Suite(engine, "MAD", broken).run("A", "total")


def test_adding_an_indicator_is_a_registry_entry_and_its_column(engine: Engine) -> None:
    """An entry naming a column the engine has appears in the suite with no other change,
    with its own unit, cuts and status spans."""
    extra = with_entry(
        "LEVEL_AGAIN", cuts=["segment"], reads={"base": ["yoy"]}, unit="USD", family="main"
    )
    frame = Suite(engine, "MAD", extra).run("A", ["total", "segment"])
    again = frame[frame["indicator"] == "LEVEL_AGAIN"].reset_index(drop=True)
    level = frame[(frame["indicator"] == "LEVEL") & (frame["cut"] == "segment")]
    assert list(again["value"]) == list(level["value"])
    assert set(again["cut"]) == {"segment"}
    assert set(again["unit"]) == {"USD"}
    # 2023 has no year before it: a comparison with it is on an incomplete base
    by_period = dict(zip(again["period"], again["completeness"], strict=False))
    assert by_period == {"2023": "incomplete_base", "2024": "complete"}
    # ITO exports in 2024: twelve months of 150.00
    ito = again[(again["member"] == "ITO") & (again["period"] == "2024")]
    assert Decimal(repr(float(ito["value"].iloc[0]))) == Decimal("150.00") * 12


def test_rows_exist_only_where_the_registry_says(engine: Engine) -> None:
    frame = Suite(engine, "MAD").run("A", list(CUTS))
    known = registry().indicators
    assert set(frame["indicator"]) <= set(known)
    for indicator, rows in frame.groupby("indicator"):
        i = known[str(indicator)]
        assert set(rows["cut"]) <= set(i.cuts), indicator
        assert set(rows["flow"]) <= set(i.flows), indicator
        assert set(rows["freq"]) <= set(i.freqs), indicator
    # the total's share is 100 and its contribution its growth: no such rows
    assert frame[
        (frame["cut"] == "total") & frame["indicator"].isin(["SHARE", "CONTRIBUTION"])
    ].empty
    # a partner HHI within a partner (or a region of partners) says nothing
    assert frame[
        (frame["indicator"] == "HHI_PARTNERS") & frame["cut"].isin(["partner", "region"])
    ].empty
    assert set(frame["obs_status"]) <= {s.value for s in st.ObsStatus}
    assert set(frame["completeness"]) <= {c.value for c in st.Completeness}
    assert {type(v) for v in frame["obs_status"]} == {str}  # plain codes in data, no enum


def test_targets_and_jobs_rows_follow_the_registry(demo_db: Digex) -> None:
    frame = pd.concat(
        [demo_db.targets(), demo_db.indicators("2024", by="segment", indicators=["JOBS"])]
    )
    known = registry().indicators
    assert {"TARGET_LEVEL", "JOBS"} <= set(frame["indicator"])
    for r in frame.itertuples():
        i = known[str(r.indicator)]
        assert r.freq in i.freqs, r
        assert r.cut in i.cuts, r
        assert r.flow in i.flows, r
        assert (r.obs_status, r.completeness) == ("A", "complete")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"family": "mian"}, "family 'mian' is not one of"),
        ({"unit": "MAD"}, "unit 'MAD' is not one of"),
        ({"kind": "rate"}, "kind 'rate' is not one of"),
        ({"reads": {"base": ["last_year"]}}, "reads.base 'last_year'"),
        ({"cuts": ["sector"]}, "cuts 'sector'"),
        ({"freqs": []}, "freqs must be a non-empty list"),
        ({"name": {"en": "New", "fr": "Nouveau"}}, "no name in ar"),
        ({"column": ""}, "no engine column"),
        ({"family": "foreign", "unit": "NC"}, "a foreign family's unit is a foreign currency"),
    ],
)
def test_a_wrong_entry_is_refused_when_the_registry_is_read(
    entry: dict[str, Any], message: str
) -> None:
    with pytest.raises(RegistryError, match=f"NEW: {message}"):
        with_entry("NEW", **entry)


def test_money_is_said_once() -> None:
    """The units a multiplier rescales come from the registry, for the selection and for
    the tables alike."""
    reg = registry()
    money = {code for code, u in reg.units.items() if u.money}
    assert money == {"NC", "USD", "EUR"}
    profile = load_profile("MA")
    selection = Selection.of(profile, unit_mult=9)
    assert selection.money == (profile.national_currency, "USD", "EUR")
    for code, unit in reg.units.items():
        shown = code if code != "NC" else profile.national_currency
        value, label = shown_value("LEVEL", 1_234_567_890.0, shown, 0, own_scale=True)
        # money is shown in the indicator's billions, anything else as it is
        assert (value, label) == (
            ("1.235", f"bn {shown}") if unit.money else ("1,234,567,890.000", unit.label)
        )


def test_sdmx_attributes() -> None:
    known = registry().indicators
    assert known["LEVEL"].sdmx("MAD") == {"UNIT_MEASURE": "MAD", "UNIT_MULT": "9", "DECIMALS": "3"}
    assert known["LEVEL_USD"].sdmx("MAD")["UNIT_MEASURE"] == "USD"
    assert known["SHARE"].sdmx("MAD") == {"UNIT_MEASURE": "PC", "UNIT_MULT": "0", "DECIMALS": "1"}
    for i in known.values():
        assert i.sdmx("XOF")["UNIT_MEASURE"], i.id


def test_status_codes_and_the_one_completeness_rule() -> None:
    assert [s.value for s in st.OBS_PRECEDENCE] == ["A", "P", "F", "E", "B"]
    assert st.ObsStatus("E") is st.ObsStatus.ESTIMATED
    with pytest.raises(ValueError, match="partial"):
        st.Completeness("partial")
    growth = registry().indicators["GROWTH_YOY"].reads
    assert (growth.own, growth.base) == (("own",), ("yoy",))
    ytd_growth = registry().indicators["YTD_GROWTH"].reads
    assert (ytd_growth.own, ytd_growth.base) == (("ytd",), ("ytd_yoy",))
    expected = {
        (True, True): "complete",
        (True, False): "incomplete_base",
        (False, True): "incomplete_period",
        (False, False): "incomplete_period",  # its own span outranks its base
    }
    for (own, base), code in expected.items():
        assert st.figure_completeness(growth, {"own": own, "yoy": base}) == code


@given(
    hs.sampled_from(sorted(registry().indicators)),
    hs.lists(
        hs.tuples(
            hs.fixed_dictionaries({s: hs.booleans() for s in st.SPANS}),
            hs.fixed_dictionaries({s: hs.sampled_from(st.OBS_PRECEDENCE) for s in st.SPANS}),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_the_suite_gives_every_row_the_status_rule_of_its_spans(
    indicator: str, rows: list[tuple[dict[st.Span, bool], dict[st.Span, st.ObsStatus]]]
) -> None:
    """The suite's column-wise statuses are the status module's rules, row by row."""
    i = registry().indicators[indicator]
    frame = pd.DataFrame(
        [
            {
                **{f"{s}_ok": ok[s] for s in st.SPANS},
                **{f"{s}_obs": st.obs_rank(obs[s]) for s in st.SPANS},
            }
            for ok, obs in rows
        ]
    )
    codes, done = _statuses(frame, i)
    for (ok, obs), code, completeness in zip(rows, codes, done, strict=True):
        assert completeness == st.figure_completeness(i.reads, ok)
        assert code == st.worst_obs(obs[s] for s in i.reads.all)
        assert type(code) is str
        assert type(completeness) is str


def test_a_target_in_jobs_is_not_shown_as_money() -> None:
    """A jobs target's level carries the profile's unit (jobs): it is no currency, so a table
    shows it as it is, not in billions (it showed 0.000 bn jobs)."""
    assert shown_value("TARGET_LEVEL", 148_500.0, "jobs", 0, own_scale=True) == (
        "148,500.000",
        "jobs",
    )
    assert shown_value("TARGET_LEVEL", 26_219_000_000.0, "MAD", 0, own_scale=True) == (
        "26.219",
        "bn MAD",
    )
