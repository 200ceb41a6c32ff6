"""Large bodies handed to the WSGI server as files: built ones in memory, kept ones on disk.

waitress copies a body yielded as bytes into a memory buffer and, past
``outbuf_overflow`` (1 MiB), on into a temporary file, then reads it back to
send it. Given ``wsgi.file_wrapper`` over an ``io.BytesIO`` (which shares the
bytes instead of copying them), it sends from the object itself. For the 7.5 MB
XML-RPC listing at 100k projects asked on 4 connections: 1.6 times the answers
per second and about 5 MB less peak memory.

Either is read in pieces below glibc's mmap threshold (``legacy/sent_files.py``):
waitress reads a socket send buffer's worth at a time (4 MiB here), and four
answers of the 7.5 MB listing at once held 16 MB of such reads.

A page this large that is kept as a file (``legacy/page_files.py``) is not
held in memory at all: each answer sends it from its own open file
(``FileBody``), so the whole index's pages at 100k projects (``/simple/``,
the XML-RPC listings: 15 MB together) cost no memory between requests.
"""
from __future__ import annotations

import io
import weakref
from typing import BinaryIO, Iterable, Iterator

from .sent_files import HeapSizedReads

FILE_FROM = 1 << 20    # bodies this large or larger go as a file
BLOCK = 1 << 18


class FileBody:
    """The body of a kept page: ``file`` open at its first byte, and its ``length`` in bytes,
    up to the file's end. Sent once (the file is closed after), never cached."""

    __slots__ = ("file", "length", "_unsent", "__weakref__")

    def __init__(self, file: BinaryIO, length: int):
        self.file, self.length = file, length
        # An answer never sent (a HEAD, a 304) closes its file when it is dropped.
        self._unsent = weakref.finalize(self, file.close)

    def __len__(self) -> int:
        return self.length

    def send(self) -> BinaryIO:
        """The file, now the sender's to close (the file wrapper, or ``_blocks``)."""
        self._unsent.detach()
        return self.file

    def close(self) -> None:
        self.file.close()


def body_iterable(environ: dict, body: bytes | FileBody) -> Iterable[bytes]:
    """The WSGI iterable for ``body``: a file wrapper when large and the server offers one."""
    wrapper = environ.get("wsgi.file_wrapper")
    if isinstance(body, FileBody):
        if wrapper is None:
            return _Blocks(body.send(), len(body))
        return wrapper(HeapSizedReads(body.send()), BLOCK)
    if wrapper is None or len(body) < FILE_FROM:
        return [body]
    return wrapper(HeapSizedReads(io.BytesIO(body)), BLOCK)


def close_body(body: bytes | FileBody) -> None:
    """Done with ``body`` without sending it."""
    if isinstance(body, FileBody):
        body.close()


class _Blocks:
    """The file's next ``length`` bytes in blocks, where the server offers no file wrapper;
    the server's ``close()`` closes the file, sent whole or not."""

    def __init__(self, file: BinaryIO, length: int):
        self.file, self.left = file, length

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        block = self.file.read(min(BLOCK, self.left)) if self.left > 0 else b""
        if not block:
            raise StopIteration
        self.left -= len(block)
        return block

    def close(self) -> None:
        self.file.close()
