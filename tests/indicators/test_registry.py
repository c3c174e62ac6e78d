"""The indicator registry: one definition per indicator, checked whole, read by every part.

A tiny store built in code (two firms, two years) is enough to run the real suite; the
registries given to it are the packaged one, or the packaged one with one entry more.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from decimal import Decimal
from importlib.resources import files
from typing import Any

import ibis
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as hs

import digex.errors
from digex.api import Digex
from digex.errors import DigexError, ProfileError
from digex.indicators import status as st
from digex.indicators import targets
from digex.indicators.cuts import CUTS
from digex.indicators.engine import Engine, Sources
from digex.indicators.registry import (
    FAMILIES,
    Registry,
    RegistryError,
    definitions,
    parse,
    registry,
    unit_of,
)
from digex.indicators.select import Selection, UnknownIndicator
from digex.indicators.shape import statuses
from digex.indicators.suite import CELLS, Suite
from digex.indicators.targets import target_unit
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
    for family in CELLS:
        indicators = registry().family(family)
        assert indicators, family
        columns = set(suite.cells(family, "A", CUTS).columns)
        missing = {i.id: i.column for i in indicators if i.column not in columns}
        assert not missing, (family, missing)
    # every family of the registry is computed by someone: the suite or the targets module
    assert {i.family for i in registry().indicators.values()} == {*CELLS, *targets.FAMILIES}
    assert set(FAMILIES) == {*CELLS, *targets.FAMILIES}
    assert not set(CELLS) & set(targets.FAMILIES)


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


def test_every_row_on_the_demo_store_is_where_its_entry_says(demo_db: Digex) -> None:
    """Every produced row's cut, flow and frequency is within its registry entry's: the
    suite's families at every frequency and cut, the jobs series and the targets (whose freq
    and flow were the entry's first, whatever the data)."""
    # a period of each frequency, every cut: the rows of every family at every frequency
    periods = ["2024", "2024-H2", "2024-Q3", "2024-11"]
    frame = demo_db.indicators(periods, by="all", flow=["X", "M"])
    frame = pd.concat([frame, demo_db.targets()], ignore_index=True)
    known = registry().indicators
    assert {"TARGET_LEVEL", "JOBS", "EXPORTS_PER_JOB", "BALANCE", "LEVEL_EUR"} <= set(
        frame["indicator"]
    )
    assert set(frame["freq"]) == {"A", "H", "Q", "M"}
    assert set(frame["indicator"]) <= set(known)
    for (indicator, cut, flow, freq), _ in frame.groupby(["indicator", "cut", "flow", "freq"]):
        i = known[str(indicator)]
        assert (cut in i.cuts, flow in i.flows, freq in i.freqs) == (True, True, True), (
            indicator,
            cut,
            flow,
            freq,
        )
    aux = frame[frame["indicator"].isin(["TARGET_LEVEL", "JOBS"])]
    assert set(zip(aux["obs_status"], aux["completeness"], strict=True)) == {("A", "complete")}


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
    shown = {
        code: shown_value("LEVEL", 1_234_567_890.0, code, 0, own_scale=True)
        for code in (profile.national_currency, *reg.units)
        if code != "NC"
    }
    # money in the indicator's billions; a row in another unit of the registry as that unit
    # says (a count without decimals, a per cent with one)
    assert shown == {
        "MAD": ("1.235", "bn MAD"),
        "USD": ("1.235", "bn USD"),
        "EUR": ("1.235", "bn EUR"),
        "PC": ("1,234,567,890.0", "%"),
        "PP": ("1,234,567,890.00", "pp"),
        "INDEX": ("1,234,567,890.0000", "index"),
        "FIRMS": ("1,234,567,890", "firms"),
        "JOBS": ("1,234,567,890", "jobs"),
    }


def test_sdmx_attributes_are_the_rows_not_the_presentation() -> None:
    """A tidy row holds a value in units (unit_mult 0): its SDMX UNIT_MULT is 0, not the
    presentation's 9 (a client would multiply by 10^9); DECIMALS is the presentation's
    precision at the row's power, never below 0."""
    reg = registry()
    assert reg.sdmx("LEVEL", "MAD", 0) == {"UNIT_MEASURE": "MAD", "UNIT_MULT": "0", "DECIMALS": "0"}
    # asked for in millions (unit_mult=6): 3 decimals of billions are 0 of millions
    assert reg.sdmx("LEVEL", "MAD", 6)["UNIT_MULT"] == "6"
    assert reg.sdmx("LEVEL", "MAD", 9) == {"UNIT_MEASURE": "MAD", "UNIT_MULT": "9", "DECIMALS": "3"}
    assert reg.sdmx("LEVEL_USD", "USD", 0)["UNIT_MEASURE"] == "USD"
    assert reg.sdmx("SHARE", "PC", 0) == {"UNIT_MEASURE": "PC", "UNIT_MULT": "0", "DECIMALS": "1"}
    assert reg.sdmx("HHI_FIRMS", "INDEX", 0)["DECIMALS"] == "4"
    # a jobs target's level is in jobs: persons, no decimals
    assert reg.sdmx("TARGET_LEVEL", "JOBS", 0) == {
        "UNIT_MEASURE": "PS",
        "UNIT_MULT": "0",
        "DECIMALS": "0",
    }
    # the presentation fields are named as such: nothing called unit_mult to mistake for it
    level = reg.indicators["LEVEL"]
    assert (level.display_mult, level.display_decimals) == (9, 3)
    assert not hasattr(level, "unit_mult")
    for i in reg.indicators.values():
        assert reg.sdmx(i.id, i.unit_code("XOF"), 0)["UNIT_MEASURE"], i.id


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
    codes, done = statuses(frame, i)
    for (ok, obs), code, completeness in zip(rows, codes, done, strict=True):
        assert completeness == st.figure_completeness(i.reads, ok)
        assert code == st.worst_obs(obs[s] for s in i.reads.all)
        assert type(code) is str
        assert type(completeness) is str


