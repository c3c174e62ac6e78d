"""`digex publish` on the demo's 2024 and 2025-H1 releases: every file there and in the
manifest; the PDFs read back (pdftotext) state the notes' numbers, and their first page is
not blank; the workbooks open; a failed check writes nothing."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from tests.publish.conftest import DemoReleases
from tests.publish.test_pdf import MARKS, need_poppler, run

from digex.errors import PublicationCheckFailed, UsageError
from digex.publish.publication import MANIFEST, Published, publish, verify_manifest

NUMBER = re.compile(r"[0-9٠-٩]+(?:[.,٫\u202f][0-9٠-٩]+)*")
LANGS = ("ar", "fr", "en")
COMMENTARY = {
    "en": "IT outsourcing alone brought MAD 10.6 billion, 40.3% of the total.",
    "fr": "L'externalisation informatique pèse 40,3 % du total, à 10,6 milliards de dirhams.",
    "ar": "بلغت صادرات تعهيد خدمات تكنولوجيا المعلومات 10,6 مليار درهم، أي 40,3 في المائة.",
}
"""A statistician's paragraph per language, given to the 2024 publication as files."""


@pytest.fixture(scope="module")
def published(
    demo_releases: DemoReleases, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Published]:
    """The 2024 release published here with a commentary file per language, and the 2025-H1
    release as `digex demo` published it (`publish` with no commentary, in the demo run)."""
    folder = tmp_path_factory.mktemp("publication")
    remarks = []
    for lang, text in COMMENTARY.items():
        remarks.append(folder / f"remarks.{lang}.md")
        remarks[-1].write_text(text, encoding="utf-8")
    half = demo_releases.folder / "publication" / demo_releases.ids["2025-H1"]
    return {
        "2024": publish(
            demo_releases.store, demo_releases.ids["2024"], folder / "2024", commentary=remarks
        ),
        "2025-H1": Published(demo_releases.ids["2025-H1"], half, sorted(half.rglob("*.*"))),
    }


def _numbers(text: str) -> Counter[str]:
    """The numbers of a text as written, without the bidi marks and with no-break spaces
    read as the group separator a PDF's text gives back as a plain space."""
    plain = MARKS.sub("", text).replace("\u202f", " ").replace("\u00a0", " ")
    return Counter(m.group(0) for m in re.finditer(r"[0-9٠-٩]+(?:[.,٫][0-9٠-٩]+)*", plain))


@pytest.mark.parametrize("which", ["2024", "2025-H1"])
def test_every_file_is_listed_with_its_hash(published: dict[str, Published], which: str) -> None:
    done = published[which]
    assert verify_manifest(done.out) == []
    body = json.loads((done.out / MANIFEST).read_text(encoding="utf-8"))
    assert body["release_id"] == done.release_id
    names = {entry["path"] for entry in body["files"]}
    for lang in LANGS:
        assert {f"note.{lang}.md", f"note.{lang}.html", f"note.{lang}.pdf"} <= names
        assert f"tables.{lang}.xlsx" in names
        assert any(n.endswith(f".{lang}.svg") for n in names)
        assert any(n.endswith(f".{lang}.png") for n in names)
    edited = done.out / f"note.{LANGS[0]}.md"
    text = edited.read_text(encoding="utf-8")
    edited.write_text("altered", encoding="utf-8")
    try:
        assert verify_manifest(done.out) == [f"{edited.name}: changed since it was published"]
    finally:  # put it back for the other tests
        edited.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_states_the_note_s_numbers(published: dict[str, Published], lang: str) -> None:
    need_poppler()
    out = published["2024"].out
    pdf = run("pdftotext", "-layout", out / f"note.{lang}.pdf", "-")
    note = (out / f"note.{lang}.md").read_text(encoding="utf-8")
    wanted = _numbers(note)
    found = _numbers(pdf)
    missing = wanted - found
    # the PDF adds only its page numbers ("1 / 3")
    assert not missing, missing
    page = out / f"page-{lang}"
    run("pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", out / f"note.{lang}.pdf", page)
    image = Image.open(next(out.glob(f"page-{lang}*.png"))).convert("L")
    dark = sum(image.histogram()[:200])
    assert dark > 0.01 * image.width * image.height


