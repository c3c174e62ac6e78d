"""The leak canaries on every file `digex publish` writes: the tiny protected release of the
disclosure tests (a canary firm alone in a cell that must be suppressed) is published, and
every file is read as text (PDFs through pdftotext, workbooks cell by cell, charts' specs and
SVGs as written) and searched for the canary and every other suppressed value, in every
rendering a publication could use. None appears."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from tests.disclosure.test_leak import RID, Released, leaks, released  # noqa: F401

from digex.publish.publication import MANIFEST, publish, verify_manifest

TEXT = {".md", ".html", ".json", ".svg", ".csv"}


def _text_of(path: Path) -> str | None:
    if path.suffix in TEXT:
        return path.read_text(encoding="utf-8")
    if path.suffix == ".pdf":
        tool = shutil.which("pdftotext")
        if tool is None:
            pytest.skip("pdftotext (poppler-utils) is not installed: scripts/system-deps.sh")
        done = subprocess.run([tool, str(path), "-"], capture_output=True, check=True)
        return done.stdout.decode("utf-8")
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path)
        return "\n".join(
            f"{cell.value!r} {cell.value}"
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        )
    return None  # PNG and fonts: pictures of the specs searched above


def test_no_published_file_shows_a_suppressed_value(
    released: Released,  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "publication"
    done = publish(released.path, RID, out)
    assert verify_manifest(out) == []
    texts = {p.name: _text_of(p) for p in done.files}
    searched = {name: text for name, text in texts.items() if text is not None}
    assert {".md", ".html", ".pdf", ".xlsx", ".svg"} <= {Path(n).suffix for n in searched}
    found = {name: leaks(text, released.secrets) for name, text in searched.items()}
    assert not any(found.values()), {k: v for k, v in found.items() if v}
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["release_id"] == RID
