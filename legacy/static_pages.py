"""Pages with fixed content: the stylesheet, ``/security``, ``/tos`` and ``about``.

The stylesheet is served by the app itself (legacy took it from python.org),
so a fresh install looks right with no web server in front.
"""
from __future__ import annotations

from pathlib import Path

from webob import Response

from .context import RequestContext
from .pages import render

STYLESHEET = Path(__file__).with_name("static") / "pypi.css"


def stylesheet(ctx: RequestContext) -> Response:
    response = Response(STYLESHEET.read_bytes(), content_type="text/css", charset="utf-8")
    response.cache_control.max_age = 3600
    response.cache_control.public = True
    return _conditional(ctx, response)


def _conditional(ctx: RequestContext, response: Response) -> Response:
    """ETag from the bytes, so a browser revalidates cheaply (304)."""
    response.md5_etag()
    response.conditional_response = True
    return response


def security(ctx: RequestContext) -> Response:
    """HEAD's security page: whom to tell, and the advice to sign uploads."""
    response = render(ctx, "security.html", title="Security", nav_current="security",
                      admin_email=ctx.settings.admin_email)
    response.cache_control.max_age = 7 * 24 * 3600   # legacy cached /security for a week
    return response


def tos(ctx: RequestContext) -> Response:
    return render(ctx, "tos.html", title="Terms of Service", nav_current="tos")


def about(ctx: RequestContext) -> Response:
    return render(ctx, "about.html", title="About PyPI", nav_current="about",
                  admin_email=ctx.settings.admin_email, simple_url=ctx.settings.simple_script)
