"""Finding packages: ``home``, ``index``, ``search`` and ``browse``."""
from __future__ import annotations

import re

from webob import Response

from storage_backends.records import Release

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


def home(ctx: RequestContext) -> Response:
    return render(ctx, "home.html", title="PyPI", nav_current="home",
                  package_count=len(ctx.store.list_projects()), latest=ctx.store.latest_releases(40))


def index(ctx: RequestContext) -> Response:
    """Every release matching all given fields (substrings, case-insensitive)."""
    wanted = {f: ",".join(ctx.form.getall(f)).lower() if f not in ctx.path_args else ctx.field(f).lower()
              for f in INDEX_FIELDS if f in ctx.form or f in ctx.path_args}
    hidden = ctx.field("_pypi_hidden") == "1"
    found = [r for r in _all_releases(ctx) if r.hidden == hidden
             and all(v in _value(r, f).lower() for f, v in wanted.items() if v)]
    found.sort(key=lambda r: (r.name.lower(), r.ordering))
    if len(found) == 1:
        return release_page(ctx, found[0])
    return index_page(ctx, found)


def search(ctx: RequestContext) -> Response:
    raw = ctx.field("term")
    cleaned = re.sub(r"[^\w\s.\-]", "", raw.strip().lower())
    terms = [t for t in cleaned.split() if t not in STOP_WORDS]
    if not terms:
        raise BadRequest("You need to supply a search term")
    best: dict[str, tuple[int, Release]] = {}
    for release in _all_releases(ctx):
        if release.hidden:
            continue
        score = _score(release, terms)
        if score and (release.name not in best or release.ordering > best[release.name][1].ordering):
            best[release.name] = (score, release)
    hits = sorted(best.values(), key=lambda hit: (-hit[0], hit[1].name.lower()))
    if len(hits) == 1:
        return release_page(ctx, hits[0][1])
    return index_page(ctx, [r for _, r in hits], scores=[s for s, _ in hits], search_term=raw,
                      title=f"Index of Packages Matching '{cleaned}'")


def _score(release: Release, terms: list[str]) -> int:
    """Legacy's weights; every term must match some field, or the score is 0."""
    total = 0
    for term in terms:
        score = sum(weight for field, weight in SCORES.items() if term in _value(release, field).lower())
        if term == release.name.lower():
            score += SCORES["name"]
        if not score:
            return 0
        total += score
    return total


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
    tally = ctx.store.classifier_tally(selected)
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
    matches = _matches(ctx, selected) if selected else []
    show = bool(selected) and (len(matches) < SHOW_LIMIT or ctx.request.GET.get("show") == "all")
    return render(ctx, "browse.html", title="Browse", nav_current="browse", robots_noindex=True,
                  chosen=chosen, groups=[(g, sorted(groups[g])) for g in order],
                  matches=matches if show else None, match_count=len(matches),
                  show_all_url=action_url(base, "browse", c=[ids[s] for s in selected], show="all"))


def _child_of_selection(name: str, selected: list[str]) -> bool:
    """Offer every classifier once something is selected, except ancestors of a selection."""
    return not any(s.startswith(name + " :: ") for s in selected)


def _matches(ctx: RequestContext, selected: list[str]) -> list[Release]:
    found = []
    for release in _all_releases(ctx):
        carried = {p for c in release.metadata.classifiers for p in _paths(c)}
        if not release.hidden and all(s in carried for s in selected):
            found.append(release)
    return sorted(found, key=lambda r: (r.name.lower(), r.ordering))


def _paths(classifier: str) -> list[str]:
    parts = classifier.split(" :: ")
    return [" :: ".join(parts[:d]) for d in range(1, len(parts) + 1)]
