"""Version ordering and name normalisation shared by every backend.

``_pypi_ordering`` gives each release of a project a rank ``0 .. n-1``, the
highest being the newest. Legacy PyPI computed it first with distutils'
``LooseVersion`` and finally with PEP 440 (``packaging``); old indexes still
hold versions PEP 440 cannot parse, so both kinds must fit in one total order:

1. Every version ``packaging.version.Version`` parses sorts above every
   version it cannot parse; among themselves they sort by PEP 440.
2. Unparseable ("legacy") versions sort among themselves by a
   ``LooseVersion``-like key: the string is split into runs of digits and runs
   of letters (everything else only separates runs). A digit run compares as an
   integer, a letter run case-insensitively as text, and at the same position
   a letter run sorts *below* a number (``1.a`` < ``1.0``, as a pre-release
   would), so the comparison never mixes types. A shorter key that is a prefix
   of a longer one sorts first (``1.0`` < ``1.0.1``).
3. Versions that are still equal (``1.0`` and ``1.0.0`` under PEP 440,
   ``1-0`` and ``1.0`` as legacy versions) are ordered by their exact string,
   so the order is total and the same on every run and every backend.
"""
from __future__ import annotations

import re
from typing import Iterable

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

_RUNS = re.compile(r"\d+|[^\W\d_]+")


def normalize_name(name: str) -> str:
    """The PEP 503 form of a project name, used to find spelling variants."""
    return canonicalize_name(name)


def safe_name(name: str) -> str:
    """setuptools' safe_name: runs of characters other than letters, digits and '.' become '-'."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", name)


def legacy_normalized_name(name: str) -> str:
    """What legacy PyPI kept in ``packages.normalized_name`` (a legacy process reads it)."""
    return safe_name(name).lower()


def _legacy_key(version: str) -> tuple:
    parts = []
    for run in _RUNS.findall(version):
        if run.isdigit():
            parts.append((1, int(run), ""))
        else:
            parts.append((0, 0, run.lower()))
    return tuple(parts)


def version_sort_key(version: str) -> tuple:
    """A key placing ``version`` in the total order described above.

    The first element separates the two kinds, so a ``Version`` is only ever
    compared with a ``Version`` (and ``None`` with an equal ``None``).
    """
    try:
        return (1, Version(version), (), version)
    except InvalidVersion:
        return (0, None, _legacy_key(version), version)


def sort_versions(versions: Iterable[str]) -> list[str]:
    """``versions`` from oldest to newest."""
    return sorted(versions, key=version_sort_key)


def compute_orderings(versions: Iterable[str]) -> dict[str, int]:
    """Map each version to its ``_pypi_ordering`` value, 0 for the oldest."""
    return {v: i for i, v in enumerate(sort_versions(set(versions)))}
