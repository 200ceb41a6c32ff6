"""Reference implementations of the web UI's listing queries, over the rest of ``Store``.

They read every project (or the whole journal), so they are only the default
of the ``Store`` methods for a backend without indexed queries of its own (the
SQL backend has them); the conformance suite holds both to the same results.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from .errors import UnknownClassifier
from .records import Project, Release

if TYPE_CHECKING:
    from .interface import Store

NEW_RELEASE = "new release"
SEPARATOR = " :: "


def classifier_paths(classifier: str) -> list[str]:
    """The classifier and each of its ancestors (``A :: B :: C`` → ``A``, ``A :: B``, itself)."""
    parts = classifier.split(SEPARATOR)
    return [SEPARATOR.join(parts[:depth]) for depth in range(1, len(parts) + 1)]


def tally(carried: list[set[str]], selected, known: set[str]) -> dict[str, int]:
    """Count, per known classifier path, the releases (path sets) holding every selected one."""
    counts: Counter[str] = Counter()
    for paths in carried:
        if all(wanted in paths for wanted in selected):
            counts.update(path for path in paths if path in known)
    return dict(counts)


def reference_latest_releases(store: "Store", limit: int) -> list[tuple[Release, datetime]]:
    found: list[tuple[Release, datetime]] = []
    seen = set()
    for entry in reversed(store.changelog_since_serial(0)):
        if len(found) >= limit:
            break
        key = (entry.name, entry.version)
        if entry.action != NEW_RELEASE or key in seen:
            continue
        seen.add(key)
        release = store.get_release(entry.name, entry.version or "")
        if release is not None and not release.hidden:
            found.append((release, entry.submitted_date))
    return found


def reference_newest_projects(store: "Store", limit: int) -> list[Project]:
    dated = [p for p in store.list_projects() if p.created is not None]
    return sorted(dated, key=lambda p: (-p.created.timestamp(), p.name))[:limit]


def reference_classifier_ids(store: "Store") -> dict[str, int]:
    """Numbers in sorted order: stable only while no classifier is added in between."""
    return {classifier: number for number, classifier in enumerate(store.list_classifiers(), 1)}


def reference_classifier_tally(store: "Store", selected) -> dict[str, int]:
    known = set(store.list_classifiers())
    for classifier in selected:
        if classifier not in known:
            raise UnknownClassifier(classifier)
    carried = []
    for project in store.list_projects():
        for release in store.list_releases(project.name, include_hidden=False):
            carried.append({p for c in release.metadata.classifiers for p in classifier_paths(c)})
    return tally(carried, selected, known)
