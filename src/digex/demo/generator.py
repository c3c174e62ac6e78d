"""Deterministic, calibrated synthetic declarations for demos, tests and benchmarks.

The export (X) value of each month and segment is fixed first (`calibration`), so the published
reference figures come out exactly whatever the number of rows; rows only decide how finely that
value is split between firms, partners and currencies. Each month is drawn and written on its
own, so memory follows the largest month rather than the whole dataset.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from digex.demo import faults as fault_mod
from digex.demo.calibration import (
    ANNUAL,
    JOBS,
    MONTHS,
    NATIONAL_CURRENCY,
    RATE_CURRENCIES,
    SEGMENTS,
    monthly_rates,
    monthly_targets,
)
from digex.demo.population import (
    CURRENCIES,
    KPO,
    PARTNERS,
    Units,
    make_units,
    partner_probabilities,
)
from digex.demo.sampling import Keys, MonthSampler
from digex.demo.writers import (
    COLUMNS,
    SYNTHETIC_NOTICE,
    SingleFileWriter,
    format_of,
    write_month,
)

# A few valid rows give the EBOPS 2010 category instead of the segment, as some declarants do.
_EBOPS_ALIASES: dict[str, tuple[str, float]] = {
    "ITO": ("SI2", 0.005),
    "CRM": ("SJ35", 0.004),
    "ESO": ("SJ31", 0.01),
}
_SEGMENT_LABELS = (*SEGMENTS, *(code for code, _ in _EBOPS_ALIASES.values()))


@dataclass(frozen=True)
class DemoFiles:
    """Where the generated demo dataset is, file by file."""

    folder: Path
    declarations: tuple[Path, ...]  # the declaration files, in period order
    rates: Path  # exchange-rate file: period,currency,rate
    jobs: Path  # auxiliary employment: year,segment,jobs (CSV)
    faults: Path  # faults.csv: file,declaration_id,expected_reason,row
    rows_written: int  # data rows across declaration files (valid + faulty)
    parquet: Path | None = None  # layout="single": the same rows as one all-text Parquet file
    series: Path | None = None  # the older three-segment series: series,year,value (CSV)


def _values(
    keys: Keys, units: Units, targets: NDArray[np.float64], rng: np.random.Generator
) -> NDArray[np.float64]:
    """MAD value of each row: the month's segment targets shared between the declaring units by
    size, then between each unit's rows at random. Exports add up to the targets exactly."""
    n_units = len(units.size)
    x = keys.flow == 0
    ux = keys.unit[x]
    present = np.bincount(ux, minlength=n_units) > 0
    weight = np.where(present, units.size * np.exp(rng.normal(0.0, 0.15, n_units)), 0.0)
    seg_weight = np.bincount(units.segment, weights=weight, minlength=len(SEGMENTS))
    seg_weight[seg_weight == 0] = 1.0
    unit_target = targets[units.segment] * weight / seg_weight[units.segment]
    # Contracts with the main markets are larger, so France leads by value even more than by
    # number of declarations.
    market = np.sqrt(partner_probabilities() * len(PARTNERS))
    row_w = np.exp(rng.normal(0.0, 1.0, len(ux))) * market[keys.partner[x]]
    count = np.bincount(ux, minlength=n_units)
    w_sum = np.bincount(ux, weights=row_w, minlength=n_units)
    # A small floor keeps every converted amount well above zero.
    floor = np.minimum(50.0, unit_target / np.maximum(2 * count, 1))
    mad = np.empty(len(keys.unit))
    mad[x] = floor[ux] + (unit_target[ux] - count[ux] * floor[ux]) * row_w / w_sum[ux]
    typical = float(np.median(mad[x])) if x.any() else 10_000.0
    n_m = int((~x).sum())
    mad[~x] = np.maximum(100.0, 0.4 * typical * np.exp(rng.normal(0.0, 1.0, n_m)))
    return mad


