"""Pages of a MiB or more kept as files are sent from them, not held (``legacy/large_bodies.py``).

At 100k projects ``/simple/`` and the XML-RPC listings come to about 15 MB;
kept in memory they were most of what the server's memory grew by with the
index. Sent from their files, they must give the same bytes and headers as
before, HEAD and 304 included, leave no file open, and a damaged file must
be rebuilt, not sent.
"""
from __future__ import annotations

import os
import xmlrpc.client

import pytest
import webtest
from waitress.buffers import ReadOnlyFileBasedBuffer

from legacy import large_bodies, page_files
from storage_backends.records import Actor, ReleaseMetadata
from tests.handlers.test_page_files import _fresh_app

V1_JSON = "application/vnd.pypi.simple.v1+json"
ROOT = ("/simple/", "text/html")


@pytest.fixture(params=[64, 256])
def small_limits(monkeypatch, request):
    """Pages of 200 bytes count as large, files of 64 (the head then needs a read of its
    own) or of 256 bytes (the head is in the first read) as more than one read."""
    monkeypatch.setattr(large_bodies, "FILE_FROM", 200)
    monkeypatch.setattr(page_files, "READ_BLOCK", request.param)


@pytest.fixture
def index(app):
    for name in ("alpha", "Beta", "gamma-delta", "Epsilon.Zeta"):
        app.store.store_release(Actor("alice"), name, "1.0", ReleaseMetadata())
    return app


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def _count_builds(app) -> list[int]:
    """Every read of the whole index (what builds ``/simple/`` and the listings)."""
    builds = []
    original = app.store.project_name_pieces
    app.store.project_name_pieces = lambda size: builds.append(size) or original(size)
    return builds


@pytest.mark.parametrize("wrapper", [None, ReadOnlyFileBasedBuffer])
def test_a_large_kept_page_is_sent_from_its_file_and_not_held(index, config, small_limits,
                                                             wrapper):
    built = webtest.TestApp(index).get("/simple/")
    assert len(built.body) >= 200
    other = _fresh_app(config)
    environ = {"wsgi.file_wrapper": wrapper} if wrapper else {}
    web = webtest.TestApp(other, extra_environ=environ)
    try:
        builds = _count_builds(other)
        descriptors = _open_descriptors()
        for _ in range(3):
            sent = web.get("/simple/")
            assert sent.body == built.body
            assert sorted(sent.headerlist) == sorted(built.headerlist)
            head = web.head("/simple/")
            assert head.body == b"" and head.headers["Content-Length"] == str(len(built.body))
            web.get("/simple/", headers={"If-None-Match": built.headers["ETag"]}, status=304)
            web.get("/simple/", headers={"If-Modified-Since": built.headers["Last-Modified"]},
                    status=304)
        assert ROOT not in other.pages           # never held in memory,
        assert builds == []                      # always read from the file
        assert _open_descriptors() == descriptors
    finally:
        other.close()


def test_a_damaged_large_page_file_is_rebuilt_not_sent(index, config, small_limits):
    built = webtest.TestApp(index).get("/simple/").body
    path = config.page_directory / page_files.PageFiles.name_of(ROOT)
    data = path.read_bytes()
    path.write_bytes(data[:-3] + bytes([data[-3] ^ 1]) + data[-2:])   # one bit in the body
    other = _fresh_app(config)
    try:
        builds = _count_builds(other)
        assert webtest.TestApp(other).get("/simple/").body == built
        assert builds and path.read_bytes() == data          # rebuilt and kept again
    finally:
        other.close()


def test_a_large_page_of_older_serials_is_not_sent(index, config, small_limits):
    web = webtest.TestApp(index)
    before = web.get("/simple/").body
    other = _fresh_app(config)
    try:
        index.store.store_release(Actor("alice"), "omega", "1.0", ReleaseMetadata())
        after = webtest.TestApp(other).get("/simple/").body
        assert b"omega" in after and b"omega" not in before
    finally:
        other.close()


def test_the_xmlrpc_listing_is_kept_as_a_file_and_sent_from_it(index, config, small_limits):
    call = xmlrpc.client.dumps((), "list_packages_with_serial").encode()
    web = webtest.TestApp(index, extra_environ={"wsgi.file_wrapper": ReadOnlyFileBasedBuffer})
    first = web.post("/pypi", call, headers={"Content-Type": "text/xml"})
    (listing,), _ = xmlrpc.client.loads(first.body)
    assert sorted(listing) == ["Beta", "Epsilon.Zeta", "alpha", "gamma-delta"]
    assert ("xmlrpc", "list_packages_with_serial") not in index.pages
    other = _fresh_app(config)
    try:
        reads = _count_builds(other)
        again = webtest.TestApp(other).post("/pypi", call, headers={"Content-Type": "text/xml"})
        assert again.body == first.body and reads == []      # read back, not built
        assert again.headers["Content-Length"] == str(len(first.body))
        assert again.headers["Content-Type"] == "text/xml; charset=utf-8"
    finally:
        other.close()


def test_small_pages_are_still_held(index, config):
    web = webtest.TestApp(index)
    web.get("/simple/")
    web.get("/simple/", headers={"Accept": V1_JSON})
    assert ROOT in index.pages and ("/simple/", V1_JSON) in index.pages
