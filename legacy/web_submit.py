"""Maintaining by form: ``submit_form`` (register or edit a release) and the files page's
upload form, which posts to ``file_upload`` with a session and a CSRF token.

Both forms post to the handlers distutils and twine use (``submit``,
``file_upload``), so a browser gets exactly their checks; the guard in the
action table adds the CSRF and confirmed-account checks.
"""
from __future__ import annotations

from webob import Response
from webob.exc import HTTPSeeOther

from storage_backends.records import ADMIN, MAINTAINER, OWNER

from . import sessions, upload
from .context import RequestContext
from .http_errors import Forbidden, LoginRequired, NotFound
from .pages import action_url, render

LIST_FIELDS = ("requires", "provides", "obsoletes", "requires_dist", "project_urls")


def submit_form(ctx: RequestContext) -> Response:
    if ctx.user is None:
        raise LoginRequired("You must log in.")
    if not ctx.logged_in:   # legacy made a session on the fly for Basic-only users
        sessions.start_session(ctx, ctx.user)
    name, version = ctx.form.text("name"), ctx.form.text("version")
    release = None
    if name and version:
        if not ctx.store.has_role(ctx.user, name, OWNER, MAINTAINER, ADMIN):
            raise Forbidden("Not Owner or Maintainer")
        release = ctx.store.get_release(name, version)
        if release is None:
            raise NotFound(f"No release {name} {version}")
    return render(ctx, "submit_form.html", title="Submitting package information",
                  release=release, classifiers=ctx.store.list_classifiers(),
                  list_fields=LIST_FIELDS, nav_current="submit_form",
                  package=(name, version) if release else None)


def file_upload(ctx: RequestContext) -> Response:
    """``file_upload`` for tools and for the files page's form.

    A session caller comes from the form: after the upload it is sent back to
    the files page (303), where the new file shows.
    """
    response = upload.file_upload(ctx)
    if not ctx.logged_in:
        return response
    name, version = ctx.form.text("name"), ctx.form.text("version")
    project = ctx.store.find_project(name)
    target = action_url(ctx.settings.base_path, "files",
                        name=project.name if project else name, version=version)
    return HTTPSeeOther(location=target)
