"""A release note's Markdown as a standalone HTML page, ready to read on screen or to print.

The note is written in Markdown (headings, paragraphs, pipe tables, images of the charts that
sit beside it); this module turns it into one HTML5 file with nothing to fetch from the
network: the stylesheet is embedded, there is no script, and raw HTML in the Markdown is shown
as text rather than obeyed (a commentary paragraph supplied by a statistician cannot inject
markup). The same page, with its font URLs pointing at the package, is what `pdf.write_pdf`
prints.

Fonts are the vendored Noto Sans and Noto Sans Arabic (OFL), named in `@font-face` rules and
in the `font-family` stack: a reader's or a printing machine's own fonts never decide how the
figures look (with no Arabic font named, renderers fall back to whatever the system has, and
Chromium with none draws no text at all). A page written to disk gets its fonts copied into a
`fonts/` folder beside it, with their licence, and refers to them relatively, so that the
folder can be moved or published as a whole.

Tables: a cell that holds a number (digits and separators only, in any of the three
languages' conventions) or a mark that stands for one (the confidential and missing marks) is
aligned to the right with tabular figures, so that the units digits line up whatever the
script of the page, and set left to right (an Arabic page would otherwise move a leading
minus sign to the number's right); a column marked `--:` in the Markdown is aligned the
same way, and one marked `:--` is aligned to the start of the line (the right, in Arabic),
because it holds words.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import Final
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from digex.errors import DocumentAssetMissing, UsageError


@dataclass(frozen=True)
class FontFace:
    """One vendored font file and the family and weight the stylesheet gives it."""

    family: str
    file: str
    weight: int


FACES: Final = (
    FontFace("Noto Sans", "NotoSans-Regular.ttf", 400),
    FontFace("Noto Sans", "NotoSans-Bold.ttf", 700),
    FontFace("Noto Sans Arabic", "NotoSansArabic-Regular.ttf", 400),
    FontFace("Noto Sans Arabic", "NotoSansArabic-Bold.ttf", 700),
)
LICENCE_FILES: Final = ("OFL.txt", "README.txt")
"""Copied with the fonts: the OFL lets them be redistributed only with their licence."""
FONTS_FOLDER: Final = "fonts"
"""Where `write_html` puts the fonts, relative to the page."""
NUMERIC_MARKS: Final = frozenset({"—", "–", "-", "..", "...", "…", ":", "x", "X", "C", "c"})
"""Cell texts that stand in for a number (missing, not applicable, confidential): aligned as
numbers are, so that a column keeps one edge."""


def font_dir() -> Path:
    """The folder of the vendored fonts, as a path on disk (WeasyPrint and the copy need
    one; digex is always installed as files, never zipped)."""
    folder = files("digex") / "data" / "fonts"
    return Path(str(folder))


def is_rtl(lang: str) -> bool:
    """Whether the language is written right to left, as CLDR says (Arabic: yes)."""
    from babel import Locale, UnknownLocaleError

    try:
        return bool(Locale.parse(lang).character_order == "right-to-left")
    except (ValueError, UnknownLocaleError) as e:
        raise UsageError(f"lang={lang}: not a language code; give one such as ar, fr or en").naming(
            lang=lang
        ) from e


def families(lang: str) -> tuple[str, ...]:
    """The font families a page in `lang` names, first choice first: a right-to-left page
    (Arabic) in Noto Sans Arabic, with Noto Sans for Latin words and codes; other pages in
    Noto Sans, with Noto Sans Arabic for an Arabic name they quote (a PDF embeds only the
    fonts it uses)."""
    both = ("Noto Sans", "Noto Sans Arabic")
    return both[::-1] if is_rtl(lang) else both


def faces(lang: str) -> tuple[FontFace, ...]:
    """The font files a page in `lang` uses, in its order of preference."""
    return tuple(face for family in families(lang) for face in FACES if face.family == family)


def _font_url(face: FontFace, assets: Path | None) -> str:
    if assets is None:
        return (font_dir() / face.file).as_uri()
    if assets.is_absolute():
        return (assets / face.file).as_uri()
    return str(PurePosixPath(assets.as_posix()) / face.file)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stylesheet(lang: str, assets: Path | None = None) -> str:
    """The page's embedded stylesheet: the fonts, a readable column on screen, an A4 page
    with its number in the footer in print, tables and images that fit the page."""
    font_faces = "\n".join(
        f"@font-face {{ font-family: {_css_string(face.family)}; font-weight: {face.weight};"
        f" font-style: normal; src: url({_css_string(_font_url(face, assets))})"
        ' format("truetype"); }'
        for face in faces(lang)
    )
    stack = ", ".join(_css_string(family) for family in families(lang))
    return f"""{font_faces}
