"""Recognise how a text file was written: encoding, delimiter, line ending.

Offices send UTF-8 (with or without BOM) and the Windows code pages of their region: 1256 for
Arabic, 1252 for French. Valid UTF-8 is UTF-8 (text in a single-byte code page is almost never
valid UTF-8 once it holds a non-ASCII byte). Otherwise the file is decoded with each of the
other candidate encodings, and a reading is plausible when no word of it mixes scripts or looks
like mojibake (see `_implausible`). One plausible reading is taken; several that give the same
text are one; several that disagree (a cp1252 `É1` is a cp1256 `ة1`) are refused, naming
`--encoding`, rather than guessed. A generic detector is not used: on short files it cannot
tell these code pages apart (both give French accented letters the same bytes).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Sequence
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


CANDIDATES: Final = ("utf-8", "cp1252", "cp1256")
"""The encodings detection chooses from, in order of preference when readings agree."""

_WORD: Final = re.compile(r"[^\W_]+")


def _script(c: str) -> str:
    name = unicodedata.name(c, "")
    return "arabic" if name.startswith("ARABIC") else "latin" if "LATIN" in name else "other"


def _implausible(word: str) -> bool:
    """Whether a word holding a non-ASCII letter cannot be real text: Arabic letters mixed with
    Latin ones (`ةgypte`), only non-ASCII Latin letters (`ãä`), three of them in a row, or a
    lower-case letter then a capital with one of them non-ASCII (`ÇáÝÊÑÉ`: Arabic read as
    cp1252)."""
    scripts = {_script(c) for c in word if c.isalpha()}
    if {"arabic", "latin"} <= scripts:
        return True
    if "latin" not in scripts:
        return False
    if len(word) >= 2 and not any(c.isascii() for c in word):
        return True  # `ãä`: no French word is made of accented letters only
    run = 0
    for prev, c in zip(" " + word[:-1], word, strict=True):
        run = run + 1 if ord(c) > 127 and c.isalpha() else 0
        if run >= 3:
            return True
        if prev.islower() and c.isupper() and (ord(prev) > 127 or ord(c) > 127):
            return True
    return False


def _oddities(text: str) -> int:
    """How many words of `text` cannot be real text (0 for a plausible reading)."""
    return sum(1 for w in _WORD.findall(text) if not w.isascii() and _implausible(w))


def _first_difference(readings: dict[str, str]) -> str:
    """The first line on which the readings differ, quoted in each (shortened)."""
    lines = {enc: text.splitlines() for enc, text in readings.items()}
    for number, variants in enumerate(zip(*lines.values(), strict=False), start=1):
        if len(set(variants)) > 1:
            quoted = ", ".join(
                f"{enc} reads {quote(v)}" for enc, v in zip(readings, variants, strict=True)
            )
            return f"line {number}: {quoted}"
    return "the readings differ"


def cut(value: str, limit: int = 80) -> str:
    """A value for a message, cut after `limit` characters (a 1 MB field must not make a 1 MB
    message)."""
    return value if len(value) <= limit else value[:limit] + "…"


def quote(value: str, limit: int = 80) -> str:
    """A value quoted for a message, cut after `limit` characters."""
    return '"' + cut(value, limit) + '"'


def detect_encoding(sample: bytes, candidates: Sequence[str] = CANDIDATES) -> str:
    """The encoding of a file from its first bytes; ValueError when two candidate encodings
    read it plausibly but differently (the message names the `encoding` parameter)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        # A sample cut in the middle of a multi-byte character is still UTF-8.
        if e.start >= len(sample) - 3 and e.reason == "unexpected end of data":
            return "utf-8"
    readings: dict[str, str] = {}
    for enc in candidates:
        if enc.startswith("utf"):
            continue
        try:
            readings[enc] = sample.decode(enc)
        except UnicodeDecodeError:
            continue
    if not readings:
        raise ValueError(
            f"not valid text in any of {', '.join(candidates)}; give the right `encoding`"
        )
    odd = {enc: _oddities(text) for enc, text in readings.items()}
    least = min(odd.values())
    best = {enc: readings[enc] for enc in readings if odd[enc] == least}
    if len(set(best.values())) == 1:
        return next(iter(best))
    names = list(best)
    raise ValueError(
        f"cannot tell its encoding: {' and '.join(names)} both read it, differently "
        f"({_first_difference(best)}); give encoding={' or encoding='.join(names)}"
    )


def detect_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def looks_binary(sample: bytes) -> bool:
    return b"\x00" in sample[:8192]


def read_layout(
    path: Path,
    encoding: str | None,
    delimiter: str | None,
    candidates: Sequence[str] = CANDIDATES,
) -> TextLayout:
    """Detect (or check what was given) and read the header row; the encoding is detected
    among `candidates` (the country's encodings)."""
    with path.open("rb") as f:
        sample = f.read(SAMPLE_BYTES)
    if delimiter is not None and len(delimiter) != 1:
        raise ValueError(f"the delimiter must be one character, not {delimiter!r}")
    enc = normalise_encoding(encoding) if encoding else detect_encoding(sample, candidates)
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
