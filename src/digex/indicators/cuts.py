"""The cuts (breakdowns) an indicator can be shown by, as Ibis expressions over declarations.

EBOPS category and partner region come from the codelists (the segment -> EBOPS default and
the country -> M49 region correspondences), joined as in-memory tables so that the same
expression runs on every backend.
"""

from __future__ import annotations

from typing import Final

import ibis
import ibis.expr.types as ir

from digex.codelists import read_codelist
from digex.errors import DigexError

CUTS: Final = ("total", "segment", "ebops", "partner", "region", "currency")
TOTAL: Final = "_T"
"""Member code of the total (SDMX's convention for 'all')."""


class UnknownCut(ValueError, DigexError):
    """A --by value digex does not know."""


def check_cut(cut: str) -> str:
    if cut not in CUTS:
        raise UnknownCut(f"cannot cut by {cut!r}; choose one of {', '.join(CUTS)}")
    return cut


def with_member(t: ir.Table, cut: str) -> ir.Table:
    """`t` with a `member` column holding the cut's code for each row."""
    check_cut(cut)
    if cut == "total":
        return t.mutate(member=ibis.literal(TOTAL))
    if cut in ("segment", "partner", "currency"):
        return t.mutate(member=t[cut])
    if cut == "ebops":
        cl = read_codelist("ebops").to_pandas()
        cl = cl[cl["default_for_segment"]][["segment", "ebops_code"]]
        m = ibis.memtable(cl.rename(columns={"segment": "seg_", "ebops_code": "member"}))
        return t.join(m, t.segment == m.seg_).drop("seg_")
    cl = read_codelist("countries").to_pandas()[["code", "region"]]
    m = ibis.memtable(cl.rename(columns={"code": "cc_", "region": "member"}))
    return (
        t.left_join(m, t.partner == m.cc_).drop("cc_").mutate(member=ibis._.member.fill_null("_X"))
    )
