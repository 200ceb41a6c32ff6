"""Search, browse and feed queries: their rules, and a reference implementation of each.

The rules are legacy's (``spec/xmlrpc.md`` §2, §4) and live here once so that
every backend applies the same ones:

- a search spec maps fields of ``SEARCH_FIELDS`` to terms; a term matches when
  it is a case-insensitive substring of the field (``%`` and ``_`` are plain
  characters, unlike legacy's pasted SQL), and a ``name`` term also when it
  names the project under PEP 503 (``spam-eggs`` finds ``Spam_Eggs``, as the
  final legacy search did); several terms of one field are
  OR-ed; fields are combined with ``operator`` (``"or"``, anything else is
  ``"and"``); no recognised field means every release; hidden releases never
  match; hits come one per release, by lower-cased name, then ordering;
- browsing matches a classifier and its sub-classifiers (``X :: ...``).

The ``reference_*`` functions compute each query from the rest of the
``Store`` interface. They read every project, so they are only the default
of the ``Store`` methods, for a backend that has not yet written an indexed
query of its own (the SQL backend has); the conformance suite holds both to
the same results.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from .errors import UnknownClassifier
from .ordering import normalize_name
from .records import Release, ReleaseBrief

if TYPE_CHECKING:
    from .interface import Store

SEARCH_FIELDS = ("name", "version", "author", "author_email", "maintainer", "maintainer_email",
                 "home_page", "license", "summary", "description", "keywords", "platform",
                 "download_url")
NEW_RELEASE = "new release"
CLASSIFIER_SEPARATOR = " :: "


def search_terms(spec: Mapping[str, str | Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """The recognised fields of ``spec`` with their lower-cased terms.

    A single string is one term. Unknown fields, and fields without any term,
    are dropped (legacy failed on an empty list with an SQL error).
    """
    terms = {}
    for field in SEARCH_FIELDS:
        value = spec.get(field)
        if value is None:
            continue
        values = (value,) if isinstance(value, str) else tuple(value)
        if values:
            terms[field] = tuple(v.lower() for v in values)
    return terms


def brief(release: Release) -> ReleaseBrief:
    return ReleaseBrief(release.name, release.version, release.metadata.summary, release.ordering)


def brief_sort_key(hit: ReleaseBrief) -> tuple[str, str, int]:
    """Legacy's order (lower-cased name, then ordering), exact name breaking case ties."""
    return (hit.name.lower(), hit.name, hit.ordering)


def utc_naive(when: datetime) -> datetime:
    """``when`` as naive UTC, the way timestamps are stored."""
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when


def in_classifier(classifier: str, wanted: str) -> bool:
    """Whether ``classifier`` is ``wanted`` or one of its sub-classifiers."""
    return classifier == wanted or classifier.startswith(wanted + CLASSIFIER_SEPARATOR)


# -- reference implementations over the rest of the interface ----------------------
def _visible_releases(store: "Store") -> Iterable[Release]:
    for project in store.list_projects():
        yield from store.list_releases(project.name, include_hidden=False)


def _term_matches(release: Release, field: str, term: str) -> bool:
    value = _field_value(release, field)
    if value is not None and term in value.lower():
        return True
    return field == "name" and normalize_name(release.name) == normalize_name(term)


def _field_value(release: Release, field: str) -> str | None:
    if field in ("name", "version"):
        return getattr(release, field)
    return getattr(release.metadata, field)


def reference_search(store: "Store", spec, operator: str) -> list[ReleaseBrief]:
    terms = search_terms(spec)
    combine = any if operator == "or" else all

    def matches(release: Release) -> bool:
        if not terms:
            return True
        return combine(any(_term_matches(release, field, term) for term in field_terms)
                       for field, field_terms in terms.items())

    return sorted((brief(r) for r in _visible_releases(store) if matches(r)), key=brief_sort_key)


def reference_browse(store: "Store", classifiers: Sequence[str]) -> list[tuple[str, str]]:
    known = set(store.list_classifiers())
    for classifier in classifiers:
        if classifier not in known:
            raise UnknownClassifier(classifier)
    found = [brief(r) for r in _visible_releases(store)
             if all(any(in_classifier(c, wanted) for c in r.metadata.classifiers)
                    for wanted in classifiers)]
    return [(hit.name, hit.version) for hit in sorted(found, key=brief_sort_key)]


def reference_updated_releases(store: "Store", since: datetime) -> list[tuple[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    for entry in reversed(store.changelog_since(since)):
        if entry.action == NEW_RELEASE and entry.version is not None:
            seen.setdefault((entry.name, entry.version))
    return [key for key in seen
            if (release := store.get_release(*key)) is not None and not release.hidden]


def reference_changed_projects(store: "Store", since: datetime) -> list[str]:
    return sorted({entry.name for entry in store.changelog_since(since) if entry.name})


def reference_top_projects(store: "Store", limit: int | None) -> list[tuple[str, int]]:
    totals = []
    for project in store.list_projects():
        files = store.list_files(project.name)
        if files:
            totals.append((project.name, sum(f.downloads for f in files)))
    totals.sort(key=lambda item: (-item[1], item[0]))
    return totals if limit is None else totals[:limit]
