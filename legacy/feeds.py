"""RSS 0.91 feeds: ``rss`` (latest releases), ``packages_rss`` (newest projects), ``lasthour``.

Rendered per request from the store instead of legacy's cached file: the
queries are small (40 rows), and nothing has to be regenerated after a change.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from webob import Response

from .context import RequestContext
from .pages import release_url, render_text

LIMIT = 40


def _feed(ctx: RequestContext, title: str, description: str, items) -> Response:
    body = render_text(ctx, "rss.xml", channel_title=title, channel_description=description,
                       items=items)
    return Response(body.encode("utf-8"), content_type="text/xml", charset="utf-8")


def _link(ctx: RequestContext, name: str, version: str | None = None) -> str:
    base = ctx.settings.base_url.rstrip("/")
    return base + release_url("", name, version)


def rss_date(when: datetime | None) -> str:
    return when.strftime("%d %b %Y %H:%M:%S GMT") if when else ""


def rss(ctx: RequestContext) -> Response:
    items = [{"title": f"{r.name} {r.version}", "link": _link(ctx, r.name, r.version),
              "description": r.metadata.summary or "", "date": rss_date(when)}
             for r, when in ctx.store.latest_releases(LIMIT)]
    return _feed(ctx, "PyPI recent updates", "Updates to the Python Package Index", items)


def packages_rss(ctx: RequestContext) -> Response:
    items = []
    for project in ctx.store.newest_projects(LIMIT):
        visible = ctx.store.list_releases(project.name, include_hidden=False)
        summary = visible[0].metadata.summary if visible else None
        items.append({"title": f"{project.name} added to PyPI", "link": _link(ctx, project.name),
                      "description": summary or "", "date": rss_date(project.created)})
    return _feed(ctx, "PyPI newest packages", "Newest packages on the Python Package Index", items)


def lasthour(ctx: RequestContext) -> Response:
    since = datetime.now(timezone.utc) - timedelta(hours=1)
    items = [{"title": e.name, "link": _link(ctx, e.name, e.version), "description": e.action,
              "date": rss_date(e.submitted_date)}
             for e in reversed(ctx.store.changelog_since(since)) if e.name]
    return _feed(ctx, "PyPI changes", "Changes to the Python Package Index in the last hour", items)


def rss_regen(ctx: RequestContext) -> Response:
    """Legacy rebuilt its cached feed files here; ours are built per request from the
    store, so they are always current and there is nothing to rebuild."""
    return Response("OK\n", content_type="text/plain", charset="utf-8")
