"""A note's HTML page printed to PDF with WeasyPrint, with the vendored fonts only.

WeasyPrint comes from PyPI and draws text through the system's Pango (present on Debian as
libpango-1.0-0 and libpangoft2-1.0-0), so a PDF needs no browser and no root. It is imported
only when a PDF is written: its import is slow (it loads Pango, HarfBuzz and its CSS
machinery), and every other command would otherwise pay for it.

The page is printed from the fonts its `@font-face` rules name (`document.to_html` with no
`assets`: the package's own font files), never from the system's, and may fetch nothing but
local files: a missing chart or font stops the PDF (`DocumentAssetMissing`) rather than
leaving a blank where the figure was, and a network URL is refused. The PDF has no creation
date, so the same page gives the same bytes, and the manifest's checksum of a note does not
change when it is published again. It is a tagged PDF (headings, paragraphs, tables and the
charts' alternative texts marked as such, for screen readers).

Before printing, every character the page shows must be one the vendored fonts draw (else
`UnprintableText`, naming it): with a character they lack (an emoji, another script),
Pango would quietly take a glyph from whatever font the machine has.

SVG charts are printed as vector graphics only when WeasyPrint's own SVG renderer can print
them right: their text in the vendored families (the first family of every `font-family` is
Noto Sans or Noto Sans Arabic) and none of it right to left. That renderer lays Arabic out
left to right, letter by letter reversed (a chart's title "حصص القطاعات" printed as
"تاعاطقلا صصح"), and takes any other family from the system. Such an SVG is printed from the
PNG of the same name beside it (the charts are written in both formats), at the SVG's width;
with no PNG there, the PDF is refused rather than printed wrong.
"""

from __future__ import annotations

import html as html_text
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from digex.errors import DocumentAssetMissing, PdfEngineUnavailable, UnprintableText, first_line
from digex.publish.document import (
    check_images,
    faces,
    font_dir,
    image_sources,
    page_language,
    visible_text,
)

ALLOWED_PROTOCOLS: Final = frozenset({"file", "data"})
RTL_TEXT: Final = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
"""Hebrew and Arabic letters (with their presentation forms): text an SVG cannot carry into
WeasyPrint's PDF in the right order."""
SVG_FONT: Final = re.compile(r"font-family\s*[=:]\s*(?:\"([^\"]*)\"|'([^']*)'|([^;\"'>]+))")
SVG_TEXT: Final = re.compile(r"<text\b")
SVG_WIDTH: Final = re.compile(r"<svg\b[^>]*?\swidth=[\"']([0-9]+(?:\.[0-9]+)?)(?:px)?[\"']")
"""The width of an SVG in CSS pixels, which its PNG (drawn at a larger scale) is shown at."""
INVISIBLE: Final = frozenset({"Cc", "Cf", "Zl", "Zp"})
"""Unicode categories a font need not draw (controls, direction marks, line separators)."""


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


def _svg_prints_right(svg: str, families: frozenset[str]) -> bool:
    """Whether WeasyPrint draws this SVG's text as the chart meant: no right-to-left text,
    and every text in one of the page's vendored `families` (the first of each
    `font-family`)."""
    if RTL_TEXT.search(svg):
        return False
    named = [next(g for g in match.groups() if g is not None) for match in SVG_FONT.finditer(svg)]
    if SVG_TEXT.search(svg) and not named:
        return False  # text in the renderer's default family: the system's
    firsts = {html_text.unescape(n).split(",")[0].strip().strip("\"'") for n in named}
    return firsts <= families


def _printable_images(html: str, base: Path, *, what: str) -> str:
    """The page with each SVG image WeasyPrint would misprint replaced by its PNG."""
    families = frozenset(face.family for face in faces(page_language(html) or "en"))
    for source, file in zip(image_sources(html), check_images(html, base, what=what), strict=True):
        if file.suffix.lower() != ".svg":
            continue
        svg = file.read_text(encoding="utf-8", errors="replace")
        if _svg_prints_right(svg, families):
            continue
        png = file.with_suffix(".png")
        if not png.is_file():
            raise DocumentAssetMissing(
                f"{what}: the chart {source!r} holds right-to-left text or fonts other than "
                f"the page's, which the PDF engine cannot draw from SVG, and its "
                f"PNG ({png}) is missing: write the chart as PNG too"
            )
        parts = urlsplit(source)
        replacement = urlunsplit(parts._replace(path=parts.path[: -len(file.suffix)] + ".png"))
        size = SVG_WIDTH.search(svg)
        style = f' style="width: {size.group(1)}px"' if size else ""
        html = html.replace(
            f'src="{_attribute(source)}"', f'src="{_attribute(replacement)}"{style}'
        )
    return html


@cache
def _drawn(files: tuple[str, ...]) -> frozenset[int]:
    """The code points the font files draw."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    points: set[int] = set()
    for name in files:
        with TTFont(font_dir() / name, lazy=True) as font:
            points |= set(font.getBestCmap())
    return frozenset(points)


def check_glyphs(html: str, *, what: str) -> None:
    """Refuse a page showing a character that none of its language's vendored fonts draws."""
    drawn = _drawn(tuple(face.file for face in faces(page_language(html) or "en")))
    lacking = sorted(
        {
            ch
            for ch in visible_text(html)
            if ord(ch) not in drawn and unicodedata.category(ch) not in INVISIBLE
        }
    )
    if lacking:
        shown = ", ".join(f"{ch!r} (U+{ord(ch):04X} {unicodedata.name(ch, '?')})" for ch in lacking)
        raise UnprintableText(
            f"{what}: the text holds characters the vendored fonts do not draw: {shown}; "
            "replace or remove them"
        )


def write_pdf(html: str, path: Path, *, base_url: Path) -> Path:
    """Print the HTML page to `path` (A4); relative URLs (the charts) are resolved against
    the folder `base_url`. Returns `path`."""
    check_glyphs(html, what=str(path))
    html = _printable_images(html, base_url, what=str(path))
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
    from weasyprint.urls import FatalURLFetchingError, URLFetcher  # type: ignore[import-untyped]

    fetcher = URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS, fail_on_errors=True)
    document = weasyprint.HTML(
        string=html, base_url=base_url.resolve().as_uri() + "/", url_fetcher=fetcher
    )
    try:
        document.write_pdf(path, font_config=FontConfiguration(), pdf_tags=True)
    except FatalURLFetchingError as e:
        cause = first_line(e.__cause__) if e.__cause__ is not None else ""
        raise DocumentAssetMissing(
            f"{path}: {first_line(e)} ({cause}); a note's PDF reads only local files (its "
            "charts beside it, the vendored fonts): write them first"
        ) from e
    return path
