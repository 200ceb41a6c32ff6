"""Large answers go to the server as a ``wsgi.file_wrapper`` over the built bytes."""
from __future__ import annotations

import xmlrpc.client

import webtest
from waitress.buffers import ReadOnlyFileBasedBuffer

from legacy import large_bodies
from storage_backends.records import Actor, ReleaseMetadata


def test_small_bodies_stay_bytes_and_no_wrapper_means_bytes():
    large = b"x" * large_bodies.FILE_FROM
    assert large_bodies.body_iterable({"wsgi.file_wrapper": ReadOnlyFileBasedBuffer}, b"x") == [b"x"]
    assert large_bodies.body_iterable({}, large) == [large]


def test_xmlrpc_answers_through_the_file_wrapper_are_whole(app, monkeypatch):
    monkeypatch.setattr(large_bodies, "FILE_FROM", 1)
    monkeypatch.setattr(large_bodies, "BLOCK", 7)
    for name in ("alpha", "Beta", "gamma"):
        app.store.store_release(Actor("alice"), name, "1.0", ReleaseMetadata())
    web = webtest.TestApp(app, extra_environ={"wsgi.file_wrapper": ReadOnlyFileBasedBuffer})
    body = xmlrpc.client.dumps((), "list_packages_with_serial").encode()
    response = web.post("/pypi", body, headers={"Content-Type": "text/xml"}, status=200)
    assert int(response.headers["Content-Length"]) == len(response.body)
    (listing,), _ = xmlrpc.client.loads(response.body)
    assert sorted(listing) == ["Beta", "alpha", "gamma"]
