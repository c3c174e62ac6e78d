"""An independent reading of digex's load rules, in plain Python (csv + Decimal).

Written from the documentation only (README.md "Input files", docs/internals.md's reason-code
table, the country profile and the rules of issue 12 for repeated ids and the decimal mark),
never from digex's code: the point is a second implementation whose agreement with digex means
something. It reads digex's code lists and profile as the data files they are, not through
digex's modules. Where the documentation is silent, the choice made is the one digex makes and
a comment says "docs unclear". Slow and obvious on purpose: about a second for 50,000 rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, Inexact, localcontext
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "src" / "digex" / "data"
FIELDS = ("declaration_id", "period", "firm_id", "segment", "partner", "currency", "amount", "flow")
RATE_FIELDS = ("period", "currency", "rate")
# docs/internals.md: AMOUNT_TOO_LARGE is a value "more than the store keeps (9.2e18; 92 million
# billion MAD)" in minor units (the store's signed 64-bit integer would hold up to 2**63 - 1)
MAX_MINOR = 92 * 10**17
MAX_DECIMALS = 4
MAX_INTEGER_DIGITS = 14
# U+0660..U+0669 (Arabic-Indic) and U+06F0..U+06F9 (Extended Arabic-Indic) to 0..9
_LATIN_DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}
_PERIOD = re.compile(r"(\d{4})(?:-|/)?(\d{2})")
_DIGITS = re.compile(r"\d+")


def _codes(name: str, column: str = "code") -> dict[str, dict[str, str]]:
    with (DATA / "codelists" / name).open(encoding="utf-8", newline="") as f:
        return {row[column]: row for row in csv.DictReader(f)}


@dataclass(frozen=True)
class Rules:
    """What the rules need from the code lists and the country profile."""

    segments: frozenset[str]
    ebops_segment: dict[str, str]
    countries: frozenset[str]
    currencies: frozenset[str]
    national_currency: str
    firm_pattern: re.Pattern[str]
    headers: dict[str, str]  # lower-cased accepted name -> canonical field
    rate_headers: dict[str, str]

    @classmethod
    def read(cls, profile: str = "MA") -> Rules:
        with (DATA / "profiles" / f"{profile}.toml").open("rb") as f:
            prof = tomllib.load(f)
        ebops = _codes("ebops.csv", "ebops_code")

        def names(section: dict[str, list[str]]) -> dict[str, str]:
            out = {k.lower(): k for k in section}
            out.update({n.strip().lower(): k for k, ns in section.items() for n in ns})
            return out

        return cls(
            segments=frozenset(_codes("segments.csv")),
            ebops_segment={c: r["segment"] for c, r in ebops.items() if r["segment"]},
            countries=frozenset(_codes("countries.csv")),
            currencies=frozenset(_codes("currencies.csv")),
            national_currency=prof["national_currency"],
            firm_pattern=re.compile(prof["firm_id"]["pattern"]),
            headers=names(prof["headers"]),
            rate_headers=names(prof["rates_headers"]),
        )


# ---------------------------------------------------------------------------------- reading


def read_table(
    path: Path, names: dict[str, str], encoding: str = "utf-8-sig"
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(canonical header, [(line, fields)]) of a delimited text file; line 1 is the header."""
    text = path.read_bytes().decode(encoding)
    lines = text.splitlines()
    first = lines[0]
    delimiter = max(",;\t|", key=first.count)
    rows = list(csv.reader(lines, delimiter=delimiter))
    header = [names.get(h.strip().lower(), h.strip().lower()) for h in rows[0]]
    return header, [(i + 1, r) for i, r in enumerate(rows) if i > 0]


# ---------------------------------------------------------------------------------- periods


def parse_period(text: str) -> tuple[int, int] | None:
    """(year, month) of `YYYY-MM`, `YYYYMM` or `YYYY/MM` (Arabic-Indic digits accepted), years
    1900-2999; None when not such a month."""
    m = _PERIOD.fullmatch(text.translate(_LATIN_DIGITS))
    if m is None or not m.group(0).isascii():
        return None
    year, month = int(m.group(1)), int(m.group(2))
    return (year, month) if 1 <= month <= 12 and 1900 <= year <= 2999 else None


# ---------------------------------------------------------------------------------- amounts


