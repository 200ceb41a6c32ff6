"""``pypi build-pages``: write the kept page file of every project page, and drop stale ones.

A server keeps each page it builds as a file (``legacy/page_files.py``), so a
running index fills its page directory by itself; until then a page's first
request builds it. After a large import (``pypi load-sample``, ``pypi migrate``,
an existing legacy database) this builds them all at once, in every form the
index offers (``text/html``, PEP 691's HTML and JSON), and removes the files of
pages that no longer exist (deleted projects). Pages already kept and current are reused, not
built again, and servers may keep running meanwhile: a file is only ever replaced whole.

Every page also goes into one new pack file (``legacy/page_pack.py``), which
servers read before the page files; the files of the pages it holds are then
removed, unless written during the build. The whole index's pages (``/simple/``
and the XML-RPC listings) are built too; one of a MiB or more stays a file of
its own, which servers send from the file (``legacy/large_bodies.py``).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Hashable

from legacy import large_bodies
from legacy.large_bodies import FileBody
from legacy.page_cache import PageCache
from legacy.page_files import PageFiles
from legacy.page_heads import etag_in_head
from legacy.page_pack import PackWriter
from legacy.simple import OFFERS, ROOT_PIECE, keep_project_page, keep_root_pages, page_keys
from legacy.xmlrpc.endpoint import WHOLE_INDEX, listing_key, whole_index_answer

from .backends import open_store
from .config import Config

REPORT_EVERY_S = 2.0


def cmd_build_pages(config: Config, args) -> int:
    directory = config.page_directory
    if directory is None:
        print("pypi build-pages: [server] page_files is off: no pages are kept as files",
              file=sys.stderr)
        return 2
    files = PageFiles.open(directory)
    if files is None:
        print(f"pypi build-pages: cannot create {directory}", file=sys.stderr)
        return 1
    try:
        packing = Packing(files, PackWriter(Path(files.pack_path)))
    except OSError as err:
        print(f"pypi build-pages: cannot write a pack in {directory}: {err}", file=sys.stderr)
        return 1
    cache = PageCache(0, packing)     # nothing held in memory: every page goes to the pack
    store = open_store(config)
    began = last_report = time.monotonic()
    projects = pages = 0
    # The names of every current page go in here, and move to packing.packed as packed;
    # first /simple/ and the listings.
    unpacked = packing.unpacked
    unpacked.update(files.name_of(key) for key in page_keys(None))
    unpacked.update(files.name_of(listing_key(method)) for method in WHOLE_INDEX)
    try:
        # One form after the other, so that the pages clients of one kind ask for lie together
        # in the pack: fewer of the kernel's pages to keep cached for the same requests.
        for number, content_type in enumerate(OFFERS):
            for piece in store.project_name_pieces(ROOT_PIECE):
                for project in piece:
                    if number == 0:
                        unpacked.update(files.name_of(key)
                                       for key in page_keys(project.normalized_name))
                        projects += 1
                    pages += keep_project_page(store, cache, project.normalized_name,
                                               content_type)
                if time.monotonic() - last_report >= REPORT_EVERY_S:
                    last_report = time.monotonic()
                    print(f"  {content_type}: {pages} pages", flush=True)
        keep_root_pages(store, cache)
        for method in sorted(WHOLE_INDEX):
            whole_index_answer(store, cache, method)
        packing.writer.finish()
    except BaseException:
        packing.writer.abandon()
        raise
    finally:
        store.close()
    packed = packing.packed
    took = time.monotonic() - began
    # A page file written during the build may hold a newer page than the pack: it stays.
    removed = files.remove_others(unpacked, unchanged_for_s=took + 60, packed=packed,
                                  packed_unchanged_for_s=took)
    print(f"{pages} pages of {projects} projects kept in {directory} "
          f"({time.monotonic() - began:.1f} s), {packing.writer.count} of them in "
          f"{files.pack_path}; {removed} files of packed or other pages removed")
    return 0


class Packing:
    """``PageFiles`` as the page cache of build-pages sees them: each current page, found
    kept or built now, goes into the new pack instead of a file of its own, but for pages of
    ``FILE_FROM`` bytes or more, which stay files (they are sent from them)."""

    def __init__(self, files: PageFiles, writer: PackWriter):
        self.files, self.writer = files, writer
        # The file names (``PageFiles.name_of``) of current pages: those packed, and the others
        # (given by the caller). A name moves from one set to the other when its page is
        # packed, so each is held once (held in both, the names of 1.4 million pages cost
        # about 150 MB more at 500k projects).
        self.packed: set[str] = set()
        self.unpacked: set[str] = set()

    def read(self, key: Hashable, etag: str) -> tuple[bytes | FileBody, str, int] | None:
        page = self.files.read(key, etag)
        if page is not None and not isinstance(page[0], FileBody):
            self.keep(key, *page)
        return page

    def keep(self, key: Hashable, body: bytes, head: str, not_modified_lines: int) -> bool:
        if len(body) >= large_bodies.FILE_FROM:
            return self.files.keep(key, body, head, not_modified_lines)
        self.writer.add(etag_in_head(head), body, head, not_modified_lines)
        name = self.files.name_of(key)
        self.unpacked.discard(name)
        self.packed.add(name)
        return True
