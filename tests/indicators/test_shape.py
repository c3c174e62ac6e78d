"""The suite's spans, shaped with whole-array operations, against their definitions read period
by period (the status module's docstring): no store, a fraction of a second."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as hs

from digex.indicators import status as st
from digex.indicators.periods import PER_YEAR, label
from digex.indicators.shape import spans

FREQS = tuple(PER_YEAR)


@given(
    freq=hs.sampled_from(FREQS),
    start=hs.integers(2019 * 12, 2019 * 12 + 30),
    cells=hs.lists(
        hs.tuples(hs.booleans(), hs.booleans(), hs.integers(0, len(st.OBS_PRECEDENCE) - 1)),
        min_size=1,
        max_size=40,
    ),
    beyond=hs.integers(0, 3),
)
def test_spans_are_their_definitions_period_by_period(
    freq: str, start: int, cells: list[tuple[bool, bool, int]], beyond: int
) -> None:
    """Each period's own, previous, year-earlier, year-to-date and year-earlier year-to-date
    spans: complete when every period in them has data and is complete, of the worst status
    among them; a period without data (a gap, or one only some figure reaches) is
    incomplete."""
    n = PER_YEAR[freq]
    first = start // 12 * n  # a year's first period at this frequency
    data = {first + k: (done, rank) for k, (has, done, rank) in enumerate(cells) if has}
    last = first + len(cells) - 1 + beyond
    ordinals = sorted(data)
    got = spans(
        ordinals,
        [data[o][0] for o in ordinals],
        [data[o][1] for o in ordinals],
        freq,
        reach=[last],
    )

    def span(periods: range) -> tuple[bool, int]:
        found = [data.get(p) for p in periods]
        return all(f is not None and f[0] for f in found), max(
            (f[1] for f in found if f is not None), default=0
        )

    for o in range(min(ordinals or [last]), last + 1):
        year_start = o // n * n
        expected = {
            "own": span(range(o, o + 1)),
            "pop": span(range(o - 1, o)),
            "yoy": span(range(o - n, o - n + 1)),
            "ytd": span(range(year_start, o + 1)),
            "ytd_yoy": span(range(year_start - n, o - n + 1)),
        }
        at = o - got.first
        for name, (ok, rank) in expected.items():
            assert bool(got.columns[f"{name}_ok"][at]) is ok, (o, name)
            assert int(got.columns[f"{name}_obs"][at]) == rank, (o, name)
        assert got.labels[at].as_py() == label(freq, o // n, o % n + 1)