def _amount_text(cents: NDArray[np.int64]) -> pa.Array:
    whole = pc.cast(pa.array(cents // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(cents % 100), pa.string()), 2, "0")
    return pc.binary_join_element_wise(whole, frac, ".")


def _month_table(
    keys: Keys,
    mad: NDArray[np.float64],
    units: Units,
    period: str,
    rates: NDArray[np.float64],
    rng: np.random.Generator,
) -> pa.Table:
    """The month's valid rows as text, amounts converted to the invoice currency."""
    n = len(mad)
    amount = mad / rates[keys.currency]
    cents = np.rint(amount * 100).astype(np.int64)
    seg = units.segment[keys.unit].copy()
    for i, (segment, (_, share)) in enumerate(_EBOPS_ALIASES.items()):
        alias = (seg == SEGMENTS.index(segment)) & (rng.random(n) < share)
        seg[alias] = len(SEGMENTS) + i
    firm_ids = pa.array(units.firm_ids)
    return pa.table(
        {
            "period": pa.repeat(pa.scalar(period, pa.string()), n),
            "firm_id": firm_ids.take(pa.array(units.firm[keys.unit])),
            "segment": pa.array(_SEGMENT_LABELS).take(pa.array(seg)),
            "partner": pa.array(PARTNERS).take(pa.array(keys.partner)),
            "currency": pa.array(CURRENCIES).take(pa.array(keys.currency)),
            "amount": _amount_text(cents),
            "flow": pa.array(["X", "M"]).take(pa.array(keys.flow)),
        }
    )


def _allocate_rows(total: int, weights: NDArray[np.float64]) -> NDArray[np.int64]:
    """Split `total` in proportion to `weights` (largest remainders), exactly."""
    share = total * weights / weights.sum()
    out: NDArray[np.int64] = np.floor(share).astype(np.int64)
    out[np.argsort(out - share, kind="stable")[: total - int(out.sum())]] += 1
    return out


def _plan(
    units: Units, rows: int, fault_rate: float, rng: np.random.Generator
) -> tuple[NDArray[np.int64], list[list[str]]]:
    """Valid rows per month (in proportion to the firms active) and the faults of each month."""
    n_faults = max(round(rows * fault_rate), len(fault_mod.FAULT_KINDS)) if fault_rate else 0
    n_faults = min(n_faults, rows // 2)
    months = range(len(MONTHS))
    active = np.array([units.active(m).sum() for m in months], dtype=np.float64)
    n_valid = _allocate_rows(rows - n_faults, active)
    # Every active KPO unit and the largest unit of each other segment declare every month.
    kpo = [(units.active(m) & (units.segment == KPO)).sum() for m in months]
    n_valid = np.maximum(n_valid, np.array(kpo) + len(SEGMENTS) - 1)
    return n_valid, fault_mod.allocate(rng, n_faults, n_valid)


OLDER_SERIES = "EXPORTS_3SEG"
"""The older three-segment series, as the MA profile declares it."""
OLDER_YEARS = range(2019, 2024)
OLDER_2023_BN = 17.9
"""Published: the older series put 2023 at 17.9 bn MAD (the five-segment perimeter: 26.17)."""


def older_series(rng: np.random.Generator) -> dict[int, int]:
    """The older series by year, in centimes: 2023 within 0.2 % of 17.9 bn (so that it rounds
    to the published 17.9 whatever the seed), earlier years following the five-segment total's
    path at the same ratio, each with a little noise of its own (the two perimeters do not
    move in step)."""
    total = {y: sum(ANNUAL[s][y] for s in SEGMENTS) for y in OLDER_YEARS}
    out = {}
    for year in OLDER_YEARS:
        if year == 2023:
            bn = OLDER_2023_BN * (1 + rng.uniform(-0.002, 0.002))
        else:
            bn = OLDER_2023_BN * total[year] / total[2023] * float(np.exp(rng.normal(0, 0.02)))
        out[year] = round(bn * 1e11)
    return out


def _write_series(folder: Path, seed: int) -> Path:
    """series.csv: the older series, drawn from a seed sequence of its own (the other draws
    stay what they were before the file existed)."""
    (child,) = np.random.SeedSequence(seed).spawn(6)[5:]
    values = older_series(np.random.default_rng(child))
    lines = ["series,year,value"]
    lines += [f"{OLDER_SERIES},{y},{c // 100}.{c % 100:02d}" for y, c in values.items()]
    path = folder / "series.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _write_small_files(folder: Path, rates: dict[str, NDArray[np.float64]]) -> tuple[Path, Path]:
    rates_path, jobs_path = folder / "rates.csv", folder / "jobs.csv"
    lines = ["period,currency,rate"]
    for m, period in enumerate(MONTHS):
        lines += [f"{period},{cur},{rates[cur][m]:.6f}" for cur in RATE_CURRENCIES]
    rates_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["year,segment,jobs"]
    for year, by_segment in JOBS.items():
        lines += [f"{year},{seg},{jobs}" for seg, jobs in by_segment.items()]
    jobs_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rates_path, jobs_path


def _readme(seed: int, firms: int, rows: int, fault_rate: float, kinds: dict[str, str]) -> str:
    special = "\n".join(f"  {period}  {kind}" for period, kind in kinds.items() if kind != "csv")
    return f"""{SYNTHETIC_NOTICE}

These files were made by the digex demo generator (seed={seed}, firms={firms}, rows={rows},
fault_rate={fault_rate}). The firms, ICE numbers and declarations are invented. The export
totals are calibrated to reproduce the preliminary figures published for Morocco's digital
services and outsourcing sector; nothing else in these files is a real statistic.

declarations/  one file per month, 2019-01 to 2025-06, columns
               {",".join(COLUMNS)}
rates.csv      monthly average exchange rates, MAD per unit of currency
jobs.csv       employment by year and segment
series.csv     the older three-segment series by year, 2019-2023 (a different perimeter)
faults.csv     the rows deliberately made invalid, with the reason a loader should give

Months not in plain UTF-8 CSV (comma, '.' decimal mark):
{special}
csv-bom: UTF-8 with byte-order mark. csv-fr / csv-fr-b: Windows-1252, ';', French header,
decimal comma, CRLF. csv-ar-tab / csv-ar-comma: Windows-1256, Arabic header, tab / comma, CRLF.
csv-ar-digits: UTF-8, Arabic header, amounts in Arabic-Indic digits with '.' as decimal mark.
xlsx: amounts as numbers. parquet: every column as text.
"""


def _readme_single(seed: int, firms: int, rows: int, fault_rate: float) -> str:
    return f"""{SYNTHETIC_NOTICE}

These files were made by the digex demo generator (seed={seed}, firms={firms}, rows={rows},
fault_rate={fault_rate}, layout=single) for benchmarks. The firms, ICE numbers and declarations
are invented. The export totals are calibrated to reproduce the preliminary figures published
for Morocco's digital services and outsourcing sector; nothing else in these files is a real
statistic.

declarations.csv      every month, 2019-01 to 2025-06, in period order: UTF-8, ',', columns
                      {",".join(COLUMNS)}
declarations.parquet  the same rows, every column as text
rates.csv             monthly average exchange rates, MAD per unit of currency
jobs.csv              employment by year and segment
series.csv            the older three-segment series by year, 2019-2023 (a different perimeter)
faults.csv            the rows deliberately made invalid, with the reason a loader should give
                      (row: the data row in declarations.csv, 1-based)
"""


@dataclass(frozen=True)
class _Month:
    """One month's rows in file order (COLUMNS, as text) and where its faulty rows are."""

    period: str
    table: pa.Table
    fault_rows: list[tuple[int, str, str]]  # (1-based row in the month, declaration_id, reason)


class _Draws:
    """The seeded draws behind a dataset, shared by every layout: the same seed and sizes give
    the same rows whichever way they are written."""

    def __init__(self, seed: int, firms: int, rows: int, fault_rate: float) -> None:
        self.seed = seed
        pop_rng, target_rng, rate_rng, fault_rng, self.month_root = np.random.default_rng(
            seed
        ).spawn(5)
        self.units = make_units(pop_rng, firms)
        self.targets = monthly_targets(target_rng)
        self.rates = monthly_rates(rate_rng)
        # MAD per unit of each invoice currency (CURRENCIES order), month by month.
        self.rate_matrix = np.ones((len(MONTHS), len(CURRENCIES)))
        for c, cur in enumerate(CURRENCIES):
            if cur != NATIONAL_CURRENCY:
                self.rate_matrix[:, c] = self.rates[cur]
        self.n_valid, self.kinds = _plan(self.units, rows, fault_rate, fault_rng)
        self.total = int(self.n_valid.sum()) + sum(len(k) for k in self.kinds)

    def months(self) -> Iterator[_Month]:
        """Each month in period order, drawn only when asked for (memory: one month)."""
        units = self.units
        ranks = np.argsort(np.argsort(np.array(units.firm_ids)))
        for m, (period, month_rng) in enumerate(
            zip(MONTHS, self.month_root.spawn(len(MONTHS)), strict=True)
        ):
            keys = MonthSampler(units, m, month_rng).keys(int(self.n_valid[m]))
            # Files list a firm's declarations together, firms in id order, as a registry
            # export would.
            firm_rank = ranks[units.firm[keys.unit]]
            order = np.lexsort((keys.flow, keys.currency, keys.partner, keys.unit, firm_rank))
            keys = keys.take(order)
            mad = _values(keys, units, self.targets[m], month_rng)
            table = _month_table(keys, mad, units, period, self.rate_matrix[m], month_rng)
            injected = fault_mod.inject(table, self.kinds[m], month_rng, f"D{period}-")
            faults = sorted(
                zip(injected.fault_rows, injected.fault_ids, injected.fault_reasons, strict=True)
            )
            yield _Month(period, injected.table.select(list(COLUMNS)), faults)


def generate(
    folder: Path,
    *,
    seed: int = 2025,
    firms: int = 1000,
    rows: int = 200_000,
    fault_rate: float = 0.01,
    progress: Callable[[int, int], None] | None = None,
    layout: str = "monthly",
) -> DemoFiles:
    """Write the demo dataset into `folder` and say where each part is.

    `rows` is the number of data rows across the declaration files, faulty ones included (a
    month never has fewer rows than its compulsory declarations). `progress` is called after
    each month with (rows written so far, rows to write).

    `layout="monthly"` (the demo) writes one file per month under `declarations/`, in the mix of
    formats and encodings an office receives. `layout="single"` (benchmarks) writes the same
    rows in period order to one UTF-8 `declarations.csv` and one all-text `declarations.parquet`
    in `folder`, appending month by month so that 100 million rows fit in the memory of one
    month; `DemoFiles.declarations` is then the CSV alone and `DemoFiles.parquet` the Parquet
    file.
    """
    if rows < 1 or not 0.0 <= fault_rate < 0.5:
        raise ValueError("rows must be positive and fault_rate in [0, 0.5)")
    if layout not in ("monthly", "single"):
        raise ValueError(f"layout must be 'monthly' or 'single', not {layout!r}")
    folder = Path(folder)
    if layout == "single":
        folder.mkdir(parents=True, exist_ok=True)
        files = _generate_single(folder, _Draws(seed, firms, rows, fault_rate), progress)
        readme = _readme_single(seed, firms, rows, fault_rate)
        (folder / "README.txt").write_text(readme, encoding="utf-8")
        return files
    decl_dir = folder / "declarations"
    decl_dir.mkdir(parents=True, exist_ok=True)
    draws = _Draws(seed, firms, rows, fault_rate)
    for stale in decl_dir.glob("declarations_*"):  # a previous run may have used other formats
        if re.fullmatch(r"declarations_\d{4}-\d{2}\.(csv|xlsx|parquet)", stale.name):
            stale.unlink()

    rates_path, jobs_path = _write_small_files(folder, draws.rates)
    paths: list[Path] = []
    kinds_used: dict[str, str] = {}
    fault_lines = ["file,declaration_id,expected_reason,row"]
    written = 0
    for month in draws.months():
        out, period = month.table, month.period
        kinds_used[period] = format_of(period, out.num_rows)
        path = write_month(out, decl_dir, period, kinds_used[period])
        paths.append(path)
        fault_lines += [
            f"{path.name},{did},{reason},{row}" for row, did, reason in month.fault_rows
        ]
        written += out.num_rows
        if progress is not None:
            progress(written, draws.total)
    faults_path = folder / "faults.csv"
    faults_path.write_text("\n".join(fault_lines) + "\n", encoding="utf-8")
    readme = _readme(seed, firms, rows, fault_rate, kinds_used)
    (folder / "README.txt").write_text(readme, encoding="utf-8")
    return DemoFiles(
        folder,
        tuple(paths),
        rates_path,
        jobs_path,
        faults_path,
        written,
        series=_write_series(folder, seed),
    )


def _generate_single(
    folder: Path, draws: _Draws, progress: Callable[[int, int], None] | None
) -> DemoFiles:
    """`generate` with layout="single"."""
    rates_path, jobs_path = _write_small_files(folder, draws.rates)
    faults_path = folder / "faults.csv"
    written = 0
    with (
        SingleFileWriter(folder) as writer,
        faults_path.open("w", encoding="utf-8", newline="\n") as faults,
    ):
        faults.write("file,declaration_id,expected_reason,row\n")
        for month in draws.months():
            writer.write(month.table)
            name = writer.csv_path.name
            faults.writelines(
                f"{name},{did},{reason},{written + row}\n" for row, did, reason in month.fault_rows
            )
            written += month.table.num_rows
            if progress is not None:
                progress(written, draws.total)
    return DemoFiles(
        folder,
        (writer.csv_path,),
        rates_path,
        jobs_path,
        faults_path,
        written,
        writer.parquet_path,
        _write_series(folder, draws.seed),
    )
