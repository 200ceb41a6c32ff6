"""Finding packages: ``home``, ``index``, ``search`` and ``browse``."""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from weakref import WeakKeyDictionary

from webob import Response

from storage_backends.records import Release, ReleaseBrief
from storage_backends.search import brief, brief_sort_key

from .context import RequestContext
from .display import index_page, release_page
from .http_errors import BadRequest
from .pages import action_url, render

STOP_WORDS = frozenset("a and are as at be but by for if in into is it no not of on or such "
                       "that the their then there these they this to was will".split())
INDEX_FIELDS = ("name", "version", "author", "author_email", "maintainer", "maintainer_email",
                "home_page", "license", "summary", "description", "keywords", "platform",
                "download_url")
SCORES = {"name": 4, "summary": 2, "keywords": 2, "description": 1, "author": 1, "maintainer": 1}
ROBOTS = re.compile(r"bot|spider|crawler|slurp|jeeves|ia_archiver|scooter|teoma|archiver", re.I)
FIRST_GROUPS = ("Topic", "Environment", "Framework")
MAX_SELECTED, SHOW_LIMIT = 8, 30
MAX_TALLIES = 256   # selections kept per store
# store -> selection -> (serial, tally); weak, so a closed store's counts go with it
_TALLIES: WeakKeyDictionary = WeakKeyDictionary()
_TALLY_LOCK = threading.Lock()


def home(ctx: RequestContext) -> Response:
    return render(ctx, "home.html", title="PyPI", nav_current="home",
                  package_count=len(ctx.store.list_project_names()),
                  latest=ctx.store.latest_releases(40))


def index(ctx: RequestContext) -> Response:
    """Every release matching all given fields (substrings, case-insensitive)."""
    wanted = {f: ",".join(ctx.form.getall(f)).lower() if f not in ctx.path_args else ctx.field(f).lower()
              for f in INDEX_FIELDS if f in ctx.form or f in ctx.path_args}
    hidden = ctx.field("_pypi_hidden") == "1"
    wanted = {f: v for f, v in wanted.items() if v}
    if wanted and not hidden:        # the store's indexed search, not every release in Python
        found = ctx.store.search_releases(wanted, "and")
    else:
        found = [brief(r) for r in _all_releases(ctx) if r.hidden == hidden
                 and all(v in _value(r, f).lower() for f, v in wanted.items())]
    found.sort(key=brief_sort_key)
    if len(found) == 1:
        return release_page(ctx, ctx.store.get_release(found[0].name, found[0].version))
    return index_page(ctx, found)


def search(ctx: RequestContext) -> Response:
    raw = ctx.field("term")
    cleaned = re.sub(r"[^\w\s.\-]", "", raw.strip().lower())
    terms = [t for t in cleaned.split() if t not in STOP_WORDS]
    if not terms:
        raise BadRequest("You need to supply a search term")
    best: dict[str, tuple[int, ReleaseBrief]] = {}
    for score, hit in _scored(ctx, terms):
        if hit.name not in best or hit.ordering > best[hit.name][1].ordering:
            best[hit.name] = (score, hit)
    hits = sorted(best.values(), key=lambda hit: (-hit[0], hit[1].name.lower()))
    if len(hits) == 1:
        return release_page(ctx, ctx.store.get_release(hits[0][1].name, hits[0][1].version))
    return index_page(ctx, [r for _, r in hits], scores=[s for s, _ in hits], search_term=raw,
                      title=f"Index of Packages Matching '{cleaned}'")


def _scored(ctx: RequestContext, terms: list[str]) -> list[tuple[int, ReleaseBrief]]:
    """Non-hidden releases with legacy's weights: each term scores the weight of every
    field containing it (plus the name's again for an exact name); every term must
    score, or the release is out. One store search per term and field."""
    totals: dict[tuple[str, str], int] = {}
    briefs: dict[tuple[str, str], ReleaseBrief] = {}
    for position, term in enumerate(terms):
        scores: dict[tuple[str, str], int] = {}
        for field, weight in SCORES.items():
            for hit in ctx.store.search_releases({field: term}):
                key = (hit.name, hit.version)
                if position == 0 or key in totals:
                    briefs[key] = hit
                    scores[key] = scores.get(key, 0) + weight
        for key in scores:
            if term == key[0].lower():
                scores[key] += SCORES["name"]
        totals = {key: totals.get(key, 0) + score for key, score in scores.items()}
    return [(score, briefs[key]) for key, score in totals.items()]


def _value(release: Release, field: str) -> str:
    if field in ("name", "version"):
        return getattr(release, field)
    return getattr(release.metadata, field) or ""


def _all_releases(ctx: RequestContext):
    """Every release; the listings read them all, as legacy's unindexed LIKE queries did."""
    for project in ctx.store.list_projects():
        yield from ctx.store.list_releases(project.name)


def browse(ctx: RequestContext) -> Response:
    if ROBOTS.search(ctx.request.user_agent or "") or not ctx.request.user_agent:
        return Response("This page intentionally blank.", content_type="text/plain", charset="utf-8")
    ids = ctx.store.classifier_ids()
    names = {number: name for name, number in ids.items()}
    selected = list(dict.fromkeys(names[int(c)] for c in ctx.request.GET.getall("c")
                                  if c.isdigit() and int(c) in names))
    if len(selected) > MAX_SELECTED:
        raise BadRequest("Too many classifiers")
    tally = _tally(ctx, selected)
    base = ctx.settings.base_path
    chosen = [(name, action_url(base, "browse", c=[ids[s] for s in selected if s != name]))
              for name in selected]
    groups: dict[str, list] = {}
    for name, count in tally.items():
        parent, _, leaf = name.rpartition(" :: ")
        if name in selected or not parent or (not selected and name.count(" :: ") != 1) \
                or (selected and not _child_of_selection(name, selected)):
            continue
        link = action_url(base, "browse", c=[ids[s] for s in selected] + [ids[name]])
        groups.setdefault(parent, []).append((leaf, link, count))
    order = sorted(groups, key=lambda g: (g.split(" :: ")[0] not in FIRST_GROUPS, g))
    matches = ctx.store.browse(selected) if selected else []
    show = bool(selected) and (len(matches) < SHOW_LIMIT or ctx.request.GET.get("show") == "all")
    shown = [brief(ctx.store.get_release(name, version)) for name, version in matches] if show else None
    return render(ctx, "browse.html", title="Browse", nav_current="browse", robots_noindex=True,
                  chosen=chosen, groups=[(g, sorted(groups[g])) for g in order],
                  matches=shown, match_count=len(matches),
                  show_all_url=action_url(base, "browse", c=[ids[s] for s in selected], show="all"))


def _tally(ctx: RequestContext, selected: list[str]) -> dict[str, int]:
    """The store's tally, kept per process while the index's serial holds (legacy cached
    it for ten minutes in ``browse_tally``; a serial never serves a stale count)."""
    serial = ctx.store.last_serial()
    key = tuple(selected)
    with _TALLY_LOCK:
        kept = _TALLIES.setdefault(ctx.store, OrderedDict())
        found = kept.get(key)
        if found is not None and found[0] == serial:
            kept.move_to_end(key)
            return found[1]
    tally = ctx.store.classifier_tally(selected)
    with _TALLY_LOCK:
        kept[key] = (serial, tally)
        while len(kept) > MAX_TALLIES:
            kept.popitem(last=False)
    return tally


def _child_of_selection(name: str, selected: list[str]) -> bool:
    """Offer every classifier once something is selected, except ancestors of a selection."""
    return not any(s.startswith(name + " :: ") for s in selected)


