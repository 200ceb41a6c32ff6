"""Hosted documentation: ``doc_upload``, ``doc_destroy`` and serving ``/docs/<name>/...``.

Docs are unpacked into ``<docs_dir>/<name>/`` (see ``doc_archive``) and served
under ``/docs/<name>/`` (``[webui] package_docs_url`` may point elsewhere, e.g.
another host serving the same directory). Uploaded HTML runs on this site's
origin, so every docs response carries ``Content-Security-Policy: sandbox``:
the browser treats the page as a foreign origin, and its scripts can neither
read this site's pages nor post forms with the visitor's session.
"""
from __future__ import annotations

import mimetypes
import shutil
from pathlib import Path
from urllib.parse import quote

from webob import Response
from webob.exc import HTTPMovedPermanently

from storage_backends.records import ADMIN, MAINTAINER, OWNER

from .context import RequestContext
from .doc_archive import check_archive, replace_tree
from .forms import UploadedFile
from .http_errors import BadRequest, LoginRequired, NotFound
from .pages import message
from .sessions import check_csrf
from .web_guard import require_confirmed

MAX_ZIP = 20 * (1 << 20)
WRITE_ROLES = (OWNER, MAINTAINER, ADMIN)
SANDBOX = "sandbox allow-scripts allow-popups allow-forms"


def docs_directory(ctx: RequestContext, name: str) -> Path:
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise BadRequest("Invalid package name")
    return Path(ctx.settings.docs_dir) / name


def doc_upload(ctx: RequestContext) -> Response:
    name = _writable_project(ctx)
    content = ctx.form.get("content")
    if not isinstance(content, UploadedFile):
        raise BadRequest("No file uploaded")
    content.file.seek(0, 2)
    if content.file.tell() > MAX_ZIP:
        raise BadRequest(f"Documentation zip too large (the limit is {MAX_ZIP} bytes)")
    content.file.seek(0)
    archive = check_archive(content.file)
    replace_tree(archive, docs_directory(ctx, name))
    ctx.store.set_has_docs(ctx.actor, name, True)
    raise HTTPMovedPermanently(location=f"{ctx.settings.package_docs_url}/{quote(name)}/")


def doc_destroy(ctx: RequestContext) -> Response:
    name = _writable_project(ctx)
    shutil.rmtree(docs_directory(ctx, name), ignore_errors=True)
    ctx.store.set_has_docs(ctx.actor, name, False)
    return message(ctx, "Documentation Destroyed", f"The documentation of {name} was removed.")


def _writable_project(ctx: RequestContext) -> str:
    if ctx.user is None:
        raise LoginRequired("You must login to access this feature")
    name = ctx.form.text("name")
    if not name:
        raise BadRequest("No package name given")
    if ctx.store.get_project(name) is None:
        raise NotFound(f"No package named {name!r}")
    ctx.require_role(name, *WRITE_ROLES,
                     message=f"You are not allowed to edit '{name}' package information")
    check_csrf(ctx)
    require_confirmed(ctx)
    return name


def serve_docs(ctx: RequestContext) -> Response:
    """``/docs/<name>/<path>``: a file of the unpacked tree; a directory serves its index.html."""
    rest = ctx.path_args["path"]
    name, slash, inner = rest.partition("/")
    if not name:
        raise NotFound("Not Found")
    root = docs_directory(ctx, name)
    if not slash:
        raise HTTPMovedPermanently(location=f"/docs/{quote(name)}/")
    target = (root / inner) if inner else root
    try:
        resolved, base = target.resolve(), root.resolve()
    except (OSError, RuntimeError):
        raise NotFound("Not Found") from None
    if not resolved.is_relative_to(base):
        raise NotFound("Not Found")
    if resolved.is_dir():
        if inner and not inner.endswith("/"):
            raise HTTPMovedPermanently(location=f"/docs/{quote(name)}/{quote(inner)}/")
        resolved = resolved / "index.html"
    if not resolved.is_file():
        raise NotFound("Not Found")
    content_type = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
    response = Response(content_type=content_type)
    if content_type.startswith("text/"):
        response.charset = "utf-8"
    response.app_iter = _chunks(resolved) if ctx.request.method != "HEAD" else []
    response.content_length = resolved.stat().st_size
    response.headers["Content-Security-Policy"] = SANDBOX
    return response


def _chunks(path: Path):
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 16):
            yield chunk
