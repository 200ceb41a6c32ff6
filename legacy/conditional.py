"""Conditional requests (RFC 9110 §13): is the client's copy still the current one?"""
from __future__ import annotations

from datetime import datetime

from webob.datetime_utils import parse_date


def not_modified(environ: dict, etag: str, last_modified: datetime | None) -> bool:
    """True when a 304 may answer the request of this WSGI ``environ`` for a representation
    with these validators (the environ, not a webob request: cached pages are answered
    without one).

    ``If-None-Match`` decides when present: weak comparison, ``*`` matches, and
    tags are matched quoted or bare (legacy clients sent bare md5 digests).
    Otherwise ``If-Modified-Since`` is compared with ``last_modified`` (aware UTC),
    to the second, as HTTP dates go.
    """
    tags = environ.get("HTTP_IF_NONE_MATCH")
    if tags is not None:
        wanted = etag.strip('"')
        return any(tag.strip().removeprefix("W/").strip('"') in (wanted, "*")
                   for tag in tags.split(","))
    if last_modified is None or "HTTP_IF_MODIFIED_SINCE" not in environ:
        return False
    since = parse_date(environ["HTTP_IF_MODIFIED_SINCE"])
    return since is not None and last_modified.replace(microsecond=0) <= since
