"""A note's Markdown as a standalone HTML page: language and direction, no script, raw HTML
escaped, the vendored fonts named and copied beside the page, numbers aligned in tables,
images that must exist and be local."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digex.errors import DocumentAssetMissing, UsageError
from digex.publish.document import (
    FONTS_FOLDER,
    body_html,
    check_images,
    families,
    font_dir,
    to_html,
    write_html,
)

# A note in each language, as the publisher writes them: a heading, a paragraph with the
# figures in the language's conventions, a pipe table (a confidential cell marked C), a chart
# beside the note, and raw HTML that must come out as text.
NOTES = {
    "en": """# Exports 2024

Exports of digital services reached **MAD 26.2 billion** in 2024, up 0.2% on 2023.

| Segment | Share | Growth |
|:--|--:|--:|
| ITO | 40.3% | +1.5% |
| CRM | 37.4% | −0.9% |
| KPO | 0.2% | C |

![Exports by year](annual.en.png)

Markup stays text: <script>alert("x")</script> and <b>bold</b>.
""",
    "fr": """# Exportations 2024

Les exportations de services numériques atteignent **26,2\u00a0milliards de dirhams** en
2024, en hausse de 0,2\u00a0% sur 2023.

| Segment | Part | Croissance |
|:--|--:|--:|
| ITO | 40,3\u00a0% | +1,5\u00a0% |
| CRM | 37,4\u00a0% | −0,9\u00a0% |
| KPO | 0,2\u00a0% | C |

![Exportations par année](annual.fr.png)
""",
    "ar": """# الصادرات 2024

بلغت صادرات الخدمات الرقمية **26,2 مليار درهم** سنة 2024، بارتفاع قدره 0,2 في المائة
مقارنة بسنة 2023 (أي ٢٦٫٢ بالأرقام الهندية).

| القطاع | الحصة | النمو |
|:--|--:|--:|
| ITO | 40,3 | +1,5 |
| CRM | 37,4 | −0,9 |
| KPO | 0,2 | C |

![الصادرات حسب السنة](annual.ar.png)
""",
}
TITLES = {"en": "Exports 2024", "fr": "Exportations 2024", "ar": "الصادرات 2024"}


class Page(HTMLParser):
    """What a test reads of a page: every start tag with its attributes, the visible text."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style: list[str] = []
        self._in: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if "style" in self._in:
            self.style.append(data)
        elif "title" not in self._in:
            self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {lang: to_html(text, lang=lang, title=TITLES[lang]) for lang, text in NOTES.items()}


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fr", "ltr"), ("en", "ltr")])
def test_page_states_its_language_and_direction(
    pages: dict[str, str], lang: str, direction: str
) -> None:
    page = pages[lang]
    assert page.startswith("<!DOCTYPE html>\n")
    parsed = Page(page)
    assert parsed.all("html") == [{"lang": lang, "dir": direction}]
    assert parsed.all("meta")[0] == {"charset": "utf-8"}
    assert f"<title>{TITLES[lang]}</title>" in page


def test_a_babel_locale_becomes_a_language_tag() -> None:
    assert Page(to_html("x", lang="ar_MA", title="t")).all("html") == [
        {"lang": "ar-MA", "dir": "rtl"}
    ]


def test_no_script_and_raw_html_is_shown_as_text(pages: dict[str, str]) -> None:
    parsed = Page(pages["en"])
    assert not parsed.all("script")
    assert not parsed.all("b")
    text = "".join(parsed.text)
    assert '<script>alert("x")</script>' in text
    assert "<b>bold</b>" in text


def test_a_title_with_markup_is_escaped() -> None:
    page = to_html("text", lang="en", title="</title><script>x</script>")
    assert not Page(page).all("script")


def test_stylesheet_is_embedded_and_names_only_the_vendored_fonts(pages: dict[str, str]) -> None:
    for lang, page in pages.items():
        parsed = Page(page)
        assert not parsed.all("link")
        css = "".join(parsed.style)
        assert "http:" not in css
        assert "https:" not in css
        assert "@import" not in css
        sources = re.findall(r'src: url\("([^"]+)"\)', css)
        assert sources, lang
        for source in sources:
            assert source.startswith("file://"), source
            assert Path(source.removeprefix("file://")).parent == font_dir()
            assert Path(source.removeprefix("file://")).is_file()
        # the font stack: the language's vendored families first, then the generic family
        stack = ", ".join(f'"{family}"' for family in families(lang))
        assert f"html {{ font-family: {stack}, sans-serif;" in css
    assert families("ar") == ("Noto Sans Arabic", "Noto Sans")
    assert families("fr") == families("en") == ("Noto Sans", "Noto Sans Arabic")