def test_the_arabic_pdf_draws_each_sign_left_of_its_latin_digits(
    published: dict[str, Published],
) -> None:
    """`+0,2` and `-8,1` as CLDR writes them for Arabic with Latin digits: a growth drawn
    `0,2+` or a fall drawn `8,1-` (a bare sign before digits in right-to-left text) reads
    wrongly. pdftotext -bbox gives each word's glyphs in the order they are drawn."""
    need_poppler()
    boxes = run("pdftotext", "-bbox", published["2024"].out / "note.ar.pdf", "-")
    words = [
        MARKS.sub("", w).strip("()،.؛:")  # the punctuation around a number ends up in its word
        for w in re.findall(r"<word [^>]*>([^<]*)</word>", boxes)
    ]
    signed = [w for w in words if re.fullmatch(r"[-+\u2212]?[0-9][0-9.,]*[-+\u2212]?", w)]
    wrong = [w for w in signed if w[-1] in "+-\u2212"]
    assert not wrong
    assert sum(w[0] in "+-\u2212" for w in signed) >= 10  # the growth rates of the note


def test_the_workbook_opens_and_marks_the_release(published: dict[str, Published]) -> None:
    out = published["2025-H1"].out
    book = openpyxl.load_workbook(out / "tables.ar.xlsx")
    assert len(book.worksheets) > 1
    assert all(ws.sheet_view.rightToLeft for ws in book.worksheets)
    cover = "\n".join(str(c.value) for row in book.worksheets[0].iter_rows() for c in row)
    assert published["2025-H1"].release_id in cover


def test_a_failed_check_writes_nothing(demo_releases: DemoReleases, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError, match="did not write"):
        publish(demo_releases.store, demo_releases.ids["2024"], target, pdf=False)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]

    edited = tmp_path / "templates"
    edited.mkdir()
    (edited / "en.md.j2").write_text(
        "Exports reached {{ t.money(f.total) }}, up 3.9% on {{ t.year(2023) }}.", encoding="utf-8"
    )
    fresh = tmp_path / "fresh"
    with pytest.raises(PublicationCheckFailed, match=r"3\.9%"):
        # English alone: the check fails before anything is drawn, whichever the language
        publish(demo_releases.store, demo_releases.ids["2024"], fresh, langs="en", templates=edited)
    assert not fresh.exists()
    assert sorted(tmp_path.iterdir()) == [target, edited]  # no temporary folder left behind


def test_the_command_line_exits_3_on_a_wrong_number_and_2_on_a_wrong_language(
    demo_releases: DemoReleases, tmp_path: Path
) -> None:
    from tests.inprocess import run_here

    edited = tmp_path / "templates"
    edited.mkdir()
    (edited / "fr.md.j2").write_text("Exportations : 26,3 milliards de $.", encoding="utf-8")
    rid = demo_releases.ids["2024"]
    common = ["publish", rid, "--db", demo_releases.store, "--out", tmp_path / "out"]
    wrong = run_here([*common, "--templates", edited, "--lang", "fr"], tmp_path)
    assert wrong.code == 3, wrong.stderr
    assert "26,3" in wrong.stderr
    assert "currency" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    assert not (tmp_path / "out").exists()
    language = run_here([*common, "--lang", "de"], tmp_path)
    assert language.code == 2, language.stderr
    assert "--lang de" in language.stderr


def test_each_language_s_commentary_file_is_in_its_note(published: dict[str, Published]) -> None:
    out = published["2024"].out
    for lang, text in COMMENTARY.items():
        assert text in (out / f"note.{lang}.md").read_text(encoding="utf-8")
        assert text in (out / f"note.{lang}.html").read_text(encoding="utf-8")
    assert "IT outsourcing alone" not in (published["2025-H1"].out / "note.en.md").read_text(
        encoding="utf-8"
    )


def test_a_commentary_file_is_checked_and_named_after_its_language(
    demo_releases: DemoReleases, tmp_path: Path
) -> None:
    rid = demo_releases.ids["2024"]
    wrong = tmp_path / "remarks.fr.md"
    wrong.write_text("Le total atteint 27,2 milliards de dirhams.", encoding="utf-8")
    with pytest.raises(PublicationCheckFailed, match=r"27,2"):
        publish(demo_releases.store, rid, tmp_path / "out", langs="fr", commentary=[wrong])
    assert not (tmp_path / "out").exists()
    unnamed = tmp_path / "remarks.md"
    unnamed.write_text("Sans chiffre.", encoding="utf-8")
    with pytest.raises(UsageError, match="name the file after its language"):
        publish(demo_releases.store, rid, tmp_path / "out", langs="fr", commentary=[unnamed])
    with pytest.raises(UsageError, match="a second commentary in fr"):
        publish(demo_releases.store, rid, tmp_path / "out", langs="fr", commentary=[wrong, wrong])
