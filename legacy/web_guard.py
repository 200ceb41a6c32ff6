"""Checks every state-changing web action makes: CSRF, a confirmed account, safe redirects."""
from __future__ import annotations

from functools import wraps
import string
from urllib.parse import quote, urlsplit

from .context import RequestContext
from .http_errors import LoginRequired
from .sessions import check_csrf


def require_confirmed(ctx: RequestContext) -> None:
    """401 while the caller's registration is unconfirmed (legacy checked only ``submit``;
    the spec asks for every write)."""
    if ctx.user is not None and ctx.store.registration_key(ctx.user) is not None:
        raise LoginRequired("Incomplete registration; check your email")


def write_action(handler):
    """Wrap a handler that changes the store: CSRF (for sessions), then a confirmed account."""
    @wraps(handler)
    def guarded(ctx: RequestContext):
        check_csrf(ctx)
        require_confirmed(ctx)
        return handler(ctx)
    return guarded


def safe_next(value: str, base_path: str) -> str:
    """Where to go after a login: a path on this site, never another host."""
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return base_path
    if any(ch in value for ch in "\\\r\n\t\0") or any(ord(ch) < 32 for ch in value):
        return base_path
    try:
        parts = urlsplit(value)
    except ValueError:
        return base_path
    if parts.scheme or parts.netloc:
        return base_path
    return quote(value, safe=string.punctuation)   # a Location header carries ASCII only
