"""The cuts (breakdowns) an indicator can be shown by, as Ibis expressions over declarations.

EBOPS category and partner region come from the codelists (the segment -> EBOPS default and
the country -> M49 region correspondences), joined as in-memory tables so that the same
expression runs on every backend. Ibis and pandas are imported where used, so that the list
of cuts is available to quick paths (a cached answer) without them.

The cross cuts cross the segment with the partner (``segment_partner``, member ``KPO.FR``) or
with the partner's region (``segment_region``, member ``KPO.150``): the tables a thin segment
can be published in without naming a handful of firms (KPO by partner only yearly, or by
region). Their member is made by string concatenation in the expression itself, which every
backend compiles; `by="all"` keeps meaning the six single cuts, so that a cross cut is
computed only where a release's tables or a user ask for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from digex.codelists import read_codelist
from digex.errors import UnknownCut

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

CUTS: Final = ("total", "segment", "ebops", "partner", "region", "currency")
"""The single cuts: what `by="all"` computes."""
CROSS_CUTS: Final = ("segment_partner", "segment_region")
"""The segment crossed with another cut: member `<segment>.<partner or region>`."""
ALL_CUTS: Final = CUTS + CROSS_CUTS
TOTAL: Final = "_T"
"""Member code of the total (SDMX's convention for 'all')."""
UNKNOWN_REGION: Final = "_X"
"""Member code of a partner the countries code list gives no region."""
SEPARATOR: Final = "."
"""Between the segment and the other code of a cross cut's member."""


def check_cut(cut: str) -> str:
    if cut not in ALL_CUTS:
        raise UnknownCut(f"cannot cut by {cut!r}; choose one of {', '.join(ALL_CUTS)}")
    return cut


@dataclass(frozen=True)
class Mappings:
    """The code list correspondences the derived cuts read: segment -> default EBOPS code and
    country -> region, as (from, to) pairs. The installed code lists give them by default
    (`installed_mappings`); a release's verification passes those of the code lists frozen
    with it (`mappings_from_codelists`), so the engine cuts as the release was cut."""

    ebops: tuple[tuple[str, str], ...]
    regions: tuple[tuple[str, str | None], ...]


def mappings_from_codelists(lists: Mapping[str, Sequence[Mapping[str, Any]]]) -> Mappings:
    """The correspondences of code lists given as rows by name (``ebops`` and ``countries``,
    as `digex.releases.content` freezes them); a KeyError when one lacks a list or column."""
    return Mappings(
        ebops=tuple(
            (str(r["segment"]), str(r["ebops_code"]))
            for r in lists["ebops"]
            if r["default_for_segment"]
        ),
        regions=tuple((str(r["code"]), r["region"]) for r in lists["countries"]),
    )


@cache
def installed_mappings() -> Mappings:
    """The installed code lists' correspondences, read once per process (a run uses them in
    many queries)."""
    return mappings_from_codelists(
        {name: read_codelist(name).to_pylist() for name in ("ebops", "countries")}
    )


@cache
def _mapping(cut: str, mappings: Mappings) -> pd.DataFrame:
    """The correspondence of a cut as a frame (kept per mappings: they are few). The in-memory
    table is made per use: each backend registers its own."""
    import pandas as pd

    if cut == "ebops":
        return pd.DataFrame(list(mappings.ebops), columns=["seg_", "member"])
    return pd.DataFrame(list(mappings.regions), columns=["cc_", "region_"])


def with_member(t: ir.Table, cut: str, mappings: Mappings | None = None) -> ir.Table:
    """`t` with a `member` column holding the cut's code for each row (the EBOPS and region
    cuts read `mappings`, the installed code lists' when None)."""
    import ibis

    check_cut(cut)
    if cut == "total":
        return t.mutate(member=ibis.literal(TOTAL))
    if cut in ("segment", "partner", "currency"):
        return t.mutate(member=t[cut])
    if cut == "segment_partner":
        return t.mutate(member=t.segment.concat(SEPARATOR, t.partner))
    m = ibis.memtable(
        _mapping(cut if cut == "ebops" else "region", mappings or installed_mappings())
    )
    if cut == "ebops":
        return t.join(m, t.segment == m.seg_).drop("seg_")
    t = t.left_join(m, t.partner == m.cc_).drop("cc_")
    region = ibis._.region_.fill_null(UNKNOWN_REGION)
    if cut == "segment_region":
        return t.mutate(member=ibis._.segment.concat(SEPARATOR, region)).drop("region_")
    return t.mutate(member=region).drop("region_")
