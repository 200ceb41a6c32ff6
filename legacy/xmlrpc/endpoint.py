"""The XML-RPC endpoint: ``POST /pypi`` with ``Content-Type: text/xml``, and ``/RPC2``.

Legacy answered every call with HTTP 200, faults included, so that is what
clients expect; only a request that is not a POST gets an HTTP error. A body
over ``[xmlrpc] max_body_size`` is refused before it is read, with legacy's
fault "request content way too big".
"""
from __future__ import annotations

from webob import Response

from storage_backends.interface import Store

from ..context import RequestContext
from ..http_errors import MethodNotAllowed
from ..large_bodies import FileBody, body_iterable
from ..page_cache import PageCache, page_answer
from .methods import MethodFault, invoke
from .packages import listing_items
from .protocol import CallError, dump_fault, dump_listing, dump_result, fault_string, parse_call

DEFAULT_MAX_BODY = 10 * 1024 * 1024
# Methods answering with the whole index, cached under the last serial.
WHOLE_INDEX = frozenset({"list_packages", "list_packages_with_serial"})


def handle(ctx: RequestContext) -> Response:
    if ctx.request.method != "POST":
        raise MethodNotAllowed("XML-RPC requests must be POSTed", headers=[("Allow", "POST")])
    limit = getattr(ctx.settings, "xmlrpc_max_body_size", DEFAULT_MAX_BODY)
    body = _read_body(ctx, limit)
    if body is None:
        return _answer(ctx, dump_fault(fault_string(
            ValueError, f"request content way too big: at most {limit} bytes are accepted")))
    try:
        call = parse_call(body)
    except CallError as err:
        return _answer(ctx, dump_fault(fault_string(ValueError, str(err))))
    if call.method in WHOLE_INDEX and not call.params and ctx.pages is not None:
        return _answer(ctx, whole_index_answer(ctx.store, ctx.pages, call.method))
    try:
        result = invoke(ctx, call.method, call.params)
    except MethodFault as fault:
        return _answer(ctx, dump_fault(str(fault)))
    return _answer(ctx, dump_result(result))


def whole_index_answer(store: Store, cache: PageCache, method: str) -> bytes | FileBody:
    """A listing of every project, kept under the index's serial like ``/simple/`` (and, where
    pages are kept as files, as one: at 100k projects 7.5 MB sent from its file): building
    it costs about 25 µs a project, reading the serial a few µs. ``pypi build-pages``
    calls it too, to keep both listings."""
    serial = store.last_serial()
    answer = page_answer({}, cache, listing_key(method), serial, "text/xml", [],
                         lambda: (dump_listing(*listing_items(store, method)), None))
    return answer.body


def listing_key(method: str) -> tuple[str, str]:
    """The page key of a whole-index listing (``WHOLE_INDEX``)."""
    return ("xmlrpc", method)


def _read_body(ctx: RequestContext, limit: int) -> bytes | None:
    """The body, or None when it is longer than ``limit`` (then mostly left unread)."""
    length = ctx.request.content_length
    if length is not None and length > limit:
        return None
    body = ctx.request.body_file.read(limit + 1)
    return None if len(body) > limit else body


def _answer(ctx: RequestContext, body: bytes | FileBody) -> Response:
    return Response(app_iter=body_iterable(ctx.request.environ, body), content_length=len(body),
                    status=200, content_type="text/xml", charset="utf-8")
