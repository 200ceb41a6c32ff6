"""Downloads go through the server's ``wsgi.file_wrapper`` (the bytes never pass through
the application), for whole files and ranges to the end; other ranges and HEAD do not."""
from __future__ import annotations

import subprocess
import sys
import urllib.request

import webob

from tests.clients.server import PASSWORD, start_server
from tests.distributions import make_sdist
from tests.handlers.uploading import upload

URL = "/packages/source/d/demo/demo-1.0.tar.gz"


class RecordingWrapper:
    """A ``wsgi.file_wrapper`` that remembers the files it was given."""

    def __init__(self):
        self.calls = []

    def __call__(self, file, block_size=8192):
        self.calls.append((file, file.tell(), block_size))

        def chunks():
            with file:
                while block := file.read(block_size):
                    yield block
        return chunks()


def _get(app, headers=None, method="GET"):
    wrapper = RecordingWrapper()
    request = webob.Request.blank(URL, method=method, headers=headers or {})
    request.environ["wsgi.file_wrapper"] = wrapper
    response = request.get_response(app)
    return response, wrapper.calls


def _uploaded(web) -> bytes:
    filename, data = make_sdist("demo", "1.0")
    upload(web, filename, data, name="demo", version="1.0", status=200)
    return data


def test_whole_file_and_range_to_the_end_use_the_file_wrapper(web, app):
    data = _uploaded(web)
    response, calls = _get(app)
    assert response.status_int == 200 and response.body == data
    assert len(calls) == 1 and calls[0][1] == 0
    assert response.headers["Content-Length"] == str(len(data))
    response, calls = _get(app, {"Range": "bytes=10-"})
    assert response.status_int == 206 and response.body == data[10:]
    assert len(calls) == 1 and calls[0][1] == 10
    assert response.headers["Content-Length"] == str(len(data) - 10)


def test_inner_ranges_head_and_304_do_not_open_the_file(web, app):
    data = _uploaded(web)
    response, calls = _get(app, {"Range": "bytes=2-9"})
    assert response.status_int == 206 and response.body == data[2:10] and calls == []
    response, calls = _get(app, method="HEAD")
    assert response.status_int == 200 and calls == []
    etag = response.headers["ETag"]
    response, calls = _get(app, {"If-None-Match": etag})
    assert response.status_int == 304 and calls == []


def test_waitress_sends_whole_files_and_ranges(tmp_path):
    """Through the real server: waitress' own file wrapper, which stops at Content-Length."""
    server = start_server(tmp_path, f"sqlite:///{tmp_path / 'pypi.db'}")
    try:
        filename, data = make_sdist("demo", "1.0")
        path = tmp_path / filename
        path.write_bytes(data)
        subprocess.run([sys.executable, "-m", "twine", "upload", "--repository-url",
                        server.upload_url, "-u", "alice", "-p", PASSWORD, "--disable-progress-bar",
                        "--non-interactive", str(path)], check=True, capture_output=True)
        url = server.base + URL
        for headers, expected in (({}, data), ({"Range": "bytes=7-"}, data[7:]),
                                  ({"Range": "bytes=3-20"}, data[3:21])):
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as reply:
                assert reply.read() == expected
                assert reply.headers["Content-Length"] == str(len(expected))
    finally:
        server.stop()
