"""The disclosure-control parameters of a deployment: rule thresholds, the cost of a secondary
suppression, the firm-indicator limits and the enterprise groups.

Statistics offices keep the values of their sensitivity rules secret (knowing p lets an
attacker tell how close a published cell came to suppression), so digex never ships them: a
deployment names its own TOML file in `DIGEX_DISCLOSURE`, kept outside the data and the
repository. Without that file the *documented defaults* apply: a threshold of 3 enterprise
groups and the p %-rule with p = 10, no (n,k)-dominance and no pq-rule. These defaults exist
for the tests and the demo; they are the Handbook's textbook values, not any office's.

The file::

    [rules]
    min_frequency = 3     # threshold: unsafe when 0 < N < min_frequency
    p = 10                # p %-rule in per cent, 0 < p < 100; false turns it off
    nk = [[2, 85]]        # (n,k)-dominance rules: n >= 1, 0 < k <= 100
    pq = [25, 50]         # prior-posterior rule, 0 < p < q
    zero_unsafe = false   # contributors who all reported exactly 0: unsafe
    [suppression]
    cost_lambda = 0.5     # a complement costs value ** lambda (0: log(1 + value))
    [firm_indicators]
    min_firms = 5         # FIRMS, AVG_PER_FIRM, HHI_FIRMS only from this many firms
    [groups]
    file = "groups.csv"   # firm_id,group_id (relative to the TOML); absent firm: own group
    [waivers]
    groups = ["G7"]       # groups (or firms) that waived protection: the rules protect the
                          # largest contributor without a waiver

Contributors are enterprise groups, not declarants: two subsidiaries of one holding know each
other's figures, so the rules must see their sum. A firm the groups file does not list is its
own group.

A release freezes the parameters it was protected with as `parameters_json` (internal: it
holds the secret values), and `parameters_from_json` gives them back unchanged.
"""

from __future__ import annotations

import csv
import json
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from digex.errors import DisclosureConfigError

ENV: Final = "DIGEX_DISCLOSURE"
DEFAULTS_SOURCE: Final = "defaults"

_KEYS: Final[dict[str, dict[str, str]]] = {
    # TOML section -> key -> the Parameters field it sets
    "rules": {
        "min_frequency": "min_frequency",
        "p": "p",
        "nk": "nk",
        "pq": "pq",
        "zero_unsafe": "zero_unsafe",
    },
    "suppression": {"cost_lambda": "cost_lambda"},
    "firm_indicators": {"min_firms": "min_firms"},
    "groups": {"file": "groups"},
    "waivers": {"groups": "waivers"},
}
_SECTION_OF: Final = {f: s for s, keys in _KEYS.items() for f in keys.values()}


def _where(source: str, name: str) -> str:
    key = f"[{_SECTION_OF.get(name, '?')}] {name}" if name != "groups" else "[groups] file"
    return f"disclosure parameters ({source}): {key}"


def _fail(source: str, name: str, value: object, allowed: str) -> DisclosureConfigError:
    fix = "" if source == DEFAULTS_SOURCE else f"; fix {source} (${ENV} names the file)"
    return DisclosureConfigError(
        f"{_where(source, name)} = {value!r} is not allowed: {allowed}{fix}"
    )


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


