"""Encoding detection: chosen among the candidate encodings, refused only when unsure."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import FIRM, HEADER, TODAY, write_csv

from digex.api import Digex
from digex.errors import InvalidFile
from digex.ingest.sniff import detect_encoding


def test_a_value_that_two_code_pages_read_differently_refuses_the_file(
    store: Digex, rates_file: Path, tmp_path: Path
) -> None:
    rows = [("D1", "2024-01", FIRM, "É1", "FR", "EUR", "100", "X")]
    f = write_csv(tmp_path / "d.csv", rows, encoding="cp1252")
    with pytest.raises(InvalidFile) as e:
        store.load(f, rates=rates_file, today=TODAY)
    msg = str(e.value)
    assert 'cp1252 reads "D1,2024-01,001234567000089,É1,' in msg
    assert 'cp1256 reads "D1,2024-01,001234567000089,ة1,' in msg
    assert msg.endswith("give encoding=cp1252 or encoding=cp1256")
    assert store.loads().empty
    store.load(f, rates=rates_file, today=TODAY, encoding="cp1252")
    assert store.rejects()["segment"].tolist() == ["É1"]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Société Générale;ÉGYPTE;FRANÇAIS;Très élevé", "cp1252"),
        ("رقم_التصريح;الفترة;المبلغ;مكتب الصرف", "cp1256"),
        ("من;في", "cp1256"),
        ("période;montant", "cp1252"),  # the same text in both: either reading is right
        ("Égypte;É1", "cp1252"),  # É1 alone is unsure; Égypte tells
    ],
)
def test_a_plausible_reading_is_taken_silently(text: str, encoding: str) -> None:
    data = (text + "\n").encode("cp1252" if encoding == "cp1252" else "cp1256")
    assert detect_encoding(data) == encoding


def test_utf8_is_utf8() -> None:
    assert detect_encoding(";".join(HEADER).encode() + "\nÉ1\n".encode()) == "utf-8"


def test_only_the_candidate_encodings_are_considered() -> None:
    data = "Égypte;É1\n".encode("cp1252")
    assert detect_encoding(data, ("utf-8", "cp1256")) == "cp1256"
    with pytest.raises(ValueError, match="not valid text in any of utf-8, cp1252"):
        detect_encoding(b"\x81\x8d\n", ("utf-8", "cp1252"))  # bytes cp1252 leaves undefined


def test_detection_follows_the_country_profile(rates_file: Path, tmp_path: Path) -> None:
    """A country whose files are never in Windows-1256 lists only UTF-8 and Windows-1252: the
    same file is then read without asking, as cp1252."""
    import digex

    ma = Path(digex.__file__).parent / "data" / "profiles" / "MA.toml"
    text = ma.read_text(encoding="utf-8")
    assert 'encodings = ["utf-8", "cp1252", "cp1256"]' in text
    profile = tmp_path / "MA-latin.toml"
    profile.write_text(text.replace('"cp1252", "cp1256"]', '"cp1252"]'), encoding="utf-8")
    rows = [("D1", "2024-01", FIRM, "É1", "FR", "EUR", "100", "X")]
    f = write_csv(tmp_path / "d.csv", rows, encoding="cp1252")
    with digex.init(tmp_path / "s.duckdb", profile=str(profile)) as store:
        (result,) = [r for r in store.load(f, rates=rates_file, today=TODAY) if r.file == f]
        assert result.encoding == "cp1252"
        assert store.rejects(output="pandas").query("kind == 'declarations'")[
            "segment"
        ].tolist() == ["É1"]


def test_bytes_the_given_encoding_cannot_read_name_the_profiles_encodings(
    store: Digex, tmp_path: Path
) -> None:
    f = tmp_path / "d.csv"
    f.write_bytes(",".join(HEADER).encode() + b"\nD1,2024-01," + FIRM.encode() + b",IT\x81O\n")
    with pytest.raises(InvalidFile, match=r"not valid cp1252 text at byte \d+; .*"):
        store.load(f, today=TODAY, encoding="cp1252")
    with pytest.raises(InvalidFile, match=r"`encoding` \(utf-8, cp1252, cp1256\)"):
        store.load(f, today=TODAY, encoding="cp1252")
