"""Index pages: ETag/Last-Modified and 304s, and cached pages that are never stale.

Pages are cached per process under the serials they were built from, so two
apps (two server processes) on one database must see each other's writes on
their very next request.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import webtest

from legacy import large_bodies, page_cache
from legacy.page_cache import ENTRY_OVERHEAD, Page, PageCache, page_answer
from legacy.page_files import PageFiles
from pypi.app import PypiApp
from storage_backends.local_blobs import LocalBlobStore
from storage_backends.records import Actor
from storage_backends.sql import open_sql_store
from tests.handlers.uploading import upload_sdist, upload_wheel
from tests.handlers.xmlrpc_calls import call
from tests.storage.backends import drop_test_databases
from tests.storage.conftest import open_or_skip

V1_JSON = "application/vnd.pypi.simple.v1+json"
INDEX_PAGES = ["/simple/", "/simple/demo/"]


@pytest.mark.parametrize("path", INDEX_PAGES)
@pytest.mark.parametrize("accept", [None, V1_JSON])
def test_index_page_revalidates_with_etag_until_a_change(web, path, accept):
    upload_sdist(web, status=200)
    headers = {"Accept": accept} if accept else {}
    first = web.get(path, headers=headers, status=200)
    etag, serial = first.headers["ETag"], first.headers["X-PyPI-Last-Serial"]
    assert etag.startswith('"') and "Last-Modified" in first.headers
    again = web.get(path, headers={**headers, "If-None-Match": etag}, status=304)
    assert again.body == b""
    assert again.headers["ETag"] == etag and again.headers["X-PyPI-Last-Serial"] == serial
    assert again.headers["Vary"] == "Accept"
    upload_wheel(web, status=200)
    changed = web.get(path, headers={**headers, "If-None-Match": etag}, status=200)
    assert changed.headers["ETag"] != etag
    assert int(changed.headers["X-PyPI-Last-Serial"]) > int(serial)


def test_html_and_json_forms_have_different_etags(web):
    upload_sdist(web, status=200)
    html = web.get("/simple/demo/", status=200)
    json_form = web.get("/simple/demo/", headers={"Accept": V1_JSON}, status=200)
    assert html.headers["ETag"] != json_form.headers["ETag"]
    web.get("/simple/demo/", headers={"Accept": V1_JSON, "If-None-Match": html.headers["ETag"]},
            status=200)


def test_if_modified_since_gives_304_and_weak_or_star_tags_match(web):
    upload_sdist(web, status=200)
    page = web.get("/simple/demo/", status=200)
    since = page.headers["Last-Modified"]
    web.get("/simple/demo/", headers={"If-Modified-Since": since}, status=304)
    web.get("/simple/demo/", headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"},
            status=200)
    web.get("/simple/demo/", headers={"If-None-Match": f'W/{page.headers["ETag"]}'}, status=304)
    web.get("/simple/demo/", headers={"If-None-Match": "*"}, status=304)
    # If-None-Match decides when both are sent
    web.get("/simple/demo/", headers={"If-None-Match": '"other"', "If-Modified-Since": since},
            status=200)


def test_cached_page_is_the_same_bytes_and_hidden_release_changes_it(web, app):
    upload_sdist(web, status=200)
    upload_sdist(web, version="2.0", status=200)
    first = web.get("/simple/demo/", status=200)
    assert web.get("/simple/demo/", status=200).body == first.body
    assert len(app.pages) >= 1
    app.store.set_release_hidden(Actor("alice"), "demo", "2.0", False)
    app.store.set_release_hidden(Actor("alice"), "demo", "1.0", False)
    shown = web.get("/simple/demo/", status=200)
    assert shown.headers["ETag"] != first.headers["ETag"]
    assert "data-yanked" not in shown.text and "data-yanked" in first.text


def test_json_api_etag_last_modified_and_304(web):
    upload_sdist(web, status=200)
    first = web.get("/pypi/demo/json", status=200)
    assert "Last-Modified" in first.headers
    web.get("/pypi/demo/json", headers={"If-None-Match": first.headers["ETag"]}, status=304)
    web.get("/pypi/demo/json", headers={"If-Modified-Since": first.headers["Last-Modified"]},
            status=304)
    upload_wheel(web, status=200)
    web.get("/pypi/demo/json", headers={"If-None-Match": first.headers["ETag"]}, status=200)


def test_page_cache_is_bounded_and_keyed_by_freshness():
    cache = PageCache(max_bytes=3 * (1000 + ENTRY_OVERHEAD))
    for number in range(5):
        cache.put(("page", number), 1, Page(b"x" * 1000))
    assert len(cache) == 3 and cache.size <= cache.max_bytes
    assert cache.get(("page", 0), 1) is None and cache.get(("page", 4), 1) is not None
    assert cache.get(("page", 4), 2) is None     # built under another serial: not served
    cache.put(("huge",), 1, Page(b"x" * 10_000))
    assert cache.get(("huge",), 1) is None


def test_a_page_read_back_is_held_while_there_is_room_and_when_full_on_its_second_read():
    cache = PageCache(max_bytes=3 * (1000 + ENTRY_OVERHEAD))
    for number in range(3):
        cache.offer(("page", number), 1, Page(b"x" * 1000))
    assert len(cache) == 3                          # room: held at once
    cache.offer(("page", 3), 1, Page(b"x" * 1000))
    assert cache.get(("page", 3), 1) is None        # full: a first read passes by ...
    assert cache.get(("page", 0), 1) is not None    # ... and drops nothing
    cache.offer(("page", 3), 1, Page(b"x" * 1000))
    assert cache.get(("page", 3), 1) is not None    # read again soon: held
    assert len(cache) == 3


def test_the_doorkeeper_forgets_reads_older_than_its_window():
    cache = PageCache(max_bytes=1000 + ENTRY_OVERHEAD)
    cache.put(("held",), 1, Page(b"x" * 1000))
    cache.offer(("old",), 1, Page(b"x" * 1000))
    for number in range(page_cache.MIN_WINDOW):     # more first reads than the window
        cache.offer(("other", number), 1, Page(b"x" * 1000))
    cache.offer(("old",), 1, Page(b"x" * 1000))
    assert cache.get(("old",), 1) is None and cache.get(("held",), 1) is not None


def test_pages_read_back_from_files_are_held_on_a_second_read_when_the_cache_is_full(tmp_path):
    files = PageFiles(tmp_path)
    cache = PageCache(max_bytes=1000 + ENTRY_OVERHEAD, files=files)
    builds = []

    def answer(name):
        def build():
            builds.append(name)
            return name.encode() * 500, None
        return page_answer({}, cache, ("page", name), 1, "text/html", [], build).body

    assert answer("a") == b"a" * 500                # built: held (and kept as a file)
    assert answer("b") == b"b" * 500                # built: held, "a" dropped
    assert ("page", "a") not in cache
    assert answer("a") == b"a" * 500                # read back once: not held
    assert ("page", "a") not in cache and ("page", "b") in cache
    assert answer("a") == b"a" * 500                # read back again: held
    assert ("page", "a") in cache and builds == ["a", "b"]


@pytest.mark.parametrize("kept_as_file", [False, True])
def test_a_page_wanted_by_several_threads_at_once_is_built_once(tmp_path, monkeypatch,
                                                                 kept_as_file):
    """Held in memory, or (large) kept as a file only: the threads that waited read it back."""
    if kept_as_file:
        monkeypatch.setattr(large_bodies, "FILE_FROM", 50)
    files = PageFiles(tmp_path) if kept_as_file else None
    cache, builds, started = PageCache(max_bytes=1 << 20, files=files), [], threading.Barrier(4)

    def build():
        builds.append(1)
        time.sleep(0.2)
        return b"x" * 100, None

    def want(serial=7):
        if serial == 7:
            started.wait()
        body = page_answer({}, cache, ("/simple/", "text/html"), serial, "text/html", [],
                           build).body
        if isinstance(body, bytes):
            return body
        with body.send() as file:
            return file.read()

    with ThreadPoolExecutor(4) as pool:
        bodies = list(pool.map(lambda _: want(), range(4)))
    assert len(builds) == 1 and all(body == b"x" * 100 for body in bodies)
    if not kept_as_file:
        assert all(body is bodies[0] for body in bodies)
    want(serial=8)                                          # a new serial: built again
    assert len(builds) == 2


# -- two server processes on one database -----------------------------------------

@pytest.fixture(scope="module")
def _server_databases():
    yield
    drop_test_databases()


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def two_apps(request, tmp_path, config, password_hash, _server_databases):
    """Two apps, each with its own store (engine) and page cache, on one database."""
    first_store = open_or_skip(request.param, tmp_path)
    second_store = open_sql_store(first_store.engine.url.render_as_string(hide_password=False))
    first_store.create_user("alice", "alice@example.org", password_hash)
    apps = [PypiApp(config, store, LocalBlobStore(config.files_dir))
            for store in (first_store, second_store)]
    yield [webtest.TestApp(app) for app in apps]
    for app in apps:
        app.close()


def _pages(web) -> list[bytes]:
    return [web.get(path, headers=headers, status="*").body
            for path in INDEX_PAGES for headers in ({}, {"Accept": V1_JSON})]


def test_two_apps_on_one_database_never_serve_a_stale_page(two_apps):
    one, two = two_apps
    upload_sdist(one, status=200)
    assert _pages(one) == _pages(two)        # both caches are warm now
    upload_wheel(two, status=200)
    assert b"demo-1.0-py3-none-any.whl" in one.get("/simple/demo/").body
    assert _pages(one) == _pages(two)
    upload_sdist(one, name="other", status=200)
    assert b"other" in two.get("/simple/").body
    etag = two.get("/simple/demo/").headers["ETag"]
    upload_sdist(one, version="2.0", status=200)
    assert two.get("/simple/demo/", headers={"If-None-Match": etag}).status_int == 200
    assert _pages(one) == _pages(two)


def test_whole_index_xmlrpc_listings_follow_the_other_apps_writes(two_apps):
    one, two = two_apps
    upload_sdist(one, status=200)
    assert call(two, "list_packages_with_serial") == call(one, "list_packages_with_serial")
    assert call(two, "list_packages") == ["demo"]
    upload_sdist(one, name="other", status=200)
    listed = call(two, "list_packages_with_serial")
    assert set(listed) == {"demo", "other"} and listed == call(one, "list_packages_with_serial")
    assert call(two, "list_packages") == ["demo", "other"]
