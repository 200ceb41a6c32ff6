"""``pypi build-pages``: write the kept page file of every project page, and drop stale ones.

A server keeps each page it builds as a file (``legacy/page_files.py``), so a
running index fills its page directory by itself; until then a page's first
request builds it. After a large import (``pypi load-sample``, ``pypi migrate``,
an existing legacy database) this builds them all at once, in every form the
index offers (``text/html``, PEP 691's HTML and JSON), and removes the files of
pages that no longer exist (deleted projects). Pages already kept and current are reused, not
built again, and servers may keep running meanwhile: a file is only ever replaced whole.

Every project page also goes into one new pack file (``legacy/page_pack.py``),
which servers read before the page files; the files of the pages it holds are
then removed, unless written during the build. ``/simple/`` itself, megabytes
at large sizes and changed by every new project, stays a file of its own.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Hashable

from legacy.large_bodies import FileBody
from legacy.page_cache import PageCache
from legacy.page_files import PageFiles, file_name, record_of
from legacy.page_pack import PackWriter
from legacy.simple import ROOT_PIECE, keep_project_pages, page_keys

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
    current = {files.name_of(key) for key in page_keys(None)}   # /simple/ itself
    try:
        for piece in store.project_name_pieces(ROOT_PIECE):
            for project in piece:
                pages += keep_project_pages(store, cache, project.normalized_name)
                current.update(files.name_of(key) for key in page_keys(project.normalized_name))
                projects += 1
            if time.monotonic() - last_report >= REPORT_EVERY_S:
                last_report = time.monotonic()
                print(f"  {projects} projects, {pages} pages", flush=True)
        packing.writer.finish()
    except BaseException:
        packing.writer.abandon()
        raise
    finally:
        store.close()
    packed = {file_name(digest) for digest in packing.writer.packed}
    took = time.monotonic() - began
    # A page file written during the build may hold a newer page than the pack: it stays.
    removed = files.remove_others(current, unchanged_for_s=took + 60, packed=packed,
                                  packed_unchanged_for_s=took)
    print(f"{pages} pages of {projects} projects kept in {directory} "
          f"({time.monotonic() - began:.1f} s), {len(packed)} of them in {files.pack_path}; "
          f"{removed} files of packed or other pages removed")
    return 0


class Packing:
    """``PageFiles`` as the page cache of build-pages sees them: each current page, found
    kept or built now, goes into the new pack instead of a file of its own."""

    def __init__(self, files: PageFiles, writer: PackWriter):
        self.files, self.writer = files, writer

    def read(self, key: Hashable, etag: str) -> tuple[bytes, str, int] | None:
        page = self.files.read(key, etag)
        if page is not None:
            body, head, not_modified_lines = page
            if isinstance(body, FileBody):     # a page of a MiB or more: packed all the same
                with body.file:
                    body = body.file.read(body.length)
            page = body, head, not_modified_lines
            self.keep(key, *page)
        return page

    def keep(self, key: Hashable, body: bytes, head: str, not_modified_lines: int) -> None:
        self.writer.add(self.files.digest_of(key), record_of(body, head, not_modified_lines))
