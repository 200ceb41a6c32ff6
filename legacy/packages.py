"""``/packages/...``: distribution bytes, served only when a file record names them.

Bytes without a record (an orphan from a crash) are never served, nor are a
file's side files unless its record says they exist: the ``.asc`` signature
and the PEP 658 ``.metadata`` file. Answers carry ETag (the md5, matched
quoted or bare as legacy did; the metadata's sha256 for a ``.metadata``),
Last-Modified and the owning project's serial, and honour HEAD and single
byte ranges.
"""
from __future__ import annotations

import re
from datetime import timezone
from typing import Callable, NamedTuple

from webob import Response

from storage_backends.errors import BadBlobKey, NoSuchFile
from storage_backends.file_keys import METADATA, SIGNATURE, owning_record
from storage_backends.records import FileRecord

from .context import RequestContext
from .http_errors import HTTPError, NotFound
from .sent_files import HeapSizedReads
from .simple import SERIAL_HEADER

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
FILE_BLOCK = 1 << 18     # what a wsgi.file_wrapper reads at a time


class Kind(NamedTuple):
    """What is served at a suffix of a file's path."""
    content_type: str
    charset: str | None
    etag: Callable[[FileRecord], str]


DISTRIBUTION = Kind("application/octet-stream", None, lambda r: r.md5_digest)
SIDE_FILES = {
    SIGNATURE: Kind("application/pgp-signature", None, lambda r: r.md5_digest),
    METADATA: Kind("text/plain", "utf-8", lambda r: r.metadata_sha256),
}


class RangeNotSatisfiable(HTTPError):
    status = 416


def serve_file(ctx: RequestContext) -> Response:
    path = ctx.path_args["path"]
    record, kind = _record_for(ctx, path)
    if record is None:
        raise NotFound(f"Not Found ({path})")
    try:
        size = ctx.blobs.size(path)
    except (NoSuchFile, BadBlobKey):
        raise NotFound(f"Not Found ({path})") from None
    response = Response(content_type=kind.content_type, charset=kind.charset,
                        conditional_response=False)
    response.etag = kind.etag(record)
    response.last_modified = record.upload_time.replace(tzinfo=timezone.utc)
    response.headers["Accept-Ranges"] = "bytes"
    project = ctx.store.get_project(record.name)
    response.headers[SERIAL_HEADER] = str(project.last_serial if project else 0)
    if _not_modified(ctx, record, response.etag):
        kept = [(k, v) for k, v in response.headerlist if k not in ("Content-Type", "Content-Length")]
        return Response(status=304, headerlist=kept)
    start, end = _byte_range(ctx.request.headers.get("Range"), size)
    if (start, end) != (0, size):
        response.status = 206
        response.headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    response.app_iter = _file_wrapper(ctx, path, start, end, size) \
        or ctx.blobs.open_range(path, start, end)
    response.content_length = end - start   # after app_iter, whose setter clears it
    return response


def _file_wrapper(ctx: RequestContext, path: str, start: int, end: int, size: int):
    """The server's ``wsgi.file_wrapper`` over the open file, when the bytes are a local file:
    the server then sends them itself (waitress from its I/O thread, without holding a
    request thread), and they never pass through this application. Only for bytes up to the
    end of the file, since a wrapper may send to the end; never for HEAD."""
    wrapper = ctx.request.environ.get("wsgi.file_wrapper")
    if wrapper is None or end != size or ctx.request.method == "HEAD":
        return None
    handle = ctx.blobs.open_file(path)
    if handle is None:
        return None
    handle.seek(start)
    return wrapper(HeapSizedReads(handle), FILE_BLOCK)


def _record_for(ctx: RequestContext, path: str) -> tuple[FileRecord | None, Kind]:
    """The record owning ``path`` (None if nothing may be served there) and what ``path`` is."""
    record, suffix = owning_record(ctx.store, path)
    return record, SIDE_FILES.get(suffix, DISTRIBUTION)


def _not_modified(ctx: RequestContext, record, etag: str) -> bool:
    tags = ctx.request.headers.get("If-None-Match")
    if tags:
        return any(tag.strip().removeprefix("W/").strip('"') in (etag, "*")
                   for tag in tags.split(","))
    since = ctx.request.if_modified_since
    return since is not None and record.upload_time.replace(tzinfo=timezone.utc) <= since


def _byte_range(header: str | None, size: int) -> tuple[int, int]:
    """The one range asked for as ``(start, end)``; the whole file when none (or several) are."""
    match = RANGE.match(header.strip()) if header else None
    if not match or match.group(1) == match.group(2) == "":
        return 0, size
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size
    else:
        start, end = int(first), min(int(last) + 1, size) if last else size
    if start >= size or start >= end:
        raise RangeNotSatisfiable(f"Range {header} not satisfiable for {size} bytes",
                                  headers=[("Content-Range", f"bytes */{size}")])
    return start, end
