"""``pypi serve`` under more concurrent requests than threads: its log stays short."""
from __future__ import annotations

import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from .server import start_server

pytestmark = pytest.mark.clients

CLIENTS, REQUESTS_EACH = 32, 25      # against the server's 4 threads


def test_queue_warnings_come_once_a_minute_not_once_a_request(tmp_path):
    server = start_server(tmp_path, f"sqlite:///{tmp_path / 'pypi.db'}")
    try:
        def client(_: int) -> list[int]:
            statuses = []
            for _ in range(REQUESTS_EACH):
                with urllib.request.urlopen(server.simple_url, timeout=60) as response:
                    response.read()
                    statuses.append(response.status)
            return statuses

        with ThreadPoolExecutor(CLIENTS) as pool:
            statuses = [status for each in pool.map(client, range(CLIENTS)) for status in each]
    finally:
        server.stop()
    assert statuses == [200] * CLIENTS * REQUESTS_EACH
    warnings = [line for line in server.log.read_text().splitlines()
                if "Task queue depth" in line]
    # 800 requests from 32 clients keep requests waiting for the 4 threads: waitress warns
    # about many of them, and the limiter lets the first through (the run takes seconds).
    assert len(warnings) == 1, warnings
