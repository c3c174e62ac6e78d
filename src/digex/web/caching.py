"""Answers kept ready, and HTTP validators: ETag, If-None-Match (304), Cache-Control.

An answer is computed once per key and kept (a bounded LRU), its body already serialised:
a repeated query costs a dictionary lookup. The key holds what the answer depends on: the
index's state (a new release, a gate run again), the releases published now (an embargo that
ends) and the normalised query. The ETag is the hash of the body, so that two keys with the
same answer share it and a client's copy is valid exactly as long as the bytes are the same; it
is weak (`W/`), as gzip sends other bytes for the same answer.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from digex.errors import DigexError

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

MAX_ENTRIES: Final = 512
"""Answers kept (the oldest used is dropped first)."""
MAX_BYTES: Final = 64 * 1024 * 1024
"""Bytes of answers kept at most."""
SHORT: Final = "public, max-age=60"
"""Cache-Control of an answer that changes when a release is published (a listing, the
default release)."""
LONG: Final = "public, max-age=86400"
"""Cache-Control of an answer about a named release (which never changes; it may only stop
being served when a gate run again fails, hence not `immutable`)."""


@dataclass(frozen=True)
class Ready:
    body: bytes
    etag: str
    cache_control: str
    content_type: str = "application/json"
    vary: str | None = None
    """The request headers the answer depends on (SDMX's: Accept)."""


def etag_of(body: bytes) -> str:
    return f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare for t in if_none_match.split(","))


class Answers:
    """The LRU of ready answers (thread-safe)."""

    def __init__(self, entries: int = MAX_ENTRIES, size: int = MAX_BYTES) -> None:
        self._kept: OrderedDict[Hashable, Ready] = OrderedDict()
        self._bytes = 0
        self._entries = entries
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Ready | None:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def put(self, key: Hashable, body: bytes, cache_control: str) -> Ready:
        ready = Ready(body, etag_of(body), cache_control)
        if len(body) > self._size:
            return ready
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._kept[key] = ready
            self._bytes += len(body)
            while len(self._kept) > self._entries or self._bytes > self._size:
                _, dropped = self._kept.popitem(last=False)
                self._bytes -= len(dropped.body)
        return ready

    def put_ready(self, key: Hashable, ready: Ready) -> None:
        """Keep an answer already made under another key too (it shares its bytes)."""
        if len(ready.body) > self._size:
            return
        with self._lock:
            if key not in self._kept:
                self._kept[key] = ready
                self._bytes += len(ready.body)
                while len(self._kept) > self._entries or self._bytes > self._size:
                    _, dropped = self._kept.popitem(last=False)
                    self._bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._kept)


def raw_key(scope: Scope, state: Hashable) -> Hashable:
    """The key of an answer by its request's text (path, query string and Accept header, as
    sent) and the catalogue's state: a repeated request finds its answer with no parsing at
    all (an SDMX answer's format follows the Accept header)."""
    accept = next((v for name, v in scope["headers"] if name == b"accept"), None)
    return ("raw", scope["path"], scope["query_string"], accept, state)


class KeptAnswers:
    """ASGI middleware answering a GET whose exact text was answered before (with the same
    releases served) from the kept answer, before FastAPI parses and checks its parameters
    again (half the time of a cached answer): the text was checked when it was first asked.
    Anything else goes on to the app."""

    def __init__(self, app: ASGIApp, answers: Answers, state: Callable[[], Hashable]) -> None:
        self.app = app
        self.answers = answers
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            try:
                state = self.state()
            except DigexError:  # an index that cannot be read: the app says so (503)
                state = None
            ready = None if state is None else self.answers.get(raw_key(scope, state))
            if ready is not None:
                await self._send(scope, ready, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    async def _send(scope: Scope, ready: Ready, send: Send) -> None:
        validator = b""
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                validator = value
        headers = [
            (b"etag", ready.etag.encode()),
            (b"cache-control", ready.cache_control.encode()),
        ]
        if ready.vary is not None:
            headers.append((b"vary", ready.vary.encode()))
        if matches(validator.decode("latin-1"), ready.etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers += [
            (b"content-type", ready.content_type.encode("latin-1")),
            (b"content-length", str(len(ready.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": ready.body})
