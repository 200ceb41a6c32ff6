"""Rendering HTML pages in the standard layout (Jinja2 templates in ``legacy/templates``).

Why Jinja2: autoescaping on by extension (``.html``, ``.xml``) makes a
``<script>`` in any metadata field inert without each template remembering to
escape, ``StrictUndefined`` turns a misspelt value into a test failure instead
of an empty string, and template inheritance gives the one page layout every
page extends. (Chameleon would do too; Jinja2 is the more widely known.)

How to add a page:

1. Write ``legacy/templates/<page>.html`` starting with ``{% extends "base.html" %}``
   and filling ``{% block content %}``; ``{% block head %}`` adds to ``<head>``.
2. In the handler: ``return render(ctx, "<page>.html", title="...", key=value, ...)``.
   ``title`` is the ``<h1>`` and ends the ``<title>``. Optional layout values:
   ``nav_current`` (the action whose navigation entry is marked),
   ``package=(name, version)`` (shows the package bar to session users with
   rights on it, and the breadcrumb to the release), ``messages`` (a list of
   notes shown above the heading), ``robots_noindex``, ``meta_keywords``,
   ``meta_description``, ``search_term``, ``status``.
3. Every template can use: ``user``, ``logged_in``, ``basic_only``,
   ``is_admin``, ``base_path``, ``base_url``, ``url(action, **fields)`` (a link
   to ``<base>?:action=...``), ``release_url(name, version=None)``,
   ``static_url``, and ``csrf_token()`` — put ``<input type="hidden"
   name="CSRFToken" value="{{ csrf_token() }}">`` in every POST form.
4. A title and one paragraph is ``message(ctx, title, text, status)``.

The hooks ``logged_in``, ``csrf_token`` and ``finish_response`` below are
where the sessions code plugs in: a session login, the per-user CSRF token
and the ``Set-Cookie`` that legacy repeated on every templated page.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from webob import Response

from storage_backends.records import ADMIN, MAINTAINER, OWNER

from .context import RequestContext

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).with_name("templates")
STATIC_PATH = "/static"
# The left navigation after the "Package Index" link: (action, label), in legacy's order
# with HEAD's RSS additions; Terms of Service, Security and Admin follow in the template.
NAVIGATION = (
    ("browse", "Browse packages"),
    ("submit_form", "Package submission"),
    ("list_classifiers", "List trove classifiers"),
    ("index", "List packages"),
    ("rss", "RSS (latest 40 updates)"),
    ("packages_rss", "RSS (newest 40 packages)"),
)


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    """One environment per process: it only caches compiled templates.

    Jinja2 is imported with it, on the first page rendered: a process that
    serves only the index and the file downloads never needs it.
    """
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False, lstrip_blocks=False,
    )


# -- hooks for sessions -------------------------------------------------------------
def logged_in(ctx: RequestContext) -> bool:
    """Whether the caller came with a session ("logged in"), not only HTTP Basic.

    The sessions code sets ``ctx.logged_in``; until then nobody is logged in.
    """
    return ctx.user is not None and bool(getattr(ctx, "logged_in", False))


def csrf_token(ctx: RequestContext) -> str:
    """The caller's CSRF token for POST forms; empty for anonymous callers."""
    token = getattr(ctx, "csrf_token", None)
    return token() if callable(token) else (token or "")


def finish_response(ctx: RequestContext, response: Response) -> Response:
    """Last touch on every rendered page (the sessions code repeats its cookie here)."""
    hook = getattr(ctx, "finish_page", None)
    return hook(response) if callable(hook) else response


# -- rendering ------------------------------------------------------------------------
def render(ctx: RequestContext, template: str, *, title: str, status: int = 200,
           **values: Any) -> Response:
    """Render a page of the standard layout; see the module docstring."""
    body = render_text(ctx, template, title=title, **values)
    response = Response(body, status=status, content_type="text/html", charset="utf-8")
    return finish_response(ctx, response)


def render_text(ctx: RequestContext, template: str, **values: Any) -> str:
    """The template's text with the layout values (also for non-HTML templates)."""
    page = layout_values(ctx, values.pop("package", None))
    page.update(values)
    return environment().get_template(template).render(page)


def message(ctx: RequestContext, title: str, text: str, status: int = 200) -> Response:
    """The legacy message page: a heading and one paragraph."""
    return render(ctx, "message.html", title=title, text=text, status=status)


def layout_values(ctx: RequestContext, package: tuple[str, str | None] | None) -> dict[str, Any]:
    base_url = ctx.settings.base_url.rstrip("/")
    base_path = ctx.settings.base_path.rstrip("/") or "/"
    session = logged_in(ctx)
    user = ctx.user
    values: dict[str, Any] = {
        "user": user, "logged_in": session, "basic_only": user is not None and not session,
        "is_admin": user is not None and ctx.store.has_role(user, None, ADMIN),
        "base_url": base_url, "base_path": base_path, "static_url": STATIC_PATH,
        "url": lambda action, **fields: action_url(base_path, action, **fields),
        "release_url": lambda name, version=None: release_url(base_path, name, version),
        "csrf_token": lambda: csrf_token(ctx),
        "navigation": NAVIGATION, "nav_current": None,
        "python3_browse_url": action_url(base_path, "browse"),
        "user_packages": sorted({r.package_name for r in ctx.store.roles_for_user(user)
                                 if r.package_name}) if session else [],
        "package_bar": package_bar(ctx, base_path, package) if session and package else None,
        "breadcrumb_release": tuple(p for p in package if p) if package else None,
    }
    return values


def package_bar(ctx: RequestContext, base_path: str,
                package: tuple[str, str | None]) -> list[tuple[str, str]] | None:
    """The maintainers' links for a package page, or None without rights on it."""
    name, version = package
    if not ctx.store.has_role(ctx.user, name, OWNER, MAINTAINER, ADMIN):
        return None
    fields = {"name": name, "version": version} if version else {"name": name}
    return [
        ("admin", action_url(base_path, "role_form", package_name=name)),
        ("releases", action_url(base_path, "pkg_edit", name=name)),
        ("view", release_url(base_path, name, version)),
        ("edit", action_url(base_path, "submit_form", **fields)),
        ("files", action_url(base_path, "files", **fields)),
        ("PKG-INFO", action_url(base_path, "display_pkginfo", **fields)),
    ]


def action_url(base_path: str, action: str, **fields: Any) -> str:
    """``<base>?:action=<action>&field=value``; list values repeat the field, None drops it."""
    items = [(":action", action)]
    for key, value in fields.items():
        for one in (value if isinstance(value, (list, tuple)) else [value]):
            if one is not None:
                items.append((key, str(one)))
    return f"{base_path}?{urlencode(items, safe=':')}"


def release_url(base_path: str, name: str, version: str | None = None) -> str:
    """``<base>/<name>[/<version>]``, each segment quoted whole (a local version holds ``+``)."""
    url = f"{base_path.rstrip('/')}/{quote(name, safe='')}"
    return f"{url}/{quote(version, safe='')}" if version else url
