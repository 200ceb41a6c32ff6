"""Cached simple pages answered from the WSGI environ (``PypiApp._cached_answer``).

That path must answer exactly as the full one (webob, routing, ``answer_response``)
would, and leave everything else to it; while the store's change token holds
it skips even the serial read, so it must still follow every write at once.
"""
from __future__ import annotations

import io

import pytest
from webob import Request

from storage_backends.records import Actor
from tests.handlers.uploading import upload_sdist, upload_wheel

V1_JSON = "application/vnd.pypi.simple.v1+json"


def _environ(path: str, **extra) -> dict:
    environ = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path,
               "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_HOST": "127.0.0.1:8080", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO()}
    environ.update(extra)
    return environ


def _call(app, environ: dict) -> tuple[str, list, bytes]:
    """What the app sends for ``environ``: status, headers and body."""
    sent = {}

    def start_response(status, headers, exc_info=None):
        sent.update(status=status, headers=headers)

    body = b"".join(app(environ, start_response))
    return sent["status"], sent["headers"], body


def _full_path(app, environ: dict) -> tuple[str, list, bytes]:
    """The same request through webob and the handlers, never the cached answer."""
    fast, app._cached_answer = app._cached_answer, lambda environ, route: None
    try:
        return _call(app, environ)
    finally:
        app._cached_answer = fast


@pytest.fixture
def warm(web, app):
    upload_sdist(web, status=200)
    upload_wheel(web, status=200)
    upload_sdist(web, name="Other.Name", status=200)
    for path in ("/simple/", "/simple/demo/", "/simple/other-name/"):
        for accept in ({}, {"Accept": V1_JSON}):
            web.get(path, headers=accept, status=200)
    return app


REQUESTS = [
    ("/simple/demo/", {}),
    ("/simple/demo/", {"REQUEST_METHOD": "HEAD"}),
    ("/simple/demo/", {"HTTP_ACCEPT": V1_JSON}),
    ("/simple/demo/", {"HTTP_ACCEPT": "text/html;q=0.2, application/vnd.pypi.simple.v1+json"}),
    ("/simple/demo/", {"HTTP_ACCEPT": "image/png"}),                      # 406
    ("/simple/demo/", {"HTTP_IF_NONE_MATCH": "*"}),
    ("/simple/demo/", {"HTTP_IF_NONE_MATCH": '"not-it"'}),
    ("/simple/demo/", {"HTTP_IF_MODIFIED_SINCE": "Sat, 01 Jan 2000 00:00:00 GMT"}),
    ("/simple/demo/", {"HTTP_IF_MODIFIED_SINCE": "Fri, 01 Jan 2100 00:00:00 GMT"}),
    ("/simple/demo/", {"REQUEST_METHOD": "POST"}),
    ("/simple/Demo/", {}),                                                # 301
    ("/simple/Other.Name/", {}),                                          # 301
    ("/simple/other-name/", {"HTTP_ACCEPT": V1_JSON}),
    ("/simple/demo", {}),                                                 # 301
    ("/simple/demo/deeper", {}),                                          # 404
    ("/simple/missing/", {}),                                             # 404
    ("/simple/", {}),
    ("/simple/", {"HTTP_ACCEPT": V1_JSON, "REQUEST_METHOD": "HEAD"}),
    ("/simple/", {"HTTP_IF_NONE_MATCH": "*"}),
    ("/simple", {}),                                                      # 301
    ("/simple/d\xc3\xa9mo/", {}),                                         # UTF-8 name: 404
    ("/simple/\xff/", {}),                                                # not UTF-8: 404
]


@pytest.mark.parametrize("path, extra", REQUESTS)
def test_cached_answer_is_what_the_full_path_sends(warm, path, extra):
    full = _full_path(warm, _environ(path, **extra))
    assert _call(warm, _environ(path, **extra)) == full
    assert _call(warm, _environ(path, **extra)) == full     # now from a confirmed entry


def test_confirmed_page_skips_the_serial_read_until_a_write(warm, monkeypatch):
    reads = []
    for method in ("project_serial", "index_page", "index_listing"):
        original = getattr(warm.store, method)
        monkeypatch.setattr(warm.store, method,
                            lambda name, method=method, original=original:
                            reads.append(method) or original(name))
    first = _call(warm, _environ("/simple/demo/"))
    assert reads == []           # built and found current under the token the warm-up saw
    warm.store.create_project(Actor("alice"), "unrelated")    # any commit changes the token
    assert _call(warm, _environ("/simple/demo/")) == first
    assert _call(warm, _environ("/simple/demo/")) == first
    assert reads == ["project_serial"]    # one read confirms the entry again, then none
    warm.store.set_release_hidden(Actor("alice"), "demo", "1.0", True)
    changed = _call(warm, _environ("/simple/demo/"))
    assert changed[0] == "200 OK" and changed[2] != first[2] and b"data-yanked" in changed[2]
    assert changed == _full_path(warm, _environ("/simple/demo/"))
    reads.clear()
    warm.pages._entries.clear()
    assert _call(warm, _environ("/simple/demo/")) == changed
    assert reads == ["project_serial"]       # a page not held is read back from its file
    reads.clear()
    warm.pages._entries.clear()
    warm.pages.files = None
    assert _call(warm, _environ("/simple/demo/")) == changed
    assert reads == ["index_page"]           # without files: read in one go, and built


def test_another_stores_write_is_seen_by_a_confirmed_page(warm, config):
    """A second store on the database stands for another server process (see also
    test_index_caching's two apps and the storage tests' writer in a subprocess)."""
    from storage_backends.sql import open_sql_store
    _call(warm, _environ("/simple/"))
    before = _call(warm, _environ("/simple/"))
    other = open_sql_store(config.database_url)
    try:
        other.create_project(Actor("alice"), "brand-new")
    finally:
        other.close()
    after = _call(warm, _environ("/simple/"))
    assert b"brand-new" in after[2] and b"brand-new" not in before[2]


def test_errors_in_the_cached_answer_fall_back_to_the_full_path(warm, monkeypatch):
    def broken():
        raise RuntimeError("shared memory went away")
    monkeypatch.setattr(warm.store, "change_token", broken)
    status, headers, body = _call(warm, _environ("/simple/demo/"))
    assert status == "200 OK" and b"demo-1.0.tar.gz" in body
    assert (status, headers, body) == _full_path(warm, _environ("/simple/demo/"))


def test_full_path_request_objects_are_not_built_for_cached_pages(warm, monkeypatch):
    built = []
    monkeypatch.setattr("pypi.app.Request", lambda environ: built.append(environ) or Request(environ))
    _call(warm, _environ("/simple/demo/"))
    assert built == []
    _call(warm, _environ("/pypi/demo/json"))
    assert len(built) == 1
