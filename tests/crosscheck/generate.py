"""A seeded generator of declaration and rates files holding every kind of fault.

Plain Python (random, csv, Decimal): no digex code, so that the files test digex rather than
mirror it. Each row carries the kind of fault it was made with, for the test's messages only:
what a row should give is decided by the reference implementation, not by the generator.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from pathlib import Path

FIELDS = ("declaration_id", "period", "firm_id", "segment", "partner", "currency", "amount", "flow")
FRENCH = ("numero_declaration", "periode", "ice", "activite", "pays", "devise", "montant", "flux")
FIRST_MONTH, LAST_MONTH = (2023, 1), (2025, 7)  # the test loads with today = 2025-07-15
SEGMENTS = ("ITO", "CRM", "ESO", "BPO", "KPO")
MAPPED_EBOPS = ("SI2", "SI21", "SI22", "SI3", "SJ1", "SJ21", "SJ22", "SJ31", "SJ35")
PARTNERS = ("FR", "US", "ES", "GB", "DE", "BE", "CA", "CH", "IT", "NL", "SN", "CI", "AE", "NA")
PARTNER_CUM = tuple(accumulate((30, 15, 10, 8, 7, 5, 4, 4, 4, 3, 3, 3, 2, 1)))
CURRENCIES = ("MAD", "EUR", "USD", "GBP", "XAU")
CURRENCY_CUM = tuple(accumulate((40, 35, 20, 4, 1)))
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
RATE_GAPS = {("GBP", (2024, 5)): "abc", ("GBP", (2024, 6)): "0"}  # rejected rates: no rate
MISSING_RATES = {("GBP", (2024, 7))}  # no line at all
XAU_FROM = (2024, 1)


def months() -> list[tuple[int, int]]:
    out = []
    y, m = FIRST_MONTH
    while (y, m) <= LAST_MONTH:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass
class Line:
    kind: str
    fields: list[str]


def group3(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    return sep.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


class Generator:
    """Rows for one file. `mark` is the decimal mark the file's amounts use; `stable` keeps out
    the values whose meaning changed with issue 12's decimal-mark rule (`1,234` in a file whose
    other values show `.` as the mark), so that a file can be checked before and after it."""

    def __init__(
        self, seed: int, prefix: str, mark: str | None = ".", *, stable: bool = True
    ) -> None:
        self.rng = random.Random(seed)
        self.prefix = prefix
        self.plain = mark is None  # amounts that give no evidence for either mark
        self.mark = mark or "."
        self.other = "," if self.mark == "." else "."
        self.stable = stable
        self.n = 0
        self.firms = [f"{self.rng.randrange(10**14, 10**15):015d}" for _ in range(600)]
        self.months = months()

    def next_id(self) -> str:
        self.n += 1
        return f"{self.prefix}{self.n:07d}"

    # ------------------------------------------------------------------ values

    def period(self, month: tuple[int, int]) -> str:
        y, m = month
        form = self.rng.random()
        if form < 0.8:
            return f"{y}-{m:02d}"
        return f"{y}{m:02d}" if form < 0.9 else f"{y}/{m:02d}"

    def amount(self, value: Decimal, decimals: int) -> str:
        """`value` written with the file's decimal mark in one of the accepted forms."""
        integer, _, fraction = f"{value:.{decimals}f}".partition(".")
        ambiguous = len(integer) <= 3 and len(fraction) == 3
        if ambiguous and self.mark == "," and self.stable:
            fraction += "0"  # `12,345`: ambiguous before issue 12's rule
        grouped = len(integer) > 3 and self.rng.random() < 0.3
        if grouped and not fraction and len(integer) <= 6 and self.stable:
            fraction = "00"  # `1,234`: no evidence, ambiguous before issue 12
        if grouped:
            integer = group3(integer, self.other)
        text = integer + (self.mark + fraction if fraction else "")
        r = self.rng.random()
        if r < 0.05:
            text = text.translate(ARABIC_INDIC)
        elif r < 0.08:
            text = "+" + text
        return text

    def random_amount(self) -> str:
        if self.plain:
            n = self.rng.randrange(1, 10**6)
            forms = (str(n), str(n), str(n).translate(ARABIC_INDIC), f"+{n}", group3(str(n), "."))
            ambiguous = (f"{n % 1000}.{n % 997:03d}", f"{n % 1000},{n % 991:03d}")
            return self.rng.choice((*forms, *ambiguous))
        decimals = self.rng.choice((0, 0, 1, 2, 2, 2, 3, 4))
        value = Decimal(str(round(self.rng.lognormvariate(9.5, 2.0), decimals))) + Decimal(1)
        return self.amount(value.quantize(Decimal(1).scaleb(-decimals)), decimals)

    def code(self, code: str) -> str:
        return code.lower() if self.rng.random() < 0.05 else code

    def pad(self, text: str) -> str:
        if self.rng.random() < 0.04:
            return self.rng.choice((" ", "  ")) + text + self.rng.choice(("", " ", "   "))
        return text

    def valid(self) -> list[str]:
        rng = self.rng
        month = rng.choice(self.months)
        currency = rng.choices(CURRENCIES, cum_weights=CURRENCY_CUM)[0]
        if currency == "XAU" and month < XAU_FROM:
            currency = "MAD"
        if currency == "GBP" and (("GBP", month) in RATE_GAPS or ("GBP", month) in MISSING_RATES):
            currency = "EUR"
        amount = self.random_amount()
        if currency == "XAU":
            amount = (
                str(rng.randrange(1, 50))
                if self.plain
                else self.amount(Decimal(rng.randrange(1, 5000)) / 100, 2)
            )
        segment = rng.choice(SEGMENTS) if rng.random() < 0.85 else rng.choice(MAPPED_EBOPS)
        fields = [
            self.next_id(),
            self.period(month),
            rng.choice(self.firms),
            self.code(segment),
            self.code(rng.choices(PARTNERS, cum_weights=PARTNER_CUM)[0]),
            self.code(currency),
            amount,
            self.code(rng.choices("XM", cum_weights=(9, 10))[0]),
        ]
        return [self.pad(f) for f in fields]

    # ------------------------------------------------------------------ faults

    def faults(self) -> dict[str, Callable[[list[str]], None]]:
        rng = self.rng
        m, o = self.mark, self.other

        def put(i: int, *choices: str) -> Callable[[list[str]], None]:
            def apply(f: list[str]) -> None:
                f[i] = rng.choice(choices)

            return apply

        def future(f: list[str]) -> None:
            f[1] = rng.choice(("2025-08", "2025-12", "2026-01", "202609", "2030/01"))
            f[5] = "MAD"

        def future_foreign(f: list[str]) -> None:
            f[1] = rng.choice(("2025-08", "2026-01"))
            f[5] = "EUR"

        def rate_missing(f: list[str]) -> None:
            if rng.random() < 0.5:
                f[5] = rng.choice(("CHF", "CAD", "chf"))
            else:
                f[1] = rng.choice(("2024-05", "2024-06", "2024-07", "202406"))
                f[5] = "GBP"

        def too_large(f: list[str]) -> None:
            f[1] = rng.choice(("2024-03", "2025-01"))
            f[5] = "XAU"
            f[6] = rng.choice(
                (
                    "99999999999999",
                    "4000000000000",
                    f"50000000000000{m}5"[: -2 if self.plain else None],
                )
            )

        invalid = ["12a", "1e5", "123456789012345", "--5", "abc"]
        not_positive = ["0", "-3", f"-12{m}5", f"0{m}00"]
        if not self.plain:
            invalid += [f"12{m}34567", f"1{o}23{m}4", f"١٢{m}٣٤٥٦٧", f"12{o}3456{m}7"]
            not_positive += [f"-1{o}234{m}50"]
        return {
            "ID_MISSING": put(0, "", "  "),
            "PERIOD_MISSING": put(1, "", " "),
            "PERIOD_INVALID": put(
                1, "2024-13", "2024-00", "2024.05", "24-05", "202413", "2024/00", "mai 2024"
            ),
            "PERIOD_FUTURE": future,
            "PERIOD_FUTURE_FOREIGN": future_foreign,
            "FIRM_ID_MISSING": put(2, ""),
            "FIRM_ID_INVALID": put(
                2, "00123456700008", "0012345670000891", "00123456700008A", "001234567 00089"
            ),
            "SEGMENT_MISSING": put(3, ""),
            "SEGMENT_UNKNOWN": put(3, "XYZ", "SI1", "SI", "SJ2", "SJ3", "IT0", "si1"),
            "PARTNER_MISSING": put(4, ""),
            "PARTNER_UNKNOWN": put(4, "ZZ", "FRA", "EU", "XK", "zz"),
            "CURRENCY_MISSING": put(5, ""),
            "CURRENCY_UNKNOWN": put(5, "ABC", "EURO", "DH", "XYZ", "eu"),
            "RATE_MISSING": rate_missing,
            "AMOUNT_MISSING": put(6, "", "  "),
            "AMOUNT_INVALID": put(6, *invalid),
            "AMOUNT_NOT_POSITIVE": put(6, *not_positive[: 2 if self.plain else None]),
            "AMOUNT_TOO_LARGE": too_large,
            "FLOW_MISSING": put(7, ""),
            "FLOW_UNKNOWN": put(7, "E", "export", "XM", "C", "0"),
        }

    def identical_copies(self, lines: list[Line], n: int) -> list[Line]:
        """Copies of about `n` rows (valid or not), some twice, with blanks added or removed
        around values (the same text once trimmed)."""
        copies = []
        for line in self.rng.sample(lines, n):
            if line.fields[0].strip():
                for _ in range(self.rng.choice((1, 1, 1, 2))):
                    copy = [self.pad(f.strip()) for f in line.fields]
                    copies.append(Line(f"duplicate of {line.kind}", copy))
        return copies

    def conflicting_copies(self, lines: list[Line], n: int) -> list[Line]:
        """Copies of about `n` rows with one field's text changed: another amount, another
        period form (same month, other text), codes in the other case."""
        copies = []
        for line in self.rng.sample(lines, n):
            if not line.fields[0].strip():
                continue
            copy = [f.strip() for f in line.fields]
            i = self.rng.choice((1, 3, 6, 7))
            if i == 6:
                copy[6] = self.random_amount()
            elif i == 1:
                copy[1] = copy[1].replace("-", "") if "-" in copy[1] else copy[1] + "x"
            else:
                copy[i] = copy[i].swapcase() or "X"
            copies.append(Line(f"conflict with {line.kind}", copy))
        return copies

    def rows(self, n: int, fault_rate: float = 0.1, *, conflicts: bool = False) -> list[Line]:
        """About `n` lines: valid rows, rows with one fault or several, identical repeated ids
        (some with blanks around values), conflicting ones when `conflicts`, and malformed
        lines; shuffled."""
        rng = self.rng
        faults = self.faults()
        kinds = sorted(faults)
        lines: list[Line] = []
        for _ in range(n):
            fields = self.valid()
            r = rng.random()
            if r < fault_rate:
                kind = rng.choice(kinds)
                faults[kind](fields)
            elif r < fault_rate * 1.2:
                picked = rng.sample(kinds, rng.choice((2, 3)))
                kind = "+".join(sorted(picked))
                for k in picked:
                    faults[k](fields)
            else:
                kind = "ok"
            lines.append(Line(kind, fields))
        copies = self.identical_copies(lines, n // 100)
        if conflicts:
            copies += self.conflicting_copies(lines, n // 150)
        for _ in range(n // 500):
            fields = self.valid()
            extra = rng.random() < 0.5
            lines.append(Line("ROW_MALFORMED", [*fields, "x"] if extra else fields[:-1]))
        lines += copies
        rng.shuffle(lines)
        return lines


def write(
    path: Path,
    lines: Sequence[Line],
    *,
    header: Sequence[str] = FIELDS,
    delimiter: str = ",",
    bom: bool = False,
    encoding: str = "utf-8",
) -> dict[int, str]:
    """Write the file; returns the kind of each line number (the header is line 1)."""
    with path.open("w", encoding="utf-8-sig" if bom else encoding, newline="") as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        w.writerow(header)
        w.writerows(line.fields for line in lines)
    return {i + 2: line.kind for i, line in enumerate(lines)}


def write_rates(path: Path, seed: int) -> None:
    """Monthly rates for EUR, USD, GBP and XAU (gold, from 2024), with two rejected rates and a
    missing month for GBP; none for CHF or CAD. USD rates with one decimal make ties."""
    rng = random.Random(seed)
    rows = []
    for month in months():
        label = f"{month[0]}-{month[1]:02d}"
        rows.append((label, "EUR", f"{Decimal(rng.randrange(105000, 112000)) / 10000}"))
        usd = rng.choice(("9.5", "10.5", "9.9")) if rng.random() < 0.5 else None
        rows.append((label, "USD", usd or f"{Decimal(rng.randrange(9500000, 10300000)) / 10**6}"))
        if ("GBP", month) not in MISSING_RATES:
            gbp = f"{Decimal(rng.randrange(122000, 130000)) / 10000}"
            rows.append((label, "GBP", RATE_GAPS.get(("GBP", month), gbp)))
        if month >= XAU_FROM:
            rows.append((label, "XAU", f"{Decimal(rng.randrange(2000000, 3000000)) / 100}"))
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("period", "currency", "rate"))
        w.writerows(rows)
