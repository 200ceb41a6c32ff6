"""``[server] page_cache_mb`` bounds what the cached pages really hold.

The cache counts each entry as its body plus ``ENTRY_OVERHEAD``; the rest of
an entry (headers, ETag, key, freshness, the LRU's links) must not cost more
than that, or the bound is a fraction of the memory the cache takes.
"""
from __future__ import annotations

import gc
import tracemalloc

from legacy.page_cache import ENTRY_OVERHEAD
from storage_backends.records import Actor, ReleaseMetadata
from tests.storage.samples import new_file

V1_JSON = "application/vnd.pypi.simple.v1+json"
PROJECTS = 150


def test_entry_overhead_covers_what_an_entry_holds_besides_its_body(app, web):
    actor = Actor("alice")
    for number in range(PROJECTS + 10):
        name = f"project{number}"
        app.store.store_release(actor, name, "1.0", ReleaseMetadata(summary="s"))
        app.store.add_file(actor, new_file(name, "1.0", f"{name}-1.0.tar.gz"))
    for number in range(PROJECTS, PROJECTS + 10):         # every code path and cache warmed
        for accept in ("text/html", V1_JSON):
            web.get(f"/simple/project{number}/", headers={"Accept": accept}, status=200)
    entries_before, size_before = len(app.pages), app.pages.size
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number in range(PROJECTS):
            for accept in ("text/html", V1_JSON):
                web.get(f"/simple/project{number}/", headers={"Accept": accept}, status=200)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    entries = len(app.pages) - entries_before
    assert entries == 2 * PROJECTS
    bodies = app.pages.size - size_before - entries * ENTRY_OVERHEAD
    per_entry = (grown - bodies) / entries
    assert per_entry <= ENTRY_OVERHEAD, f"an entry holds {per_entry:.0f} B besides its body"