def amount_body(text: str) -> tuple[str, str]:
    """(sign, body): Arabic-Indic digits made Latin, blanks removed, an optional sign split."""
    s = "".join(text.translate(_LATIN_DIGITS).split())
    if s[:1] in "+-" and s:
        return s[0], s[1:]
    return "", s


def _ambiguous(body: str, mark: str) -> bool:
    return re.fullmatch(r"\d{1,3}" + re.escape(mark) + r"\d{3}", body) is not None


def evidence(text: str) -> str | None:
    """The decimal mark a value points to ('.' or ','), or None (no mark, or `d{1,3}.ddd`)."""
    _, body = amount_body(text)
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        return "." if body.rfind(".") > body.rfind(",") else ","
    for mark, other, n in ((".", ",", dots), (",", ".", commas)):
        if n > 1:
            return other  # the repeated mark can only be a thousands separator
        if n == 1:
            if _ambiguous(body, mark):
                return None
            if re.fullmatch(r"\d+" + re.escape(mark) + r"\d+", body):
                return mark
    return None


def file_mark(amounts: Iterable[tuple[int, str]]) -> tuple[str | None, tuple[int, int] | None]:
    """(mark, None) from the evidence of a file's amounts, or (None, (line, line)) when two
    lines disagree (the file is then refused)."""
    first: dict[str, int] = {}
    for line, text in amounts:
        e = evidence(text)
        if e is not None and e not in first:
            first[e] = line
    if len(first) == 2:
        return None, (first["."], first[","])
    return (next(iter(first)) if first else None), None


def parse_amount(text: str, mark: str | None) -> Decimal | str:
    """The amount, or the reason code when it is not one. `mark` None: the file gave no
    evidence and no mark was given, so `1.234` and `1,234` are ambiguous."""
    sign, body = amount_body(text)
    if mark is None:
        if _ambiguous(body, ".") or _ambiguous(body, ","):
            return "AMOUNT_AMBIGUOUS"
        if not body.isascii() or _DIGITS.fullmatch(body) is None:
            return "AMOUNT_INVALID"
        integer, fraction = body, ""
    else:
        other = "," if mark == "." else "."
        integer, sep, fraction = body.partition(mark)
        if mark in fraction or (sep and not fraction):
            return "AMOUNT_INVALID"
        if other in integer:
            if not re.fullmatch(r"\d{1,3}(?:" + re.escape(other) + r"\d{3})+", integer):
                return "AMOUNT_INVALID"
            integer = integer.replace(other, "")
        if not body.isascii() or _DIGITS.fullmatch(integer) is None:
            return "AMOUNT_INVALID"
        if fraction and _DIGITS.fullmatch(fraction) is None:
            return "AMOUNT_INVALID"
    if len(fraction) > MAX_DECIMALS or len(integer.lstrip("0")) > MAX_INTEGER_DIGITS:
        return "AMOUNT_INVALID"
    value = Decimal(f"{integer}.{fraction}" if fraction else integer)
    return -value if sign == "-" else value


def exact_product(amount: Decimal, rate: Decimal) -> Decimal:
    """amount x rate x 100 with no rounding (up to 18 + 18 digits: beyond the default 28)."""
    with localcontext(prec=60, traps=[Inexact]):
        return amount * rate * 100


