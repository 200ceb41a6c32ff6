"""Search, browse, release feeds and download counts in the SQL store.

The rules are those of ``storage_backends.search``; this module only turns
them into queries, each one round trip:

- ``search_releases``: substring matching cannot use a b-tree index (legacy's
  ``lower(col) LIKE '%term%'`` could not either), so it is one filtered scan
  of ``releases`` that returns only the four columns a hit needs. Terms are
  bound parameters with ``%``/``_`` escaped.
- ``browse``: a classifier's subtree is the single test ``l<depth> = id``
  on the small ``trove_classifiers`` table; releases are found through
  ``release_classifiers``' ``trove_id`` index for the first classifier and
  checked for the others with its ``(name, version)`` index.
- ``updated_releases``: the partial index ``journals_latest_releases`` (its
  predicate is repeated in the query so that PostgreSQL and SQLite use it;
  MariaDB uses ``journals_changelog``, which starts with ``submitted_date``).
- ``changed_projects``: ``journals_changelog`` covers the query.
- ``top_projects``: a ``GROUP BY`` over ``release_files``; legacy did the same.
"""
from __future__ import annotations

from datetime import datetime
from typing import Mapping, Sequence

from sqlalchemy import and_, exists, false, func, or_, select, update

from ..errors import UnknownClassifier
from ..ordering import normalize_name
from ..records import ReleaseBrief
from ..search import (
    CLASSIFIER_SEPARATOR, NEW_RELEASE, brief_sort_key, search_terms, utc_naive,
)
from .tables import (
    journals, packages, release_classifiers, release_files, releases, trove_classifiers,
)

_VISIBLE = or_(releases.c._pypi_hidden == false(), releases.c._pypi_hidden.is_(None))
_LEVELS = (2, 3, 4, 5)


def _term_test(field: str, term: str):
    """Substring test; a name term also finds its project by normalised name (indexed)."""
    test = func.lower(releases.c[field]).contains(term, autoescape=True)
    if field == "name":
        test = or_(test, releases.c.name.in_(select(packages.c.name).where(
            packages.c.pep503_name == normalize_name(term))))
    return test


class SearchMixin:

    def search_releases(self, spec: Mapping[str, str | Sequence[str]],
                        operator: str = "and") -> list[ReleaseBrief]:
        terms = search_terms(spec)
        tests = [or_(*(_term_test(field, term) for term in field_terms))
                 for field, field_terms in terms.items()]
        query = select(releases.c.name, releases.c.version, releases.c.summary,
                       releases.c._pypi_ordering).where(_VISIBLE)
        if tests:
            query = query.where(or_(*tests) if operator == "or" else and_(*tests))
        with self._read() as conn:
            hits = [ReleaseBrief(r.name, r.version, r.summary, r._pypi_ordering or 0)
                    for r in conn.execute(query)]
        return sorted(hits, key=brief_sort_key)

    def browse(self, classifiers: Sequence[str]) -> list[tuple[str, str]]:
        with self._read() as conn:
            subtrees = [self._classifier_subtree(conn, c) for c in dict.fromkeys(classifiers)]
            query = select(releases.c.name, releases.c.version,
                           releases.c._pypi_ordering).where(_VISIBLE)
            if subtrees:
                # the first classifier drives (trove_id index), the others are probed
                # per release through the (name, version) index
                first, *others = subtrees
                query = query.join(release_classifiers, and_(
                    release_classifiers.c.name == releases.c.name,
                    release_classifiers.c.version == releases.c.version,
                )).where(release_classifiers.c.trove_id.in_(first)).distinct()
                for subtree in others:
                    carried = release_classifiers.alias()
                    query = query.where(exists().where(
                        carried.c.name == releases.c.name,
                        carried.c.version == releases.c.version,
                        carried.c.trove_id.in_(subtree)))
            rows = conn.execute(query).all()
        rows.sort(key=lambda r: (r.name.lower(), r.name, r._pypi_ordering or 0))
        return [(r.name, r.version) for r in rows]

    @staticmethod
    def _classifier_subtree(conn, classifier: str):
        """A subquery of the ids of ``classifier`` and its descendants."""
        row = conn.execute(select(trove_classifiers.c.id).where(
            trove_classifiers.c.classifier == classifier)).first()
        if row is None:
            raise UnknownClassifier(classifier)
        depth = classifier.count(CLASSIFIER_SEPARATOR) + 1
        if depth in _LEVELS:
            within = trove_classifiers.c[f"l{depth}"] == row.id
        else:   # deeper than legacy's l2..l5 columns reach: compare the text
            within = or_(trove_classifiers.c.id == row.id,
                         trove_classifiers.c.classifier.startswith(
                             classifier + CLASSIFIER_SEPARATOR, autoescape=True))
        return select(trove_classifiers.c.id).where(within)

    def updated_releases(self, since: datetime) -> list[tuple[str, str]]:
        query = (select(journals.c.name, journals.c.version)
                 .join(releases, and_(releases.c.name == journals.c.name,
                                      releases.c.version == journals.c.version))
                 .where(journals.c.submitted_date > utc_naive(since),
                        journals.c.version.is_not(None), journals.c.action == NEW_RELEASE,
                        _VISIBLE)
                 .order_by(journals.c.id.desc()))
        with self._read() as conn:
            return list(dict.fromkeys((r.name, r.version) for r in conn.execute(query)))

    def changed_projects(self, since: datetime) -> list[str]:
        query = (select(journals.c.name).distinct()
                 .where(journals.c.submitted_date > utc_naive(since), journals.c.name != ""))
        with self._read() as conn:
            return sorted(conn.execute(query).scalars())

    def top_projects(self, limit: int | None = None) -> list[tuple[str, int]]:
        total = func.coalesce(func.sum(release_files.c.downloads), 0)
        query = (select(release_files.c.name, total.label("total"))
                 .group_by(release_files.c.name)
                 .order_by(total.desc(), release_files.c.name))
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            totals = [(r.name, int(r.total)) for r in conn.execute(query)]
        # databases collate names differently: order ties the same everywhere
        return sorted(totals, key=lambda item: (-item[1], item[0]))

    def add_downloads(self, counts: Mapping[str, int]) -> int:
        if any(count < 0 for count in counts.values()):
            raise ValueError("download counts cannot be negative")
        counted = 0
        # Unjournalled and checking nothing, so no serial lock: one plain
        # (on SQLite immediate) transaction, like ``record_login``.
        with self._write_transaction() as conn:
            for filename, count in counts.items():
                counted += conn.execute(
                    update(release_files).where(release_files.c.filename == filename)
                    .values(downloads=func.coalesce(release_files.c.downloads, 0) + count)
                ).rowcount
        return counted
