"""The package offers no way to change a release: no SQL text in digex updates, deletes,
truncates, drops or alters a release table (a release's row is written once, its hash computed
before it is inserted)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import digex
from digex.store.releases import TABLES

SRC = Path(digex.__file__).parent
CHANGE = re.compile(
    r"\b(?:UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|DROP\s+(?:TABLE|VIEW)(?:\s+IF\s+EXISTS)?"
    r"|ALTER\s+TABLE|INSERT\s+OR\s+REPLACE\s+INTO|COPY)\s+"
    r"(?:\w+\.)*\"?(?P<table>" + "|".join(TABLES) + r")\b(?!\.)",
    re.IGNORECASE,
)


def _strings(source: str) -> Iterator[tuple[int, str]]:
    """Every string of a module (an f-string with `{}` for what it formats), docstrings
    included: a docstring that reads like such a statement is worth a look too."""
    tree = ast.parse(source)
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                inside.add(id(part))
                is_text = isinstance(part, ast.Constant) and isinstance(part.value, str)
                parts.append(part.value if is_text else "{}")  # type: ignore[union-attr]
            yield node.lineno, "".join(parts)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in inside
        ):
            yield node.lineno, node.value


def changes(source: str) -> list[tuple[int, str]]:
    """The statements of `source` that would change a release table, with their lines."""
    return [(line, m[0]) for line, text in _strings(source) for m in CHANGE.finditer(text)]


MIGRATION: Final = re.compile(r"ALTER TABLE release_observations$")
"""Schema 7 adds `conf_status` to `release_observations`: a new column, NULL on the rows of
earlier releases, whose hashes it leaves as they were (tests/disclosure/test_store.py)."""


def test_no_module_changes_a_release() -> None:
    found = {
        f"{path.relative_to(SRC)}:{line}: {what}"
        for path in sorted(SRC.rglob("*.py"))
        for line, what in changes(path.read_text(encoding="utf-8"))
        if not (path.name == "migrations.py" and MIGRATION.match(what))
    }
    assert found == set()
    added = [
        text
        for _, text in _strings((SRC / "store" / "migrations.py").read_text(encoding="utf-8"))
        if "ALTER TABLE release_" in text
    ]
    assert [line for text in added for line in text.splitlines() if "ALTER" in line] == [
        "ALTER TABLE release_observations ADD COLUMN conf_status VARCHAR;"
    ]


def test_the_scan_sees_what_it_looks_for() -> None:
    # the statement store.releases had before the hash was computed before the insert
    old = 'con.execute(f"UPDATE releases SET content_hash = {literal(digest)} WHERE x")'
    assert changes(old) == [(1, "UPDATE releases")]
    planted = (
        'SQL = """\nDELETE FROM release_observations WHERE release_id = 1;\n'
        'drop table if exists main.release_inputs"""\n'
        'x = f"TRUNCATE {t}; ALTER TABLE release_loads ADD c INT"\n'
    )
    assert [what.split()[-1].split(".")[-1] for _, what in changes(planted)] == [
        "release_loads",
        "release_observations",
        "release_inputs",
    ]
    # reading or creating them, or naming another table, is not a change
    fine = 'q = "SELECT * FROM releases; CREATE TABLE releases (x INT); UPDATE releases_seen"'
    assert changes(fine) == []
