"""Built pages kept in the process, served only while the serials they were built from hold.

Each request first reads its page's freshness key from the store: the index's
last serial for ``/simple/``, the project's ``(name, last_serial)`` for
``/simple/<name>/``, one indexed read either way. An entry is served only when
it was built under an equal key, so a write by any process sharing the database
makes the next request, in every process, build the page again: nothing is ever
invalidated by hand and nothing stale is served. The key also makes the ETag, so
a revalidation (``If-None-Match``) is answered 304 after that one read, without
building or even holding the page.

Entries are bounded by their total size; the least recently used go first, and
once the cache is full a page read back from its file is held only when asked
for again soon (``PageCache.offer``).
Below it, pages may also be kept as files (``legacy/page_files.py``, and the
pack ``pypi build-pages`` writes), so that a page dropped here, or built by
another process, is read back instead of built; a page of a MiB or more kept
that way is never held here, but sent from its file.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Callable, Hashable, NamedTuple

from webob import Response

from .conditional import not_modified
from . import large_bodies
from .large_bodies import FileBody, body_iterable
from .page_files import PageFiles

# Part of every ETag: bump it when a page's bytes or headers change for the same serials
# (a new page format), so that neither clients nor kept page files (page_files.py, which are
# used only under their ETag) keep the old ones.
PAGE_FORMAT = "1"
# Bytes counted per entry besides its body: headers, ETag, key, freshness, LRU links. Measured
# 0.85-0.9 KB with the headers kept as one string (tests/handlers/test_page_cache_accounting.py;
# 1.5 KB with a tuple per header); at 200, a 64 MiB cache held ~107 MiB.
ENTRY_OVERHEAD = 1000
OK, NOT_MODIFIED = "200 OK", "304 Not Modified"
BUILD_LOCKS = 64       # builds of keys hashing alike wait for each other; few threads, few clashes
# The doorkeeper of pages read back from files (PageCache.offer): one byte per slot (256 KB),
# cleared after as many marks as entries are held, at least MIN_WINDOW.
DOORKEEPER_SLOTS = 1 << 18
MIN_WINDOW = 1024


class Page(NamedTuple):
    """A built page: its body, and its headers but the length.

    Tens of thousands are held, so a page keeps its headers as one string of
    ``Name: value`` lines (Content-Type first, the ETag, the page's own, then
    Last-Modified when known) and makes the header list when it is sent: a
    tuple per header and a datetime per page cost more than most bodies. A
    named tuple, as one is made for every page read back: a frozen dataclass
    costs several times as much to make.
    """
    body: bytes | FileBody     # a FileBody only for a page sent from its file, never held
    head: str = ""
    not_modified_lines: int = 0   # a 304 carries lines 1 to this one: the ETag, the page's own

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [tuple(line.split(": ", 1)) for line in self.head.split("\n")] if self.head else []

    @property
    def last_modified(self) -> datetime | None:
        """When the page last changed (aware UTC), from its Last-Modified header."""
        for name, value in self.headers:
            if name == "Last-Modified":
                return parsedate_to_datetime(value)
        return None


class _Entry:
    __slots__ = ("freshness", "page", "token")

    def __init__(self, freshness: Hashable, page: Page, token: Hashable | None):
        self.freshness, self.page, self.token = freshness, page, token


class PageCache:
    """A size-bounded LRU map from a page key to the page and the freshness it was built under.

    An entry also remembers the store's ``change_token`` taken before its
    freshness was last read and found equal: while the store's token is still
    that one, nothing was committed since, and the entry is current without a read.
    """

    def __init__(self, max_bytes: int, files: PageFiles | None = None):
        self.max_bytes = max_bytes
        self.files = files     # pages kept as files, read on a miss here (page_answer)
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._builders = [threading.Lock() for _ in range(BUILD_LOCKS)]
        self._seen = bytearray(DOORKEEPER_SLOTS)
        self._marks = 0

    def get(self, key: Hashable, freshness: Hashable, token: Hashable | None = None) -> Page | None:
        """The page built under ``freshness``; ``token`` is the change token taken before
        ``freshness`` was read (None: not known)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.freshness != freshness:
                return None
            entry.token = token
            self._entries.move_to_end(key)
            return entry.page

    def confirmed(self, key: Hashable, token: Hashable | None) -> tuple[Hashable, Page] | None:
        """``(freshness, page)`` when the page was found current under this very change token."""
        if token is None:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.token is None or entry.token != token:
                return None
            self._entries.move_to_end(key)
            return entry.freshness, entry.page

    def put(self, key: Hashable, freshness: Hashable, page: Page,
            token: Hashable | None = None) -> None:
        cost = len(page.body) + ENTRY_OVERHEAD
        if cost > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.page.body) + ENTRY_OVERHEAD
            self._entries[key] = _Entry(freshness, page, token)
            self._bytes += cost
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.page.body) + ENTRY_OVERHEAD

    def offer(self, key: Hashable, freshness: Hashable, page: Page,
              token: Hashable | None = None) -> None:
        """Hold a page read back from its file, unless the cache is full and ``key`` was not
        read back before, lately.

        Reading a page back costs a few µs; holding it, when full, costs dropping
        another one. Where clients ask for more pages than fit (at 100k projects,
        nearly every random name), holding each page read would only churn the
        cache, and cost a miss more than the read itself. So when full, a page is
        held on its second read back within a window of as many pages first read
        back as the cache holds entries (a doorkeeper, as in TinyLFU): a page asked
        for again later than that would have been dropped before it was used anyway.
        Pages asked for again soon are held; one-off reads pass by. A slot two keys
        share lets one in early.
        """
        cost = len(page.body) + ENTRY_OVERHEAD
        if cost > self.max_bytes:     # never held (no cache: build-pages, page_cache_mb = 0)
            return
        if self._bytes + cost > self.max_bytes:
            slot = hash(key) % DOORKEEPER_SLOTS
            if not self._seen[slot]:
                self._seen[slot] = 1
                self._marks += 1
                if self._marks > max(MIN_WINDOW, len(self._entries)):
                    self._seen, self._marks = bytearray(DOORKEEPER_SLOTS), 0
                return
        self.put(key, freshness, page, token)

    def builder(self, key: Hashable) -> threading.Lock:
        """The lock that builders of ``key`` hold, so that one builds and the others wait for
        it instead of building it too (``/simple/`` of 100k projects costs a few tenths of a
        second and tens of MB while it is built)."""
        return self._builders[hash(key) % len(self._builders)]

    def __contains__(self, key: Hashable) -> bool:
        """Whether a page is held under ``key``, current or not."""
        return key in self._entries

    def may_have(self, key: Hashable) -> bool:
        """Whether a page of ``key`` may be at hand, held or kept as a file: then reading its
        freshness alone, before all that builds it, is worth it."""
        return self.files is not None or key in self._entries

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


