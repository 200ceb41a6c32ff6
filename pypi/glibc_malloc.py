"""Large freed blocks go back to the system at once, on glibc.

glibc gives each allocation of 128 KiB or more its own mapping and unmaps it
when it is freed, but every such free raises that threshold to the block's size
(up to 32 MiB), and the heap's trim threshold to twice that. After the first
``/simple/`` or XML-RPC listing of a large index (buffers of 5 to 8 MB), later
buffers of that size come from the worker thread's heap and stay resident once
freed; ``malloc_trim`` does not give back the top of a thread's heap either. At
100k projects a server held about 50 MB more after a few XML-RPC listings than
with the threshold fixed at its default, as ``pypi serve`` now sets it.

glibc also gives threads that allocate at the same moment arenas of their own
(up to eight per core), and each keeps the blocks freed in it. Python runs one
thread at a time, so more than two arenas buy little here; with the index lane's
thread (``pypi/lanes.py``) beside the pool, a server of 100k projects peaked 7 MB
higher with glibc's default than with two.
"""
from __future__ import annotations

import ctypes

M_MMAP_THRESHOLD = -3          # mallopt's parameter numbers in glibc's malloc.h
M_ARENA_MAX = -8
MMAP_THRESHOLD = 128 * 1024    # glibc's default, held fixed
ARENA_MAX = 2


def fix_mmap_threshold() -> bool:
    """Hold glibc's mmap threshold at its default; False (and nothing done) on another libc."""
    mallopt = _glibc_mallopt()
    return mallopt is not None and mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1


def limit_arenas() -> bool:
    """At most ``ARENA_MAX`` malloc arenas (call it before threads start); False on another libc."""
    mallopt = _glibc_mallopt()
    return mallopt is not None and mallopt(M_ARENA_MAX, ARENA_MAX) == 1


def _glibc_mallopt():
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version     # only glibc has it; musl and others would misread -3, -8
        return libc.mallopt
    except (OSError, AttributeError):
        return None
