"""Recognise how a text file was written: encoding, delimiter, line ending.

Offices send UTF-8 (with or without BOM) and the Windows code pages of their region: 1256 for
Arabic, 1252 for French. Those two cannot be told apart by a generic detector on short files
(both map the accented Latin letters French uses to the same bytes), so the rule is explicit:
valid UTF-8 is UTF-8; otherwise the file is Windows-1256 when decoding it so yields mostly Arabic
letters, else Windows-1252.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Final

SAMPLE_BYTES: Final = 1 << 20
ENCODINGS: Final = ("utf-8", "utf-8-sig", "cp1256", "cp1252")
DELIMITERS: Final = (",", ";", "\t", "|")
_ALIASES: Final = {
    "utf8": "utf-8",
    "utf-8-bom": "utf-8-sig",
    "windows-1256": "cp1256",
    "windows-1252": "cp1252",
    "arabic": "cp1256",
    "latin-1": "cp1252",
    "latin1": "cp1252",
}


@dataclass(frozen=True)
class TextLayout:
    encoding: str
    delimiter: str
    header: tuple[str, ...]


def normalise_encoding(name: str) -> str:
    """Map what a user types (`windows-1256`, `UTF8`) to a Python codec name."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    try:
        return codecs.lookup(key).name if key not in ENCODINGS else key
    except LookupError as e:
        raise ValueError(f"unknown encoding {name!r}; use one of {', '.join(ENCODINGS)}") from e


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        # A sample cut in the middle of a multi-byte character is still UTF-8.
        if e.start >= len(sample) - 3 and e.reason == "unexpected end of data":
            return "utf-8"
    text = sample.decode("cp1256", errors="replace")
    letters = [c for c in text if ord(c) > 127 and c.isalpha()]
    arabic = sum(1 for c in letters if "ARABIC" in unicodedata.name(c, ""))
    return "cp1256" if letters and arabic * 2 >= len(letters) else "cp1252"


def detect_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def looks_binary(sample: bytes) -> bool:
    return b"\x00" in sample[:8192]


def read_layout(path: Path, encoding: str | None, delimiter: str | None) -> TextLayout:
    """Detect (or check what was given) and read the header row."""
    with path.open("rb") as f:
        sample = f.read(SAMPLE_BYTES)
    if delimiter is not None and len(delimiter) != 1:
        raise ValueError(f"the delimiter must be one character, not {delimiter!r}")
    enc = normalise_encoding(encoding) if encoding else detect_encoding(sample)
    text = sample.decode(enc, errors="replace")
    first = text.splitlines()[0] if text else ""
    delim = delimiter or detect_delimiter(first)
    header = next(csv.reader(io.StringIO(first), delimiter=delim), [])
    return TextLayout(enc, delim, tuple(h.strip().lstrip("\ufeff") for h in header))


def transcode_to_utf8(src: Path, dst: Path, encoding: str, chunk: int = SAMPLE_BYTES) -> None:
    """Stream `src` into UTF-8 so the engine can read it; memory stays at one chunk."""
    with (
        src.open("r", encoding=encoding, errors="strict", newline="") as fin,
        dst.open("w", encoding="utf-8", newline="") as fout,
    ):
        while block := fin.read(chunk):
            fout.write(block)
