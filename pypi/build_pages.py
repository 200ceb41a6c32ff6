"""``pypi build-pages``: write the kept page file of every project page, and drop stale ones.

A server keeps each page it builds as a file (``legacy/page_files.py``), so a
running index fills its page directory by itself; until then a page's first
request builds it. After a large import (``pypi load-sample``, ``pypi migrate``,
an existing legacy database) this builds them all at once, in every form the
index offers (``text/html``, PEP 691's HTML and JSON), and removes the files of
pages that no longer exist (deleted projects). Pages already kept and current are left as they are, and servers may
keep running meanwhile: a file is only ever replaced whole.
"""
from __future__ import annotations

import sys
import time

from legacy.page_cache import PageCache
from legacy.page_files import PageFiles
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
    cache = PageCache(0, files)       # nothing held in memory: every page goes to its file
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
    finally:
        store.close()
    removed = files.remove_others(current, unchanged_for_s=time.monotonic() - began + 60)
    print(f"{pages} pages of {projects} projects kept in {directory} "
          f"({time.monotonic() - began:.1f} s); {removed} files of other pages removed")
    return 0
