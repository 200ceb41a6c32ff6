"""The release pages: ``display``, ``display_pkginfo``, ``doap``, ``files`` (the view) and ``show_md5``."""
from __future__ import annotations

import hashlib
from html import escape
import re
from typing import Any
from urllib.parse import urlsplit

from webob import Response
from webob.exc import HTTPMovedPermanently

from storage_backends.records import ADMIN, MAINTAINER, OWNER, Release, ReleaseBrief
from storage_backends.search import brief

from .context import RequestContext
from .descriptions import render_description
from .http_errors import BadRequest, NotFound
from .pages import action_url, logged_in, release_url, render, render_text
from .release_structs import file_url, project_urls

UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._+-]")
FILE_TYPES = {"sdist": "Source", "bdist_dumb": '"dumb" binary', "bdist_rpm": "RPM",
              "bdist_wininst": "MS Windows installer", "bdist_msi": "MS Windows MSI installer",
              "bdist_egg": "Python Egg", "bdist_dmg": "OS X Disk Image", "bdist_wheel": "Python Wheel"}


def display(ctx: RequestContext) -> Response:
    name, version = ctx.field("name"), ctx.field("version")
    if not name:
        raise BadRequest("Which package do you want to display?")
    if ctx.store.get_project(name) is None:
        _redirect_to_canonical(ctx, name, version)
    if not version:
        visible = ctx.store.list_releases(name, include_hidden=False)
        if len(visible) > 1:
            return index_page(ctx, [brief(r) for r in visible])
        if not visible:
            raise NotFound()
        return release_page(ctx, visible[0])
    release = ctx.store.get_release(name, version)
    if release is None:
        raise NotFound()
    return release_page(ctx, release)


def _redirect_to_canonical(ctx: RequestContext, name: str, version: str) -> None:
    """HEAD: another spelling of an existing name gets a 301 to the canonical one; else 404."""
    project = ctx.store.find_project(name)
    if project is None:
        raise NotFound()
    raise HTTPMovedPermanently(location=ctx.settings.base_url.rstrip("/")
                               + release_url("", project.name, version or None))


def index_page(ctx: RequestContext, releases: list[ReleaseBrief], *, title: str = "Index of Packages",
               scores: list[int] | None = None, **values: Any) -> Response:
    """The legacy index template: releases (with a Score column for search results)."""
    rows = [(release, scores[i] if scores else None) for i, release in enumerate(releases)]
    return render(ctx, "index.html", title=title, rows=rows, with_scores=scores is not None,
                  nav_current="index", **values)


def release_page(ctx: RequestContext, release: Release) -> Response:
    meta = release.metadata
    newest = ctx.store.list_releases(release.name, include_hidden=False)
    latest = newest[0].version if newest and newest[0].version != release.version else None
    may_maintain = logged_in(ctx) and ctx.store.has_role(ctx.user, release.name, OWNER, MAINTAINER, ADMIN)
    roles = ctx.store.roles_for_project(release.name)
    ids = ctx.store.classifier_ids() if meta.classifiers else {}
    return render(
        ctx, "display.html", title=f"{release.name} {release.version}", release=release,
        meta=meta, package=(release.name, release.version), latest_version=latest,
        description_html=render_description(meta.description, meta.description_content_type),
        files=file_rows(ctx, release), known=known, obfuscate=obfuscate, http_link=http_link,
        classifiers=[(c, ids.get(c)) for c in meta.classifiers],
        dist_links={d: _dist_link(ctx, d) for d in meta.requires_dist + meta.provides_dist + meta.obsoletes_dist},
        project_links=project_urls(release) or {},
        owners=[r.user_name for r in roles if r.role_name == OWNER],
        maintainers=[r.user_name for r in roles if r.role_name == MAINTAINER],
        journal=_journal(ctx, release) if may_maintain else None,
        meta_keywords=meta.keywords or release.name, meta_description=meta.summary or release.name)


def _journal(ctx: RequestContext, release: Release):
    return [e for e in ctx.store.project_journal(release.name)
            if e.version in (None, release.version)]


def _dist_link(ctx: RequestContext, requirement: str) -> str | None:
    word = requirement.split()[0].split(";")[0].split("[")[0].split("(")[0] if requirement.split() else ""
    for op in "<>=!~":
        word = word.split(op)[0]
    return release_url(ctx.settings.base_path, word) if word and ctx.store.get_project(word) else None


def file_rows(ctx: RequestContext, release: Release) -> list[dict[str, Any]]:
    """The files whose bytes exist, with what the files table shows."""
    rows = []
    for record in ctx.store.list_files(release.name, release.version):
        if not ctx.blobs.exists(record.path):
            continue
        url = file_url(record, ctx.settings)
        rows.append({"record": record, "url": f"{url}#md5={record.md5_digest}",
                     "sig_url": f"{url}.asc" if record.has_signature else None,
                     "type": FILE_TYPES.get(record.packagetype, record.packagetype),
                     "python": "" if record.python_version == "source" else record.python_version,
                     # a legacy row has no size until `pypi backfill-digests`: ask the bytes
                     "size": human_size(record.size if record.size is not None
                                        else ctx.blobs.size(record.path)),
                     "md5_url": action_url(ctx.settings.base_path, "show_md5", digest=record.md5_digest)})
    return rows


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size}{unit}"
        size //= 1024
    return f"{size}GB"


