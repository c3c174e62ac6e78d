"""A release's cube in leaf form, built from the declarations the engine reads.

Every magnitude a release publishes (or that its growth rates reveal) is a sum of *atoms*:
the declarations summed per flow x month x segment x partner x currency. Writing each cell as
the 0/1 row of the atoms it sums makes every hierarchy (months into quarters, half-years,
years and years to date; partners into regions; EBOPS codes beside segments; the cross cuts)
an identity over the atoms, so the secondary suppression and the gate see every relation
between the published cells without anyone listing them.

Two reductions keep the system small without changing what it says:

- cells with the same atoms (an EBOPS code that is one segment's default, a January that is
  its own year to date, a year that is its own fourth quarter's year to date) are one cell
  with several labels: they can only be published or suppressed together;
- atoms that no cell tells apart (the currencies of a segment when no table publishes
  currencies, the months of a year published only yearly) are one atom: splitting them would
  add unknowns an attacker could never separate anyway.

Members are named as the engine names them (`digex.indicators.cuts`): ``_T`` for the total,
the EBOPS code a segment defaults to, the partner's M49 region (``_X`` when the code lists give
none) and ``SEG.PARTNER`` / ``SEG.REGION`` for the cross cuts. Money is summed in integer minor
units and divided by 10**minor_units at the end, as the engine does, so a cell's value is the
level the release publishes for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from digex.disclosure.problem import LABEL_KEY, Cube
from digex.errors import UnknownCut
from digex.indicators.cuts import TOTAL, Mappings, installed_mappings
from digex.indicators.periods import MONTHS, PER_YEAR, Period, label, parse_period
from digex.indicators.tables import PublishedTable

if TYPE_CHECKING:
    from digex.indicators.engine import Sources

ATOM_KEY: Final = ("flow", "year", "month", "segment", "partner", "currency")
"""What an atom is before merging: the declarations' finest grain the tables can cut."""
UNKNOWN_REGION: Final = "_X"
"""The region member of a partner the code lists place in no region (as the engine names it)."""
_CROSS_SEPARATOR: Final = "."


