"""The simple index that pip reads: ``/simple/`` and ``/simple/<name>/``.

Served as legacy's HTML (PEP 503) or, by content negotiation on ``Accept``,
as PEP 691 JSON at API version 1.1 (PEP 700 ``versions``, ``size`` and
``upload-time``). Both forms carry the same facts:

- links are relative (``../../packages/...``) as legacy made them, with a
  sha256 hash (md5 for legacy rows without one) and ``requires-python``;
- files of hidden releases are marked yanked (PEP 592): hiding is legacy's
  way to say "not this one unless asked for", which is what yanking tells pip;
- a wheel's extracted core metadata is announced (PEP 658, under both the
  PEP 714 name and the old one, since pip before 23.1 reads only the old).
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from html import escape
from typing import Hashable
from urllib.parse import quote

from webob import Response
from webob.acceptparse import create_accept_header
from webob.exc import HTTPMovedPermanently

from storage_backends.interface import Store
from storage_backends.ordering import normalize_name
from storage_backends.records import FileRecord, ProjectName, ReleaseOrder

from .context import RequestContext
from .http_errors import HTTPError, NotFound
from .page_cache import Answer, PageCache, answer_response, cached_page_answer, page_answer
from .release_structs import iso_8601

SERIAL_HEADER = "X-PyPI-Last-Serial"
VARY_ACCEPT = ("Vary", "Accept")   # on every index page and its 404s
API_VERSION = "1.1"
HEAD = ('<!DOCTYPE html>\n<html><head>'
        f'<meta name="pypi:repository-version" content="{API_VERSION}">')
TEXT_HTML = "text/html"
V1_HTML = "application/vnd.pypi.simple.v1+html"
V1_JSON = "application/vnd.pypi.simple.v1+json"
# On equal quality the first wins: plain HTML for browsers and old tools that send */*.
OFFERS = (TEXT_HTML, V1_HTML, V1_JSON)
# Names that need neither URL quoting nor HTML escaping (nearly all of them).
_PLAIN = re.compile(r"[A-Za-z0-9._-]+\Z")
ROOT_PIECE = 4096   # projects formatted at a time into the /simple/ page


class NotAcceptable(HTTPError):
    status = 406


def simple_root(ctx: RequestContext) -> Response:
    content_type = negotiate(ctx)
    return answer_response(_root_answer(ctx.request.environ, ctx.store, ctx.pages, content_type),
                           ctx.request.environ)


def _root_answer(environ: dict, store: Store, cache: PageCache | None,
                 content_type: str) -> Answer:
    serial = store.last_serial()
    return page_answer(environ, cache, _root_key(content_type), serial, content_type,
                       _headers(serial), lambda: (_root_body(store, content_type, serial),
                                                  store.journal_time(serial)))


def keep_root_pages(store: Store, cache: PageCache) -> None:
    """Build and keep every form of ``/simple/`` (``OFFERS``) unless current ones are kept."""
    for content_type in OFFERS:
        _root_answer({}, store, cache, content_type)


def cached_root(environ: dict, path_args: dict, store: Store, cache: PageCache) -> Answer | None:
    """``/simple/`` answered from the WSGI environ when it is cached (see ``cached_project``)."""
    content_type = _best_offer(environ.get("HTTP_ACCEPT"))
    if content_type is None:
        return None
    key, token = _root_key(content_type), store.change_token()
    confirmed = cache.confirmed(key, token)
    if confirmed is not None:
        return cached_page_answer(environ, confirmed[1])
    serial = store.last_serial()
    return page_answer(environ, cache, key, serial, content_type, _headers(serial),
                       build=None, token=token)


def _root_body(store: Store, content_type: str, serial: int) -> bytes:
    """The whole index, written a piece of ``ROOT_PIECE`` projects at a time into one buffer
    as the store reads them: at 100k projects the list of projects, a list of lines, their
    joined text and its bytes would each be several MB more at once (the bytes are what
    ``json.dumps`` of the whole would give)."""
    pieces = store.project_name_pieces(ROOT_PIECE)
    body = io.BytesIO()
    if content_type == V1_JSON:
        body.write(f'{{"meta": {json.dumps(_meta(serial))}, "projects": ['.encode())
        for number, piece in enumerate(pieces):
            body.write(b", " if number else b"")
            body.write(_json_names(piece))
        body.write(b"]}")
    else:
        body.write(f"{HEAD}<title>Simple Index</title></head><body>\n".encode())
        for piece in pieces:
            body.write(_root_anchors(piece).encode("utf-8"))
        body.write(b"</body></html>\n")
    return body.getvalue()     # the buffer itself, not a copy


def _root_anchors(projects: list[ProjectName]) -> str:
    if _all_plain([p.name for p in projects]) and _all_plain([p.normalized_name for p in projects]):
        return "".join([f'<a href="{normalized}/">{name}</a><br/>\n'
                        for name, normalized, _ in projects])
    lines = []
    for name, normalized, _ in projects:
        href = normalized if _PLAIN.match(normalized) else escape(quote(normalized))
        text = name if _PLAIN.match(name) else escape(name)
        lines.append(f'<a href="{href}/">{text}</a><br/>\n')
    return "".join(lines)


def _all_plain(texts: list[str]) -> bool:
    """Whether ``_PLAIN`` matches every text (or it is empty, which neither quoting nor escaping
    changes), in a few passes over their concatenation instead of a regex call per name."""
    joined = "".join(texts)
    rest = joined.replace("-", "").replace(".", "").replace("_", "")
    return joined.isascii() and (rest.isalnum() or not rest)


def _json_names(projects: list[ProjectName]) -> bytes:
    """``{"name": ...}, ...`` as ``json.dumps`` writes it, from one ``json.dumps`` of the names:
    within an encoded name every quote is escaped, so '", "' occurs only between two names."""
    names = json.dumps([p.name for p in projects])[1:-1]
    return ('{"name": ' + names.replace('", "', '"}, {"name": "') + "}").encode()


def simple_project(ctx: RequestContext) -> Response:
    requested, prefix = ctx.path_args["name"], ctx.settings.simple_script
    _redirect_unless_normalized(requested, prefix)
    content_type = negotiate(ctx)
    answer = _project_answer(ctx.request.environ, ctx.store, ctx.pages, requested, content_type)
    if answer is None:
        raise NotFound(f"{requested} does not exist", headers=[VARY_ACCEPT])
    return answer_response(answer, ctx.request.environ)


def cached_project(environ: dict, path_args: dict, store: Store,
                   cache: PageCache) -> Answer | None:
    """``/simple/<name>/`` answered from the WSGI environ alone, or None.

    The page costs less to send than webob takes to wrap the request and the
    response, so the app offers a GET or HEAD here first. A normalised name of
    a project with files is answered here, headers and body exactly as
    ``simple_project`` gives them; anything else (a redirect, a 404 or 406) is
    None, or raises, and ``simple_project`` answers it. While the store's
    change token says nothing was committed since the page was last found
    current, not even the serial is read.
    """
    requested = path_args["name"]
    content_type = _best_offer(environ.get("HTTP_ACCEPT"))
    if content_type is None or normalize_name(requested) != requested:
        return None
    token = store.change_token()
    confirmed = cache.confirmed(_project_key(requested, content_type), token)
    if confirmed is not None:
        return cached_page_answer(environ, confirmed[1])
    return _project_answer(environ, store, cache, requested, content_type, token)


def _project_answer(environ: dict, store: Store, cache: PageCache | None, requested: str,
                    content_type: str, token: Hashable | None = None) -> Answer | None:
    """The page of ``requested`` (normalised): None when no such project, NotFound when it
    has no files.

    A page that may be at hand (cached, or kept as a file) is checked with one
    read of its serial; otherwise the project is read with ``index_page``, all
    at once, and its page built.
    """
    key = _project_key(requested, content_type)
    if cache is not None and cache.may_have(key):
        current = store.project_serial(requested)
        if current is None:
            return None

        def build() -> tuple[bytes, datetime | None]:
            releases, files = store.index_listing(current[0])
            listing = _listing(requested, current, releases, files)
            return _project_body(listing, content_type), store.journal_time(current[1])
    else:
        page = store.index_page(requested)
        if page is None:
            return None
        current = (page.name, page.last_serial)

        def build() -> tuple[bytes, datetime | None]:
            listing = _listing(requested, current, page.releases, page.files)
            return _project_body(listing, content_type), page.changed
    return page_answer(environ, cache, key, current, content_type, _headers(current[1]),
                       build, token)


def keep_project_page(store: Store, cache: PageCache, normalized: str, content_type: str) -> bool:
    """Build and keep (as a file, when the cache keeps files) a project's page in one of the
    ``OFFERS`` unless a current one is kept already; whether the project has that page."""
    try:
        return _project_answer({}, store, cache, normalized, content_type) is not None
    except NotFound:   # a project without files has no page
        return False


def page_keys(normalized: str | None) -> list[tuple[str, str]]:
    """The keys of every form of a project's page (None: of the whole index's page)."""
    return [_project_key(normalized, content_type) if normalized is not None
            else _root_key(content_type) for content_type in OFFERS]


def _root_key(content_type: str) -> tuple[str, str]:
    return ("/simple/", content_type)


def _project_key(normalized: str, content_type: str) -> tuple[str, str]:
    return (normalized, content_type)


def _project_body(listing: ProjectListing, content_type: str) -> bytes:
    if content_type == V1_JSON:
        body = {"meta": _meta(listing.last_serial), "name": listing.normalized,
                "versions": [release.version for release in reversed(listing.releases)],
                "files": [_file_json(record, record.version in listing.hidden)
                          for record in listing.files]}
        return json.dumps(body).encode("utf-8")
    return project_html(listing)


@dataclass(frozen=True)
class ProjectListing:
    """What a project page shows, read once; ``files`` in page order."""
    name: str
    last_serial: int
    normalized: str
    files: list[FileRecord]
    releases: list[ReleaseOrder]   # newest first
    hidden: frozenset[str]


def project_listing(ctx: RequestContext, requested: str, prefix: str,
                    current: tuple[str, int] | None = None) -> ProjectListing:
    """The project page's data, or its 301 (to ``<prefix>/<normalised>/``) and 404s.

    ``current`` is the project's ``project_serial`` when the caller has read it.
    ``/serversig/<name>/`` (legacy/serversig.py) calls this too, so that it
    answers exactly as the page it signs.
    """
    _redirect_unless_normalized(requested, prefix)
    current = current or ctx.store.project_serial(requested)
    if current is None:
        raise NotFound(f"{requested} does not exist", headers=[VARY_ACCEPT])
    releases, files = ctx.store.index_listing(current[0])
    return _listing(requested, current, releases, files)


def _listing(requested: str, current: tuple[str, int], releases: list[ReleaseOrder],
             files: list[FileRecord]) -> ProjectListing:
    if not files:
        raise NotFound(f"{requested} does not have any releases", headers=[VARY_ACCEPT])
    order = {release.version: release.ordering for release in releases}
    files = sorted(files, key=lambda f: (order.get(f.version, -1), f.filename))
    return ProjectListing(current[0], current[1], normalize_name(requested), files, releases,
                          frozenset(release.version for release in releases if release.hidden))


def project_html(listing: ProjectListing) -> bytes:
    """The exact bytes of the HTML project page: what is served and what is signed (PEP 381)."""
    title = escape(f"Links for {listing.normalized}")
    lines = [f"{HEAD}<title>{title}</title></head><body><h1>{title}</h1>\n"]
    lines.extend(_file_anchor(record, record.version in listing.hidden) for record in listing.files)
    lines.append("</body></html>\n")
    return "".join(lines).encode("utf-8")


def _redirect_unless_normalized(requested: str, prefix: str) -> None:
    normalized = normalize_name(requested)
    if requested != normalized:
        raise HTTPMovedPermanently(location=f"{prefix}/{quote(normalized)}/")


def negotiate(ctx: RequestContext) -> str:
    """The representation to send, from ``Accept`` (q-values and wildcards as RFC 9110 says).

    No ``Accept`` (or an unparseable one) means legacy HTML; nothing we can
    send is a 406 naming what we can.
    """
    offer = _best_offer(ctx.request.headers.get("Accept"))
    if offer is None:
        raise NotAcceptable(f"Not Acceptable: this index serves {', '.join(OFFERS)}",
                            headers=[VARY_ACCEPT])
    return offer


@lru_cache(maxsize=256)
def _best_offer(accept: str | None) -> str | None:
    """Parsing ``Accept`` costs more than serving a cached page; clients send few distinct ones."""
    offers = create_accept_header(accept).acceptable_offers(OFFERS)
    return offers[0][0] if offers else None


def _href(record: FileRecord) -> str:
    return f"../../packages/{quote(record.path)}"


def _hashes(record: FileRecord) -> dict[str, str]:
    if record.sha256_digest:
        return {"sha256": record.sha256_digest}
    return {"md5": record.md5_digest}


def _file_anchor(record: FileRecord, yanked: bool) -> str:
    (algorithm, digest), = _hashes(record).items()
    attributes = f'href="{escape(f"{_href(record)}#{algorithm}={digest}")}"'
    if record.requires_python:
        attributes += f' data-requires-python="{escape(record.requires_python)}"'
    if yanked:
        attributes += ' data-yanked=""'
    if record.metadata_sha256:
        value = escape(f"sha256={record.metadata_sha256}")
        attributes += f' data-dist-info-metadata="{value}" data-core-metadata="{value}"'
    return f"<a {attributes}>{escape(record.filename)}</a><br/>\n"


def _file_json(record: FileRecord, yanked: bool) -> dict:
    entry = {"filename": record.filename, "url": _href(record), "hashes": _hashes(record),
             "size": record.size, "upload-time": iso_8601(record), "yanked": yanked,
             "gpg-sig": record.has_signature}
    if record.requires_python:
        entry["requires-python"] = record.requires_python
    if record.metadata_sha256:
        entry["core-metadata"] = entry["dist-info-metadata"] = {"sha256": record.metadata_sha256}
    return entry


def _meta(serial: int) -> dict:
    return {"api-version": API_VERSION, "_last-serial": serial}


def _headers(serial: int) -> list[tuple[str, str]]:
    return [(SERIAL_HEADER, str(serial)), VARY_ACCEPT]
