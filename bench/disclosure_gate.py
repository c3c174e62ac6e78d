"""The release gate's time on a synthetic cube the size of DISCLOSURE.md 3.5 (not a test).

    PYTHONPATH=src .venv/bin/python bench/disclosure_gate.py              # seed 1
    PYTHONPATH=src .venv/bin/python bench/disclosure_gate.py --insiders   # adds the insider pass
    PYTHONPATH=src .venv/bin/python bench/disclosure_gate.py --only-insiders

The cube: segment 18 nodes (total, 5 segments, 12 leaves) x partner 29 (world, 6 regions, 22
countries) x time 19 (year, 2 halves, 4 quarters, 12 months) = 9,918 cells over 3,168 atoms
(leaf segment x country x month), one flow; 1,200 enterprise groups of lognormal size, each
active in one or two leaf segments, one to three countries (popular ones more often) and about
half the months. Primaries: the p%-rule (p = 10) and N < 3 (seed 1: 1,415 primaries, 955 of
them with N < 3, against DISCLOSURE.md's 1,522 and 946). Secondaries: the closure "no relation
with a single suppression" (the cheapest non-empty other member of such a relation is
suppressed, until none is left), as in DISCLOSURE.md 3.5 (seed 1: 3,547 suppressed, against
3,395); the pattern is not meant to pass, only to be audited.

Timed: the outsider pass with certificates (the gate's default), then with `exact_bounds` (both
LPs of every suppressed cell: the set-up DISCLOSURE.md timed at 3.6 ms/LP); with --insiders,
the default gate with its insider pass. Prints one JSON line per run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time

import numpy as np
import pandas as pd
from scipy import sparse

from digex.disclosure.audit import audit
from digex.disclosure.problem import FREE, SECONDARY, Cube, Pattern

SEGMENT_LEAVES = (3, 3, 2, 2, 2)  # 12 leaves under 5 segments
REGION_COUNTRIES = (4, 4, 4, 4, 3, 3)  # 22 countries under 6 regions


Relations = list[tuple[int, list[int]]]


def _tree(children: tuple[int, ...]) -> tuple[sparse.csr_matrix, Relations]:
    """(nodes x leaves) 0/1 for total -> middle nodes -> leaves, and (parent, children)."""
    leaves = sum(children)
    bounds = np.cumsum((0, *children))
    leaf = np.arange(leaves)
    rows = [np.ones(leaves)]
    rows += [((leaf >= a) & (leaf < b)).astype(float) for a, b in itertools.pairwise(bounds)]
    rows += list(np.eye(leaves))
    mids = len(children)
    relations: Relations = [(0, list(range(1, 1 + mids)))]
    relations += [
        (1 + i, [1 + mids + k for k in range(a, b)])
        for i, (a, b) in enumerate(itertools.pairwise(bounds))
    ]
    return sparse.csr_matrix(np.array(rows)), relations


def _time() -> tuple[sparse.csr_matrix, Relations]:
    """Year, 2 halves, 4 quarters, 12 months."""
    rows = [np.ones(12)]
    rows += list(np.repeat(np.eye(2), 6, axis=1))
    rows += list(np.repeat(np.eye(4), 3, axis=1))
    rows += list(np.eye(12))
    relations: Relations = [(0, [1, 2]), (1, [3, 4]), (2, [5, 6])]
    relations += [(3 + q, [7 + 3 * q + m for m in range(3)]) for q in range(4)]
    return sparse.csr_matrix(np.array(rows)), relations


def build(seed: int, groups: int = 1200) -> tuple[Cube, list[list[int]]]:
    """The cube and its additivity relations (as lists of cells) for the closure."""
    rng = np.random.default_rng(seed)
    dims = [_tree(SEGMENT_LEAVES), _tree(REGION_COUNTRIES), _time()]
    seg, par, tim = (d[0] for d in dims)
    membership = sparse.csr_matrix(sparse.kron(sparse.kron(seg, par), tim))
    shape = tuple(d[0].shape[0] for d in dims)
    n_seg, n_par, n_month = seg.shape[1], par.shape[1], tim.shape[1]

    size = rng.lognormal(mean=12.0, sigma=1.6, size=groups)
    popularity = rng.dirichlet(np.full(n_par, 0.6))
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for g in range(groups):
        segs = rng.choice(n_seg, size=rng.integers(1, 3), replace=False)
        countries = rng.choice(n_par, size=rng.integers(1, 4), replace=False, p=popularity)
        months = np.flatnonzero(rng.random(n_month) < 0.45)
        for s in segs:
            for c in countries:
                rows += list((s * n_par + c) * n_month + months)
                cols += [g] * months.size
                vals += list(size[g] * rng.lognormal(0.0, 0.3, size=months.size) / 12)
    n_atoms = n_seg * n_par * n_month
    contributions = sparse.csr_matrix((vals, (rows, cols)), shape=(n_atoms, groups))
    contributions.sum_duplicates()
    atom_values = np.asarray(contributions.sum(axis=1)).ravel()
    values = membership @ atom_values
    cells = pd.DataFrame({"flow": "X", "value": values})
    labels = pd.DataFrame({"cell": np.arange(values.size)})
    names = tuple(f"g{g}" for g in range(groups))
    cube = Cube(cells, labels, membership, atom_values, contributions, names)

    index = np.arange(membership.shape[0]).reshape(shape)
    relations: list[list[int]] = []
    for axis, (_, rels) in enumerate(dims):
        moved = np.moveaxis(index, axis, 0)
        for parent, children in rels:
            members = moved[[parent, *children]].reshape(len(children) + 1, -1)
            relations += [list(map(int, col)) for col in members.T]
    return cube, relations


def primaries(cube: Cube, p: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """(unsafe, upl) by the p%-rule and N < 3 on the groups' sums per cell."""
    by_cell = sparse.coo_matrix(cube.cell_contributions())
    frame = pd.DataFrame({"cell": by_cell.row, "x": by_cell.data})
    frame = frame.sort_values(["cell", "x"], ascending=[True, False])
    frame["rank"] = frame.groupby("cell").cumcount()
    n = frame.groupby("cell").size().reindex(range(cube.n_cells), fill_value=0).to_numpy()
    top = frame[frame["rank"] < 2].pivot_table(index="cell", columns="rank", values="x")
    top = top.reindex(range(cube.n_cells)).fillna(0.0)
    x1, x2 = top[0].to_numpy(), top.get(1, pd.Series(0.0, index=top.index)).to_numpy()
    total = cube.values()
    rest = total - x1 - x2
    upl = p / 100 * x1 - rest
    unsafe = ((n > 0) & (n < 3)) | (upl > 0)
    return unsafe, np.where(unsafe, np.maximum(upl, 0.0), 0.0)


