"""The PEP 503 simple index that pip reads: ``/simple/`` and ``/simple/<name>/``.

Links are relative (``../../packages/...``) as legacy made them, carry a
``#sha256=`` fragment (md5 for legacy rows without one) and
``data-requires-python``; every attribute is escaped.
"""
from __future__ import annotations

from html import escape
from urllib.parse import quote

from webob import Response
from webob.exc import HTTPMovedPermanently

from storage_backends.ordering import normalize_name

from .context import RequestContext
from .http_errors import NotFound

SERIAL_HEADER = "X-PyPI-Last-Serial"
HEAD = '<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0">'


def simple_root(ctx: RequestContext) -> Response:
    serial = ctx.store.last_serial()
    lines = [f"{HEAD}<title>Simple Index</title></head><body>\n"]
    for project in ctx.store.list_projects():
        href = quote(project.normalized_name) + "/"
        lines.append(f'<a href="{escape(href)}">{escape(project.name)}</a><br/>\n')
    lines.append("</body></html>\n")
    return _page("".join(lines), serial)


def simple_project(ctx: RequestContext) -> Response:
    requested = ctx.path_args["name"]
    normalized = normalize_name(requested)
    if requested != normalized:
        raise HTTPMovedPermanently(location=f"{ctx.settings.simple_script}/{quote(normalized)}/")
    project = ctx.store.find_project(requested)
    if project is None:
        raise NotFound(f"{requested} does not exist")
    files = ctx.store.list_files(project.name)
    if not files:
        raise NotFound(f"{requested} does not have any releases")
    order = {release.version: release.ordering for release in ctx.store.list_releases(project.name)}
    files.sort(key=lambda f: (order.get(f.version, -1), f.filename))
    title = escape(f"Links for {normalized}")
    lines = [f"{HEAD}<title>{title}</title></head><body><h1>{title}</h1>\n"]
    for record in files:
        lines.append(_file_anchor(record))
    lines.append("</body></html>\n")
    return _page("".join(lines), project.last_serial)


def _file_anchor(record) -> str:
    digest = f"sha256={record.sha256_digest}" if record.sha256_digest else f"md5={record.md5_digest}"
    href = f"../../packages/{quote(record.path)}#{digest}"
    attributes = f'href="{escape(href)}"'
    if record.requires_python:
        attributes += f' data-requires-python="{escape(record.requires_python)}"'
    return f"<a {attributes}>{escape(record.filename)}</a><br/>\n"


def _page(html: str, serial: int) -> Response:
    response = Response(html, content_type="text/html", charset="utf-8")
    response.headers[SERIAL_HEADER] = str(serial)
    return response
