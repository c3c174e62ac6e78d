"""What the server may serve, and the releases themselves, read without the live store.

`Catalogue` follows the served-release index (`digex.web.index`): it stats the file on each
request and reads it again when it changed (a new release, a gate run again), so a release
made while the server runs is served without a restart. A release is served when the index
says its latest gate passed, its publication time has come (an embargo ends by itself, with
no change to any file), and its snapshot file is there and gives the public hash the index
records (a snapshot altered or replaced is refused, not served).

A release's snapshot is read once, on first use, and kept: a release never changes. Reading
goes through `digex.publish.figures`, as every public output does (the snapshot's public view,
plus the rows of progress toward the national targets computed from it).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Final

from digex.errors import DigexError, NotPublished, UnknownRelease
from digex.indicators.columns import KEY, PUBLIC_COLUMNS
from digex.web.index import Entry, Index, index_path, read_index

if TYPE_CHECKING:
    import pandas as pd

    from digex.publish.figures import ReleaseFigures

COLUMNS: Final = PUBLIC_COLUMNS
"""The tidy columns of an observation, in the order answers give them."""
FILTERS: Final = KEY
"""The columns a query may filter on (the observation's key)."""


@dataclass(frozen=True)
class Served:
    """One served release: its index entry and its figures (read from its snapshot)."""

    entry: Entry
    figures: ReleaseFigures = field(repr=False)

    @property
    def frame(self) -> pd.DataFrame:
        return self.figures.observations

    @cached_property
    def values(self) -> dict[str, frozenset[str]]:
        """The distinct values of each key column (to say which exist when a filter names
        none)."""
        return {c: frozenset(str(v) for v in self.frame[c].unique()) for c in FILTERS}


class Catalogue:
    """The served releases of the store at `store_path`, from its index and snapshot files."""

    def __init__(self, store_path: Path, *, clock: Callable[[], dt.datetime] | None = None):
        from digex.releases.snapshot import folder

        self.store_path = store_path
        self.folder = folder(store_path)
        self.index_path = index_path(store_path)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._index = Index(())
        self._loaded: dict[str, Served] = {}
        self._published: tuple[object, dt.datetime, tuple[Entry, ...]] | None = None

    def now(self) -> dt.datetime:
        return self._clock()

    def index(self) -> Index:
        """The index as the file is now (read again only when it changed)."""
        try:
            info = os.stat(self.index_path)
            stamp: tuple[int, int, int] | None = (info.st_ino, info.st_mtime_ns, info.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._index = read_index(self.index_path) if stamp else Index(())
                    self._stamp = stamp
        return self._index

    def published(self) -> list[Entry]:
        """The releases served now, oldest first (by publication, then creation). Kept until
        the index changes or the next embargo ends (every request asks)."""
        index = self.index()
        now = self.now()
        kept = self._published
        if kept is not None and kept[0] == self._stamp and now < kept[1]:
            return list(kept[2])
        found = [
            e for e in index.entries if e.published(now) and self.snapshot(e.release_id).is_file()
        ]
        found.sort(key=lambda e: (e.published_at, e.created_at, e.release_id))
        ahead = [e.published_at for e in index.entries if e.served and e.published_at > now]
        until = min(ahead, default=dt.datetime.max.replace(tzinfo=dt.UTC))
        self._published = (self._stamp, until, tuple(found))
        return found

    def state(self) -> tuple[object, ...]:
        """What every answer depends on beside its query: the index file's state and the
        releases published now."""
        ids = tuple(e.release_id for e in self.published())
        return (self._stamp, ids)

    def default(self) -> Entry | None:
        """The release served when a query names none: the latest published."""
        found = self.published()
        return found[-1] if found else None

    def snapshot(self, release_id: str) -> Path:
        from digex.releases.snapshot import SUFFIX

        return self.folder / f"{release_id}{SUFFIX}"

    def entry(self, release_id: str | None) -> Entry:
        """The served release `release_id` (the default when None), or an error that says
        which releases are served."""
        published = self.published()
        if release_id is None:
            if not published:
                raise UnknownRelease(
                    "no release is published yet: nothing can be served until one is made "
                    "(`digex release create`) and its publication time has come"
                )
            return published[-1]
        for e in published:
            if e.release_id == release_id:
                return e
        ids = ", ".join(e.release_id for e in published) or "none"
        raise UnknownRelease(
            f"release={release_id}: no such published release (the releases served are: {ids}); "
            "/api/releases lists them"
        ).naming(release=release_id)

    def release(self, release_id: str | None = None) -> Served:
        """A served release with its figures (read from its snapshot on first use)."""
        entry = self.entry(release_id)
        found = self._loaded.get(entry.release_id)
        if found is not None and found.entry == entry:
            return found
        with self._lock:
            found = self._loaded.get(entry.release_id)
            if found is None or found.entry != entry:
                found = Served(entry, self._read(entry))
                self._loaded[entry.release_id] = found
        return found

    def _read(self, entry: Entry) -> ReleaseFigures:
        import dataclasses

        from digex.publish.figures import from_snapshot
        from digex.releases.snapshot import read_release

        path = self.snapshot(entry.release_id)
        try:
            snap = read_release(path)
            if snap.metadata.get("content_hash") != entry.content_hash:
                raise NotPublished(
                    f"the snapshot {path.name} does not give the public hash its index records: "
                    f"release {entry.release_id} is not served until `digex release verify "
                    f"{entry.release_id}` explains why"
                )
            figures = from_snapshot(snap, path)
        except DigexError as error:
            raise NotPublished(f"release {entry.release_id} cannot be served: {error}").naming(
                release=entry.release_id
            ) from None
        return dataclasses.replace(figures, synthetic=self.index().synthetic)
