"""``_pypi_ordering`` as the 2010 code computed it, for rows that must look legacy-made.

The 2010 server sorted a project's versions with distutils' ``LooseVersion``
and numbered them ``base + index``, where ``base`` is 1 for one release, 10 for
up to ten and 100 above. ``LooseVersion`` splits a version into digit runs,
lower-case letter runs and everything else (dots are dropped) and compares the
parts as Python 2 did: a number sorts below any string. Its results differ
from PEP 440: ``1.0-beta`` sorts above ``1.0``, ``1.0.0b1`` above ``1.0.0``.
"""
from __future__ import annotations

import math
import re
from typing import Iterable

_PARTS = re.compile(r"(\d+|[a-z]+|\.)")


def loose_version_key(version: str) -> tuple:
    parts = [part for part in _PARTS.split(version) if part and part != "."]
    # (0, number) before (1, text): Python 2 ordered every int below every str
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts)


def legacy_orderings(versions: Iterable[str]) -> dict[str, int]:
    """Each version's ``_pypi_ordering`` after the last release was inserted."""
    ordered = sorted(set(versions), key=loose_version_key)
    keys = [loose_version_key(v) for v in ordered]
    if len(set(keys)) != len(keys):
        raise ValueError(f"versions equal under LooseVersion: {ordered}")
    if not ordered:
        return {}
    base = 10 ** min(math.ceil(math.log10(len(ordered))), 2)
    return {version: base + index for index, version in enumerate(ordered)}