def test_print_layout_is_a4_with_page_numbers(pages: dict[str, str]) -> None:
    css = "".join(Page(pages["fr"]).style)
    assert "size: A4;" in css
    assert 'content: counter(page) " / " counter(pages);' in css
    assert "max-width: 100%" in css  # images scaled to the page
    assert "tabular-nums" in css


def test_table_cells_holding_numbers_are_aligned_as_numbers(pages: dict[str, str]) -> None:
    for lang, page in pages.items():
        cells = Page(page).all("td")
        # three rows of (label, share, growth): the label starts the line, the rest are numbers
        # or the confidential mark, aligned as numbers in every language
        assert [c.get("class") for c in cells] == ["start", "num value", "num value"] * 3, lang
        assert all("style" not in c for c in cells)
    headers = Page(pages["ar"]).all("th")
    assert [h.get("class") for h in headers] == ["start", "num", "num"]


def test_numeric_cells_are_recognised_without_an_alignment() -> None:
    body = body_html("| a | b | c | d |\n|---|---|---|---|\n| ٢٦٫٢ | 1 234,5\u00a0% | x | ITO |\n")
    assert [c.get("class") for c in Page(body).all("td")] == ["num value"] * 3 + [None]


def test_unknown_language_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"^lang=xx-notalanguage: not a language code") as e:
        to_html("text", lang="xx-notalanguage", title="t")
    assert e.value.parameters == {"lang": "xx-notalanguage"}  # the CLI says --lang


ALLOWED_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code", "pre", "ul"}
ALLOWED_TAGS |= {"ol", "li", "blockquote", "hr", "br", "a", "img", "table", "thead", "tbody"}
ALLOWED_TAGS |= {"tr", "th", "td"}


@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcipst|-!*[]()\n&;:")), max_size=80))
def test_any_text_yields_only_markdown_tags(text: str) -> None:
    """Whatever a commentary file holds, the page gets only the tags Markdown makes: raw HTML
    is never passed through."""
    tags = {name for name, _ in Page(body_html(text)).tags}
    assert tags <= ALLOWED_TAGS, tags
    assert "<script" not in body_html(text).lower()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("html")
    for lang in NOTES:
        (folder / f"annual.{lang}.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return {
        lang: write_html(text, lang, TITLES[lang], folder / f"note.{lang}.html")
        for lang, text in NOTES.items()
    }


def test_written_page_refers_to_its_fonts_beside_it(written: dict[str, Path]) -> None:
    for lang, path in written.items():
        page = path.read_text(encoding="utf-8")
        css = "".join(Page(page).style)
        sources = re.findall(r'src: url\("([^"]+)"\)', css)
        assert sources
        for source in sources:
            assert source.startswith(f"{FONTS_FOLDER}/"), source
            copied = path.parent / source
            assert copied.read_bytes() == (font_dir() / copied.name).read_bytes()
        assert "file:" not in page, lang
    fonts = path.parent / FONTS_FOLDER
    # the licence travels with the fonts (the OFL allows redistribution only so)
    assert (fonts / "OFL.txt").read_bytes() == (font_dir() / "OFL.txt").read_bytes()
    assert sorted(p.name for p in fonts.iterdir()) == [
        "NotoSans-Bold.ttf",
        "NotoSans-Regular.ttf",
        "NotoSansArabic-Bold.ttf",
        "NotoSansArabic-Regular.ttf",
        "OFL.txt",
        "README.txt",
    ]


def test_written_page_keeps_images_relative(written: dict[str, Path]) -> None:
    images = Page(written["ar"].read_text(encoding="utf-8")).all("img")
    assert images == [{"src": "annual.ar.png", "alt": "الصادرات حسب السنة"}]


def test_a_missing_chart_stops_the_page(tmp_path: Path) -> None:
    with pytest.raises(DocumentAssetMissing, match=r"'annual\.en\.png' is missing") as caught:
        write_html(NOTES["en"], "en", TITLES["en"], tmp_path / "note.en.html")
    assert str(tmp_path / "note.en.html") in str(caught.value)
    assert not (tmp_path / "note.en.html").exists()


def test_a_remote_image_is_refused(tmp_path: Path) -> None:
    page = to_html("![x](https://example.org/chart.png)", lang="en", title="t")
    with pytest.raises(DocumentAssetMissing, match="not a file beside the note"):
        check_images(page, tmp_path, what="note")
