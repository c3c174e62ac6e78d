"""The claim checker on the demo's releases (2024 revised, 2025-H1): press texts written for
these tests in English, French and Arabic, each with four planted errors (a dollar sign on
dirhams, a wrong year, a growth recomputed from rounded levels called the office's error, the
share of another segment) among correct claims; and the property that every figure the
publisher writes into a note is found consistent (the notes of the three releases, in the
three languages)."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from tests.conftest import DemoReleases
from tests.inprocess import run_here

from digex.claims.check import Report, check_text
from digex.publish.figures import ReleaseFigures
from digex.publish.note import render

TEXTS = {
    "en": (
        "Morocco's digital services exports hit $26.2 billion in 2024, up 0.2% on 2023.\n"
        "IT outsourcing accounted for 40.3% of the total, and call centres for 37.4%.\n"
        "In the first half of 2024, exports reached 13.4 billion dirhams.\n"
        "In the first half of 2025 exports reached 13.4 billion dirhams, against 12.9 billion "
        "a year earlier.\n"
        "The office announced growth of 3.5%, but 13.4 against 12.9 is a rise of 3.9%, so the "
        "official figure is wrong.\n"
        "IT outsourcing took 37.4% of the sector's exports in 2024.\n"
        "Business process outsourcing grew by about 17% in 2024, and engineering by 7.1%.\n"
        "The sector employed 148,500 people at the end of 2024.\n"
        "The strategy aims at MAD 40 billion of exports and 270,000 jobs by 2030.\n"
        "KPO exports fell from 0.078 billion dirhams in 2023 to 0.048 billion in 2024.\n"
        "Call centres exported 2.814 billion dirhams in the third quarter of 2024 and 2.183 "
        "billion in Q4 2024.\n"
    ),
    "fr": (
        "Les exportations des services numériques et de l'offshoring ont atteint 26,2 "
        "milliards de $ en 2024, en hausse de 0,2 % par rapport à 2023.\n"
        "L'externalisation des services informatiques représente 40,3 % du total, et les "
        "centres d'appels 37,4 %.\n"
        "Au premier semestre 2024, les exportations ont atteint 13,4 milliards de dirhams.\n"
        "Au premier semestre 2025, les exportations ont atteint 13,4 milliards de dirhams, "
        "contre 12,9 milliards un an plus tôt.\n"
        "L'Office annonce une hausse de 3,5 %, mais 13,4 contre 12,9 donne une progression de "
        "3,9 % : le chiffre officiel serait faux.\n"
        "Les services informatiques pèsent 37,4 % des exportations du secteur en 2024.\n"
        "La gestion de la relation client a reculé de 8,1 % en 2024, et l'ingénierie a "
        "progressé de 7,1 %.\n"
        "Le secteur employait près de 150 000 personnes fin 2024.\n"
        "L'ingénierie a bondi de 7,1 % en 2024, soit deux fois moins que le BPO (+17 %).\n"
        "Les services informatiques restent le premier segment avec 40,3 % des exportations "
        "en 2024, devant la relation client (37,4 %).\n"
        "Le secteur vise 40 milliards de dirhams d'exportations et 270 000 emplois en 2030.\n"
    ),
    "ar": (
        "بلغت صادرات الخدمات الرقمية وترحيل الخدمات 26,2 مليار دولار في 2024، بارتفاع قدره "
        "0,2 في المائة مقارنة مع 2023.\n"
        "وتمثل خدمات تكنولوجيا المعلومات 40,3 في المائة من المجموع، ومراكز النداء 37,4 في "
        "المائة.\n"
        "وفي النصف الأول من 2024، بلغت الصادرات 13,4 مليار درهم.\n"
        "وفي النصف الأول من 2025، بلغت الصادرات ١٣٫٤ مليار درهم، مقابل 12,9 مليار قبل سنة.\n"
        "أعلن المكتب عن نمو بنسبة 3,5 في المائة، لكن 13,4 مقابل 12,9 يعطي ارتفاعا بنسبة 3,9 "
        "في المائة، فالرقم الرسمي خاطئ.\n"
        "وتمثل خدمات تكنولوجيا المعلومات 37,4 في المائة من صادرات القطاع في 2024.\n"
        "وتراجعت إدارة العلاقة مع العملاء بنسبة 8,1 في المائة في 2024.\n"
        "وبلغ عدد مناصب الشغل في القطاع 148.500 في نهاية 2024.\n"
    ),
}
BIDI_MARKS = "\u200e\u200f\u061c"

PLANTED = {
    "en": {
        ("hit $26.2 billion", "$26.2 billion"): "currency",
        ("In the first half of 2024", "13.4 billion dirhams"): "period",
        ("official figure is wrong", "3.9%"): "rounding",
        ("took 37.4%", "37.4%"): "segment",
    },
    "fr": {
        ("26,2 milliards de $", "26,2 milliards de $"): "currency",
        ("Au premier semestre 2024", "13,4 milliards de dirhams"): "period",
        ("serait faux", "3,9 %"): "rounding",
        ("pèsent 37,4 %", "37,4 %"): "segment",
    },
    "ar": {
        ("26,2 مليار دولار", "26,2 مليار دولار"): "currency",
        ("وفي النصف الأول من 2024", "13,4 مليار درهم"): "period",
        ("فالرقم الرسمي خاطئ", "3,9 في المائة"): "rounding",
        ("من صادرات القطاع", "37,4 في المائة"): "segment",
    },
}
"""(a piece of the sentence, the claim as written) -> the cause the checker must name."""


@pytest.fixture(scope="module")
def releases(demo_releases: DemoReleases) -> list[ReleaseFigures]:
    return [demo_releases.open(which) for which in ("2024-prelim", "2024", "2025-H1")]


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_every_planted_error_is_flagged_with_its_cause_and_no_correct_claim(
    lang: str, releases: list[ReleaseFigures]
) -> None:
    report = check_text(TEXTS[lang], releases, lang="auto")
    assert report.lang == lang
    flagged = [
        (v.claim.sentence, v.claim.text, v.cause)
        for v in report.verdicts
        if v.status != "consistent"
    ]
    for (piece, text), cause in PLANTED[lang].items():
        hits = [c for s, t, c in flagged if piece in s and t == text]
        assert hits == [cause], (piece, text, flagged)
    assert len(flagged) == len(PLANTED[lang]), flagged
    assert report.counts()["consistent"] == len(report.verdicts) - len(PLANTED[lang])
    assert len(report.verdicts) >= 12


@pytest.fixture(scope="module")
def notes(
    demo_releases: DemoReleases, releases: list[ReleaseFigures]
) -> dict[tuple[str, str], tuple[Report, Counter[str]]]:
    """Each release's note in each language, checked (module-scoped: about 2 s)."""
    found = {}
    for r in releases:
        for lang in ("en", "fr", "ar"):
            checked = render(r, lang)
            # the directional marks the publisher puts before an Arabic sign are not part of
            # the number the checker reads
            stated = Counter(
                s.text.strip(BIDI_MARKS) for s in checked.stated if any(c.isdigit() for c in s.text)
            )
            report = check_text(checked.text, releases, release=r.release_id, lang=lang)
            found[(r.release_id, lang)] = (report, stated)
    return found