def known(value: str | None) -> bool:
    """Legacy shows a field only when it is set and not distutils' ``UNKNOWN``."""
    return bool(value and value.strip() and value.strip() not in ("UNKNOWN", "<p>UNKNOWN</p>"))


def http_link(url: str | None) -> str | None:
    """``url`` when a page may link to it: absolute http or https (never ``javascript:``,
    ``data:`` and the like, which metadata from a legacy database may still hold)."""
    candidate = (url or "").strip()
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    return candidate if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def obfuscate(email: str | None) -> str:
    return (email or "").replace("@", " at ").replace(".", " ")


def _default_release(ctx: RequestContext) -> Release:
    """``name`` with an explicit ``version`` (400 if unknown), else the newest visible release."""
    name, version = ctx.field("name"), ctx.field("version")
    if not name:
        raise NotFound()
    if version:
        release = ctx.store.get_release(name, version)
        if release is None:
            raise BadRequest("No such package / version", heading=f"{name} {version}")
        return release
    visible = ctx.store.list_releases(name, include_hidden=False)
    if not visible:
        raise NotFound()
    return visible[0]


def display_pkginfo(ctx: RequestContext) -> Response:
    release = _default_release(ctx)
    meta = release.metadata
    lines = ["Metadata-Version: 1.1"]
    pairs = [("Name", release.name), ("Version", release.version), ("Author", meta.author),
             ("Author-email", _email(meta.author_email)), ("Maintainer", meta.maintainer),
             ("Maintainer-email", _email(meta.maintainer_email)), ("Home-page", meta.home_page),
             ("Download-url", meta.download_url), ("Summary", meta.summary), ("License", meta.license),
             ("Description", meta.description), ("Keywords", meta.keywords), ("Platform", meta.platform)]
    for key, value in pairs:
        if value:
            lines.append(f"{key}: " + "\n        ".join(value.splitlines() or [""]))
    for key, values in (("Requires", meta.requires), ("Provides", meta.provides),
                        ("Obsoletes", meta.obsoletes), ("Classifier", meta.classifiers)):
        lines.extend(f"{key}: {value}" for value in values)
    return Response("\n".join(lines) + "\n\n", content_type="text/plain", charset="utf-8")


def _email(value: str | None) -> str | None:
    return obfuscate(escape(value)) if value else value


def doap(ctx: RequestContext) -> Response:
    release = _default_release(ctx)
    meta = release.metadata
    person, mail = (meta.maintainer, meta.maintainer_email) if known(meta.maintainer) \
        else (meta.author, meta.author_email)
    mail = mail.strip() if known(mail) else None
    body = render_text(ctx, "doap.xml", release=release, meta=meta, known=known,
                       person=person if known(person) else None,
                       mbox_sha1=hashlib.sha1(mail.encode()).hexdigest() if mail else None)
    # Names and versions from a legacy database may hold anything: keep the header one token.
    filename = UNSAFE_FILENAME.sub("_", f"{release.name}-{release.version}") + ".xml"
    response = Response(body.encode("utf-8"), content_type="text/xml")
    response.headers["Content-Type"] = 'text/xml; charset="UTF-8"'
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response


def files(ctx: RequestContext) -> Response:
    """The view part; the upload and removal forms plug in through ``FILES_FORMS``."""
    name, version = ctx.field("name"), ctx.field("version")
    if not name or not version:
        raise BadRequest("Name and version are required")
    release = ctx.store.get_release(name, version)
    if release is None:
        raise NotFound()
    messages = []
    for handle_form in FILES_FORMS:
        messages.extend(handle_form(ctx, release) or [])
    may_maintain = ctx.user is not None and ctx.store.has_role(ctx.user, name, OWNER, MAINTAINER, ADMIN)
    return render(ctx, "files.html", title=f"Files for {name} {version}", release=release,
                  package=(name, version), files=file_rows(ctx, release), may_maintain=may_maintain,
                  messages=messages)


# Handlers of the maintainers' forms on the files page (upload, remove): each takes
# (ctx, release), acts when its submit button is in the form and the caller has
# rights, and returns notes to show (or None). The maintaining code appends here.
FILES_FORMS: list = []


def show_md5(ctx: RequestContext) -> Response:
    digest = ctx.field("digest")
    if not digest or ctx.store.get_file_by_md5(digest) is None:
        raise NotFound()
    return Response(digest, content_type="text/plain", charset="utf-8")
