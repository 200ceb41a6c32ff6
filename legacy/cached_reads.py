"""Reading bytes the kernel already holds in its page cache without giving up the GIL.

``os.pread`` releases the GIL around the system call, as it must for a read
that may wait for a disk. For a read the page cache answers, that costs more
than the read: the served page's thread hands the GIL to another thread (the
waitress loop, mostly) and then waits to get it back. Measured over HTTP with
every page read from a file, that made a page cost about 8 % more CPU time.

Linux's ``preadv2`` with ``RWF_NOWAIT`` answers only from the page cache: it
returns what is cached there, or fails with ``EAGAIN`` instead of waiting for
the disk. Called through ``ctypes.PyDLL`` (which keeps the GIL during the
call) it never blocks the process on a disk; what it cannot answer is read
again with ``os.pread``, which may wait, with the GIL released. Elsewhere
(another system, an older C library, a file system without ``RWF_NOWAIT``)
every read is ``os.pread``.
"""
from __future__ import annotations

import ctypes
import errno
import os
import sys
import threading

_local = threading.local()
HELD_AT_MOST = 1 << 20    # longer reads go to os.pread: a thread's buffer stays this small


class _IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("length", ctypes.c_size_t)]


def _load_preadv2():
    """libc's ``preadv2`` as a call that keeps the GIL, or None where there is none.

    The process's own symbols hold the C library's (no ``find_library``, which
    runs ``ldconfig`` at start-up). Arguments are converted by hand (``c_longlong``
    for the offset) rather than through ``argtypes``, which costs a third of the call."""
    if not sys.platform.startswith("linux") or not hasattr(os, "RWF_NOWAIT"):
        return None
    try:
        preadv2 = ctypes.PyDLL(None, use_errno=True).preadv2
    except (OSError, AttributeError):
        return None
    preadv2.restype = ctypes.c_ssize_t
    return preadv2


_preadv2 = _load_preadv2()


class _Buffer:
    """One thread's buffer for reads, and the ``iovec`` that points at it."""

    def __init__(self, size: int):
        self.memory = ctypes.create_string_buffer(size)
        self.view = memoryview(self.memory).cast("B")
        self.vector = _IoVec(ctypes.addressof(self.memory), 0)
        self.pointer = ctypes.pointer(self.vector)


def pread(descriptor: int, length: int, offset: int) -> bytes:
    """``length`` bytes at ``offset`` (fewer at the end of the file), as ``os.pread`` gives
    them: from the page cache with the GIL held where possible, else by ``os.pread``.

    A short answer from the page cache may be the end of the file or a part not
    cached: ``os.pread`` then tells which.
    """
    global _preadv2
    if 0 < length <= HELD_AT_MOST and _preadv2 is not None:
        buffer = getattr(_local, "buffer", None)
        if buffer is None or len(buffer.view) < length:
            buffer = _local.buffer = _Buffer(max(length, 16 << 10))
        buffer.vector.length = length
        read = _preadv2(descriptor, buffer.pointer, 1, ctypes.c_longlong(offset), os.RWF_NOWAIT)
        if read == length:
            return buffer.view[:length].tobytes()
        if read < 0 and ctypes.get_errno() in (errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
            # a file system without RWF_NOWAIT, a kernel before 4.14: os.pread from now on
            # (EAGAIN is "not cached"; any other error is os.pread's to raise)
            _preadv2 = None
    return os.pread(descriptor, length, offset)
