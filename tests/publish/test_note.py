"""The demo's notes state DESIGN.md's figures in each language's conventions (read back from
the text as a reader would, not compared with a fixed text), and an edited template that
states a wrong number, or a dollar sign, is refused."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest
from tests.publish.conftest import DemoReleases

from digex.errors import PublicationCheckFailed
from digex.publish import note
from digex.publish.figures import FigureKey, ReleaseFigures
from digex.publish.quantities import Quantity, find_quantities
from digex.publish.rounding import round_half_up
from digex.publish.tagging import CONFIDENTIAL_MARK

SHARES = {Decimal(s) for s in ("40.3", "37.4", "13.2", "8.9", "0.2")}
ANY_FLOW = {"EXPORTS_2030": "X", "JOBS_2030": "_Z"}
"""The flow of each target's rows (exports; jobs, which have none)."""


@pytest.fixture(scope="module")
def notes(demo_releases: DemoReleases) -> dict[tuple[str, str], str]:
    return {
        (which, lang): note.render(demo_releases.open(which), lang).text
        for which in ("2024", "2025-H1")
        for lang in ("en", "fr", "ar")
    }


def _said(text: str, lang: str) -> list[Quantity]:
    return find_quantities(text, lang)


def _has(found: list[Quantity], value: str, unit: str | None, scale: int = 0, *,
         signed: bool = False) -> bool:  # fmt: skip
    return any(
        q.value == Decimal(value) and q.unit == unit and q.scale == scale
        and (q.signed or not signed)
        for q in found
    )  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_2024_note_states_the_published_figures(
    notes: dict[tuple[str, str], str], lang: str
) -> None:
    found = _said(notes[("2024", lang)], lang)
    assert _has(found, "26.2", "MAD", 9)
    assert _has(found, "0.2", "PC", signed=True)
    shares = {q.value for q in found if q.unit == "PC" and not q.signed}
    assert shares >= SHARES
    assert not any(q.unit in ("USD", "EUR") for q in found)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_half_year_note_states_13_4_against_12_9(
    notes: dict[tuple[str, str], str], lang: str
) -> None:
    found = _said(notes[("2025-H1", lang)], lang)
    assert _has(found, "13.4", "MAD", 9)
    assert _has(found, "12.9", "MAD", 9)
    assert _has(found, "3.5", "PC", signed=True)


def test_each_language_writes_its_own_conventions(notes: dict[tuple[str, str], str]) -> None:
    en, fr, ar = (notes[("2024", lang)] for lang in ("en", "fr", "ar"))
    assert "MAD 26.2 billion" in en
    assert "40.3%" in en
    assert "26,2 milliards de dirhams" in fr
    assert "40,3\u00a0%" in fr
    assert "26,2 مليار درهم" in ar
    assert "40,3 في المائة" in ar
    for text in (en, fr, ar):
        assert "$" not in text


def test_the_revision_says_what_changed(notes: dict[tuple[str, str], str]) -> None:
    assert "What changed since release 2024.1" in notes[("2024", "en")]
    assert "26.219" in notes[("2024", "en")]  # the total as first published
    assert "What changed" not in notes[("2025-H1", "en")]


def test_the_series_break_is_explained(notes: dict[tuple[str, str], str]) -> None:
    assert "Series break" in notes[("2024", "en")]  # 2023 is the first year of five segments


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        ("Exports reached 26.3 billion dirhams.", "not tagged"),
        ("{{ t.money(f.total)|replace('26.2', '26.3') }}", "rounds to"),
        ("${{ t.money(f.total)|replace('MAD ', '') }}", "currency"),
        ("{{ t.money(f.total)|replace('MAD', 'USD') }}", "USD"),
        ("{{ t.growth(f.growth)|replace('0.2', '3.5') }}", "rounds to"),
    ],
)
def test_an_edited_template_is_refused(demo_releases: DemoReleases, edit: str, why: str) -> None:
    release = demo_releases.open("2024")
    assert note.render(release, "en", template="{{ t.money(f.total) }}").text
    with pytest.raises(PublicationCheckFailed, match=why):
        note.render(release, "en", template=edit)