def to_minor(amount: Decimal, rate: Decimal) -> int:
    """National-currency minor units: amount x rate x 100, exact, half away from zero."""
    with localcontext(prec=60):
        return int(exact_product(amount, rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------------------------- rates


def check_rates(
    path: Path, rules: Rules
) -> list[tuple[int, set[str], tuple[int, int] | None, str, Decimal | None]]:
    """(line, reasons, month, currency, rate) of every line of a rates file. Repeated (month,
    currency) pairs (RATE_DUPLICATE) are not judged: the docs do not say which copy counts, and
    the generated files hold none."""
    header, rows = read_table(path, rules.rate_headers)
    out = []
    for line, fields in rows:
        rec = dict(zip(header, (f.strip() for f in fields), strict=True))
        reasons: set[str] = set()
        month = parse_period(rec["period"])
        if not rec["period"]:
            reasons.add("PERIOD_MISSING")
        elif month is None:
            reasons.add("PERIOD_INVALID")
        # a rate for a month after today's is not PERIOD_FUTURE in digex (docs unclear)
        currency = rec["currency"].upper()
        if not currency:
            reasons.add("CURRENCY_MISSING")
        elif currency not in rules.currencies:
            reasons.add("CURRENCY_UNKNOWN")
        elif currency == rules.national_currency:
            reasons.add("CURRENCY_NATIONAL")
        rate = None
        if not rec["rate"]:
            reasons.add("RATE_MISSING")
        elif re.fullmatch(r"[+-]?\d+(?:\.\d+)?", rec["rate"]) is None:
            reasons.add("RATE_INVALID")
        elif Decimal(rec["rate"]) <= 0:
            reasons.add("RATE_NOT_POSITIVE")
        else:
            rate = Decimal(rec["rate"])
        out.append((line, reasons, month, currency, rate))
    return out


def read_rates(paths: Sequence[Path], rules: Rules) -> dict[tuple[tuple[int, int], str], Decimal]:
    """Valid rates by (month, currency)."""
    rates: dict[tuple[tuple[int, int], str], Decimal] = {}
    for path in paths:
        for _, reasons, month, currency, rate in check_rates(path, rules):
            if not reasons and month is not None and rate is not None:
                rates[(month, currency)] = rate
    return rates


# ---------------------------------------------------------------------------------- rows


@dataclass
class Row:
    """One line of a declarations file as the reference judges it."""

    file: str
    line: int
    fields: tuple[str, ...]  # trimmed text, in FIELDS order (empty for a malformed line)
    reasons: set[str] = field(default_factory=set)
    period: tuple[int, int] | None = None
    segment: str = ""
    partner: str = ""
    flow: str = ""
    value_minor: int = 0
    exact: Decimal = Decimal(0)  # amount x rate x 100 before rounding

    @property
    def accepted(self) -> bool:
        return not self.reasons


class InvalidFileError(Exception):
    """The file is refused as a whole (evidence for both decimal marks)."""


def _period(text: str, row: Row) -> None:
    month = parse_period(text)
    if not text:
        row.reasons.add("PERIOD_MISSING")
    elif month is None:
        row.reasons.add("PERIOD_INVALID")
    row.period = month


def _code(text: str, known: Iterable[str], missing: str, unknown: str, row: Row) -> str:
    """The code, upper-cased (codes are read case-insensitively), or "" with its reason."""
    code = text.upper()
    if not code:
        row.reasons.add(missing)
    elif code not in known:
        row.reasons.add(unknown)
    else:
        return code
    return ""


def _segment(text: str, rules: Rules, row: Row) -> None:
    code = _code(
        text, rules.segments | rules.ebops_segment.keys(), "SEGMENT_MISSING", "SEGMENT_UNKNOWN", row
    )
    row.segment = rules.ebops_segment.get(code, code)


def _rate(
    currency: str, rules: Rules, rates: dict[tuple[tuple[int, int], str], Decimal], row: Row
) -> Decimal | None:
    """The rate of a known currency in a valid month; RATE_MISSING when there is none. A future
    month gets no RATE_MISSING (docs unclear; digex reports PERIOD_FUTURE only)."""
    if not currency or row.period is None or "PERIOD_FUTURE" in row.reasons:
        return None
    if currency == rules.national_currency:
        return Decimal(1)
    rate = rates.get((row.period, currency))
    if rate is None:
        row.reasons.add("RATE_MISSING")
    return rate


def _amount(text: str, mark: str | None, rate: Decimal | None, row: Row) -> None:
    if not text:
        row.reasons.add("AMOUNT_MISSING")
        return
    amount = parse_amount(text, mark)
    if isinstance(amount, str):
        row.reasons.add(amount)
    elif amount <= 0:
        row.reasons.add("AMOUNT_NOT_POSITIVE")
    elif rate is not None:
        row.exact = exact_product(amount, rate)
        row.value_minor = to_minor(amount, rate)
        if row.value_minor > MAX_MINOR:
            row.reasons.add("AMOUNT_TOO_LARGE")


def check_row(
    rec: dict[str, str],
    mark: str | None,
    rules: Rules,
    rates: dict[tuple[tuple[int, int], str], Decimal],
    today: dt.date,
    row: Row,
) -> None:
    """Every reason of one well-formed row (repeated ids are judged afterwards)."""
    if not rec["declaration_id"]:
        row.reasons.add("ID_MISSING")
    _period(rec["period"], row)
    if row.period is not None and row.period > (today.year, today.month):
        row.reasons.add("PERIOD_FUTURE")
    if not rec["firm_id"]:
        row.reasons.add("FIRM_ID_MISSING")
    elif rules.firm_pattern.fullmatch(rec["firm_id"]) is None:
        row.reasons.add("FIRM_ID_INVALID")
    _segment(rec["segment"], rules, row)
    row.partner = _code(rec["partner"], rules.countries, "PARTNER_MISSING", "PARTNER_UNKNOWN", row)
    currency = _code(rec["currency"], rules.currencies, "CURRENCY_MISSING", "CURRENCY_UNKNOWN", row)
    _amount(rec["amount"], mark, _rate(currency, rules, rates, row), row)
    row.flow = _code(rec["flow"], ("X", "M"), "FLOW_MISSING", "FLOW_UNKNOWN", row)


def repeated_ids(rows: Iterable[Row]) -> None:
    """Issue 12's rule: identical copies (trimmed text of every field) are one declaration, the
    lowest line kept and the others ID_DUPLICATE; copies that differ are all ID_CONFLICT."""
    by_id: defaultdict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.fields and row.fields[0]:
            by_id[row.fields[0]].append(row)
    for copies in by_id.values():
        if len(copies) == 1:
            continue
        if len({c.fields for c in copies}) == 1:
            for c in sorted(copies, key=lambda c: c.line)[1:]:
                c.reasons.add("ID_DUPLICATE")
        else:
            for c in copies:
                c.reasons.add("ID_CONFLICT")


def load_file(
    path: Path,
    rules: Rules,
    rates: dict[tuple[tuple[int, int], str], Decimal],
    today: dt.date,
    decimal_mark: str | None = None,
    encoding: str = "utf-8-sig",
) -> list[Row]:
    """Every line of a declarations file, judged; raises InvalidFileError when refused."""
    header, lines = read_table(path, rules.headers, encoding)
    recs: list[tuple[int, dict[str, str] | None]] = []
    for line, fields in lines:
        if len(fields) != len(header):
            recs.append((line, None))
        else:
            recs.append((line, dict(zip(header, (f.strip() for f in fields), strict=True))))
    mark = decimal_mark
    if mark is None:
        mark, conflict = file_mark((ln, rec["amount"]) for ln, rec in recs if rec is not None)
        if conflict is not None:
            raise InvalidFileError(f"{path.name}: lines {conflict[0]} and {conflict[1]}")
    rows: list[Row] = []
    for line, rec in recs:
        if rec is None:
            rows.append(Row(path.name, line, (), {"ROW_MALFORMED"}))
            continue
        row = Row(path.name, line, tuple(rec[f] for f in FIELDS))
        check_row(rec, mark, rules, rates, today, row)
        rows.append(row)
    repeated_ids(rows)
    return rows


# ---------------------------------------------------------------------------------- aggregates


def half(month: tuple[int, int]) -> str:
    return f"{month[0]}-H{1 if month[1] <= 6 else 2}"


def totals(rows: Iterable[Row]) -> dict[tuple[str, str, str, str], int]:
    """Minor units by (flow, period label, cut, member) for the years and half-years, cut by
    total (`_T`), segment and partner."""
    out: Counter[tuple[str, str, str, str]] = Counter()
    for row in rows:
        if not row.accepted:
            continue
        assert row.period is not None
        for label in (str(row.period[0]), half(row.period)):
            out[(row.flow, label, "total", "_T")] += row.value_minor
            out[(row.flow, label, "segment", row.segment)] += row.value_minor
            out[(row.flow, label, "partner", row.partner)] += row.value_minor
    return dict(out)


def reason_counts(rows: Iterable[Row]) -> dict[str, int]:
    """Rows per reason code, plus `accepted` and `rejected` row counts."""
    out: Counter[str] = Counter()
    for row in rows:
        out["accepted" if row.accepted else "rejected"] += 1
        out.update(row.reasons)
    return dict(out)
