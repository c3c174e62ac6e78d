"""The presentation rounding rule.

Figures are stored and computed unrounded; rounding happens only when a number is shown.
The rule is *round half up* (ties away from zero, e.g. 0.25 -> 0.3 and -0.25 -> -0.3), the
"arrondi commercial" readers and other offices apply by hand, so a published figure can be
re-derived from a more precise one by anyone. Half-even (banker's) rounding only pays off when
rounded values are summed, which digex never does: totals are computed from unrounded parts,
so a displayed total may differ from the sum of its displayed parts (tables say so in a note).
The float is first written with the shortest repr that reads back exactly (`repr`), so 2.675,
stored as 2.67499999..., rounds to 2.68 as its reader expects.

Ratios that are published (shares, growth) are rounded from their exact value, not from a
float quotient: 115 / 400 is exactly 28.75 %, but `115 / 400 * 100` is 28.749999999999996 and
would print 28.7. `exact` reads a level back exactly (a level is an integer number of minor
units divided once by 10^k, which `repr` writes back as that decimal while it has at most 15
significant digits: below 10^13 currency units), and `round_exact` rounds a fraction in
integer arithmetic.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

ROUNDING_NOTE = {
    "en": "Figures are rounded half up; totals and growth rates are computed on unrounded values "
    "and may differ from the sum or ratio of the rounded figures.",
    "fr": "Chiffres arrondis au plus proche (demi vers le haut) ; les totaux et les taux sont "
    "calculés sur les valeurs non arrondies et peuvent différer de la somme ou du rapport des "
    "chiffres arrondis.",
    "ar": "الأرقام مقربة إلى أقرب قيمة؛ تحسب المجاميع ونسب التغير على أساس القيم غير المقربة وقد "
    "تختلف عن مجموع الأرقام المقربة أو نسبتها.",
}


def round_half_up(value: float | Decimal, decimals: int) -> Decimal:
    """`value` rounded to `decimals` places, ties away from zero."""
    d = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def exact(value: float | Decimal) -> Fraction:
    """A level as the exact decimal it stands for (its shortest round-trip form)."""
    return Fraction(value if isinstance(value, Decimal) else Decimal(repr(float(value))))


def round_exact(value: Fraction, decimals: int) -> Decimal:
    """`value` rounded to `decimals` places, ties away from zero, without any float step."""
    scaled = abs(value) * 10**decimals
    # floor(x + 1/2) of a non-negative fraction, in integers
    units = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    return Decimal(-units if value < 0 else units).scaleb(-decimals)


def share(part: Fraction, total: Fraction) -> Fraction | None:
    """`part` in per cent of `total` (undefined on a zero total)."""
    return part / total * 100 if total else None


def growth(now: Fraction, before: Fraction) -> Fraction | None:
    """The change from `before` to `now` in per cent (undefined on a zero base)."""
    return (now - before) / before * 100 if before else None
