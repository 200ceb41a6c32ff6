"""The index lane (``pypi/lanes.py``): project pages of the simple index on a thread of their own.

Checked through a real waitress server: which thread answers what, and that
neither side waits for the other.
"""
from __future__ import annotations

import threading
import urllib.request
from types import SimpleNamespace

import pytest

from pypi.lanes import IndexLaneDispatcher
from tests.clients.server import waitress_in_thread


def _request(command="GET", path="/simple/demo/", error=None):
    return SimpleNamespace(command=command, path=path, error=error)


@pytest.mark.parametrize("request_, in_lane", [
    (_request(), True),
    (_request("HEAD"), True),
    (_request(path="/simple/Demo"), True),                  # its redirect, as cheap
    (_request("POST"), False),
    (_request(path="/simple/"), False),                     # the whole index: may build long
    (_request(path="/simple"), False),
    (_request(path="/simplex/demo/"), False),
    (_request(path="/pypi/demo/json"), False),
    (_request(path="/packages/source/d/demo/demo-1.0.tar.gz"), False),
    (_request(error=ValueError("bad request line")), False),
    (SimpleNamespace(error=None), False),                   # no request line parsed
])
def test_what_goes_to_the_lane(request_, in_lane):
    assert IndexLaneDispatcher("/simple", 1).in_lane(request_) is in_lane
    assert IndexLaneDispatcher("/simple", 0).in_lane(request_) is False   # no lane at all


def test_the_lane_follows_the_configured_simple_script():
    lanes = IndexLaneDispatcher("/index/", 1)
    assert lanes.in_lane(_request(path="/index/demo/"))
    assert not lanes.in_lane(_request(path="/simple/demo/"))


@pytest.fixture
def lane_server():
    """A waitress server with one pool thread and one lane thread; ``/slow`` blocks its
    thread until ``release`` is set. Every answer names the thread that gave it."""
    release = threading.Event()

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/slow":
            release.wait(30)
        body = threading.current_thread().name.encode()
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    dispatcher = IndexLaneDispatcher("/simple", 1)
    with waitress_in_thread(app, dispatcher) as base:
        yield SimpleNamespace(base=base, release=release, dispatcher=dispatcher)
        release.set()


def _get(url: str, method: str = "GET") -> str:
    with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as reply:
        return reply.read().decode()


def test_lane_and_pool_answer_on_their_own_threads(lane_server):
    assert _get(lane_server.base + "/simple/demo/") == "index-0"
    assert _get(lane_server.base + "/simple/") == "waitress-0"
    assert _get(lane_server.base + "/pypi") == "waitress-0"
    request = urllib.request.Request(lane_server.base + "/simple/demo/", data=b"x", method="POST")
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert reply.read() == b"waitress-0"


def test_a_busy_pool_does_not_hold_up_the_lane(lane_server):
    answers = []
    slow = threading.Thread(target=lambda: answers.append(_get(lane_server.base + "/slow")))
    slow.start()
    try:
        for _ in range(20):        # the pool's only thread is blocked meanwhile
            assert _get(lane_server.base + "/simple/demo/") == "index-0"
        assert answers == []
    finally:
        lane_server.release.set()
        slow.join(10)
    assert answers == ["waitress-0"]


def test_shutdown_stops_both_sides(lane_server):
    _get(lane_server.base + "/simple/demo/")
    assert lane_server.dispatcher.shutdown(timeout=5) is True
    assert not lane_server.dispatcher.lane.threads and not lane_server.dispatcher.pool.threads