def closure(cube: Cube, unsafe: np.ndarray, relations: list[list[int]]) -> np.ndarray:
    suppressed = unsafe.copy()
    values = cube.values()
    changed = True
    while changed:
        changed = False
        for rel in relations:
            hidden = [c for c in rel if suppressed[c]]
            if len(hidden) == 1:
                shown = [c for c in rel if not suppressed[c]]
                # The cheapest non-empty member: an empty cell would be a free but useless
                # complement (its atoms, all published zeros, pin it to 0).
                suppressed[min(shown, key=lambda c: (values[c] <= 0, values[c]))] = True
                changed = True
    return suppressed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--insiders", action="store_true")
    parser.add_argument("--only-insiders", action="store_true", help="skip the outsider runs")
    args = parser.parse_args()
    start = time.perf_counter()
    cube, relations = build(args.seed)
    unsafe, upl = primaries(cube)
    suppressed = closure(cube, unsafe, relations)
    code = np.where(unsafe, "M", np.where(suppressed, SECONDARY, FREE)).astype(object)
    pattern = Pattern(code=code, upl=upl, lpl=np.minimum(upl, cube.values()))
    setup = time.perf_counter() - start
    base = {
        "cells": cube.n_cells,
        "atoms": cube.n_atoms,
        "relations": len(relations),
        "primaries": int(unsafe.sum()),
        "suppressed": int(suppressed.sum()),
        "setup_s": round(setup, 2),
    }
    print(json.dumps(base), flush=True)
    runs: list[tuple[str, dict[str, bool]]] = []
    if not args.only_insiders:
        runs.append(("certificates", {"insiders": False}))
        runs.append(("exact_bounds", {"insiders": False, "exact_bounds": True}))
    if args.insiders or args.only_insiders:
        runs.append(("with_insiders", {"insiders": True}))
    for name, kwargs in runs:
        report = audit(cube, pattern, **kwargs)
        out = {
            "run": name,
            "lps": report.lps,
            "seconds": round(report.seconds, 2),
            "ms_per_lp": round(1000 * report.seconds / max(report.lps, 1), 2),
            "failed": report.summary()["failed"],
            "insiders": report.insiders,
        }
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
