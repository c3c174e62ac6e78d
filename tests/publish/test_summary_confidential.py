"""The headline table of a protected release shows a withheld figure as C, with its note,
never as a missing figure (—) a reader would take for "not computed"."""

from __future__ import annotations

from pathlib import Path

from tests.disclosure.fixtures import tiny_store

from digex.publish.headline import CONFIDENTIAL, CONFIDENTIAL_NOTE, MISSING, headline_table


def test_withheld_cells_show_c(tmp_path: Path) -> None:
    with tiny_store(tmp_path) as db:
        db.create_release("2024-03", "preliminary")
        table = headline_table(db, "2024-03", "fr", release="2024-03.1")
        live = headline_table(db, "2024-03", "fr")
    shown = {line.name: line.cells for line in table.lines}
    withheld = [name for name, cells in shown.items() if cells[1] == CONFIDENTIAL]
    assert withheld  # the tiny release suppresses segments (KPO's canary among them)
    for name in withheld:
        assert shown[name][2] == CONFIDENTIAL  # its share reads the withheld level
    assert CONFIDENTIAL_NOTE["fr"] in table.notes
    # the live (internal) table computes them; it never shows C
    assert all(CONFIDENTIAL not in line.cells for line in live.lines)
    assert all(cells[1] != MISSING for name, cells in shown.items() if name in withheld)