def test_every_figure_a_note_states_is_found_consistent(
    notes: dict[tuple[str, str], tuple[Report, Counter[str]]],
) -> None:
    for (rid, lang), (report, stated) in notes.items():
        wrong = [
            (v.claim.text, v.cause, v.explanation)
            for v in report.verdicts
            if v.status != "consistent"
        ]
        assert wrong == [], (rid, lang)
        consistent = [v.claim.text for v in report.verdicts]
        missing = {
            text: n for text, n in stated.items() if sum(text in claim for claim in consistent) < n
        }
        assert missing == {}, (rid, lang)
        assert sum(stated.values()) >= 30, (rid, lang)


def test_the_command_exits_3_with_the_json_verdicts(
    demo_releases: DemoReleases, tmp_path: Path
) -> None:
    folder = tmp_path
    (folder / "en.txt").write_text(TEXTS["en"], encoding="utf-8")
    db = str(demo_releases.store)
    got = run_here(["claims", "en.txt", "--format", "json", "--db", db], cwd=folder)
    assert got.code == 3, got.stderr
    answer = json.loads(got.stdout)
    causes = sorted(c["cause"] for c in answer["claims"] if c["verdict"] == "inconsistent")
    assert causes == ["currency", "period", "rounding", "segment"]
    assert "4 claim(s) of en.txt are inconsistent" in got.stderr
    table = run_here(["claims", "en.txt", "--release", "2024.2", "--db", db], cwd=folder)
    assert table.code == 3
    assert "inconsistent" in table.stdout
    assert "$26.2" in table.stdout


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_wrong_figure_in_a_note_s_target_lines_is_flagged(
    lang: str, releases: list[ReleaseFigures]
) -> None:
    """The note's progress toward the national targets states, per target, the level
    reached, the share of the target, the target, the gap and the growth it takes: each of
    these numbers, changed by one in its leading digit, is flagged (the same sentence as
    written is consistent), so that the checker reads which of them is which: a level of a
    past year beside a target's year, the gap as the distance left, jobs' progress apart
    from exports'."""
    revised = releases[1]
    text = render(revised, lang).text
    lines = [line for line in text.splitlines() if "2030" in line and line.startswith("- ")]
    assert len(lines) == 2, lines
    for line in lines:
        report = check_text(line, releases, release=revised.release_id, lang=lang)
        assert [v.status for v in report.verdicts] == ["consistent"] * 5, line
        for v in report.verdicts:
            written = v.claim.text
            at = next(i for i, c in enumerate(written) if c.isdigit() or "٠" <= c <= "٩")
            digit = int(unicodedata.digit(written[at]))
            bumped = str(digit % 9 + 1)
            if "٠" <= written[at] <= "٩":
                bumped = chr(ord("٠") + int(bumped))
            wrong = written[:at] + bumped + written[at + 1 :]
            changed = check_text(
                line.replace(written, wrong, 1), releases, release=revised.release_id, lang=lang
            )
            flagged = [w.claim.text for w in changed.verdicts if w.status != "consistent"]
            assert flagged == [wrong], (line, written, wrong, flagged)
