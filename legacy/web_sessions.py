"""Logging in and out: ``login`` (HTTP Basic, then a cookie), ``login_form``, ``logout``,
``clear_auth``.

``login_form`` protects itself against login CSRF as HEAD did: the form carries a
nonce that must equal the ``login_nonce`` cookie set with it. A successful
form login answers 303 to ``next`` (a path on this site only), so reloading
the page does not post the password again.
"""
from __future__ import annotations

import secrets

from webob import Response
from webob.exc import HTTPSeeOther

from . import sessions, throttle
from .context import RequestContext
from .http_errors import BadRequest, LoginRequired, MethodNotAllowed
from .pages import message, render
from .passwords import check_password
from .web_guard import safe_next

NONCE_COOKIE = "login_nonce"


def home_page(ctx: RequestContext, note: str | None = None) -> Response:
    """The home page, which legacy showed after login, logout and removals."""
    from .actions import ACTIONS   # the table imports this module
    home = ACTIONS.get("home")
    if home is None or getattr(home, "not_implemented", None):
        return message(ctx, "PyPI", note or "Welcome to the Python Package Index.")
    return home(ctx)


def login(ctx: RequestContext) -> Response:
    if ctx.user is None:
        raise LoginRequired("You must login to access this feature")
    if not ctx.logged_in:
        sessions.start_session(ctx, ctx.user)
    return home_page(ctx, f"Logged in as {ctx.user}")


def login_form(ctx: RequestContext) -> Response:
    method = ctx.request.method
    if method in ("GET", "HEAD"):
        return _form(ctx)
    if method != "POST":
        raise MethodNotAllowed("Use GET or POST")
    sent, expected = ctx.form.text("nonce"), ctx.request.cookies.get(NONCE_COOKIE, "")
    if not sent or not expected or not sessions.same_secret(sent, expected):
        raise BadRequest("Form Failure; reset form submission")
    throttle.check_not_blocked(ctx.store, ctx.settings, ctx.client_address)
    name, password = ctx.form.text("username"), ctx.form.get("password") or ""
    user = ctx.store.get_user(name) if name and len(name) <= 255 else None
    ok = False
    if user is not None and isinstance(password, str) and len(password) <= 1024 \
            and not throttle.user_blocked(ctx.store, ctx.settings, user.name):
        ok, upgraded = check_password(password, user.password)
        if ok and upgraded:
            ctx.store.set_password_hash(user.name, upgraded)
    if not ok:
        throttle.record_failure(ctx.store, ctx.settings, ctx.client_address,
                                user.name if user else None)
        return _form(ctx, status=401, note="Incorrect password")
    throttle.record_success(ctx.store, user.name)
    token = sessions.start_session(ctx, user.name)
    target = safe_next(ctx.form.text("next"), ctx.settings.base_path)
    response = HTTPSeeOther(location=target)
    sessions.set_cookie(response, ctx.settings, token)
    response.delete_cookie(NONCE_COOKIE, path=ctx.settings.base_path)
    return response


def _form(ctx: RequestContext, status: int = 200, note: str | None = None) -> Response:
    nonce = secrets.token_hex(16)
    response = render(ctx, "login.html", title="Login", status=status,
                      nonce=nonce, next=safe_next(ctx.form.text("next"), ""),
                      messages=[note] if note else [])
    response.set_cookie(NONCE_COOKIE, nonce, path=ctx.settings.base_path, httponly=True,
                        samesite="strict", secure=ctx.settings.base_url.startswith("https:"))
    response.headers["X-Frame-Options"] = "DENY"
    return response


def logout(ctx: RequestContext) -> Response:
    had_session = ctx.session_token is not None
    sessions.end_session(ctx)
    if ctx.logged_in is False and had_session:
        ctx.user = None
    response = home_page(ctx, "You are logged out.")
    if had_session:   # legacy left the dead cookie in the browser; we clear it
        response.delete_cookie(sessions.COOKIE, path=ctx.settings.base_path)
    return response


def clear_auth(ctx: RequestContext) -> Response:
    if ctx.user is not None or ctx.request.headers.get("Authorization"):
        raise LoginRequired("Clearing basic auth")
    return home_page(ctx)
