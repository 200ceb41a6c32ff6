"""XML-RPC ``search`` and ``browse``.

The store finds the matching releases by legacy's rules
(``storage_backends.search``); this module only ranks them. pip prints hits
in the order it receives them (grouped by name, first appearance wins), so
``pip search spam`` should show the project called ``spam`` first. When the
spec has ``name`` terms, each hit gets a rank by its name against them:

0. the PEP 503 normalised name equals a normalised term (``Spam_Eggs`` for
   ``spam-eggs``);
1. the normalised name starts with a normalised term;
2. anything else that matched (a name containing a term, or another field).

Hits keep legacy's order (lower-cased name, then ``_pypi_ordering``) within a
rank. Without name terms the order is legacy's.
"""
from __future__ import annotations

from typing import Any

from storage_backends.errors import UnknownClassifier
from storage_backends.ordering import normalize_name
from storage_backends.records import ReleaseBrief
from storage_backends.search import SEARCH_FIELDS

from ..context import RequestContext


def search(ctx: RequestContext, spec: dict[str, Any], operator: str) -> list[dict[str, Any]]:
    """Releases whose fields contain the spec's terms: {name, version, summary, _pypi_ordering}."""
    for field in SEARCH_FIELDS:
        value = spec.get(field)
        if value is not None and not isinstance(value, str) and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise TypeError(f"search: spec[{field!r}] must be a string or an array of strings")
    hits = ctx.store.search_releases(spec, operator)
    names = spec.get("name")
    if names:
        terms = [normalize_name(term) for term in ([names] if isinstance(names, str) else names)]
        hits.sort(key=lambda hit: _rank(normalize_name(hit.name), terms))
    return [_hit(hit) for hit in hits]


def _rank(name: str, terms: list[str]) -> int:
    if name in terms:
        return 0
    if any(term and name.startswith(term) for term in terms):
        return 1
    return 2


def _hit(hit: ReleaseBrief) -> dict[str, Any]:
    return {"name": hit.name, "version": hit.version, "summary": hit.summary,
            "_pypi_ordering": hit.ordering}


def browse(ctx: RequestContext, categories: list[str]) -> list[list[str]]:
    """[name, version] of visible releases carrying all the classifiers (or sub-classifiers)."""
    try:
        found = ctx.store.browse(categories)
    except UnknownClassifier as err:
        raise ValueError(f'Unknown category "{err.classifier}"') from None
    return [[name, version] for name, version in found]