def test_a_commentary_is_checked_like_the_note(demo_releases: DemoReleases) -> None:
    release = demo_releases.open("2024")
    good = "Le total, 26,2 milliards de dirhams, progresse de 0,2 % ; l'ITO pèse 40,3 %."
    text = note.render(release, "fr", commentary=good).text
    assert good in text
    with pytest.raises(PublicationCheckFailed, match=r"27,2"):
        note.render(release, "fr", commentary="Le total atteint 27,2 milliards de dirhams.")


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_annual_note_states_progress_toward_each_target(
    demo_releases: DemoReleases, notes: dict[tuple[str, str], str], lang: str
) -> None:
    """Level, target, share reached, gap and growth needed per year, for the exports and the
    jobs targets (the note once left the section out: a target's own value is kept beside
    the observations, and the note looked for it among them)."""
    release = demo_releases.open("2024")
    found = _said(notes[("2024", lang)], lang)
    for target, unit in (("EXPORTS_2030", "MAD"), ("JOBS_2030", None)):

        def value(indicator: str, target: str = target) -> Decimal:
            figure = release.get(FigureKey(indicator, "2024", "target", target, ANY_FLOW[target]))
            assert figure is not None, indicator
            assert figure.value is not None
            return figure.value

        for indicator in ("TARGET_VALUE", "TARGET_LEVEL", "TARGET_GAP"):
            if unit is None:  # a count of jobs, written whole
                assert _has(found, str(round_half_up(value(indicator), 0)), None), indicator
            else:  # billions to one decimal
                shown = round_half_up(value(indicator) / 10**9, 1)
                assert _has(found, str(shown), unit, 9), indicator
        for indicator in ("TARGET_PROGRESS", "CAGR_NEEDED"):
            assert _has(found, str(round_half_up(value(indicator), 1)), "PC"), indicator


def test_only_a_part_year_release_says_what_the_first_months_say(
    notes: dict[tuple[str, str], str],
) -> None:
    """A whole year's note states the adjusted change of its last month under its own
    heading, not under the heading of the part-year forecast."""
    assert "What the first months say" in notes[("2025-H1", "en")]
    assert "What the first months say" not in notes[("2024", "en")]
    assert "## Seasonally adjusted" in notes[("2024", "en")]


def test_a_chart_is_a_paragraph_of_its_own(demo_releases: DemoReleases) -> None:
    """Each chart the note shows is a paragraph of its own, never glued to the sentence
    before it (the segments' chart once ended the paragraph of their shares)."""
    from digex.publish.document import to_html

    release = demo_releases.open("2024")
    charts = {name: f"{name}.en.svg" for name in ("annual", "segments", "target")}
    page = to_html(note.render(release, "en", charts=charts).text, lang="en", title="note")
    for name in charts:
        assert f'<p><img src="{name}.en.svg"' in page, name


def test_a_profile_writing_arabic_indic_digits_gets_a_whole_checked_note(
    demo_releases: DemoReleases,
) -> None:
    """The profile's `digits = { ar = "arab" }`: every figure of the Arabic note in
    Arabic-Indic digits with the Arabic decimal mark, each read back and checked as written."""
    import dataclasses

    release = demo_releases.open("2024")
    text = release.inputs["profile.toml"].replace(
        'digits = { ar = "latn"', 'digits = { ar = "arab"'
    )
    assert text != release.inputs["profile.toml"]
    arab = dataclasses.replace(release, inputs={**release.inputs, "profile.toml": text})
    written = note.render(arab, "ar").text
    assert "٢٦٫٢ مليار درهم" in written
    assert "٤٠٫٣ في المائة" in written
    found = _said(written, "ar")
    assert _has(found, "26.2", "MAD", 9)
    assert _has(found, "0.2", "PC", signed=True)
    assert {q.value for q in found if q.unit == "PC" and not q.signed} >= SHARES


