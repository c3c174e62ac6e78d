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

from digex.disclosure.problem import FREE, LABEL_KEY, MEASURES, SECONDARY, Cube, Pattern
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
FREQ_ORDER: Final = ("A", "H", "M", "Q")
"""Frequencies in the order their codes sort (labels are sorted as text)."""


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


def _expand(counts: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For rows repeated `counts` times: each copy's row and its rank among the row's copies."""
    rows = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return rows, np.arange(len(rows)) - first[rows]


def _times(
    month: npt.NDArray[np.int64], freq: str, ytd: bool
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(atom, sub, measure) of every period of `freq` an atom's month is in: its own (LEVEL,
    measure 0) and, with `ytd`, every period ending at or after it in its year (YTD_LEVEL,
    measure 1: January to the period's end)."""
    sub = (month - 1) // MONTHS[freq] + 1
    atom = np.arange(len(month))
    if not ytd:
        return atom, sub, np.zeros(len(month), dtype=np.int64)
    rows, rank = _expand(PER_YEAR[freq] - sub + 1)
    return (
        np.concatenate([atom, rows]),
        np.concatenate([sub, sub[rows] + rank]),
        np.concatenate([np.zeros(len(month), dtype=np.int64), np.ones(len(rows), dtype=np.int64)]),
    )


def label_atoms(
    atoms: pd.DataFrame,
    tables: Sequence[PublishedTable],
    periods: Sequence[Period],
    mappings: Mappings,
) -> tuple[pd.DataFrame, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every label the tables publish for `periods` with an atom in it (a label with none is
    an empty cell: nothing to protect), sorted by LABEL_KEY, and the (label, atom) pairs.

    Arrays throughout (a label is a mixed-radix integer until the end): on a shared machine
    the frame merges per table and frequency cost seconds for a handful of atoms."""
    measures = np.array(MEASURES, dtype=object)
    flows, flow_code = _codes(atoms["flow"])
    year = atoms["year"].to_numpy(dtype=np.int64)
    month = atoms["month"].to_numpy(dtype=np.int64)
    first = int(year.min()) if len(year) else 0
    span = int(year.max()) - first + 1 if len(year) else 1
    wanted = {f: np.zeros((span, PER_YEAR[f] + 1), dtype=bool) for f in PER_YEAR}
    for p in periods:
        if 0 <= p.year - first < span:
            wanted[p.freq][p.year - first, p.sub] = True
    cuts = list(dict.fromkeys(t.cut for t in tables))
    vocabulary: list[npt.NDArray[np.object_]] = []
    members: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int]] = {}
    for cut in cuts:
        pairs = atom_members(atoms, cut, mappings).sort_values("atom", kind="stable")
        names, local = _codes(pairs["member"])
        offset = sum(len(v) for v in vocabulary)
        vocabulary.append(names)
        members[cut] = (pairs["atom"].to_numpy(dtype=np.int64), local, offset)
    every_member = np.concatenate(vocabulary) if vocabulary else np.array([], dtype=object)

    chunks: list[npt.NDArray[np.int64]] = []
    for table in tables:
        pair_atom, local, offset = members[table.cut]
        counts = np.bincount(pair_atom, minlength=len(atoms)).astype(np.int64)
        starts = np.cumsum(counts) - counts
        names = vocabulary[cuts.index(table.cut)]
        for freq in table.freqs:
            atom, sub, measure = _times(month, freq, table.ytd)
            inside = wanted[freq][year[atom] - first, sub]
            atom, sub, measure = atom[inside], sub[inside], measure[inside]
            copy, rank = _expand(counts[atom])
            member = local[starts[atom[copy]] + rank]
            shown = np.array([table.publishes(freq, str(m)) for m in names], dtype=bool)
            keep = shown[member] if len(names) else np.zeros(len(member), dtype=bool)
            keep &= np.isin(flows, table.flows)[flow_code[atom[copy]]]
            a = atom[copy][keep]
            chunks.append(
                np.stack(
                    [
                        flow_code[a],
                        np.full(len(a), FREQ_ORDER.index(freq)),
                        year[a] - first,
                        sub[copy][keep],
                        np.full(len(a), cuts.index(table.cut)),
                        member[keep] + offset,
                        measure[copy][keep],
                        a,
                    ]
                )
            )
    if not chunks or not sum(c.shape[1] for c in chunks):
        empty = pd.DataFrame({k: pd.Series(dtype=object) for k in LABEL_KEY})
        return empty, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    stacked = np.concatenate(chunks, axis=1)
    radix = [len(flows), len(FREQ_ORDER), span, 13, len(cuts), len(every_member), 2]
    key = np.zeros(stacked.shape[1], dtype=np.int64)
    for column, size in enumerate(radix):
        key = key * size + stacked[column]
    unique, label_of_pair = np.unique(key, return_inverse=True)
    digits = []
    rest = unique.copy()
    for size in reversed(radix):
        digits.append(rest % size)
        rest //= size
    flow_i, freq_i, year_i, sub_i, cut_i, member_i, measure_i = reversed(digits)
    period = [
        label(FREQ_ORDER[f], first + int(y), int(s))
        for f, y, s in zip(freq_i, year_i, sub_i, strict=True)
    ]
    labels = pd.DataFrame(
        {
            "flow": flows[flow_i],
            "freq": np.array(FREQ_ORDER, dtype=object)[freq_i],
            "period": period,
            "cut": np.array(cuts, dtype=object)[cut_i],
            "member": every_member[member_i],
            "measure": measures[measure_i],
        }
    )
    order = labels.sort_values(list(LABEL_KEY), kind="stable").index.to_numpy()
    rank_of = np.empty(len(order), dtype=np.int64)
    rank_of[order] = np.arange(len(order))
    labels = labels.iloc[order].reset_index(drop=True)
    linked = np.unique(rank_of[label_of_pair] * len(atoms) + stacked[7])
    return labels, linked // len(atoms), linked % len(atoms)


def _codes(values: pd.Series) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.int64]]:
    codes, uniques = pd.factorize(values, sort=True)
    return np.asarray(uniques, dtype=object), np.asarray(codes, dtype=np.int64)


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
def carried_labels(earlier: pd.DataFrame | None, periods: Sequence[Period]) -> pd.DataFrame:
    """The labels (LABEL_KEY) of `earlier` that a cube of `periods` must carry besides its own:
    those of its years in other periods.

    A cell an earlier release published is a constant the attacker holds, and one it suppressed
    is an unknown it must not learn, whether or not the new release carries its period: an
    annual release's 2024 beside a new release's 2024-H1 gives 2024-H2. Periods never straddle
    a year and atoms are months, so cells of other years share no atom with the cube and add no
    relation; within a year every earlier cell is linked to the others (through the year's
    cells at least), so all of them are carried."""
    key = list(LABEL_KEY)
    if earlier is None or earlier.empty:
        return pd.DataFrame({k: pd.Series(dtype=object) for k in key})
    years = {p.year for p in periods}
    own = {(p.freq, p.label) for p in periods}
    frame = earlier[key].astype(str).drop_duplicates()
    pairs = frame[["freq", "period"]].drop_duplicates()
    wanted = {
        (freq, period)
        for freq, period in pairs.itertuples(index=False)
        if (freq, period) not in own and parse_period(period).year in years
    }
    inside = pd.MultiIndex.from_frame(frame[["freq", "period"]]).isin(list(wanted))
    return frame.loc[inside].reset_index(drop=True)


def build_cube(
    sources: Sources,
    tables: Sequence[PublishedTable],
    periods: Sequence[Period],
    *,
    groups: Mapping[str, str] | None = None,
    carried: pd.DataFrame | None = None,
) -> Cube:
    """The cube of every label `tables` publish for `periods` (both flows, LEVEL and, where a
    table has year to date, YTD_LEVEL), from the declarations `sources` reads. `groups` maps a
    firm to its enterprise group (a firm absent from it is its own group).

    `carried` (LABEL_KEY rows, `carried_labels`) adds the labels of other periods that earlier
    releases carried, and only those: a cell of such a period that no release showed is no
    equation of the attacker's (nothing is known of it), and the cube has no cell that is
    neither published nor suppressed, so it is left out, and its atoms merge as if it did not
    exist. A label of `periods` is always in."""
    wanted = as_periods(periods)
    others = _periods_of(carried, wanted)
    firms = firm_atoms(sources, sorted({p.year for p in [*wanted, *others]}))
    mappings = sources.mappings or installed_mappings()
    return cube_from_firm_atoms(
        firms, tables, wanted, mappings, sources.minor_units, groups, carried=carried
    )


def _periods_of(carried: pd.DataFrame | None, wanted: Sequence[Period]) -> list[Period]:
    """The periods of the `carried` labels that are not `wanted`."""
    if carried is None or carried.empty:
        return []
    found = {parse_period(str(p)) for p in carried["period"].drop_duplicates()}
    return sorted(found - set(wanted))


def _only_carried(
    labels: pd.DataFrame,
    pair_label: npt.NDArray[np.int64],
    pair_atom: npt.NDArray[np.int64],
    wanted: Sequence[Period],
    carried: pd.DataFrame,
) -> tuple[pd.DataFrame, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """`label_atoms`' result without the labels of other periods than `wanted` that are not
    `carried` (their pairs dropped, the rest renumbered, the order kept)."""
    key = list(LABEL_KEY)
    own = pd.MultiIndex.from_frame(labels[["freq", "period"]]).isin(
        [(p.freq, p.label) for p in wanted]
    )
    named = pd.MultiIndex.from_frame(labels[key]).isin(
        pd.MultiIndex.from_frame(carried[key].astype(str))
    )
    kept = np.asarray(own | named, dtype=bool)
    number = np.cumsum(kept) - 1
    pairs = kept[pair_label]
    return (
        labels.loc[kept].reset_index(drop=True),
        number[pair_label[pairs]].astype(np.int64),
        pair_atom[pairs],
    )


def cube_from_firm_atoms(
    firms: pd.DataFrame,
    tables: Sequence[PublishedTable],
    periods: Sequence[Period],
    mappings: Mappings,
    minor_units: int,
    groups: Mapping[str, str] | None = None,
    *,
    carried: pd.DataFrame | None = None,
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
    others = _periods_of(carried, periods)
    labels, pair_label, pair_atom = label_atoms(atoms, tables, [*periods, *others], mappings)
    if carried is not None and others:
        labels, pair_label, pair_atom = _only_carried(
            labels, pair_label, pair_atom, periods, carried
        )
    by_label = _indicator(pair_label, pair_atom, (len(labels), len(atoms)))

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


# -- a stored pattern on a rebuilt cube -----------------------------------------------------
def pattern_from_cells(cube: Cube, cells: pd.DataFrame) -> Pattern:
    """The pattern a release stored (one row per label: LABEL_KEY, conf_status, upl, lpl) on
    `cube`, rebuilt from the same declarations, so that the gate can be run on it again.

    A cell is suppressed when any of its labels was (with that label's code) and takes the
    largest protection levels stored for it. Failing closed, a cell of the cube no stored label
    names is taken as suppressed (SECONDARY: it must then not be exactly computable), and the
    pattern's notes say how many cells and stored labels did not match: a cube that differs
    from the one the pattern was made on should make the gate's verdict suspect, not silent.
    """
    key = list(LABEL_KEY)
    stored = cells[[*key, "conf_status", "upl", "lpl"]]
    found = stored.merge(cube.labels[[*key, "cell"]], on=key, how="inner")
    found = found.assign(
        hidden=(found["conf_status"].astype(str) != FREE).to_numpy(),
        conf_status=found["conf_status"].astype(str),
    )
    # the suppressed labels first, so that a cell's first row carries a suppressed code
    found = found.sort_values(["cell", "hidden"], ascending=[True, False], kind="stable")
    per_cell = found.groupby("cell", sort=True).agg(
        conf_status=("conf_status", "first"), upl=("upl", "max"), lpl=("lpl", "max")
    )
    n = cube.n_cells
    code = np.full(n, SECONDARY, dtype=object)
    upl = np.zeros(n, dtype=np.float64)
    lpl = np.zeros(n, dtype=np.float64)
    where = per_cell.index.to_numpy(dtype=np.int64)
    code[where] = per_cell["conf_status"].to_numpy(dtype=object)
    upl[where] = per_cell["upl"].fillna(0.0).to_numpy(dtype=np.float64)
    lpl[where] = per_cell["lpl"].fillna(0.0).to_numpy(dtype=np.float64)
    notes = []
    unnamed = n - len(where)
    if unnamed:
        notes.append(f"{unnamed} cell(s) of the cube have no stored status: taken as suppressed")
    stray = len(stored) - len(found)
    if stray:
        notes.append(f"{stray} stored label(s) are not cells of the rebuilt cube")
    return Pattern(code=code, upl=upl, lpl=lpl, notes=tuple(notes))
