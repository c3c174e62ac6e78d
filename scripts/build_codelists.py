"""Regenerate the generated codelists: countries.csv, regions.csv and currencies.csv.

Sources:
- country and currency codes: pycountry (ISO 3166-1, ISO 4217);
- names in Arabic, French and English: Babel's CLDR data (pycountry's English name when CLDR
  has none);
- regions: the CLDR territory containment tree (UN M49 regions), read from CLDR's
  ``supplementalData.xml``. Babel does not ship that part of CLDR, so the file comes from the
  Debian package ``unicode-cldr-core`` (``apt-get install unicode-cldr-core``) or from any CLDR
  checkout given with ``--supplemental``.

The output is deterministic (rows sorted by code, fixed column order, ``\\n`` line endings), so
re-running the script on the same library versions changes nothing. The hand-written codelists
(segments, ebops, flows) are not touched. After a run, update the versions in manifest.toml if
they changed.

Usage: python scripts/build_codelists.py [--out DIR] [--supplemental PATH]
"""

from __future__ import annotations

import argparse
import csv
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from pathlib import Path

import pycountry
from babel import Locale
from babel.numbers import get_currency_name, get_currency_precision

LANGS = ("ar", "fr", "en")
WORLD = "001"
DEFAULT_SUPPLEMENTAL = Path("/usr/share/unicode/cldr/common/supplemental/supplementalData.xml")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "digex" / "data" / "codelists"


def capitalise(name: str, lang: str) -> str:
    """CLDR writes some region names in lower case ("world"); labels start with a capital."""
    return name if lang == "ar" else name[:1].upper() + name[1:]


def territory_name(code: str, lang: str, fallback: str) -> str:
    name = Locale(lang).territories.get(code)
    return capitalise(name, lang) if name else fallback


def read_containment(path: Path) -> dict[str, str]:
    """Map each territory or region to its parent in the CLDR (UN M49) containment tree.

    Only the main tree is kept: groups marked as deprecated or as alternative groupings
    (EU, UN, Sub-Saharan Africa, Latin America, ...) are skipped, so every code has one parent.
    """
    if not path.is_file():
        sys.exit(
            f"CLDR supplemental data not found at {path}: run 'apt-get install "
            "unicode-cldr-core' or pass --supplemental PATH/TO/supplementalData.xml"
        )
    root = ET.parse(path).getroot()
    parent: dict[str, str] = {}
    for group in root.iter("group"):
        if group.get("status") in {"deprecated", "grouping"} or group.get("grouping") == "true":
            continue
        for child in group.get("contains", "").split():
            parent.setdefault(child, group.get("type", ""))
    return parent


def ancestors(code: str, parent: dict[str, str]) -> list[str]:
    """Numeric (M49) ancestors of a territory, nearest first, without World."""
    chain: list[str] = []
    node = parent.get(code)
    while node and node != WORLD:
        if node.isdigit():
            chain.append(node)
        node = parent.get(node)
    return chain


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def build_countries(parent: dict[str, str]) -> tuple[list[list[str]], set[str]]:
    rows: list[list[str]] = []
    used: set[str] = set()
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        chain = ancestors(country.alpha_2, parent)
        region = chain[-1] if chain else ""
        subregion = chain[0] if len(chain) > 1 else ""
        used.update(chain)
        names = [territory_name(country.alpha_2, lang, country.name) for lang in LANGS]
        rows.append([country.alpha_2, country.alpha_3, country.numeric, *names, region, subregion])
    return rows, used


def build_regions(parent: dict[str, str], used: set[str]) -> list[list[str]]:
    codes = sorted(used | {WORLD})
    rows: list[list[str]] = []
    for code in codes:
        names = [territory_name(code, lang, code) for lang in LANGS]
        above = "" if code == WORLD else (ancestors(code, parent) or [WORLD])[0]
        rows.append([code, *names, above])
    return rows


def currency_name(code: str, lang: str, fallback: str) -> str:
    name = get_currency_name(code, locale=lang)
    return fallback if not name or name == code else name


def build_currencies() -> list[list[str]]:
    rows: list[list[str]] = []
    for currency in sorted(pycountry.currencies, key=lambda c: c.alpha_3):
        code = currency.alpha_3
        names = [currency_name(code, lang, currency.name) for lang in LANGS]
        rows.append([code, currency.numeric, str(get_currency_precision(code)), *names])
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="codelists folder")
    parser.add_argument(
        "--supplemental",
        type=Path,
        default=DEFAULT_SUPPLEMENTAL,
        help="CLDR common/supplemental/supplementalData.xml",
    )
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    parent = read_containment(args.supplemental)

    countries, used = build_countries(parent)
    names = [f"name_{lang}" for lang in LANGS]
    counts = {
        "countries": write_csv(
            out / "countries.csv",
            ["code", "alpha3", "numeric", *names, "region", "subregion"],
            countries,
        ),
        "regions": write_csv(
            out / "regions.csv", ["code", *names, "parent"], build_regions(parent, used)
        ),
        "currencies": write_csv(
            out / "currencies.csv",
            ["code", "numeric", "minor_units", *names],
            build_currencies(),
        ),
    }
    for name, count in counts.items():
        print(f"{name}.csv: {count} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
