"""``pypi serve`` holds glibc's mmap threshold fixed (see pypi/glibc_malloc.py)."""
from __future__ import annotations

import platform

import pytest

from pypi.glibc_malloc import fix_mmap_threshold, limit_arenas


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="only glibc has the threshold")
def test_the_threshold_is_set_on_glibc():
    assert fix_mmap_threshold() is True


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="only glibc has arenas to limit")
def test_the_arenas_are_limited_on_glibc():
    assert limit_arenas() is True