@dataclass(frozen=True)
class Parameters:
    """One deployment's disclosure parameters (validated on construction: a bad value raises
    `DisclosureConfigError` naming `source`, the key and what is allowed).

    `source` says where they came from ("defaults" or the file's path), never the values, so
    that it can be shown where the values must not be."""

    min_frequency: int = 3
    p: float | None = 10.0
    nk: tuple[tuple[int, float], ...] = ()
    pq: tuple[float, float] | None = None
    zero_unsafe: bool = False
    min_firms: int = 5
    cost_lambda: float = 0.5
    groups: Mapping[str, str] = field(default_factory=dict, hash=False)
    waivers: tuple[str, ...] = ()
    """Enterprise groups (a firm in no group is its own) that waived their protection: the
    p %, pq and (n,k) rules take as the one to protect the largest contributor without a
    waiver (DISCLOSURE.md 1.3); the threshold rule still counts them."""
    source: str = DEFAULTS_SOURCE

    def __post_init__(self) -> None:
        src = self.source
        if not _is_int(self.min_frequency) or self.min_frequency < 1:
            raise _fail(src, "min_frequency", self.min_frequency, "an integer >= 1")
        if self.p is not None and (not _is_number(self.p) or not 0 < self.p < 100):
            raise _fail(src, "p", self.p, "a number with 0 < p < 100, or false (off)")
        nk = _checked_nk(src, self.nk)
        pq = _checked_pq(src, self.pq)
        if not isinstance(self.zero_unsafe, bool):
            raise _fail(src, "zero_unsafe", self.zero_unsafe, "true or false")
        if not _is_int(self.min_firms) or self.min_firms < 1:
            raise _fail(src, "min_firms", self.min_firms, "an integer >= 1")
        if not _is_number(self.cost_lambda) or self.cost_lambda < 0:
            raise _fail(src, "cost_lambda", self.cost_lambda, "a number >= 0")
        groups = dict(self.groups)
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in groups.items()):
            raise _fail(src, "groups", "…", "firm ids mapped to group ids, both text")
        waivers = self.waivers
        if isinstance(waivers, str) or not all(isinstance(w, str) and w for w in waivers):
            raise _fail(src, "waivers", waivers, "a list of enterprise group (or firm) ids")
        object.__setattr__(self, "waivers", tuple(sorted(set(waivers))))
        # Normalised so that equal parameters are equal objects and the JSON is canonical.
        object.__setattr__(self, "p", None if self.p is None else float(self.p))
        object.__setattr__(self, "nk", nk)
        object.__setattr__(self, "pq", pq)
        object.__setattr__(self, "cost_lambda", float(self.cost_lambda))
        object.__setattr__(self, "groups", MappingProxyType(dict(sorted(groups.items()))))


def _checked_nk(source: str, nk: object) -> tuple[tuple[int, float], ...]:
    allowed = "a list of [n, k] pairs with n an integer >= 1 and 0 < k <= 100"
    if not isinstance(nk, list | tuple):
        raise _fail(source, "nk", nk, allowed)
    out: list[tuple[int, float]] = []
    for rule in nk:
        if not isinstance(rule, list | tuple) or len(rule) != 2:
            raise _fail(source, "nk", nk, allowed)
        n, k = rule
        if not _is_int(n) or n < 1 or not _is_number(k) or not 0 < k <= 100:
            raise _fail(source, "nk", nk, allowed)
        out.append((int(n), float(k)))
    return tuple(out)


def _checked_pq(source: str, pq: object) -> tuple[float, float] | None:
    if pq is None:
        return None
    allowed = "a pair [p, q] of numbers with 0 < p < q"
    if not isinstance(pq, list | tuple) or len(pq) != 2:
        raise _fail(source, "pq", pq, allowed)
    p, q = pq
    if not _is_number(p) or not _is_number(q) or not 0 < p < q:
        raise _fail(source, "pq", pq, allowed)
    return (float(p), float(q))


def load_parameters(path: str | Path | None = None) -> Parameters:
    """The parameters in `path`; without it, those in the file `DIGEX_DISCLOSURE` names, or the
    documented defaults when the variable is unset or empty."""
    if path is None:
        named = os.environ.get(ENV, "").strip()
        if not named:
            return Parameters()
        path = named
    file = Path(path)
    source = str(file)
    try:
        with file.open("rb") as f:
            doc = tomllib.load(f)
    except FileNotFoundError as e:
        raise DisclosureConfigError(
            f"disclosure parameters: {source} does not exist; fix the path (${ENV}) or unset "
            "it for the documented defaults"
        ) from e
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise DisclosureConfigError(
            f"disclosure parameters: {source} cannot be read as TOML ({e})"
        ) from e
    fields = _fields_from_toml(source, doc)
    if "groups" in fields:
        fields["groups"] = read_groups(source, file.parent / str(fields["groups"]))
    return Parameters(**fields, source=source)


