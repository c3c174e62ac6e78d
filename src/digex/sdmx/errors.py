"""The errors of an SDMX query and the SDMX-ML 2.1 Error message that carries them.

Each is a `DigexError` with its HTTP status and the SDMX error code a REST answer carries:
a malformed query 400 / 140, nothing found 404 / 100, a standard feature digex does not
implement 501 / 501. The message (written by hand: pysdmx writes none) starts exactly with
`<?xml` and has a prefixed root, which is how pysdmx tells an SDMX-ML answer apart.
"""

from __future__ import annotations

from typing import Final
from xml.sax.saxutils import escape

from digex.errors import DigexError, UsageError

ERROR_TYPE: Final = "application/xml"
"""The Content-Type of an Error message."""


class QueryError(UsageError):
    """A data query the SDMX REST API does not allow (a key of the wrong length, a period that
    is no SDMX period, a parameter with a wrong value): the message names the part at fault."""

    status = 400
    sdmx_code = 140


class NoResults(DigexError):
    """A valid query that finds nothing: an unknown dataflow, or no observation matching."""

    status = 404
    sdmx_code = 100


class NotImplementedQuery(UsageError):
    """A standard SDMX parameter value digex does not implement (e.g. detail=nodata)."""

    status = 501
    sdmx_code = 501


def error_message(code: int, text: str) -> bytes:
    """An SDMX-ML 2.1 Error message with `code` (100, 140, 501...) and `text`."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<mes:Error xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
        'xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">\n'
        f'  <mes:ErrorMessage code="{int(code)}">\n'
        f'    <com:Text xml:lang="en">{escape(text)}</com:Text>\n'
        "  </mes:ErrorMessage>\n"
        "</mes:Error>\n"
    )
    return body.encode("utf-8")