class Answer(NamedTuple):
    """What to send: the status line, the headers and the body (empty for a 304)."""
    status: str
    headers: list[tuple[str, str]]
    body: bytes


def page_answer(environ: dict, cache: PageCache | None, key: Hashable, freshness: Hashable,
                content_type: str, headers: list[tuple[str, str]],
                build: Callable[[], tuple[bytes, datetime | None]] | None,
                token: Hashable | None = None) -> Answer | None:
    """The answer for page ``key`` as of ``freshness``: a 304, the cached page, or one built now.

    ``headers`` go on every answer, 304s included (the serial, ``Vary``);
    ``build`` returns the body and when it last changed (naive UTC, or None).
    The ETag is checked before anything is built, so a revalidation costs only
    the freshness read the caller made. A page not held is read from its file
    when one is kept with this ETag, else built and kept. With ``build`` None nothing is built:
    None when the page is not cached (the caller then takes the path that can build).
    ``token`` is the store's change token taken before ``freshness`` was read.
    """
    etag = etag_for(key, freshness)
    if "HTTP_IF_NONE_MATCH" in environ and not_modified(environ, etag, None):
        return Answer(NOT_MODIFIED, [("ETag", etag), *headers], b"")
    page = cache.get(key, freshness, token) if cache is not None else None
    if page is None:
        if build is None:
            return None

        def built() -> Page:
            body, changed = build()
            return make_page(body, content_type, etag, headers, changed)
        page = _kept_or_built(cache, key, freshness, etag, token, built)
    return cached_page_answer(environ, page)


def _kept_or_built(cache: PageCache | None, key: Hashable, freshness: Hashable, etag: str,
                   token: Hashable | None, build: Callable[[], Page]) -> Page:
    """A page not held: read back from its file when one is kept under ``etag`` (no lock:
    a read costs µs), else built by one thread at a time and kept.

    A page of ``FILE_FROM`` bytes or more that is kept as a file is not held:
    its answers are sent from the file.
    """
    files = cache.files if cache is not None else None
    kept = files.read(key, etag) if files is not None else None
    if kept is not None:
        page = Page(*kept)
        if not isinstance(page.body, FileBody):
            cache.offer(key, freshness, page, token)
        return page
    if cache is None:
        return build()
    with cache.builder(key):
        page = cache.get(key, freshness, token)
        kept = files.read(key, etag) if page is None and files is not None else None
        if kept is not None:     # built and kept by the thread this one waited for
            return Page(*kept)
        if page is None:
            page = build()
            in_file = files is not None and files.keep(key, page.body, page.head,
                                                       page.not_modified_lines)
            if not (in_file and len(page.body) >= large_bodies.FILE_FROM):
                cache.put(key, freshness, page, token)
        return page


def cached_page_answer(environ: dict, page: Page) -> Answer:
    """A 304 when the client holds ``page`` (a current one), else the page."""
    headers = page.headers
    changed = page.last_modified if "HTTP_IF_MODIFIED_SINCE" in environ else None
    if not_modified(environ, headers[1][1], changed):
        return Answer(NOT_MODIFIED, headers[1:page.not_modified_lines + 1], b"")
    headers.append(("Content-Length", str(len(page.body))))
    return Answer(OK, headers, page.body)


def answer_response(answer: Answer, environ: dict) -> Response:
    """``answer`` for the webob path; a large body goes as a file wrapper."""
    return Response(status=answer.status, headerlist=answer.headers,
                    app_iter=body_iterable(environ, answer.body))


def make_page(body: bytes, content_type: str, etag: str, headers: list[tuple[str, str]],
              changed: datetime | None) -> Page:
    """A page's headers: Content-Type, ETag, ``headers``, Last-Modified when known.

    A 304 carries the ETag and ``headers`` only: with an ETag, Last-Modified
    guides no cache (RFC 9110 §15.4.5).
    """
    lines = [f"Content-Type: {content_type}; charset=utf-8", f"ETag: {etag}",
             *(f"{name}: {value}" for name, value in headers)]
    if changed is not None:
        changed = changed.replace(tzinfo=timezone.utc, microsecond=0)
        lines.append(f"Last-Modified: {format_datetime(changed, usegmt=True)}")
    return Page(body, "\n".join(lines), 1 + len(headers))
