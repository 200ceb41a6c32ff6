"""Concurrent uploads and readers against the real server: no 5xx, nothing lost or doubled.

By default a small load that fits the CI budget runs on every backend; set
``PYPI_FULL_LOAD=1`` for the full figures of the reliability issue (50 clients
making 20 uploads each). Traffic goes to 127.0.0.1 only, and every loop is
bounded in count and time.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
import urllib.error
import urllib.request
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor

import pytest

from storage_backends.sql.change_counter import COUNTERS
from tests.distributions import make_sdist

from .multipart import post_upload
from .server import PASSWORD, RunningServer, free_port, serve

pytestmark = pytest.mark.clients

FULL = os.environ.get("PYPI_FULL_LOAD") == "1"
CLIENTS, UPLOADS_EACH = (50, 20) if FULL else (8, 4)
READERS = 4
SHARED_PROJECTS = 5          # clients share projects, so writers contend on the same rows
DEADLINE = 600 if FULL else 120


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, b""


def _upload_all(bases: list[str], tag: str) -> dict[str, bytes]:
    """Every client uploads its files (spread over ``bases``); returns filename -> bytes sent."""
    sent: dict[str, bytes] = {}
    failures: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        project = f"load-{tag}-{number % SHARED_PROJECTS}"
        for upload in range(UPLOADS_EACH):
            filename, data = make_sdist(project, f"{number}.{upload}")
            base = bases[(number + upload) % len(bases)]
            status, reason = post_upload(f"{base}/legacy/", "alice", PASSWORD, filename, data,
                                         name=project, version=f"{number}.{upload}",
                                         filetype="sdist", pyversion="source")
            with lock:
                if status == 200:
                    sent[filename] = data
                else:
                    failures.append(f"{filename}: {status} {reason}")

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    assert failures == []
    return sent


def _read_while(bases: list[str], tag: str, running: threading.Event, statuses: list[int]) -> None:
    deadline = time.monotonic() + DEADLINE
    urls = [f"{base}/simple/" for base in bases] + [f"{bases[0]}/simple/load-{tag}-0/"]
    while running.is_set() and time.monotonic() < deadline:
        for url in urls:
            statuses.append(_fetch(url)[0])


def _check_everything_is_there(base: str, sent: dict[str, bytes], tag: str) -> None:
    listed = set()
    for shared in range(SHARED_PROJECTS):
        status, page = _fetch(f"{base}/simple/load-{tag}-{shared}/")
        assert status == 200
        listed |= {name for name in sent if f">{name}</a>" in page.decode()}
    assert listed == set(sent)
    for filename, data in sent.items():
        project = filename.rsplit("-", 1)[0]
        status, body = _fetch(f"{base}/packages/source/l/{project}/{filename}")
        assert status == 200 and hashlib.sha256(body).digest() == hashlib.sha256(data).digest(), filename


def _check_journal(base: str, sent: dict[str, bytes], tag: str) -> None:
    with xmlrpc.client.ServerProxy(f"{base}/pypi") as proxy:
        entries = proxy.changelog_since_serial(0)
    serials = [entry[4] for entry in entries]
    assert serials == sorted(set(serials)), "serials must strictly increase without duplicates"
    added = [entry for entry in entries if entry[0].startswith(f"load-{tag}-") and entry[3].startswith("add source file")]
    assert sorted(entry[3].rsplit(" ", 1)[1] for entry in added) == sorted(sent)


def _run_load(bases: list[str], tag: str) -> None:
    started = time.monotonic()
    running, statuses = threading.Event(), []
    running.set()
    readers = [threading.Thread(target=_read_while, args=(bases, tag, running, statuses))
               for _ in range(READERS)]
    for reader in readers:
        reader.start()
    try:
        sent = _upload_all(bases, tag)
    finally:
        running.clear()
        for reader in readers:
            reader.join()
    assert len(sent) == CLIENTS * UPLOADS_EACH
    assert statuses and all(status < 500 for status in statuses)
    for base in bases:
        _check_everything_is_there(base, sent, tag)
    _check_journal(bases[0], sent, tag)
    # for docs/reliability.md (shown with -s)
    print(f"reliability figures: load {tag} on {len(bases)} server(s): {len(sent)} uploads by "
          f"{CLIENTS} clients and {len(statuses)} reads, no 5xx, every file listed and "
          f"downloaded with its sha256 from each server, serials strictly increasing, "
          f"{time.monotonic() - started:.0f} s")


def test_concurrent_uploads_and_readers(server):
    _run_load([server.base], "one")


def _second_server(first: RunningServer, name: str = "second",
                   database_lines: str = "") -> RunningServer:
    """Another ``pypi serve`` process on the first one's database and files, with
    ``database_lines`` added to its ``[database]`` section."""
    port = free_port()
    config = first.config.with_name(f"{name}.ini")
    text = first.config.read_text().replace(first.base.rsplit(":", 1)[1] + "/pypi", f"{port}/pypi")
    config.write_text(text.replace("[database]\n", f"[database]\n{database_lines}", 1))
    return serve(config, port, first.config.with_name(f"{name}.log"))


def test_two_server_processes_share_one_database(server, request):
    if request.node.callspec.params["server"] not in ("mariadb", "postgresql"):
        pytest.skip("two server processes share a MariaDB or PostgreSQL database")
    second = _second_server(server)
    try:
        _run_load([server.base, second.base], "two")
    finally:
        second.stop()


def test_two_servers_counting_their_writes_never_serve_a_stale_page(server, request):
    """With ``[database] change_counter`` a server answers a cached page without asking the
    database; the other server's upload must still show on the very next read."""
    if request.node.callspec.params["server"] not in ("mariadb", "postgresql"):
        pytest.skip("the change counter is for MariaDB and PostgreSQL")
    counter = server.config.with_name("change-counter")
    servers = [_second_server(server, f"counted-{n}", f"change_counter = {counter}\n")
               for n in (1, 2)]
    project = "counted-demo"
    try:
        for number in range(6):
            writer, reader = servers[number % 2], servers[(number + 1) % 2]
            for base in (writer.base, reader.base):      # both hold the page, and a token
                _fetch(f"{base}/simple/{project}/")
                _fetch(f"{base}/simple/{project}/")
            filename, data = make_sdist(project, f"1.{number}")
            status, reason = post_upload(writer.upload_url, "alice", PASSWORD, filename, data,
                                         name=project, version=f"1.{number}",
                                         filetype="sdist", pyversion="source")
            assert status == 200, reason
            status, page = _fetch(f"{reader.base}/simple/{project}/")
            assert status == 200 and f">{filename}</a>" in page.decode(), number
            status, root = _fetch(f"{reader.base}/simple/")
            assert status == 200 and f">{project}</a>" in root.decode()
    finally:
        for running in servers:
            running.stop()
    begun, ended = COUNTERS.unpack_from(counter.read_bytes(), 0)
    assert begun == ended >= 6       # the writes were counted, and all of them ended
