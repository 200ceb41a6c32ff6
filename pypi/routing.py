"""The legacy URL space, as one ordered table of prefixes.

Endpoints for mirrors and installers (``/simple``, ``/packages``, ``/serial``,
...) are answered without looking at credentials, as legacy did; everything
under ``/pypi`` (and the ``/legacy/`` alias twine posts to) is authenticated
first and then dispatched by ``legacy.dispatch``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

from webob.exc import HTTPMovedPermanently

from legacy import dispatch, mirroring, packages, serversig, simple, static_pages
from legacy import web_docs
from legacy.context import RequestContext
from legacy.http_errors import NotFound


@dataclass(frozen=True)
class Route:
    handler: Callable
    path_args: dict
    authenticate: bool = False
    subpath: str | None = None   # for the /pypi dispatcher
    # Answers the common requests of the route from the WSGI environ alone, else None:
    # ``cached(environ, path_args, store, page_cache)`` (see ``legacy.simple.cached_project``).
    cached: Callable | None = None


def resolve(path: str, base_path: str, simple_prefix: str) -> Route:
    """Map a decoded request path to its handler; raises 404 or a redirect."""
    for prefix in (base_path, "/legacy"):
        if path == prefix or path.startswith(prefix + "/"):
            return Route(dispatch.dispatch, {}, authenticate=True, subpath=path[len(prefix):])
    if path == simple_prefix:
        raise HTTPMovedPermanently(location=simple_prefix + "/")
    if path.startswith(simple_prefix + "/"):
        return _simple_route(path[len(simple_prefix) + 1:], simple_prefix)
    if path.startswith("/docs/") or path == "/docs":
        return Route(web_docs.serve_docs, {"path": path[len("/docs/"):]})
    if path.startswith("/serversig/"):
        return _serversig_route(path[len("/serversig/"):])
    if path.startswith("/packages/") and len(path) > len("/packages/"):
        return Route(packages.serve_file, {"path": path[len("/packages/"):]})
    if path in FIXED:
        return Route(FIXED[path], {})
    for prefix, handler in PREFIXES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return Route(handler, {})
    if path == "/":
        raise HTTPMovedPermanently(location=base_path)
    raise NotFound(f"Not Found ({path})")


def _simple_route(rest: str, simple_prefix: str) -> Route:
    if rest == "":
        return Route(simple.simple_root, {}, cached=simple.cached_root)
    return _project_route(rest, simple_prefix, simple.simple_project, simple.cached_project)


def _serversig_route(rest: str) -> Route:
    """``/serversig/<name>/``, shaped like the simple page's URL (PEP 381)."""
    return _project_route(rest, "/serversig", serversig.serversig)


def _project_route(rest: str, prefix: str, handler: Callable,
                   cached: Callable | None = None) -> Route:
    """``<prefix>/<name>/``: deeper paths are 404, a missing slash is added by a 301."""
    name, slash, deeper = rest.partition("/")
    if deeper or not name:
        raise NotFound(f"Not Found ({prefix}/{rest})")
    if not slash:
        raise HTTPMovedPermanently(location=f"{prefix}/{quote(name)}/")
    return Route(handler, {"name": name}, cached=cached)


FIXED = {
    "/serial": mirroring.serial,
    "/daytime": mirroring.daytime,
    "/mirrors": mirroring.mirrors,
    "/last-modified": mirroring.last_modified,
    "/serverkey": serversig.serverkey,
    "/security": static_pages.security,
    "/tos": static_pages.tos,
    "/static/pypi.css": static_pages.stylesheet,
}
PREFIXES = {
    "/RPC2": dispatch.xmlrpc,
}


def run_route(route: Route, ctx: RequestContext):
    if route.subpath is not None:
        return route.handler(ctx, route.subpath)
    return route.handler(ctx)
