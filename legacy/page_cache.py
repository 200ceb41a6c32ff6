"""Built pages kept in the process, served only while the serials they were built from hold.

Each request first reads its page's freshness key from the store: the index's
last serial for ``/simple/``, the project's ``(name, last_serial)`` for
``/simple/<name>/``, one indexed read either way. An entry is served only when
it was built under an equal key, so a write by any process sharing the database
makes the next request, in every process, build the page again: nothing is ever
invalidated by hand and nothing stale is served. The key also makes the ETag, so
a revalidation (``If-None-Match``) is answered 304 after that one read, without
building or even holding the page.

Entries are bounded by their total size; the least recently used go first.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Callable, Hashable

from webob import Request, Response

from .conditional import not_modified

# Part of every ETag: bump it when a page's bytes change for the same serials
# (a new page format), so that clients do not keep the old bytes.
PAGE_FORMAT = "1"
ENTRY_OVERHEAD = 200   # bytes of bookkeeping counted per entry besides its body
BUILD_LOCKS = 64       # builds of keys hashing alike wait for each other; few threads, few clashes


@dataclass(frozen=True)
class Page:
    """A built page: its body, its headers but the length, and when it last changed."""
    body: bytes
    headers: tuple[tuple[str, str], ...]   # Content-Type first, ETag, Vary, serial, ...
    last_modified: datetime | None = None  # aware UTC


class PageCache:
    """A size-bounded LRU map from a page key to the page and the freshness it was built under."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[Hashable, Page]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._builders = [threading.Lock() for _ in range(BUILD_LOCKS)]

    def get(self, key: Hashable, freshness: Hashable) -> Page | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != freshness:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, freshness: Hashable, page: Page) -> None:
        cost = len(page.body) + ENTRY_OVERHEAD
        if cost > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1].body) + ENTRY_OVERHEAD
            self._entries[key] = (freshness, page)
            self._bytes += cost
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body) + ENTRY_OVERHEAD

    def get_or_build(self, key: Hashable, freshness: Hashable, build: Callable[[], Page]) -> Page:
        """The page, built by one thread at a time per key: threads asking for a page that is
        being built wait for it instead of building it too (``/simple/`` of 100k projects
        costs a few tenths of a second and tens of MB while it is built)."""
        page = self.get(key, freshness)
        if page is not None:
            return page
        with self._builders[hash(key) % len(self._builders)]:
            page = self.get(key, freshness)
            if page is None:
                page = build()
                self.put(key, freshness, page)
        return page

    @property
    def size(self) -> int:
        """Bytes held (bodies plus a fixed overhead per entry)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)


def etag_for(key: Hashable, freshness: Hashable) -> str:
    """A strong ETag (quoted) that changes exactly when the key's freshness does."""
    digest = hashlib.blake2b(repr((PAGE_FORMAT, key, freshness)).encode("utf-8"),
                             digest_size=12).hexdigest()
    return f'"{digest}"'


def serve_page(request: Request, cache: PageCache | None, key: Hashable, freshness: Hashable,
               content_type: str, headers: list[tuple[str, str]],
               build: Callable[[], tuple[bytes, datetime | None]]) -> Response:
    """The page ``key`` as of ``freshness``: a 304, the cached page, or one built now.

    ``headers`` go on every answer, 304s included (the serial, ``Vary``);
    ``build`` returns the body and when it last changed (naive UTC, or None).
    The ETag is checked before anything is built, so a revalidation costs only
    the freshness read the caller made.
    """
    etag = etag_for(key, freshness)
    if "HTTP_IF_NONE_MATCH" in request.environ:
        if not_modified(request, etag, None):
            return Response(status=304, headerlist=[("ETag", etag), *headers])
    def built() -> Page:
        body, changed = build()
        return _page(body, content_type, etag, headers, changed)

    page = cache.get_or_build(key, freshness, built) if cache is not None else built()
    if not_modified(request, etag, page.last_modified):
        return Response(status=304, headerlist=list(page.headers[1:]))
    response = Response(headerlist=list(page.headers))
    response.body = page.body
    return response


def _page(body: bytes, content_type: str, etag: str, headers: list[tuple[str, str]],
          changed: datetime | None) -> Page:
    """``headers`` of the page start with Content-Type, which a 304 leaves out."""
    full = [("Content-Type", f"{content_type}; charset=utf-8"), ("ETag", etag), *headers]
    last_modified = None
    if changed is not None:
        last_modified = changed.replace(tzinfo=timezone.utc, microsecond=0)
        full.append(("Last-Modified", format_datetime(last_modified, usegmt=True)))
    return Page(body, tuple(full), last_modified)
