"""distutils ``register``: ``:action=submit`` stores metadata, ``:action=verify`` only checks it.

``submit`` answers an anonymous request with 401 and the ``pypi`` realm,
because distutils sends credentials only after that challenge.
"""
from __future__ import annotations

from html import escape

from webob import Response

from storage_backends.errors import ProjectExists, UnknownClassifier
from storage_backends.records import ADMIN, MAINTAINER, OWNER

from .context import RequestContext
from .forms import Form
from .http_errors import BadRequest, Forbidden
from .metadata import metadata_from_form, validate_release
from .pkginfo import pkginfo_form


def submit(ctx: RequestContext) -> Response:
    ctx.require_login()
    return _register(ctx, ctx.form)


def submit_pkg_info(ctx: RequestContext) -> Response:
    """Register from an uploaded PKG-INFO (field ``pkginfo``, a file or text)."""
    ctx.require_login()
    return _register(ctx, pkginfo_form(ctx.form.get("pkginfo")))


def _register(ctx: RequestContext, form: Form) -> Response:
    name, version = form.text("name"), form.text("version")
    exact = ctx.store.get_project(name) if name else None
    existing = exact or (ctx.store.find_project(name) if name else None)
    release = ctx.store.get_release(name, version) if exact and version else None
    metadata = metadata_from_form(form)
    validate_release(name, version, metadata, new_project=existing is None, new_release=release is None)
    if exact is not None:
        ctx.require_role(name, OWNER, MAINTAINER, ADMIN,
                         message=f"You are not allowed to store '{name}' package information")
    elif existing is not None:
        raise Forbidden(f"Package name conflicts with existing package '{existing.name}'")
    hidden = None
    if "_pypi_hidden" in form:
        hidden = form.text("_pypi_hidden") in ("1", "true", "on")
    try:
        change = ctx.store.store_release(ctx.actor, name, version, metadata, hidden=hidden)
    except UnknownClassifier as err:
        raise BadRequest(f'Invalid classifier "{err.classifier}"') from None
    except ProjectExists as err:
        raise Forbidden(f"Package name conflicts with existing package '{err.existing}'") from None
    if change.release_created:
        note = "new release"
    else:
        note = ("update " + ", ".join(change.changed_fields)) if change.changed_fields else ""
    return _message_page(f"{name} {version}", note or "No changes")


def verify(ctx: RequestContext) -> Response:
    name, version = ctx.form.text("name"), ctx.form.text("version")
    existing = ctx.store.find_project(name) if name else None
    release = ctx.store.get_release(existing.name, version) if existing and version else None
    metadata = metadata_from_form(ctx.form)
    try:
        validate_release(name, version, metadata, new_project=existing is None,
                         new_release=release is None)
        unknown = sorted(set(metadata.classifiers) - set(ctx.store.list_classifiers()))
        if unknown:
            raise BadRequest(f'Invalid classifier "{unknown[0]}"')
    except BadRequest as err:
        raise BadRequest(err.message, heading="Package verification") from None
    return _message_page("Package verification", "Validated OK")


def list_classifiers(ctx: RequestContext) -> Response:
    body = "".join(f"{classifier}\n" for classifier in ctx.store.list_classifiers())
    return Response(body, content_type="text/plain", charset="utf-8")


def _message_page(title: str, message: str) -> Response:
    """A minimal HTML page until the web UI issue brings the real display page."""
    html = (f"<!DOCTYPE html><html><head><title>{escape(title)}</title></head>"
            f"<body><h1>{escape(title)}</h1><p>{escape(message)}</p></body></html>\n")
    return Response(html, content_type="text/html", charset="utf-8")
