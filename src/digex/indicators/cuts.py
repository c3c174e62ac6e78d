"""The cuts (breakdowns) an indicator can be shown by, as Ibis expressions over declarations.

EBOPS category and partner region come from the codelists (the segment -> EBOPS default and
the country -> M49 region correspondences), joined as in-memory tables so that the same
expression runs on every backend. Ibis and pandas are imported where used, so that the list
of cuts is available to quick paths (a cached answer) without them.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Final

from digex.codelists import read_codelist
from digex.errors import UnknownCut

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

CUTS: Final = ("total", "segment", "ebops", "partner", "region", "currency")
TOTAL: Final = "_T"
"""Member code of the total (SDMX's convention for 'all')."""


def check_cut(cut: str) -> str:
    if cut not in CUTS:
        raise UnknownCut(f"cannot cut by {cut!r}; choose one of {', '.join(CUTS)}")
    return cut


@cache
def _mapping(cut: str) -> pd.DataFrame:
    """The codelist correspondence of a cut, read once per process (a run uses it in many
    queries). The in-memory table is made per use: each backend registers its own."""
    import pandas as pd

    if cut == "ebops":
        cl = read_codelist("ebops").to_pandas()
        cl = cl[cl["default_for_segment"]][["segment", "ebops_code"]]
        return pd.DataFrame(cl.rename(columns={"segment": "seg_", "ebops_code": "member"}))
    cl = read_codelist("countries").to_pandas()[["code", "region"]]
    return pd.DataFrame(cl.rename(columns={"code": "cc_", "region": "member"}))


def with_member(t: ir.Table, cut: str) -> ir.Table:
    """`t` with a `member` column holding the cut's code for each row."""
    import ibis

    check_cut(cut)
    if cut == "total":
        return t.mutate(member=ibis.literal(TOTAL))
    if cut in ("segment", "partner", "currency"):
        return t.mutate(member=t[cut])
    m = ibis.memtable(_mapping(cut))
    if cut == "ebops":
        return t.join(m, t.segment == m.seg_).drop("seg_")
    return (
        t.left_join(m, t.partner == m.cc_).drop("cc_").mutate(member=ibis._.member.fill_null("_X"))
    )