def _fields_from_toml(source: str, doc: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for section, body in doc.items():
        if section not in _KEYS:
            raise DisclosureConfigError(
                f"disclosure parameters ({source}): unknown section [{section}]; allowed: "
                + ", ".join(f"[{s}]" for s in _KEYS)
            )
        if not isinstance(body, dict):
            raise DisclosureConfigError(
                f"disclosure parameters ({source}): {section} must be a [{section}] table"
            )
        for key, value in body.items():
            name = _KEYS[section].get(key)
            if name is None:
                raise DisclosureConfigError(
                    f"disclosure parameters ({source}): unknown key [{section}] {key}; "
                    f"allowed in [{section}]: " + ", ".join(_KEYS[section])
                )
            fields[name] = value
    if "p" in fields:
        p = fields["p"]
        if p is True or (p is not False and not _is_number(p)):
            raise _fail(source, "p", p, "a number with 0 < p < 100, or false (off)")
        fields["p"] = None if p is False else p
    if "groups" in fields and not isinstance(fields["groups"], str):
        raise _fail(source, "groups", fields["groups"], "the path of a CSV file, as text")
    return fields


def read_groups(source: str, csv_path: Path) -> dict[str, str]:
    """firm_id -> group_id from the groups CSV (UTF-8, a header with `firm_id` and `group_id`;
    other columns ignored). A firm listed twice must name the same group, and a group id that is
    another listed firm's id is refused: the two would be merged as one contributor."""
    where = f"disclosure parameters ({source}): [groups] file {csv_path}"
    try:
        with csv_path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            if "firm_id" not in header or "group_id" not in header:
                raise DisclosureConfigError(
                    f"{where}: needs the columns firm_id and group_id (found: "
                    f"{', '.join(header) or 'none'})"
                )
            groups: dict[str, str] = {}
            for line, row in enumerate(reader, start=2):
                firm = (row.get("firm_id") or "").strip()
                group = (row.get("group_id") or "").strip()
                if not firm or not group:
                    raise DisclosureConfigError(
                        f"{where}, line {line}: firm_id and group_id must both be given"
                    )
                if groups.setdefault(firm, group) != group:
                    raise DisclosureConfigError(
                        f"{where}, line {line}: firm {firm!r} is in two groups "
                        f"({groups[firm]!r} and {group!r}); a firm belongs to one group"
                    )
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise DisclosureConfigError(f"{where} cannot be read ({e})") from e
    for firm, group in groups.items():
        if group != firm and groups.get(group, group) != group:
            raise DisclosureConfigError(
                f"{where}: group id {group!r} (of firm {firm!r}) is also the id of a firm in "
                f"group {groups[group]!r}; give the group an id no firm has"
            )
    return groups


def parameters_json(params: Parameters) -> str:
    """Canonical JSON (sorted keys, no spaces, floats as Python writes them, so that they read
    back to the same bits): equal parameters give the same text, and the text hashes."""
    body: dict[str, object] = {
        "min_frequency": params.min_frequency,
        "p": params.p,
        "nk": [list(r) for r in params.nk],
        "pq": None if params.pq is None else list(params.pq),
        "zero_unsafe": params.zero_unsafe,
        "min_firms": params.min_firms,
        "cost_lambda": params.cost_lambda,
        "groups": dict(params.groups),
        "source": params.source,
    }
    if params.waivers:  # absent when none: the text of parameters made before waivers holds
        body["waivers"] = list(params.waivers)
    return json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)


def parameters_from_json(text: str) -> Parameters:
    """The parameters `parameters_json` wrote (validated again: a damaged text is refused)."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as e:
        raise DisclosureConfigError(f"disclosure parameters: not JSON ({e})") from e
    known = set(_SECTION_OF) | {"source"}
    if not isinstance(body, dict) or set(body) - known:
        raise DisclosureConfigError(
            "disclosure parameters: frozen JSON must be an object with the keys "
            + ", ".join(sorted(known))
        )
    if not isinstance(body.get("groups", {}), dict) or not isinstance(body.get("source", ""), str):
        raise DisclosureConfigError(
            "disclosure parameters: frozen groups must be an object and source a text"
        )
    if "waivers" in body:
        body["waivers"] = tuple(body["waivers"]) if isinstance(body["waivers"], list) else "?"
    return Parameters(**body)
