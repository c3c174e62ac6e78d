"""A note's HTML page printed to PDF with WeasyPrint, with the vendored fonts only.

WeasyPrint comes from PyPI and draws text through the system's Pango (present on Debian as
libpango-1.0-0 and libpangoft2-1.0-0), so a PDF needs no browser and no root. It is imported
only when a PDF is written: its import costs about a second, which every other command would
otherwise pay.

The page is printed from the fonts its `@font-face` rules name (`document.to_html` with no
`assets`: the package's own font files), never from the system's, and may fetch nothing but
local files: a missing chart or font stops the PDF (`DocumentAssetMissing`) rather than
leaving a blank where the figure was, and a network URL is refused. The PDF has no creation
date, so the same page gives the same bytes, and the manifest's checksum of a note does not
change when it is published again.

WeasyPrint's own SVG renderer lays out Arabic text left to right, letter by letter reversed (a
chart's title "حصص القطاعات" printed as "تاعاطقلا صصح"), while its HTML text is shaped and
ordered right. So an SVG image holding right-to-left text is printed from the PNG of the same
name beside it (the charts are written in both formats); with no PNG there, the PDF is refused
rather than printed wrong. Other SVGs stay vector graphics.
"""

from __future__ import annotations

import html as html_text
import re
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from digex.errors import DocumentAssetMissing, PdfEngineUnavailable, first_line
from digex.publish.document import check_images, image_sources

ALLOWED_PROTOCOLS: Final = frozenset({"file", "data"})
RTL_TEXT: Final = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
"""Hebrew and Arabic letters (with their presentation forms): text an SVG cannot carry into
WeasyPrint's PDF in the right order."""


def _weasyprint() -> Any:
    """The `weasyprint` module, or the reason it cannot run as a digex error."""
    try:
        import weasyprint  # type: ignore[import-untyped]
    except ImportError as e:
        raise PdfEngineUnavailable(
            f"the PDF engine WeasyPrint is not installed ({first_line(e)}): install digex "
            "with its dependencies (`make demo` does), or leave PDFs out"
        ) from e
    except OSError as e:
        raise PdfEngineUnavailable(
            f"the PDF engine WeasyPrint cannot load the Pango library ({first_line(e)}): "
            "install it (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0), or leave "
            "PDFs out"
        ) from e
    return weasyprint


def _attribute(value: str) -> str:
    """A value as markdown-it writes it in a double-quoted attribute."""
    return html_text.escape(value, quote=False).replace('"', "&quot;")


def _printable_images(html: str, base: Path, *, what: str) -> str:
    """The page with each SVG image that holds right-to-left text replaced by its PNG."""
    for source, file in zip(image_sources(html), check_images(html, base, what=what), strict=True):
        if file.suffix.lower() != ".svg":
            continue
        if not RTL_TEXT.search(file.read_text(encoding="utf-8", errors="replace")):
            continue
        png = file.with_suffix(".png")
        if not png.is_file():
            raise DocumentAssetMissing(
                f"{what}: the chart {source!r} holds right-to-left text, which the PDF engine "
                f"cannot draw from SVG, and its PNG ({png}) is missing: write the chart as "
                "PNG too"
            )
        parts = urlsplit(source)
        replacement = urlunsplit(parts._replace(path=parts.path[: -len(file.suffix)] + ".png"))
        html = html.replace(f'src="{_attribute(source)}"', f'src="{_attribute(replacement)}"')
    return html


def write_pdf(html: str, path: Path, *, base_url: Path) -> Path:
    """Print the HTML page to `path` (A4); relative URLs (the charts) are resolved against
    the folder `base_url`. Returns `path`."""
    html = _printable_images(html, base_url, what=str(path))
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
    from weasyprint.urls import FatalURLFetchingError, URLFetcher  # type: ignore[import-untyped]

    fetcher = URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS, fail_on_errors=True)
    document = weasyprint.HTML(
        string=html, base_url=base_url.resolve().as_uri() + "/", url_fetcher=fetcher
    )
    try:
        document.write_pdf(path, font_config=FontConfiguration())
    except FatalURLFetchingError as e:
        cause = first_line(e.__cause__) if e.__cause__ is not None else ""
        raise DocumentAssetMissing(
            f"{path}: {first_line(e)} ({cause}); a note's PDF reads only local files (its "
            "charts beside it, the vendored fonts): write them first"
        ) from e
    return path
