"""Disclosure parameters: the documented defaults, the deployment file and its groups CSV,
errors that name the file, the key and what is allowed, and the frozen JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digex.disclosure import parameters as mod
from digex.disclosure.parameters import (
    ENV,
    Parameters,
    load_parameters,
    parameters_from_json,
    parameters_json,
)
from digex.errors import DigexError, DisclosureConfigError

FULL = """
[rules]
min_frequency = 4
p = 15
nk = [[1, 90], [2, 85.5]]
pq = [20, 60]
zero_unsafe = true
[suppression]
cost_lambda = 0
[firm_indicators]
min_firms = 7
[groups]
file = "sub/groups.csv"
"""


def _write(tmp_path: Path, toml: str, groups: str | None = None) -> Path:
    path = tmp_path / "disclosure.toml"
    path.write_text(toml, encoding="utf-8")
    if groups is not None:
        (tmp_path / "sub").mkdir(exist_ok=True)
        (tmp_path / "sub" / "groups.csv").write_text(groups, encoding="utf-8")
    return path


def test_documented_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    p = load_parameters()
    assert p == Parameters()
    assert (p.min_frequency, p.p, p.nk, p.pq, p.zero_unsafe) == (3, 10.0, (), None, False)
    assert (p.min_firms, p.cost_lambda, dict(p.groups), p.source) == (5, 0.5, {}, "defaults")
    monkeypatch.setenv(ENV, "")
    assert load_parameters() == Parameters()
    doc = mod.__doc__ or ""
    assert "defaults" in doc
    assert "for the tests and the demo" in doc


def test_the_file_env_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, FULL, "firm_id,group_id,name\nF1,G1,Alpha\nF2,G1,Beta\nF3,F3,\n")
    monkeypatch.setenv(ENV, str(path))
    p = load_parameters()
    assert p == load_parameters(path)
    assert (p.min_frequency, p.p, p.nk, p.pq, p.zero_unsafe) == (
        4,
        15.0,
        ((1, 90.0), (2, 85.5)),
        (20.0, 60.0),
        True,
    )
    assert (p.min_firms, p.cost_lambda, p.source) == (7, 0.0, str(path))
    assert dict(p.groups) == {"F1": "G1", "F2": "G1", "F3": "F3"}


def test_p_false_turns_the_p_rule_off_and_omitted_keys_keep_defaults(tmp_path: Path) -> None:
    p = load_parameters(_write(tmp_path, "[rules]\np = false\nnk = [[2, 85]]\n"))
    assert (p.p, p.nk, p.min_frequency, p.cost_lambda) == (None, ((2, 85.0),), 3, 0.5)
    assert load_parameters(_write(tmp_path, "")) == Parameters(
        source=str(tmp_path / "disclosure.toml")
    )


BAD = [
    ("[rules]\np = 0", "[rules] p", "0 < p < 100"),
    ("[rules]\np = 100", "[rules] p", "0 < p < 100"),
    ("[rules]\np = true", "[rules] p", "0 < p < 100"),
    ('[rules]\np = "10"', "[rules] p", "0 < p < 100"),
    ("[rules]\np = nan", "[rules] p", "0 < p < 100"),
    ("[rules]\nmin_frequency = 0", "[rules] min_frequency", ">= 1"),
    ("[rules]\nmin_frequency = 2.5", "[rules] min_frequency", "an integer"),
    ("[rules]\nnk = [[0, 85]]", "[rules] nk", "n an integer >= 1"),
    ("[rules]\nnk = [[2, 0]]", "[rules] nk", "0 < k <= 100"),
    ("[rules]\nnk = [[2, 100.5]]", "[rules] nk", "0 < k <= 100"),
    ("[rules]\nnk = [2, 85]", "[rules] nk", "[n, k] pairs"),
    ("[rules]\npq = [50, 25]", "[rules] pq", "0 < p < q"),
    ("[rules]\npq = [0, 25]", "[rules] pq", "0 < p < q"),
    ("[rules]\npq = [10, 20, 30]", "[rules] pq", "0 < p < q"),
    ("[rules]\nzero_unsafe = 1", "[rules] zero_unsafe", "true or false"),
    ("[suppression]\ncost_lambda = -0.1", "[suppression] cost_lambda", ">= 0"),
    ("[firm_indicators]\nmin_firms = 0", "[firm_indicators] min_firms", ">= 1"),
    ("[rules]\nthreshold = 3", "unknown key [rules] threshold", "min_frequency"),
    ("[rule]\np = 3", "unknown section [rule]", "[rules]"),
    ("p = 3", "unknown section [p]", "[rules]"),
    ("[groups]\npath = 'g.csv'", "unknown key [groups] path", "file"),
    ("[groups]\nfile = 3", "[groups] file", "CSV"),
    ("[rules\np = 3", "cannot be read as TOML", ""),
]


@pytest.mark.parametrize(("text", "key", "allowed"), BAD, ids=[b[1] for b in BAD])
def test_errors_name_the_file_the_key_and_what_is_allowed(
    tmp_path: Path, text: str, key: str, allowed: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(DisclosureConfigError) as e:
        load_parameters(path)
    message = str(e.value)
    assert str(path) in message
    assert key in message
    assert allowed in message
    assert isinstance(e.value, DigexError)
    assert e.value.exit_code == 1


def test_a_missing_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, str(tmp_path / "nowhere.toml"))
    with pytest.raises(DisclosureConfigError, match=r"nowhere\.toml does not exist"):
        load_parameters()


GROUP_ERRORS = [
    ("firm,group\nF1,G1\n", "needs the columns firm_id and group_id"),
    ("firm_id,group_id\nF1,\n", "line 2: firm_id and group_id must both be given"),
    ("firm_id,group_id\nF1,G1\nF2,G2\nF1,G2\n", "line 4: firm 'F1' is in two groups"),
    ("firm_id,group_id\nF1,F2\nF2,G2\n", "group id 'F2' (of firm 'F1') is also the id of a firm"),
]


@pytest.mark.parametrize(("csv", "message"), GROUP_ERRORS, ids=[g[1][:20] for g in GROUP_ERRORS])
def test_groups_file_errors(tmp_path: Path, csv: str, message: str) -> None:
    path = _write(tmp_path, FULL, csv)
    with pytest.raises(DisclosureConfigError) as e:
        load_parameters(path)
    assert message in str(e.value)
    assert "[groups] file" in str(e.value)
    assert str(tmp_path / "sub" / "groups.csv") in str(e.value)


def test_groups_file_missing(tmp_path: Path) -> None:
    with pytest.raises(
        DisclosureConfigError, match=r"\[groups\] file .*groups\.csv cannot be read"
    ):
        load_parameters(_write(tmp_path, FULL))


def test_a_firm_listed_twice_in_the_same_group_is_fine(tmp_path: Path) -> None:
    p = load_parameters(_write(tmp_path, FULL, "\ufefffirm_id,group_id\nF1,G\nF1,G\n"))
    assert dict(p.groups) == {"F1": "G"}


def test_parameters_built_in_code_are_checked_too() -> None:
    with pytest.raises(DisclosureConfigError, match=r"\(defaults\): \[rules\] p = 150"):
        Parameters(p=150)
    with pytest.raises(DisclosureConfigError, match=r"\[rules\] nk"):
        Parameters(nk=((2, 85), (1, -1)))


def test_parameters_are_immutable() -> None:
    p = Parameters(groups={"F1": "G1"})
    with pytest.raises(TypeError):
        p.groups["F2"] = "G2"  # type: ignore[index]
    assert hash(p) == hash(Parameters(groups={"F9": "G9"}))  # groups not hashed, still equal-safe
    assert p != Parameters(groups={"F9": "G9"})


ALPHABET = 'aZ09-_ éß"\\'
PARAMETERS = st.builds(
    Parameters,
    min_frequency=st.integers(1, 20),
    p=st.none() | st.floats(0.001, 99.999),
    nk=st.lists(st.tuples(st.integers(1, 5), st.floats(0.01, 100)), max_size=3).map(tuple),
    pq=st.none() | st.tuples(st.floats(0.01, 50), st.floats(50.01, 1000)),
    zero_unsafe=st.booleans(),
    min_firms=st.integers(1, 50),
    cost_lambda=st.floats(0, 3),
    groups=st.dictionaries(
        st.text(ALPHABET, min_size=1, max_size=5),
        st.text(ALPHABET, min_size=1, max_size=5),
        max_size=4,
    ),
    source=st.sampled_from(["defaults", "/etc/digex/disclosure.toml"]),
)


@settings(max_examples=50)
@given(PARAMETERS)
def test_json_round_trips_exactly(p: Parameters) -> None:
    text = parameters_json(p)
    back = parameters_from_json(text)
    assert back == p
    assert parameters_json(back) == text


def test_json_is_canonical() -> None:
    a = Parameters(p=10, nk=[[2, 85]], groups={"b": "G", "a": "G"})  # type: ignore[arg-type]
    b = Parameters(p=10.0, nk=((2, 85.0),), groups={"a": "G", "b": "G"})
    assert parameters_json(a) == parameters_json(b)
    assert parameters_json(a) == (
        '{"cost_lambda":0.5,"groups":{"a":"G","b":"G"},"min_firms":5,"min_frequency":3,'
        '"nk":[[2,85.0]],"p":10.0,"pq":null,"source":"defaults","zero_unsafe":false}'
    )


@pytest.mark.parametrize(
    "text",
    ["{", "[]", '{"p": 10, "colour": 1}', '{"p": 150}', '{"groups": []}', '{"source": 3}'],
)
def test_damaged_json_is_refused(text: str) -> None:
    with pytest.raises(DisclosureConfigError):
        parameters_from_json(text)
