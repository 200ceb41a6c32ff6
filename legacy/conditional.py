"""Conditional requests (RFC 9110 §13): is the client's copy still the current one?"""
from __future__ import annotations

from datetime import datetime

from webob import Request


def not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    """True when a 304 may answer ``request`` for a representation with these validators.

    ``If-None-Match`` decides when present: weak comparison, ``*`` matches, and
    tags are matched quoted or bare (legacy clients sent bare md5 digests).
    Otherwise ``If-Modified-Since`` is compared with ``last_modified`` (aware UTC),
    to the second, as HTTP dates go.
    """
    tags = request.environ.get("HTTP_IF_NONE_MATCH")
    if tags is not None:
        wanted = etag.strip('"')
        return any(tag.strip().removeprefix("W/").strip('"') in (wanted, "*")
                   for tag in tags.split(","))
    if last_modified is None or "HTTP_IF_MODIFIED_SINCE" not in request.environ:
        return False
    since = request.if_modified_since
    return since is not None and last_modified.replace(microsecond=0) <= since
