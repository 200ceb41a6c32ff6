"""A distribution file as handed to waitress's ``wsgi.file_wrapper``: read in heap-sized pieces.

waitress sends a wrapped file from its I/O thread a chunk at a time, each chunk
read as one ``read`` of as much as the socket's send buffer holds (4 MiB on this
kind of machine). Every such read allocates a new buffer of that size, and
``pypi serve`` holds glibc's mmap threshold at 128 KiB (``pypi/glibc_malloc.py``),
so each one was a fresh mapping, faulted in page by page and unmapped after the
send. Reads here return at most ``PIECE`` bytes, which glibc takes from the heap
and reuses; waitress simply sends more, smaller chunks.
"""
from __future__ import annotations

from typing import BinaryIO

PIECE = 96 << 10     # below glibc's mmap threshold (128 KiB)


class HeapSizedReads:
    """A seekable binary file whose reads return at most ``PIECE`` bytes."""

    def __init__(self, raw: BinaryIO):
        self._raw = raw

    def read(self, size: int = -1) -> bytes:
        return self._raw.read(PIECE if size < 0 or size > PIECE else size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def seekable(self) -> bool:
        return True

    def fileno(self) -> int:
        """For servers that send a file with ``sendfile`` (which never reads it here)."""
        return self._raw.fileno()

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> "HeapSizedReads":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
