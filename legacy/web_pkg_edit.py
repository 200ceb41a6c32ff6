"""Release management: ``pkg_edit`` (hide, unhide, autohide) and ``remove_pkg``
(with its confirmation dialog).

Changes are applied on POST only (2010 re-stored on every GET view; HEAD
saved only on POST); each real change journals itself. Removing releases
needs Owner, Maintainer or Admin, the whole package Owner or Admin. The bytes
of removed files (with their ``.asc`` and ``.metadata`` companions) and the
hosted documentation are deleted after the store's commit.
"""
from __future__ import annotations

import shutil

from webob import Response

from storage_backends.errors import NoSuchProject, NoSuchRelease
from storage_backends.records import ADMIN, MAINTAINER, OWNER

from .context import RequestContext
from .http_errors import BadRequest, Forbidden, LoginRequired, NotFound
from .pages import render
from .sessions import check_csrf
from .upload import RESERVED_NAMES
from .web_docs import docs_directory
from .web_guard import require_confirmed
from .web_sessions import home_page

WRITE_ROLES = (OWNER, MAINTAINER, ADMIN)


def pkg_edit(ctx: RequestContext, notes: list[str] | None = None) -> Response:
    name = _project_name(ctx)
    if "submit_remove" in ctx.form:
        return remove_pkg(ctx)
    ctx.require_role(name, *WRITE_ROLES,
                     message=f"You are not allowed to edit '{name}' package information")
    notes = list(notes or [])
    if ctx.request.method == "POST" and \
            ("submit_autohide" in ctx.form or any(k.startswith("hid_") for k in _keys(ctx))):
        check_csrf(ctx)
        require_confirmed(ctx)
        notes.extend(_apply_changes(ctx, name))
    return pkg_edit_page(ctx, name, notes)


def _apply_changes(ctx: RequestContext, name: str) -> list[str]:
    notes = []
    if "submit_autohide" in ctx.form:
        ctx.store.set_autohide(name, "autohide" in ctx.form)
        notes.append("Autohide " + ("on" if "autohide" in ctx.form else "off"))
    for key in _keys(ctx):
        if key.startswith("hid_"):
            version, value = key[len("hid_"):], ctx.form.text(key)
            if value not in ("0", "1"):
                raise BadRequest(f"{key}: expected 0 or 1")
            try:
                if ctx.store.set_release_hidden(ctx.actor, name, version, value == "1"):
                    notes.append(f"{version} {'hidden' if value == '1' else 'shown'}")
            except NoSuchRelease:
                raise BadRequest(f"No release {version!r} of {name}") from None
    return notes


def remove_pkg(ctx: RequestContext) -> Response:
    name = _project_name(ctx)
    versions = ctx.form.texts("version")
    whole = not versions
    roles = (OWNER, ADMIN) if whole else WRITE_ROLES
    ctx.require_role(name, *roles, message=f"You are not allowed to remove '{name}'"
                     + (" (only Owners may remove a whole package)" if whole else ""))
    if "submit_cancel" in ctx.form:
        return pkg_edit_page(ctx, name, [])
    if "submit_ok" not in ctx.form:
        what = (f"all information about the package {name}" if whole
                else f"the releases {', '.join(versions)} of {name}")
        return render(ctx, "dialog.html", title=f"Confirm removal of {name}",
                      warning=f"You are about to remove {what}. This cannot be undone.",
                      action="remove_pkg",
                      hidden=[("name", name)] + [("version", v) for v in versions],
                      cancel=True)
    check_csrf(ctx)
    require_confirmed(ctx)
    if whole:
        try:
            removed = ctx.store.remove_project(ctx.actor, name)
        except NoSuchProject:
            raise NotFound(f"No package named {name!r}") from None
        _delete_blobs(ctx, removed)
        shutil.rmtree(docs_directory(ctx, name), ignore_errors=True)
        return home_page(ctx, f"Package {name} removed")
    known = {r.version for r in ctx.store.list_releases(name)}
    missing = [v for v in versions if v not in known]
    if missing:
        raise BadRequest(f"No release {missing[0]!r} of {name}")
    for version in versions:
        _delete_blobs(ctx, ctx.store.remove_release(ctx.actor, name, version))
    return pkg_edit_page(ctx, name, [f"Release {v} removed" for v in versions])


def pkg_edit_page(ctx: RequestContext, name: str, notes: list[str]) -> Response:
    return render(ctx, "pkg_edit.html", title=f"Package '{name}' Editing",
                  project=ctx.store.get_project(name), releases=ctx.store.list_releases(name),
                  messages=notes, docs_url=f"{ctx.settings.package_docs_url}/{name}/",
                  package=(name, None))


def _project_name(ctx: RequestContext) -> str:
    if ctx.user is None:
        raise LoginRequired("You must login to access this feature")
    name = ctx.form.text("name")
    if not name or len(name) > 255:
        raise BadRequest("Invalid package name")
    if name.lower() in RESERVED_NAMES:
        raise Forbidden(f"Package name '{name}' invalid")
    if ctx.store.get_project(name) is None:
        raise NotFound(f"No package named {name!r}")
    return name


def _keys(ctx: RequestContext) -> list[str]:
    return ctx.form.names()


def _delete_blobs(ctx: RequestContext, files) -> None:
    for record in files:
        for suffix in ("", ".asc", ".metadata"):
            ctx.blobs.delete(record.path + suffix)
