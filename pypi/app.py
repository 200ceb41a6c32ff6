"""The WSGI application: one request in, one webob response out.

``make_app(config)`` opens the stores once; each request gets a small
``RequestContext``. Errors a user can cause come back as 4xx with a message;
anything else is logged with its traceback and answered with a plain 500.
"""
from __future__ import annotations

import logging

from webob import Request, Response
from webob.exc import HTTPException
from webob.request import DisconnectionError

from legacy.context import RequestContext
from legacy.http_errors import BadRequest, Forbidden, HTTPError, NotFound
from legacy.large_bodies import body_iterable, close_body
from legacy.page_cache import Answer, PageCache
from legacy.page_files import PageFiles
from storage_backends import errors as storage_errors
from storage_backends.interface import BlobStore, Store

from .auth import authenticate_request
from .backends import open_backends
from .config import MIB, Config
from .credential_cache import CredentialCache
from .routing import Route, resolve, run_route

log = logging.getLogger("pypi")

# Domain errors that escape a handler, as the HTTP error a client should see.
DOMAIN_ERRORS = {
    storage_errors.NoSuchProject: NotFound,
    storage_errors.NoSuchRelease: NotFound,
    storage_errors.NoSuchFile: NotFound,
    storage_errors.NoSuchUser: NotFound,
    storage_errors.BadBlobKey: NotFound,
    storage_errors.FileExists: BadRequest,
    storage_errors.DigestExists: BadRequest,
    storage_errors.UnknownClassifier: BadRequest,
    storage_errors.ProjectExists: Forbidden,
    storage_errors.UserExists: BadRequest,
}
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "deny"}
SECURITY_HEADER_LIST = list(SECURITY_HEADERS.items())


class ServiceUnavailable(HTTPError):
    status = 503
    heading = "Database connection failed"


class PypiApp:
    def __init__(self, config: Config, store: Store, blobs: BlobStore):
        self.config, self.store, self.blobs = config, store, blobs
        self.credentials = CredentialCache()
        directory = config.page_directory
        self.pages = PageCache(config.page_cache_mb * MIB,
                               PageFiles.open(directory) if directory is not None else None)

    def __call__(self, environ, start_response):
        route = self._route(environ)
        cached = self._cached_answer(environ, route) if route is not None else None
        if cached is not None:
            start_response(cached.status, cached.headers + SECURITY_HEADER_LIST)
            if environ["REQUEST_METHOD"] == "HEAD":
                close_body(cached.body)
                return []
            return body_iterable(environ, cached.body)
        request = Request(environ)
        response = self.handle(request, route)
        present = {name.lower() for name, _ in response.headerlist}
        response.headerlist.extend((name, value) for name, value in SECURITY_HEADERS.items()
                                   if name.lower() not in present)
        return response(environ, start_response)

    def _route(self, environ) -> Route | None:
        """The request's route, resolved once; None when resolving ends in a redirect or an
        error, which ``handle`` then raises again and answers."""
        try:
            return resolve(_decoded_path(environ), self.config.base_path,
                           self.config.simple_script)
        except Exception:
            return None

    def _cached_answer(self, environ, route: Route) -> Answer | None:
        """The route's answer from the WSGI environ alone, without webob (the simple index:
        cached pages and the pages built on a miss); None sends the request the full way.

        Anything unusual, an error included, is None: the full path then answers it
        (a read that failed here fails there too, and becomes the proper 503).
        """
        if route.cached is None or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        try:
            return route.cached(environ, route.path_args, self.store, self.pages)
        except Exception:
            log.debug("the full path answers %s", environ.get("PATH_INFO"), exc_info=True)
            return None

    def handle(self, request: Request, route: Route | None = None) -> Response:
        """``route`` is the request's when the caller resolved it; otherwise resolved here."""
        try:
            if route is None:
                route = resolve(_decoded_path(request.environ), self.config.base_path,
                                self.config.simple_script)
            ctx = RequestContext(request, self.config, self.store, self.blobs,
                                 path_args=dict(route.path_args), pages=self.pages)
            try:
                if route.authenticate:
                    authenticate_request(ctx, self.credentials)
                return run_route(route, ctx)
            finally:
                ctx.close()
        except HTTPError as err:
            return err.response()
        except HTTPException as exc:
            return exc
        except DisconnectionError:
            # The client went away mid-body (or sent a Content-Length its body does not
            # reach): its fault, not ours, and nothing was stored.
            return BadRequest("The request body is shorter than its Content-Length").response()
        except storage_errors.ServiceUnavailable:
            log.exception("storage unavailable for %s %s", request.method, request.path)
            return ServiceUnavailable("Please try again later.").response()
        except storage_errors.StorageError as err:
            mapped = DOMAIN_ERRORS.get(type(err))
            if mapped is None:
                return self._internal_error(request)
            return mapped(str(err)).response()
        except Exception:
            return self._internal_error(request)

    def _internal_error(self, request: Request) -> Response:
        # The path only: a query string may carry a password or a one-time key.
        log.exception("error while handling %s %s", request.method, request.path)
        return Response("There's been a problem with your request\n", status=500,
                        content_type="text/plain", charset="utf-8")

    def close(self) -> None:
        self.store.close()


def _decoded_path(environ: dict) -> str:
    """SCRIPT_NAME + PATH_INFO as text; a path that is not UTF-8 is a 404, as in legacy."""
    raw = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    try:
        path = raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise NotFound("Not Found (the path is not valid UTF-8)") from None
    if "\x00" in path:
        raise NotFound("Not Found (NUL in path)")
    return path or "/"


def make_app(config: Config) -> PypiApp:
    store, blobs = open_backends(config)
    return PypiApp(config, store, blobs)