def period_after(p: Period, step: int) -> Period:
    """The period `step` periods after `p` at its frequency (negative: before)."""
    n = PER_YEAR[p.freq]
    ordinal = p.ordinal + step
    return Period(p.freq, ordinal // n, ordinal % n + 1)


def cube_periods(period: str | Period) -> list[Period]:
    """The periods a release of `period` must protect: those it carries, each one's previous
    period and the same period a year earlier (the growth rates it publishes read them, so a
    rate beside a published level reveals them), in `release_periods`' order."""
    from digex.releases.content import release_periods

    carried = release_periods(period)
    wanted = set(carried)
    for p in carried:
        wanted.add(period_after(p, -1))
        wanted.add(period_after(p, -PER_YEAR[p.freq]))
    return sorted(wanted, key=lambda q: (PER_YEAR[q.freq], q.ordinal))


def as_periods(periods: Iterable[str | Period]) -> list[Period]:
    return sorted({parse_period(p) if isinstance(p, str) else p for p in periods})


# -- reading the declarations ---------------------------------------------------------------
def firm_atoms(sources: Sources, years: Sequence[int]) -> pd.DataFrame:
    """Each firm's sum (minor units) per atom of `years`: one Ibis query, grouped on the
    backend, so only the (much smaller) firm x atom rows reach pandas."""
    import ibis

    columns = [*ATOM_KEY, "firm_id", "value_minor"]
    if not years:
        return pd.DataFrame(columns=columns)
    t = sources.backend.table(sources.declarations)
    first, last = min(years), max(years)
    t = t.filter((t.period >= ibis.date(first, 1, 1)) & (t.period < ibis.date(last + 1, 1, 1)))
    year = t.period.year()
    if len(years) != last - first + 1:
        t = t.filter(year.isin(list(years)))
    grouped = t.group_by(
        flow=t.flow.cast("string"),
        year=t.period.year().cast("int32"),
        month=t.period.month().cast("int32"),
        segment=t.segment.cast("string"),
        partner=t.partner.cast("string"),
        currency=t.currency.cast("string"),
        firm_id=t.firm_id.cast("string"),
    ).aggregate(value_minor=t.value_minor.sum())
    frame = grouped.execute()
    frame["value_minor"] = frame["value_minor"].astype("int64")
    return pd.DataFrame(frame[columns])


# -- members and periods of the atoms -------------------------------------------------------
def _pairs(mapping: Sequence[tuple[str, str | None]], left: str) -> pd.DataFrame:
    return pd.DataFrame(list(mapping), columns=[left, "member"], dtype=object)


def atom_members(atoms: pd.DataFrame, cut: str, mappings: Mappings) -> pd.DataFrame:
    """(atom, member) of every atom in `cut` (an atom whose segment has no EBOPS code is in
    no EBOPS member, as in the engine's inner join)."""
    ids = np.arange(len(atoms))
    if cut == "total":
        return pd.DataFrame({"atom": ids, "member": TOTAL})
    if cut in ("segment", "partner", "currency"):
        return pd.DataFrame({"atom": ids, "member": atoms[cut].to_numpy()})
    if cut == "ebops":
        ebops = _pairs(mappings.ebops, "segment")
        frame = pd.DataFrame({"atom": ids, "segment": atoms["segment"].to_numpy()})
        return frame.merge(ebops, on="segment")[["atom", "member"]]
    region = _regions(atoms, mappings)
    if cut == "region":
        return pd.DataFrame({"atom": ids, "member": region})
    segment = atoms["segment"].to_numpy(dtype=object)
    if cut == "segment_partner":
        inner = atoms["partner"].to_numpy(dtype=object)
    elif cut == "segment_region":
        inner = region
    else:
        raise UnknownCut(f"a published table cuts by {cut!r}, which the cube cannot build")
    return pd.DataFrame({"atom": ids, "member": segment + _CROSS_SEPARATOR + inner})


def _regions(atoms: pd.DataFrame, mappings: Mappings) -> npt.NDArray[np.object_]:
    regions = {code: region for code, region in mappings.regions if region}
    found = atoms["partner"].map(regions)
    return np.asarray(found.fillna(UNKNOWN_REGION).to_numpy(dtype=object), dtype=object)


def _time_grid(freq: str, ytd: bool) -> pd.DataFrame:
    """(month, sub, measure): which period of `freq` a month is in (LEVEL) and, with `ytd`,
    which periods' year to date it is in (YTD_LEVEL: every period ending at or after it)."""
    months = np.arange(1, 13)
    size = MONTHS[freq]
    own = pd.DataFrame({"month": months, "sub": (months - 1) // size + 1, "measure": "LEVEL"})
    if not ytd:
        return own
    subs = np.arange(1, PER_YEAR[freq] + 1)
    grid_m, grid_s = np.meshgrid(months, subs, indexing="ij")
    m, s = grid_m.ravel(), grid_s.ravel()
    keep = s * size >= m
    later = pd.DataFrame({"month": m[keep], "sub": s[keep], "measure": "YTD_LEVEL"})
    return pd.concat([own, later], ignore_index=True)


def label_atoms(
    atoms: pd.DataFrame,
    tables: Sequence[PublishedTable],
    periods: Sequence[Period],
    mappings: Mappings,
) -> pd.DataFrame:
    """One row per (label, atom): every label the tables publish for `periods` with an atom
    in it (a label with none is an empty cell: nothing to protect)."""
    parts = []
    members: dict[str, pd.DataFrame] = {}
    wanted = pd.DataFrame(
        [(p.freq, p.year, p.sub) for p in periods], columns=["freq", "year", "sub"]
    )
    atom_time = pd.DataFrame(
        {
            "atom": np.arange(len(atoms)),
            "flow": atoms["flow"].to_numpy(),
            "year": atoms["year"].to_numpy(dtype=np.int64),
            "month": atoms["month"].to_numpy(dtype=np.int64),
        }
    )
    for table in tables:
        if table.cut not in members:
            members[table.cut] = atom_members(atoms, table.cut, mappings)
        by_member = members[table.cut]
        for freq in table.freqs:
            grid = _time_grid(freq, table.ytd)
            in_cube = wanted[wanted["freq"] == freq][["year", "sub"]]
            timed = atom_time.merge(grid, on="month").merge(in_cube, on=["year", "sub"])
            if timed.empty:
                continue
            pairs = timed.merge(by_member, on="atom")
            names = pd.unique(pairs["member"])
            shown = {m: table.publishes(freq, str(m)) for m in names}
            pairs = pairs[pairs["member"].map(shown).astype(bool)]
            parts.append(
                pd.DataFrame(
                    {
                        "flow": pairs["flow"].to_numpy(),
                        "freq": freq,
                        "year": pairs["year"].to_numpy(),
                        "sub": pairs["sub"].to_numpy(),
                        "cut": table.cut,
                        "member": pairs["member"].to_numpy(),
                        "measure": pairs["measure"].to_numpy(),
                        "atom": pairs["atom"].to_numpy(),
                    }
                )
            )
    columns = ["flow", "freq", "year", "sub", "cut", "member", "measure", "atom"]
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)
    # the period label from (freq, year, sub): few distinct periods, labelled once each
    keys = out[["freq", "year", "sub"]].drop_duplicates()
    keys["period"] = [label(f, int(y), int(s)) for f, y, s in keys.itertuples(index=False)]
    out = out.merge(keys, on=["freq", "year", "sub"])
    return pd.DataFrame(out[[*LABEL_KEY, "atom"]])


# -- deduplication --------------------------------------------------------------------------
def _row_hashes(m: sparse.csr_matrix, seed: int) -> npt.NDArray[np.uint64]:
    """Two 64-bit hashes per row (sums of random words, modulo 2**64) with the row's count in
    a third column: rows with the same atoms have the same triple. Equal triples are then
    checked exactly (`_classes`), so a collision could never merge different rows."""
    rng = np.random.default_rng(seed)
    n_rows, n_cols = m.shape
    out = np.zeros((n_rows, 3), dtype=np.uint64)
    counts = np.diff(m.indptr)
    rows = np.repeat(np.arange(n_rows), counts)
    for k in range(2):
        words = rng.integers(0, 2**63, size=n_cols, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        np.add.at(out[:, k], rows, words[m.indices])
    out[:, 2] = counts.astype(np.uint64)
    return out


def _classes(m: sparse.csr_matrix, seed: int) -> npt.NDArray[np.int64]:
    """The class of each row (rows with identical 0/1 patterns share one), numbered in order
    of first appearance."""
    if m.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    hashes = _row_hashes(m, seed)
    codes, _ = pd.factorize(pd.MultiIndex.from_arrays([hashes[:, 0], hashes[:, 1], hashes[:, 2]]))
    classes = np.asarray(codes, dtype=np.int64)
    first = np.zeros(int(classes.max()) + 1, dtype=np.int64)
    first[classes[::-1]] = np.arange(m.shape[0])[::-1]
    difference = m - m[first[classes]]
    if sparse.csr_matrix(difference).count_nonzero():
        raise AssertionError("cube: two different rows of atoms hashed alike (report this)")
    return classes


def _indicator(
    rows: npt.ArrayLike, cols: npt.ArrayLike, shape: tuple[int, int]
) -> sparse.csr_matrix:
    r = np.asarray(rows, dtype=np.int64)
    m = sparse.csr_matrix((np.ones(len(r), dtype=np.int64), (r, np.asarray(cols))), shape=shape)
    m.sum_duplicates()
    m.data[:] = 1
    m.sort_indices()
    return m


# -- the cube -------------------------------------------------------------------------------
def build_cube(
    sources: Sources,
    tables: Sequence[PublishedTable],
    periods: Sequence[Period],
    *,
    groups: Mapping[str, str] | None = None,
) -> Cube:
    """The cube of every label `tables` publish for `periods` (both flows, LEVEL and, where a
    table has year to date, YTD_LEVEL), from the declarations `sources` reads. `groups` maps a
    firm to its enterprise group (a firm absent from it is its own group)."""
    wanted = as_periods(periods)
    firms = firm_atoms(sources, sorted({p.year for p in wanted}))
    mappings = sources.mappings or installed_mappings()
    return cube_from_firm_atoms(firms, tables, wanted, mappings, sources.minor_units, groups)


def cube_from_firm_atoms(
    firms: pd.DataFrame,
    tables: Sequence[PublishedTable],
    periods: Sequence[Period],
    mappings: Mappings,
    minor_units: int,
    groups: Mapping[str, str] | None = None,
) -> Cube:
    """`build_cube` once the firms' sums per atom (`firm_atoms`' columns) are read."""
    scale = 10**minor_units
    firms = firms.copy()
    if groups:
        firms["group"] = firms["firm_id"].map(dict(groups)).fillna(firms["firm_id"])
    else:
        firms["group"] = firms["firm_id"]
    key = list(ATOM_KEY)
    atom_of = firms.groupby(key, sort=True, dropna=False).ngroup().to_numpy()
    firms["atom"] = atom_of
    atoms = (
        firms.groupby("atom", sort=True)
        .agg(**{k: (k, "first") for k in key}, value_minor=("value_minor", "sum"))
        .reset_index(drop=True)
    )
    pairs = label_atoms(atoms, tables, periods, mappings)
    labels = pairs[list(LABEL_KEY)].drop_duplicates().sort_values(list(LABEL_KEY))
    labels = labels.reset_index(drop=True)
    label_id = pairs.merge(labels.reset_index(names="label"), on=list(LABEL_KEY))
    by_label = _indicator(label_id["label"], label_id["atom"], (len(labels), len(atoms)))

    # one cell per distinct atom set
    cell_of_label = _classes(by_label, seed=1)
    n_cells = int(cell_of_label.max()) + 1 if len(cell_of_label) else 0
    first_label = np.zeros(n_cells, dtype=np.int64)
    first_label[cell_of_label[::-1]] = np.arange(len(labels))[::-1]
    cells_by_atom = by_label[first_label]

    # one atom per distinct column of the cells (atoms in no cell are dropped)
    used = np.flatnonzero(np.diff(cells_by_atom.tocsc().indptr) > 0)
    columns = sparse.csr_matrix(cells_by_atom.T.tocsr()[used])
    atom_class = _classes(columns, seed=2)
    n_atoms = int(atom_class.max()) + 1 if len(atom_class) else 0
    merge = sparse.csr_matrix(
        (np.ones(len(used), dtype=np.int64), (used, atom_class)), shape=(len(atoms), n_atoms)
    )
    rows, cols = (cells_by_atom @ merge).nonzero()
    membership = _indicator(rows, cols, (n_cells, n_atoms))
    atom_minor = np.asarray(merge.T @ atoms["value_minor"].to_numpy(dtype=np.int64))

    group_codes, group_names = pd.factorize(firms["group"], sort=True)
    old_atom = firms["atom"].to_numpy()
    new_atom = np.full(len(atoms), -1, dtype=np.int64)
    new_atom[used] = atom_class
    keep = new_atom[old_atom] >= 0
    summed = sparse.coo_matrix(
        (
            firms["value_minor"].to_numpy(dtype=np.int64)[keep],
            (new_atom[old_atom][keep], np.asarray(group_codes)[keep]),
        ),
        shape=(n_atoms, len(group_names)),
    ).tocsr()  # duplicates (a group's firms, merged atoms) summed exactly; zeros stay explicit
    contributions = sparse.csr_matrix(
        (summed.data.astype(np.float64) / scale, summed.indices, summed.indptr),
        shape=summed.shape,
    )
    contributions.sort_indices()

    cell_minor = membership @ atom_minor
    cells = pd.DataFrame(
        {
            "flow": labels["flow"].to_numpy()[first_label],
            "value": cell_minor.astype(np.float64) / scale,
        }
    )
    labels["cell"] = cell_of_label
    return Cube(
        cells=cells,
        labels=labels,
        membership=membership,
        atom_values=atom_minor.astype(np.float64) / scale,
        contributions=contributions,
        groups=tuple(str(g) for g in group_names),
    )