METHODS = {"en": "## Methods", "fr": "## Méthodologie", "ar": "## المنهجية"}
STATUS = {
    ("2024", "en"): "Revised figures",
    ("2024", "fr"): "Chiffres révisés",
    ("2024", "ar"): "أرقام معدلة",
    ("2025-H1", "en"): "Preliminary figures",
    ("2025-H1", "fr"): "Chiffres provisoires",
    ("2025-H1", "ar"): "أرقام أولية",
}


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_note_states_status_partners_jobs_and_methods(
    demo_releases: DemoReleases, notes: dict[tuple[str, str], str], lang: str
) -> None:
    """The rest of what a note must say: the release's status, its five largest partner
    markets with their levels, the sector's jobs, and a methods paragraph naming the source,
    the standards, the rounding and the confidentiality mark."""
    from babel import Locale

    for which in ("2024", "2025-H1"):
        assert STATUS[(which, lang)] in notes[(which, lang)]
    release = demo_releases.open("2024")
    text = notes[("2024", lang)]
    found = _said(text, lang)
    markets = [f for f in release.members("LEVEL", "2024", "partner") if f.available]
    markets.sort(key=lambda f: -(f.value or 0))
    territories = Locale.parse(release.profile.locale_for(lang)).territories
    for market in markets[:5]:
        assert (
            f"{territories[market.key.member]}:" in text
            or f"{territories[market.key.member]} :" in text
        )
        assert market.value is not None
        assert _has(found, str(round_half_up(market.value / 10**9, 1)), "MAD", 9)
    jobs = release.figure("JOBS", "2024", flow="_Z").value
    assert jobs is not None
    assert _has(found, str(round_half_up(jobs, 0)), None)
    methods = text[text.index(METHODS[lang]) :]
    assert release.profile.data_source[lang] in methods
    assert "BPM6" in methods
    assert " C" in methods  # the confidentiality mark


BREAK_HEADING = {"en": "## Series break", "fr": "## Rupture de série", "ar": "## انقطاع السلسلة"}
TOTAL_2023 = FigureKey("LEVEL", "2023")
OLDER_2023 = FigureKey("SERIES_LEVEL", "2023", member="EXPORTS_3SEG")


def _break_paragraph(text: str, lang: str) -> str:
    start = text.index(BREAK_HEADING[lang])
    return text[start : text.index("\n## ", start + 1)]


def _with_profile(release: ReleaseFigures, old: str, new: str) -> ReleaseFigures:
    text = release.inputs["profile.toml"]
    assert old in text
    return dataclasses.replace(
        release, inputs={**release.inputs, "profile.toml": text.replace(old, new)}
    )


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_break_explanation_states_the_release_figures_through_tags(
    demo_releases: DemoReleases, lang: str
) -> None:
    """The profile's explanation names the figures it quotes (the new series' 2023 total and
    the older series' 2023 level): the note writes them from the release, tagged and checked
    like its own, never digits copied into the profile."""
    checked = note.render(demo_releases.open("2024"), lang)
    stated = {s.figure for s in checked.stated}
    assert {TOTAL_2023.id, OLDER_2023.id} <= stated
    found = _said(_break_paragraph(checked.text, lang), lang)
    assert _has(found, "26.17", "MAD", 9)
    assert any(q.value == Decimal("17.9") and q.scale == 9 for q in found)


