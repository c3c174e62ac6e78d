"""The served-release index: which releases the web service may serve, in a small file beside
the snapshots (`<store stem>.releases/index.json`).

The server must never open the live store: a DuckDB file open in one process locks writers out
of it in every other (and a reader is locked out while a load writes). So what the server needs
to know of the store (each release, its publication time, whether its latest release gate
passed, the hash of its public view) is written here by the commands that change it: `release
create` (after its snapshot file), `release snapshot` and `disclosure audit` (a gate run again
may withdraw a release from publication). The server re-reads the file when it changes and the
releases themselves from their snapshot files.

The file is always written whole: to a temporary name in the same folder, then renamed over the
old one (`os.replace`, atomic on one file system), so that a reader sees the old index or the
new one, never half of either. Writers take an exclusive lock on `.index.lock` around reading
the store and writing the file, so that two commands finishing together cannot leave the older
view last. `rebuild_index` writes it for a store made before the index existed.

The index holds nothing confidential: ids, periods, statuses, times and public hashes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from digex.errors import ReleaseDataError

if TYPE_CHECKING:
    import duckdb

    from digex.store import Store

INDEX_NAME: Final = "index.json"
FORMAT: Final = 1
"""The index file's format; a reader refuses another."""


class IndexWarning(UserWarning):
    """The index could not be written: the release is made, but the server does not see the
    change until the index is written again (`digex serve --reindex`)."""


def index_path(store_path: Path) -> Path:
    """Where the index of the store at `store_path` is (beside its snapshot files)."""
    from digex.releases.snapshot import folder

    return folder(store_path) / INDEX_NAME


@dataclass(frozen=True)
class Entry:
    """One release as the index records it (times are UTC, aware)."""

    release_id: str
    period: str
    freq: str
    vintage: int
    status: str
    created_at: dt.datetime
    published_at: dt.datetime
    content_hash: str
    """The sha256 of the release's public view: what its snapshot file gives."""
    served: bool
    """Whether its latest release gate run passed (a release without one is never served)."""
    note: str | None = None

    def published(self, now: dt.datetime) -> bool:
        """Served and out of embargo at `now`."""
        return self.served and self.published_at <= now

    def as_json(self) -> dict[str, Any]:
        return {
            "release_id": self.release_id,
            "period": self.period,
            "freq": self.freq,
            "vintage": self.vintage,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "published_at": self.published_at.isoformat(),
            "content_hash": self.content_hash,
            "served": self.served,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Entry:
        return cls(
            release_id=str(item["release_id"]),
            period=str(item["period"]),
            freq=str(item["freq"]),
            vintage=int(item["vintage"]),
            status=str(item["status"]),
            created_at=_aware(dt.datetime.fromisoformat(item["created_at"])),
            published_at=_aware(dt.datetime.fromisoformat(item["published_at"])),
            content_hash=str(item["content_hash"]),
            served=bool(item["served"]),
            note=None if item.get("note") is None else str(item["note"]),
        )


@dataclass(frozen=True)
class Index:
    """The whole file: the releases (by creation, oldest first) and whether the store holds
    synthetic (demo) data, which every public output must say."""

    entries: tuple[Entry, ...]
    synthetic: bool = False
    written_at: dt.datetime | None = None


def _aware(moment: dt.datetime) -> dt.datetime:
    """A stored time (naive UTC) as an aware one."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def entries_of(con: duckdb.DuckDBPyConnection) -> list[Entry]:
    """Every release of the store on `con`, oldest first, as the index records it."""
    from digex.store import disclosure, releases

    rows = disclosure.releases_with_service(con)
    found = []
    for rid, period, freq, vintage, status, created, published, note, served in rows:
        digest = releases.recorded_public_hash(con, str(rid)) or ""
        found.append(
            Entry(
                release_id=str(rid),
                period=str(period),
                freq=str(freq),
                vintage=int(vintage),
                status=str(status),
                created_at=_aware(created),
                published_at=_aware(published),
                content_hash=digest,
                served=bool(served),
                note=None if note is None else str(note),
            )
        )
    return found


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the folder's `.index.lock` (released when the block ends)."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".index.lock").open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_index(path: Path, index: Index) -> None:
    """Write `index` at `path` whole (a temporary file renamed over the old one)."""
    body = {
        "format": FORMAT,
        "written_at": (index.written_at or dt.datetime.now(dt.UTC)).isoformat(),
        "synthetic": index.synthetic,
        "releases": [e.as_json() for e in index.entries],
    }
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", "utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def update_index(store: Store) -> Path:
    """Write the index of `store` from its present state (after a commit); returns its path."""
    path = index_path(store.path)
    with _locked(path.parent):
        with store.reading() as con:
            entries = entries_of(con)
        index = Index(tuple(entries), synthetic=store.synthetic)
        write_index(path, index)
    return path


def refresh(store: Store, *, warn: bool = True) -> str | None:
    """`update_index`, for the commands that change what may be served: a failure to write
    does not undo their work (the store is the record), it is returned as a message (and,
    with `warn`, warned of) saying how to write the index later."""
    try:
        update_index(store)
    except OSError as error:
        message = (
            f"the served-release index {index_path(store.path)} could not be written ({error}); "
            "the web service does not see this change until `digex serve --reindex` writes it"
        )
        if warn:
            warnings.warn(message, IndexWarning, stacklevel=2)
        return message
    return None


def rebuild_index(store_path: Path) -> Path:
    """Write the index of the store at `store_path` (opened read-only, briefly): for a store
    made before the index existed, or after a write of it failed."""
    from digex.store import Store

    with Store(store_path, read_only=True) as store:
        return update_index(store)


def read_index(path: Path) -> Index:
    """The index at `path`; an empty one when there is no file (no release made yet)."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return Index(())
    try:
        body = json.loads(text)
        if body.get("format") != FORMAT:
            raise ValueError(f"format {body.get('format')!r}, expected {FORMAT}")
        entries = tuple(Entry.from_json(item) for item in body["releases"])
        written = body.get("written_at")
        return Index(
            entries,
            synthetic=bool(body.get("synthetic", False)),
            written_at=None if written is None else _aware(dt.datetime.fromisoformat(written)),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ReleaseDataError(
            f"the served-release index {path} cannot be read ({error}); write it again with "
            "`digex serve --reindex`"
        ) from None
