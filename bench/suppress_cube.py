"""Time the secondary suppression on a synthetic cube shaped like DISCLOSURE.md 3.5's.

segment 18 nodes (total, 5 segments, 12 sub-segments) x partner 29 (world, 6 regions, 22
countries) x time 19 (year, 2 halves, 4 quarters, 12 months) = 9,918 cells over 3,168 atoms;
1,200 enterprise groups with lognormal sizes, each in one or two sub-segments and a few
countries, every month. Primaries: threshold n = 3 and the p%-rule (p = 10).

    PYTHONPATH=src .venv/bin/python bench/suppress_cube.py [--groups 1200] [--seed 1]
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
import pandas as pd
from scipy import sparse

from digex.disclosure.problem import FREE, LABEL_KEY, Cube, Sensitivity
from digex.disclosure.suppress import suppress

SEGMENTS = [[0, 1, 2], [3, 4], [5, 6, 7], [8, 9], [10, 11]]  # 5 segments over 12 leaves
REGIONS = [[0, 1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11], [12, 13, 14, 15], [16, 17, 18], [19, 20, 21]]
TIME = [list(range(12))] + [list(range(6 * h, 6 * h + 6)) for h in range(2)]
TIME += [list(range(3 * q, 3 * q + 3)) for q in range(4)] + [[m] for m in range(12)]


def nodes(groups: list[list[int]], leaves: int) -> list[list[int]]:
    return [list(range(leaves)), *groups, *[[i] for i in range(leaves)]]


def build(n_groups: int, seed: int) -> Cube:
    rng = np.random.default_rng(seed)
    seg, par, tim = nodes(SEGMENTS, 12), nodes(REGIONS, 22), TIME
    shape = (12, 22, 12)
    index = np.arange(int(np.prod(shape))).reshape(shape)
    rows, cols = [], []
    for i, (s, p, t) in enumerate(itertools.product(seg, par, tim)):
        atoms = index[np.ix_(s, p, t)].ravel()
        rows += [i] * atoms.size
        cols += atoms.tolist()
    membership = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(seg) * len(par) * len(tim), index.size)
    )
    popularity = rng.dirichlet(np.full(22, 0.6))
    entries = []
    for g in range(n_groups):
        size = rng.lognormal(10, 1.5)
        for s in rng.choice(12, size=rng.integers(1, 3), replace=False):
            countries = rng.choice(22, size=rng.integers(1, 5), replace=False, p=popularity)
            for c in countries:
                for m in range(12):
                    if rng.random() < 0.8:
                        entries.append((index[s, c, m], g, size * rng.lognormal(0, 0.3)))
    a, g, x = (np.array(v) for v in zip(*entries, strict=True))
    contributions = sparse.csr_matrix((x, (a, g)), shape=(index.size, n_groups))
    atom_values = np.asarray(contributions.sum(axis=1)).ravel()
    labels = pd.DataFrame({k: "X" for k in LABEL_KEY}, index=range(membership.shape[0]))
    labels["cell"] = range(membership.shape[0])
    return Cube(
        cells=pd.DataFrame({"flow": "X", "value": membership @ atom_values}),
        labels=labels,
        membership=membership,
        atom_values=atom_values,
        contributions=contributions,
        groups=tuple(f"g{i}" for i in range(n_groups)),
    )


def p_rule(cube: Cube, p: float = 10.0, n: int = 3) -> Sensitivity:
    by_cell = sparse.csr_matrix(cube.cell_contributions())
    code, upl = [], []
    for i in range(cube.n_cells):
        x = np.sort(np.abs(by_cell.data[by_cell.indptr[i] : by_cell.indptr[i + 1]]))[::-1]
        level = p / 100 * x[0] - x[2:].sum() if x.size else 0.0
        code.append("A" if 0 < x.size < n else ("M" if level > 0 else FREE))
        upl.append(max(level, 0.0) if code[-1] != FREE else 0.0)
    up = np.array(upl)
    return Sensitivity(
        code=np.array(code, dtype=object),
        rule=np.array(["" if c == FREE else "p%" for c in code], dtype=object),
        upl=up,
        lpl=np.minimum(up, cube.values()),
        contributors=np.asarray(by_cell.getnnz(axis=1), dtype=np.int64),
        x1=np.zeros(cube.n_cells),
        x2=np.zeros(cube.n_cells),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-insiders", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    cube = build(args.groups, args.seed)
    sens = p_rule(cube)
    print(f"cube: {cube.n_cells} cells, {cube.n_atoms} atoms, {time.perf_counter() - start:.1f} s")
    threshold = int((sens.code == "A").sum())
    print(f"primaries: {int(sens.primary.sum())}, of which threshold {threshold}")
    start = time.perf_counter()
    pattern = suppress(cube, sens, insiders=not args.no_insiders)
    seconds = time.perf_counter() - start
    hidden = pattern.suppressed
    share = cube.values()[hidden].sum() / cube.values().sum()
    print(
        f"suppress: {seconds:.1f} s; suppressed {int(hidden.sum())} cells "
        f"({hidden.mean():.1%}), secondaries {int((pattern.code == 'D').sum())}, "
        f"value share {share:.1%}"
    )
    for note in pattern.notes:
        print("note:", note)


if __name__ == "__main__":
    main()
