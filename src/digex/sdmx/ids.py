"""The identifiers of digex's SDMX structures and the agency that maintains them: one place,
so that the export, the server and the tests name the same artefacts.

The agency is the office's SDMX agency id. It is a setting (`digex.settings.SDMX_AGENCY`)
rather than a profile key because a deployment, not a country's data, decides it:
`DIGEX_SDMX_AGENCY`, else `<country code>1` (`MA1` for Morocco). Every artefact (the
dataflow, the DSD, the concept scheme, every code list, the cross-domain ones included) is
maintained by that one agency and has version 1.0.
"""

from __future__ import annotations

import re
from typing import Final

from digex.errors import UsageError
from digex.settings import SDMX_AGENCY

AGENCY_VARIABLE: Final = SDMX_AGENCY.name
VERSION: Final = "1.0"
DATAFLOW: Final = "DF_DIGITAL_EXPORTS"
DSD: Final = "DSD_DIGITAL_EXPORTS"
CONCEPTS: Final = "CS_DIGITAL_EXPORTS"

DIMENSIONS: Final = (
    "FREQ",
    "REF_AREA",
    "COUNTERPART_AREA",
    "ACTIVITY",
    "ACCOUNTING_ENTRY",
    "CURRENCY_DENOM",
    "INDICATOR",
    "UNIT_MEASURE",
    "ADJUSTMENT",
)
"""The DSD's dimensions but the time, in key order (a key has one part for each)."""
TIME: Final = "TIME_PERIOD"
MEASURE: Final = "OBS_VALUE"
ATTRIBUTES: Final = ("OBS_STATUS", "CONF_STATUS", "UNIT_MULT", "DECIMALS")
"""Attached to each observation."""

WORLD: Final = "W1"
"""COUNTERPART_AREA of a row summed over every partner (SDMX's code for the world)."""
UNALLOCATED: Final = "_X"
"""COUNTERPART_AREA of a partner the countries code list gives no region."""
NOT_APPLICABLE: Final = "_Z"
UNADJUSTED: Final = "N"
ADJUSTED: Final = "S"
"""ADJUSTMENT of a seasonally adjusted series (frozen with a release as an estimate)."""

_ID: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def agency_id(country: str) -> str:
    """The agency id the structures and messages carry: `$DIGEX_SDMX_AGENCY`, else the
    profile's country code followed by 1."""
    given = SDMX_AGENCY.given()
    return check_agency(given, SDMX_AGENCY.name) if given else f"{country}1"


def check_agency(agency: str, where: str = "--agency") -> str:
    """`agency` when it is an SDMX agency id (a letter, then letters, digits, _ or -)."""
    if not _ID.match(agency):
        raise UsageError(
            f"{where} {agency!r} is not an SDMX agency id: a letter, then letters, digits, "
            "_ or - (e.g. MA1)"
        )
    return agency


def urn(kind: str, agency: str, scheme: str, item: str | None = None) -> str:
    """The SDMX URN of a maintainable artefact (`kind` as `codelist.Codelist`) or of one of
    its items (`codelist.Code`, with `item`)."""
    tail = f".{item}" if item is not None else ""
    return f"urn:sdmx:org.sdmx.infomodel.{kind}={agency}:{scheme}({VERSION}){tail}"
