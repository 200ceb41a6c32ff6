"""Slow clients against the real server: they hold no worker thread, other clients are
served meanwhile, and a connection that goes silent mid-request is dropped after
``[server] channel_timeout``; bodies over waitress' limit get 413 without being read.
"""
from __future__ import annotations

import socket
import time
import urllib.request

import pytest

from .server import start_server

pytestmark = pytest.mark.clients

CHANNEL_TIMEOUT = 2
THREADS = 4                 # start_server's [server] threads
SLOW_CLIENTS = 3 * THREADS  # more than there are worker threads
HALF_REQUESTS = {
    "headers": b"GET /simple/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
    "body": (b"POST /pypi HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
             b"Content-Length: 1000\r\n\r\n<?xml version='1.0'?><methodCall>"),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("slow-clients")
    running = start_server(directory, f"sqlite:///{directory / 'pypi.db'}",
                           server_lines=f"channel_timeout = {CHANNEL_TIMEOUT}\n")
    yield running
    running.stop()


def _address(server) -> tuple[str, int]:
    host, port = server.base.removeprefix("http://").split(":")
    return host, int(port)


def _closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True


@pytest.mark.parametrize("stalls_in", sorted(HALF_REQUESTS))
def test_silent_clients_are_dropped_while_others_are_served(server, stalls_in):
    slow = [socket.create_connection(_address(server)) for _ in range(SLOW_CLIENTS)]
    try:
        started = time.monotonic()
        for sock in slow:
            sock.sendall(HALF_REQUESTS[stalls_in])
        for _ in range(THREADS + 1):   # more requests than threads: none is held by the slow
            with urllib.request.urlopen(server.simple_url, timeout=CHANNEL_TIMEOUT) as answer:
                assert answer.status == 200
        for sock in slow:
            sock.settimeout(CHANNEL_TIMEOUT * 10)
            assert _closed_by_server(sock)
        dropped_after = time.monotonic() - started
    finally:
        for sock in slow:
            sock.close()
    assert CHANNEL_TIMEOUT <= dropped_after < CHANNEL_TIMEOUT * 5
    print(f"{SLOW_CLIENTS} clients stalled in their {stalls_in}: closed after {dropped_after:.1f} s")
    with urllib.request.urlopen(server.simple_url, timeout=5) as answer:
        assert answer.status == 200


def test_body_over_the_server_limit_is_413_unread(server):
    """waitress refuses a body over ``max_upload_size`` + 2 MiB before the app runs, for
    uploads and XML-RPC alike (60 MiB by default)."""
    with socket.create_connection(_address(server)) as sock:
        sock.sendall(b"POST /pypi HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                     b"Content-Length: 1000000000\r\n\r\n<methodCall>")
        sock.settimeout(10)
        status_line = sock.recv(4096).split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 413"), status_line