@page {{
  size: A4;
  margin: 20mm 18mm 22mm 18mm;
  @bottom-center {{
    content: counter(page) " / " counter(pages);
    font-family: {stack}, sans-serif;
    font-size: 8.5pt;
    color: #555;
  }}
}}
html {{ font-family: {stack}, sans-serif; font-size: 10.5pt; line-height: 1.45; color: #111; }}
body {{ margin: 0; }}
@media screen {{
  body {{ max-width: 46em; margin: 2em auto; padding: 0 1em; }}
}}
h1 {{ font-size: 1.7em; line-height: 1.2; margin: 0 0 0.6em; }}
h2 {{ font-size: 1.3em; margin: 1.4em 0 0.5em; }}
h3 {{ font-size: 1.1em; margin: 1.2em 0 0.4em; }}
h1, h2, h3 {{ break-after: avoid; }}
p, li {{ orphans: 2; widows: 2; }}
strong {{ font-weight: 700; }}
table {{ border-collapse: collapse; margin: 0.8em 0; break-inside: auto; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; }}
th, td {{ padding: 0.25em 0.6em; border-bottom: 0.5pt solid #999; vertical-align: top;
  text-align: start; }}
th {{ font-weight: 700; border-bottom: 1pt solid #333; }}
td, th {{ font-variant-numeric: tabular-nums lining-nums; }}
.num {{ text-align: right; white-space: nowrap; }}
.value {{ direction: ltr; }}
.center {{ text-align: center; }}
img {{ max-width: 100%; height: auto; break-inside: avoid; }}
p > img:only-child {{ display: block; margin: 0.6em auto; }}
"""


@cache
def _parser() -> MarkdownIt:
    """CommonMark with pipe tables; `html=False` escapes raw HTML instead of passing it."""
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _numeric(text: str) -> bool:
    stripped = text.strip()
    if stripped in NUMERIC_MARKS:
        return True
    return any(ch.isdigit() for ch in stripped) and not any(ch.isalpha() for ch in stripped)


_ALIGNMENT: Final = {
    "text-align:right": "num",
    "text-align:left": "start",
    "text-align:center": "center",
}


def _classify_cells(tokens: Sequence[Token]) -> None:
    """Replace markdown-it's physical `style="text-align:..."` by the classes the stylesheet
    aligns logically, and mark the cells holding a number (`num value`: a value reads left
    to right on any page, its sign and per cent sign where a spreadsheet puts them)."""
    for i, token in enumerate(tokens):
        if token.type not in ("th_open", "td_open"):
            continue
        style = token.attrs.pop("style", None)
        css_class = _ALIGNMENT.get(str(style)) if style is not None else None
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            token.type == "td_open"
            and following is not None
            and following.type == "inline"
            and _numeric(following.content)
        ):
            css_class = "num value"
        if css_class is not None:
            token.attrSet("class", css_class)


def body_html(markdown: str) -> str:
    """The Markdown as an HTML fragment (what goes inside `<body>`)."""
    parser = _parser()
    env: dict[str, object] = {}
    tokens = parser.parse(markdown, env)
    _classify_cells(tokens)
    return str(parser.renderer.render(tokens, parser.options, env))


def to_html(markdown: str, *, lang: str, title: str, assets: Path | None = None) -> str:
    """A standalone HTML5 page of the note, in `lang` (right to left when the language is).

    `assets` is where the page finds its fonts: None for the vendored folder itself (file
    URLs: what WeasyPrint prints from), a relative path for a page written with its fonts
    beside it (`write_html` uses `fonts`), an absolute one for a folder elsewhere.
    """
    direction = "rtl" if is_rtl(lang) else "ltr"
    tag = lang.replace("_", "-")  # a Babel locale (ar_MA) as a BCP 47 tag (ar-MA)
    return f"""<!DOCTYPE html>
<html lang="{html.escape(tag)}" dir="{direction}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="digex">
<title>{html.escape(title)}</title>
<style>
{stylesheet(lang, assets)}</style>
</head>
<body>
{body_html(markdown)}</body>
</html>
"""


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources.extend(value for name, value in attrs if name == "src" and value)


def image_sources(page: str) -> list[str]:
    """The `src` of every image of an HTML page, in order."""
    parser = _Images()
    parser.feed(page)
    parser.close()
    return parser.sources


_UNSEEN: Final = frozenset({"style", "title", "script"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _UNSEEN:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _UNSEEN and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    """The text a reader of an HTML page sees (not its stylesheet or title), entities decoded."""
    parser = _Text()
    parser.feed(page)
    parser.close()
    return "".join(parser.parts)


def page_language(page: str) -> str:
    """The `lang` of a page's `<html>` element ("" when it has none)."""
    found = re.search(r"<html\b[^>]*\blang=\"([^\"]*)\"", page)
    return html.unescape(found.group(1)) if found else ""


def check_images(page: str, base: Path, *, what: str) -> list[Path]:
    """The image files an HTML page refers to, resolved against `base` (the folder it sits
    in); raises `DocumentAssetMissing` for one that is not there or not a local file (a
    note must not reach out to the network when read or printed)."""
    found: list[Path] = []
    for source in image_sources(page):
        parts = urlsplit(source)
        if parts.scheme == "file":
            path = Path(unquote(parts.path))
        elif parts.scheme or parts.netloc:
            raise DocumentAssetMissing(
                f"{what}: the image {source!r} is not a file beside the note; a note's charts "
                "must be local files (write them into the note's folder and refer to them by "
                "name)"
            )
        else:
            path = base / unquote(parts.path)
        if not path.is_file():
            raise DocumentAssetMissing(
                f"{what}: the image {source!r} is missing ({path} does not exist); write the "
                "charts into the note's folder before the note's HTML or PDF"
            )
        found.append(path)
    return found


def copy_fonts(folder: Path, lang: str) -> list[Path]:
    """Copy the fonts a page in `lang` uses, and their licence, into `folder` (a file
    already there with the same size is left alone); returns the files copied or kept."""
    folder.mkdir(parents=True, exist_ok=True)
    source = font_dir()
    written = []
    for name in [*(face.file for face in faces(lang)), *LICENCE_FILES]:
        target = folder / name
        if not (target.is_file() and target.stat().st_size == (source / name).stat().st_size):
            shutil.copyfile(source / name, target)
        written.append(target)
    return written


def write_html(markdown: str, lang: str, title: str, path: Path) -> Path:
    """Write the note's standalone page to `path`, its fonts into `fonts/` beside it.

    The images it refers to must be there already (`DocumentAssetMissing` otherwise), so
    that a page is never published with a broken chart.
    """
    page = to_html(markdown, lang=lang, title=title, assets=Path(FONTS_FOLDER))
    check_images(page, path.parent, what=str(path))
    copy_fonts(path.parent / FONTS_FOLDER, lang)
    path.write_text(page, encoding="utf-8")
    return path
