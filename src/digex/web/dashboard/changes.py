"""What changed since the previous release: the headline figures of the view and the segments'
shares as the release the shown one revises stated them, and as it states them now.

Both sides are read from the two releases' snapshots (the catalogue's served releases), never
from the live store: the previous release is the served one of the same period with the
vintage before. A confidential figure on either side is shown as the mark, and its change too
(a difference would bound it).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from digex.publish.figures import Figure, ReleaseFigures
from digex.web.dashboard import models
from digex.web.dashboard.charts import growth, what
from digex.web.dashboard.text import MARK, MISSING, Writer
from digex.web.dashboard.view import View, held
from digex.web.dashboard.words import words

if TYPE_CHECKING:
    from digex.web.catalogue import Catalogue, Served


def previous(catalogue: Catalogue, view: View) -> str | None:
    """The served release the view's release revises (same period, the latest earlier
    vintage), or None."""
    entry = view.served.entry
    earlier = [
        e for e in catalogue.published() if e.period == entry.period and e.vintage < entry.vintage
    ]
    return max(earlier, key=lambda e: e.vintage).release_id if earlier else None


def _text(figure: Figure | None, write: Callable[[Decimal], str]) -> str:
    if figure is None:
        return MISSING
    if figure.confidential:
        return MARK
    return MISSING if figure.value is None else write(figure.value)


def _row(
    label: str,
    before: Figure | None,
    after: Figure | None,
    write: Callable[[Decimal], str],
    difference: Callable[[Decimal], str],
) -> models.ChangeRow:
    change = MISSING
    if (before is not None and before.confidential) or (after is not None and after.confidential):
        change = MARK
    elif before is not None and after is not None and None not in (before.value, after.value):
        assert before.value is not None
        assert after.value is not None
        change = difference(after.value - before.value)
    return models.ChangeRow(
        label=label, before=_text(before, write), after=_text(after, write), change=change
    )


def _key(f: Figure) -> tuple[str, str, str, str, str]:
    k = f.key
    return k.indicator, k.period, k.cut, k.member, k.flow


def changes(catalogue: Catalogue, view: View, t: Writer) -> models.Changes:
    earlier_id = previous(catalogue, view)
    if earlier_id is None:
        return models.Changes(previous=None, title=None, rows=[])
    w = words(view.lang)
    earlier = catalogue.release(earlier_id)
    now: ReleaseFigures = view.figures
    period = now.period.label
    before_view = View(earlier, view.lang, view.period, view.segment, view.area, view.flow,
                       view.unit)  # fmt: skip
    label = w["change_level"].format(what=what(view), period=t.period(period))

    def level_of(served: Served) -> Figure | None:
        return held(served).figure(view.level, period, view.cut, view.member, view.flow)

    rows = [
        _row(
            label,
            level_of(earlier),
            level_of(view.served),
            lambda v: t.money(v, view.unit),
            t.change_of_money,
        ),
        _row(
            w["change_growth"].format(period=t.period(period)),
            growth(before_view, period),
            growth(view, period),
            t.growth,
            t.points,
        ),
    ]
    if view.cut == "total":
        for f in view.held.members_of("SHARE", period, "segment", view.flow):
            name = t.member("segment", f.key.member)
            rows.append(
                _row(
                    w["change_share"].format(name=name, period=t.period(period)),
                    held(earlier).figure(*_key(f)),
                    f,
                    t.percent,
                    t.points,
                )
            )
    return models.Changes(previous=earlier_id, title=w["changes"].format(id=earlier_id), rows=rows)
