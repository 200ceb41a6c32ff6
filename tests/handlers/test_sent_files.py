"""``legacy/sent_files.py``: downloads handed to waitress are read in heap-sized pieces.

Driven by waitress's own ``ReadOnlyFileBasedBuffer`` the way its channel drives
it (``get`` as much as the send buffer holds, send what the socket takes, ``skip``
that), and through a real waitress server.
"""
from __future__ import annotations

import io
import random
import urllib.request

import pytest
from waitress.buffers import ReadOnlyFileBasedBuffer

from legacy.sent_files import PIECE, HeapSizedReads
from tests.clients.server import waitress_in_thread


class CountingFile(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.reads: list[int] = []

    def read(self, size=-1):
        data = super().read(size)
        self.reads.append(len(data))
        return data


@pytest.mark.parametrize("start", [0, 1, PIECE - 1, 300_000])
@pytest.mark.parametrize("partial", [False, True])
def test_waitress_sends_every_byte_in_pieces(start, partial):
    data = random.Random(start).randbytes(1_000_003)
    raw = CountingFile(data)
    raw.seek(start)
    buffer = ReadOnlyFileBasedBuffer(HeapSizedReads(raw), 1 << 18)
    buffer.prepare(len(data) - start)
    rng = random.Random(7)
    sent = bytearray()
    while len(buffer):
        chunk = buffer.get(4 << 20)                   # the socket's send buffer here
        taken = rng.randint(1, len(chunk)) if partial else len(chunk)
        sent += chunk[:taken]
        buffer.skip(taken, True)
    assert bytes(sent) == data[start:]
    assert max(raw.reads) <= PIECE


def test_a_large_file_through_waitress(tmp_path):
    data = random.Random(1).randbytes(5 << 20)
    path = tmp_path / "large.bin"
    path.write_bytes(data)

    def app(environ, start_response):
        handle = open(path, "rb")
        start = int(environ.get("QUERY_STRING") or 0)
        handle.seek(start)
        start_response("200 OK", [("Content-Length", str(len(data) - start))])
        return environ["wsgi.file_wrapper"](HeapSizedReads(handle), 1 << 18)

    with waitress_in_thread(app) as base:
        for start in (0, 12_345):
            with urllib.request.urlopen(f"{base}/?{start}", timeout=30) as reply:
                assert reply.read() == data[start:]


def test_seeks_fileno_and_close_pass_through(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"0123456789")
    raw = open(path, "rb")
    wrapped = HeapSizedReads(raw)
    assert wrapped.seekable() and wrapped.fileno() == raw.fileno()
    wrapped.seek(3)
    assert wrapped.tell() == 3 and wrapped.read() == b"3456789"
    wrapped.close()
    assert raw.closed
