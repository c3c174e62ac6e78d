"""The `/sdmx/rest/...` prefix: whatever goes wrong there (a 405, an unexpected error) is
answered as an SDMX-ML 2.1 Error message, never an HTML or JSON body, which SDMX clients
cannot parse (`digex.web.sdmx_rest` serves the API itself)."""

from __future__ import annotations

from typing import Final

from digex.sdmx.errors import ERROR_TYPE, error_message

PREFIX: Final = "/sdmx/rest"

__all__ = ["ERROR_TYPE", "PREFIX", "error_xml"]


def error_xml(code: int, text: str) -> bytes:
    """An SDMX-ML 2.1 Error message (`digex.sdmx.errors.error_message`)."""
    return error_message(code, text)