def test_a_withheld_figure_the_break_names_is_written_as_c(demo_releases: DemoReleases) -> None:
    """Where disclosure control withholds the 2023 total (a small demo: `digex demo --rows
    2000`), the explanation writes its mark, never the value: the note is published, and
    the workbook's cover says C too (the value was stated there before)."""
    from digex.publish.explanation import of_release

    release = demo_releases.open("2024")
    o = release.observations
    hit = (o["indicator"] == "LEVEL") & (o["cut"] == "total") & (o["period"] == "2023")
    assert hit.any()
    withheld = dataclasses.replace(
        release,
        observations=o.assign(
            value=o["value"].where(~hit), conf_status=o["conf_status"].where(~hit, "C")
        ),
    )
    for lang in ("en", "fr", "ar"):
        text = _break_paragraph(note.render(withheld, lang).text, lang)
        assert CONFIDENTIAL_MARK[lang] in text
        assert not _has(_said(text, lang), "26.17", "MAD", 9)
        explanation = withheld.profile.breaks[0].explanation[lang]
        cover = of_release(explanation, withheld, lang)
        assert CONFIDENTIAL_MARK[lang] in cover
        assert not _has(_said(cover, lang), "26.17", "MAD", 9)


def test_the_break_explanation_takes_the_profiles_arabic_indic_digits(
    demo_releases: DemoReleases,
) -> None:
    """`digits = { ar = "arab" }`: the break's paragraph writes its years and figures in
    Arabic-Indic digits like the rest of the note; only an identifier keeps its digit."""
    release = _with_profile(
        demo_releases.open("2024"), 'digits = { ar = "latn"', 'digits = { ar = "arab"'
    )
    text = _break_paragraph(note.render(release, "ar").text, "ar")
    assert "٢٠٢٣" in text
    assert "٢٦٫١٧ مليار درهم" in text
    assert re.findall(r"[0-9]+", text.replace("EXPORTS_3SEG", "")) == []


def test_a_misspelt_placeholder_in_the_profile_is_refused(demo_releases: DemoReleases) -> None:
    release = _with_profile(
        demo_releases.open("2024"), "{money:LEVEL/X/total/_T/2023:2}", "{money:LEVEL/2023}"
    )
    with pytest.raises(PublicationCheckFailed, match="does not name a figure"):
        note.render(release, "en")


WITHHELD = {
    "en": "Withheld for confidentiality (C), and so not ranked here: ",
    "fr": "Chiffres non diffusés, car confidentiels (C), et donc non classés ici : ",
    "ar": "أرقام محجوبة للسرية (C)، ولذلك لا تدخل في هذا الترتيب: ",
}


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_half_year_note_says_which_regions_it_withholds(
    demo_releases: DemoReleases, lang: str
) -> None:
    """A region whose half-year level disclosure control withholds is not silently left out
    of the note's list of regions: the note names it as withheld (C), apart from the ranked
    list and without any of its figures."""
    from digex.publish.display import region_names

    release = demo_releases.open("2025-H1")
    o = release.observations
    hit = (o["cut"] == "region") & (o["member"] == "002") & (o["period"] == "2025-H1")
    assert (hit & (o["indicator"] == "LEVEL") & (o["conf_status"] == "F")).any()
    withheld = dataclasses.replace(
        release,
        observations=o.assign(
            value=o["value"].where(~hit), conf_status=o["conf_status"].where(~hit, "C")
        ),
    )
    text = note.render(withheld, lang).text
    africa = region_names(lang)["002"]
    assert f"{WITHHELD[lang]}{africa}." in text
    assert text.count(africa) == 1  # not in the ranked list
    for member in ("019", "142", "150"):  # the others still listed, with their levels
        assert f"- {region_names(lang)[member]}" in text


def test_the_annual_note_says_other_partner_markets_are_withheld(
    notes: dict[tuple[str, str], str],
) -> None:
    """Many partner countries withheld (the test-size demo's 2024): one sentence says the
    list of main markets leaves out withheld ones, naming none."""
    assert (
        "The figures of other partner markets are withheld for confidentiality (C)"
        in (notes[("2024", "en")])
    )
    assert "Les chiffres d'autres marchés partenaires ne sont pas diffusés" in notes[("2024", "fr")]
    assert "أرقام أسواق شريكة أخرى محجوبة للسرية (C)" in notes[("2024", "ar")]
