"""The errors of an SDMX query and the SDMX-ML 2.1 Error message that carries them.

Each is a `DigexError` (defined in `digex.errors` with the others) with its HTTP status and
the SDMX error code (`sdmx_code`) a REST answer carries:
a malformed query 400 / 140, nothing found 404 / 100, a standard feature digex does not
implement 501 / 501. The message (written by hand: pysdmx writes none) starts exactly with
`<?xml` and has a prefixed root, which is how pysdmx tells an SDMX-ML answer apart.
"""

from __future__ import annotations

from typing import Final
from xml.sax.saxutils import escape

from digex.errors import NoResults, NotImplementedQuery, QueryError

__all__ = ["ERROR_TYPE", "NoResults", "NotImplementedQuery", "QueryError", "error_message"]

ERROR_TYPE: Final = "application/xml"
"""The Content-Type of an Error message."""


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
