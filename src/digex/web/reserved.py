"""The `/sdmx/rest/...` prefix, reserved for the SDMX REST API: until its routes are wired,
every path under it answers 501 with an SDMX-ML 2.1 Error message, as SDMX clients expect of a
resource a service does not implement (sdmx1 raises NotImplementedError on it; an HTML or JSON
body would make it fail to parse). To be replaced by `digex.sdmx`'s error messages."""

from __future__ import annotations

from typing import Final
from xml.sax.saxutils import escape

PREFIX: Final = "/sdmx/rest"
STRUCTURE_TYPE: Final = "application/vnd.sdmx.structure+xml; version=2.1"
_MESSAGE: Final = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
_COMMON: Final = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"


def error_xml(code: int, text: str) -> bytes:
    """An SDMX-ML 2.1 Error message: `<?xml` first, a prefixed root (`mes:Error`), one
    ErrorMessage with `code` and an English text."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<mes:Error xmlns:mes="{_MESSAGE}" xmlns:com="{_COMMON}">\n'
        f'  <mes:ErrorMessage code="{code:d}">\n'
        f'    <com:Text xml:lang="en">{escape(text)}</com:Text>\n'
        "  </mes:ErrorMessage>\n"
        "</mes:Error>\n"
    ).encode()
