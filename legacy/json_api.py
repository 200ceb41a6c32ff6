"""The JSON API: ``/pypi/<name>/json``, ``/pypi/<name>/<version>/json`` and ``:action=json``.

The body is legacy's final shape (``info``, ``urls``, ``releases``) with the
successor's additions, built by ``release_structs`` so that XML-RPC answers
the same. Errors are JSON too, because the callers are programs. JSONP is
kept for legacy clients, but only for a callback that is a plain JavaScript
identifier path: legacy echoed any text, which made the endpoint an XSS and
content-sniffing vector.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from urllib.parse import quote

from webob import Response

from .conditional import not_modified
from .context import RequestContext
from .http_errors import HTTPError, NotFound, reason_phrase
from .page_cache import Page, make_page
from .release_structs import release_data, release_files_structs
from .simple import SERIAL_HEADER

CALLBACK = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$")
MAX_CALLBACK = 128
HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=600, public",
           "Content-Disposition": "inline"}


class JsonRedirect(HTTPError):
    status = 301


class JsonBadRequest(HTTPError):
    status = 400


def project_json(ctx: RequestContext) -> Response:
    """The project (its latest release) or one release of it, as JSON."""
    try:
        return _project_json(ctx)
    except HTTPError as err:
        return _error_response(ctx, err)


def _project_json(ctx: RequestContext) -> Response:
    name, version = ctx.field("name"), ctx.field("version")
    callback = _callback(ctx)
    if not name:
        raise NotFound("Not Found")
    page = _kept_or_built(ctx, name, version)
    if callback:
        # The leading comment defeats the Flash "Rosetta" trick on JSONP endpoints.
        body = f"/**/{callback}(".encode() + page.body + b");"
        response = _response(ctx, body, "application/javascript")
        etag = None
    else:
        response = _response(ctx, page.body, "application/json")
        etag = page.headers[1][1]
    return _conditional(ctx, response, page.last_modified, etag)


def _kept_or_built(ctx: RequestContext, name: str, version: str | None) -> Page:
    """The body for the project spelt exactly ``name``, kept in the page cache under the
    project's serial and its download total (``Store.project_downloads``): counts change
    without a serial. While the change token holds, not even those are read."""
    cache = ctx.pages
    if cache is None:
        return _built(ctx, name, version)
    key = ("json", name, version)
    token = ctx.store.change_token()
    confirmed = cache.confirmed(key, token)
    if confirmed is not None:
        return confirmed[1]
    current = ctx.store.project_serial(name)
    if current is None or current[0] != name:
        return _built(ctx, name, version)     # raises the redirect or the 404
    freshness = (current[1], ctx.store.project_downloads(name))
    page = cache.get(key, freshness, token)
    if page is None:
        page = _built(ctx, name, version)
        cache.put(key, freshness, page, token)
    return page


def _built(ctx: RequestContext, name: str, version: str | None) -> Page:
    """The JSON body, read now; raises the redirect to the stored spelling or a 404."""
    project = ctx.store.get_project(name)
    if project is None:
        found = ctx.store.find_project(name)
        if found is None:
            raise NotFound("Not Found")
        target = f"{ctx.settings.base_path}/{quote(found.name)}"
        target += f"/{quote(version)}/json" if version else "/json"
        callback = _callback(ctx)
        if callback:
            target += f"?callback={callback}"
        raise JsonRedirect("Moved Permanently", headers=[("Location", target)])
    # Every release's order and files in one read; the metadata of the one shown only.
    orders, records = ctx.store.index_listing(project.name)
    if version:
        if not any(order.version == version for order in orders):
            raise NotFound("invalid name/version")
    elif orders:
        version = orders[0].version   # highest ordering, hidden included (final legacy)
    else:
        raise NotFound("no releases")
    release = ctx.store.get_release(project.name, version)
    if release is None:               # removed between the two reads
        raise NotFound("invalid name/version")
    files = release_files_structs(ctx.store, project.name, ctx.settings, orders, records)
    info = release_data(ctx.store, release, ctx.settings, project)
    info.setdefault("requires_dist", None)   # the successor always sends it
    body = _json_bytes({"info": info, "last_serial": project.last_serial,
                        "releases": files, "urls": files.get(release.version, [])})
    return make_page(body, "application/json", _etag(body), [],
                     ctx.store.journal_time(project.last_serial))


def _callback(ctx: RequestContext) -> str | None:
    value = ctx.request.GET.get("callback")
    if value is None or value == "":
        return None
    if len(value) > MAX_CALLBACK or not CALLBACK.match(value):
        raise JsonBadRequest("callback must be a JavaScript identifier (letters, digits, _, $, .)")
    return value


def _json_bytes(body: dict) -> bytes:
    return json.dumps(body, indent=4, sort_keys=True).encode("utf-8")


def _etag(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def _response(ctx: RequestContext, body: bytes, content_type: str, status: int = 200) -> Response:
    response = Response(body=body, status=status, content_type=content_type, charset="UTF-8")
    response.headers.update(HEADERS)
    response.headers[SERIAL_HEADER] = str(ctx.store.last_serial())
    return response


def _conditional(ctx: RequestContext, response: Response, changed: datetime | None,
                 etag: str | None = None) -> Response:
    """ETag from the body (download counts change it without a serial), Last-Modified from
    the project's last journalled change; a 304 when the client's copy is current."""
    response.etag = etag or _etag(response.body)
    if changed is not None:
        response.last_modified = changed
    if not_modified(ctx.request.environ, response.etag, response.last_modified):
        kept = [(k, v) for k, v in response.headerlist if k not in ("Content-Type", "Content-Length")]
        return Response(status=304, headerlist=kept)
    return response


def _error_response(ctx: RequestContext, err: HTTPError) -> Response:
    """A JSON body ``{"message": ...}`` with the error's status (JSONP never wraps errors)."""
    response = _response(ctx, _json_bytes({"message": err.message}), "application/json",
                         status=err.status)
    response.status = f"{err.status} {reason_phrase(err.message)}"
    for header, value in err.headers:
        response.headers[header] = value
    return response
