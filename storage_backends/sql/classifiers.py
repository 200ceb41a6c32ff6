"""Trove classifiers in the SQL store.

``trove_classifiers.l2``..``l5`` hold the ids of a classifier's ancestors at
depth 2..5 (the top-level word is depth 1; a node holds its own id at its own
depth; 0 where it is shallower), so "X or any descendant of X" is the single
test ``l<depth of X> = X.id``. An ancestor that is not (yet) a classifier
itself gets 0 until it is added, when its descendants are updated.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from ..errors import UnknownClassifier
from .tables import trove_classifiers

_SEP = " :: "
_LEVELS = (2, 3, 4, 5)


def _ancestors(classifier: str) -> dict[int, str]:
    """Depth (2..5) → the classifier's ancestor-or-self at that depth."""
    parts = classifier.split(_SEP)
    return {d: _SEP.join(parts[:d]) for d in _LEVELS if d <= len(parts)}


class ClassifiersMixin:

    def list_classifiers(self) -> list[str]:
        with self._read() as conn:
            return sorted(conn.execute(select(trove_classifiers.c.classifier)).scalars())

    def add_classifiers(self, classifiers: Iterable[str]) -> int:
        wanted = {c.strip() for c in classifiers if c and c.strip()}
        with self._write() as conn:
            ids = dict(conn.execute(select(trove_classifiers.c.classifier,
                                           trove_classifiers.c.id)).all())
            existing = set(ids)
            new = sorted(wanted - existing, key=lambda c: (c.count(_SEP), c))
            next_id = (conn.execute(select(func.max(trove_classifiers.c.id))).scalar() or 0) + 1
            for classifier in new:
                ids[classifier] = next_id
                next_id += 1
            rows = []
            for classifier in new:
                levels = _ancestors(classifier)
                rows.append({"id": ids[classifier], "classifier": classifier,
                             **{f"l{d}": ids.get(levels.get(d), 0) for d in _LEVELS}})
            if rows:
                conn.execute(trove_classifiers.insert(), rows)
            for classifier in new:
                depth = classifier.count(_SEP) + 1
                prefix = classifier + _SEP
                if depth in _LEVELS and any(c.startswith(prefix) for c in existing):
                    conn.execute(update(trove_classifiers)
                                 .where(trove_classifiers.c.classifier.startswith(
                                     prefix, autoescape=True))
                                 .values({f"l{depth}": ids[classifier]}))
        return len(new)

    @staticmethod
    def _classifier_ids(conn: Connection, classifiers: Iterable[str]) -> list[int]:
        """The ids of ``classifiers``; raises ``UnknownClassifier`` for the first unknown."""
        wanted = list(dict.fromkeys(classifiers))
        if not wanted:
            return []
        found = dict(conn.execute(select(trove_classifiers.c.classifier, trove_classifiers.c.id)
                                  .where(trove_classifiers.c.classifier.in_(wanted))).all())
        for classifier in wanted:
            if classifier not in found:
                raise UnknownClassifier(classifier)
        return [found[c] for c in wanted]
