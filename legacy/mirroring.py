"""What PEP 381 mirrors poll: ``/serial``, ``/daytime``, ``/last-modified``, ``/mirrors``.

Times are UTC in PEP 381's ``YYYYMMDDTHH:MM:SS`` form followed by a newline,
as legacy's ``/daytime`` sent them.
"""
from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from webob import Response

from .context import RequestContext
from .http_errors import NotFound

PEP381_TIME = "%Y%m%dT%H:%M:%S"


def _text(body: str) -> Response:
    return Response(body, content_type="text/plain", charset="utf-8")


def serial(ctx: RequestContext) -> Response:
    return _text(str(ctx.store.last_serial()))


def daytime(ctx: RequestContext) -> Response:
    return _text(datetime.now(timezone.utc).strftime(PEP381_TIME) + "\n")


def last_modified(ctx: RequestContext) -> Response:
    """The time of the newest journal entry: when the index last changed.

    PEP 381 asks each *mirror* to publish the time of its last successful
    sync here; legacy's master never served the path (it offered ``/daytime``,
    its clock, instead). We serve the master's own value so that a client can
    compare a mirror's ``/last-modified`` with the master's on equal terms: a
    mirror is current when its time is not older than this one.
    """
    last = ctx.store.last_serial()
    newest = ctx.store.changelog_since_serial(last - 1, limit=1) if last else []
    if not newest:
        raise NotFound("the index has not changed yet: no journal entries")
    return _text(newest[0].submitted_date.strftime(PEP381_TIME) + "\n")


MIRRORS_PAGE = """\
<!DOCTYPE html>
<html><head><title>PyPI mirrors</title></head><body>
<h1>PyPI mirrors</h1>
<p>Mirrors copy this index following the protocol of
<a href="https://peps.python.org/pep-0381/">PEP 381</a>: they read the
changelog (XML-RPC <code>changelog_since_serial</code>), fetch the changed
projects' pages and files, and publish the time of their last successful
synchronisation at <code>/last-modified</code>. Compare it with this index's
own <a href="/last-modified">/last-modified</a> and <a href="/daytime">/daytime</a>.
Simple pages can be checked against the signatures at
<code>/serversig/&lt;name&gt;/</code> with the key at <a href="/serverkey">/serverkey</a>.</p>
<p>Mirrors are added by an administrator on request: send the mirror's
address and the account that maintains it to {admin}.</p>
<h2>Registered mirrors</h2>
{listing}
</body></html>
"""


def mirrors(ctx: RequestContext) -> Response:
    """Every registered mirror, as legacy's 2010 page listed them (every value escaped)."""
    entries = ctx.store.list_mirrors()
    if entries:
        items = "".join(
            f"<li>{escape(m.ip)}" + (f" (maintained by {escape(m.user_name)})" if m.user_name else "")
            + "</li>\n" for m in entries)
        listing = f"<ul>\n{items}</ul>"
    else:
        listing = "<p>No mirrors are registered.</p>"
    body = MIRRORS_PAGE.format(admin=escape(ctx.settings.admin_email), listing=listing)
    return Response(body, content_type="text/html", charset="utf-8")
