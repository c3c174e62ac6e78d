"""Disclosure control's leak canaries on the charts: the charts of a protected release (a canary
firm alone in KPO, its cell suppressed) show no suppressed value in any file written, in any
language, and say which figures they leave out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.disclosure.test_leak import RID, Released, leaks, released

from digex.publish.charts import write_charts
from digex.publish.figures import open_release

__all__ = ["released"]  # the leak tests' protected release, made again for this module


@pytest.fixture(scope="module")
def charts(released: Released, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    found = open_release(released.path, RID)
    out = tmp_path_factory.mktemp("leak-charts")
    return [p for lang in ("ar", "fr", "en") for p in write_charts(found, lang, out)]


def test_no_chart_shows_a_suppressed_value(released: Released, charts: list[Path]) -> None:
    texts = {p.name: p.read_text(encoding="utf-8") for p in charts if p.suffix != ".png"}
    assert texts
    found = {name: leaks(text, released.secrets) for name, text in texts.items()}
    assert not any(found.values()), found


def test_the_charts_say_what_they_leave_out(charts: list[Path]) -> None:
    path = next(p for p in charts if p.name == "segments.en.vl.json")
    spec = json.loads(path.read_text("utf-8"))
    said = " ".join(row["note"] for row in spec["vconcat"][1]["data"]["values"])
    assert "C confidential, not shown:" in said
    assert "Knowledge process outsourcing (March 2024)" in said
    assert "KPO" not in {row["member"] for row in spec["vconcat"][0]["data"]["values"]}