def test_a_target_in_jobs_is_shown_as_a_count(demo_db: Digex) -> None:
    """A jobs target's level and gap carry the registry's unit JOBS (the profile names it), so
    a table shows them as that unit says: a count, no decimals, no billions (they showed
    270,000.000 jobs); a target in the national currency is unchanged."""
    assert shown_value("TARGET_LEVEL", 148_500.0, "JOBS", 0, own_scale=True) == (
        "148,500",
        "jobs",
    )
    assert shown_value("TARGET_GAP", 121_500.0, "JOBS", 0, own_scale=True) == (
        "121,500",
        "jobs",
    )
    assert shown_value("TARGET_LEVEL", 26_219_000_000.0, "MAD", 0, own_scale=True) == (
        "26.219",
        "bn MAD",
    )
    frame = demo_db.targets()
    units = {
        (r.member, r.indicator): r.unit
        for r in frame.itertuples()
        if r.indicator in ("TARGET_LEVEL", "TARGET_GAP")
    }
    assert units == {
        ("JOBS_2030", "TARGET_LEVEL"): "JOBS",
        ("JOBS_2030", "TARGET_GAP"): "JOBS",
        ("EXPORTS_2030", "TARGET_LEVEL"): "MAD",
        ("EXPORTS_2030", "TARGET_GAP"): "MAD",
    }


def test_a_target_unit_is_the_national_currency_or_a_registry_unit() -> None:
    profile = load_profile("MA")
    jobs, exports = sorted(profile.targets, key=lambda t: t.measure != "jobs")
    assert target_unit(jobs, "MAD") == "JOBS"
    assert target_unit(exports, "MAD") == "MAD"
    # a profile recorded in a store before (unit = "jobs") still reads
    assert target_unit(replace(jobs, unit="jobs"), "MAD") == "JOBS"
    with pytest.raises(ProfileError, match=r"JOBS_2030: unit 'heads'.*JOBS"):
        target_unit(replace(jobs, unit="heads"), "MAD")
    with pytest.raises(ProfileError, match="unit 'NC'"):
        target_unit(replace(jobs, unit="NC"), "MAD")


# --- typos in the registry: each an error naming the indicator and the key --------------------


def test_the_registry_is_read_only() -> None:
    reg = registry()
    with pytest.raises(TypeError):
        reg.indicators["NEW"] = reg.indicators["LEVEL"]  # type: ignore[index]
    with pytest.raises(TypeError):
        reg.indicators["LEVEL"].names["en"] = "Changed"  # type: ignore[index]
    with pytest.raises(TypeError):
        definitions()["LEVEL"] = reg.indicators["LEVEL"]  # type: ignore[index]
    with pytest.raises(TypeError):
        reg.units["NEW"] = reg.units["NC"]  # type: ignore[index]
    assert registry().indicators["LEVEL"].name("en") == "Value"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"read": {"base": ["yoy"]}}, r"NEW: unknown key read;"),
        ({"reads": {"bsae": ["yoy"]}}, r"NEW: unknown key reads.bsae"),
        (
            {"display_decimals": "three"},
            r"NEW: display_decimals must be a whole number, not 'three'",
        ),
        ({"display_mult": True}, r"NEW: display_mult must be a whole number"),
        ({"display_mult": -3}, r"NEW: display_mult must be 0 or more"),
        ({"name": "Value"}, r"NEW: name must be a table of texts"),
        ({"name": {"en": "V", "fr": "V", "ar": 3}}, r"NEW: name.ar must be a text"),
        ({"cuts": "total"}, r"NEW: cuts must be a non-empty list"),
        ({"reads": {"own": []}}, r"NEW: reads.own must be a non-empty list"),
    ],
)
def test_a_typo_in_an_entry_is_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        with_entry("NEW", **change)


@pytest.mark.parametrize("key", ["display_mult", "display_decimals", "unit", "flows", "kind"])
def test_a_missing_key_is_refused(key: str) -> None:
    data = raw()
    del data["LEVEL"][key]
    with pytest.raises(RegistryError, match=f"LEVEL: no {key}"):
        parse(data)


def test_a_wrong_unit_or_version_is_refused() -> None:
    data = raw()
    del data["units"]["JOBS"]["money"]
    with pytest.raises(RegistryError, match=r"units\.JOBS: no money"):
        parse(data)
    data = raw()
    data["units"]["JOBS"]["monye"] = False
    with pytest.raises(RegistryError, match=r"units\.JOBS: unknown key monye"):
        parse(data)
    data = raw()
    data["units"]["JOBS"]["money"] = "no"
    with pytest.raises(RegistryError, match=r"units\.JOBS: money must be true or false"):
        parse(data)
    data = raw()
    data["verison"] = data.pop("version")
    with pytest.raises(RegistryError, match="`version`"):
        parse(data)
    # a RegistryError is a digex error (one line, exit 1), still a ValueError
    assert issubclass(RegistryError, DigexError)
    assert issubclass(RegistryError, ValueError)
    assert RegistryError is digex.errors.RegistryError


def test_an_unknown_indicator_is_a_usage_error() -> None:
    with pytest.raises(UnknownIndicator, match="'LEVELS'"):
        registry().indicator("LEVELS")
    with pytest.raises(UnknownIndicator):
        shown_value("LEVELS", 1.0, "MAD", 0, own_scale=True)
    with pytest.raises(UnknownIndicator):
        unit_of("LEVELS", "MAD")
