"""Browser sessions: the ``pypi`` cookie, its server-side row and the CSRF token.

The cookie value is 32 hex characters from 16 random bytes, as legacy's; the
store keeps only its SHA-256, so reading the table does not hand out
sessions. The CSRF token is derived from the cookie value (a one-way hash),
so it is per session, needs no storage, and dies with the session: a page on
another site can neither read it nor compute it.

Who needs a token: requests that came with a session cookie. Tools
(distutils, twine) send HTTP Basic and no cookie and need none, as in legacy
2017 — but a *browser* that cached Basic credentials would send them on a
forged cross-site post too, so Basic-only requests that a browser marks as
cross-site (``Sec-Fetch-Site``, or a foreign ``Origin``) are refused.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from webob import Request, Response

from storage_backends.interface import Store

from .http_errors import Forbidden

COOKIE = "pypi"
SESSION_IDLE = timedelta(days=1)   # legacy's daily clean-up ended sessions idle that long
CSRF_FIELD = "CSRFToken"
CSRF_MESSAGE = "Form Failure; reset form submission (the CSRF token is missing or wrong)"


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def new_token() -> str:
    return secrets.token_hex(16)


def stored_key(token: str) -> str:
    """What the store keeps for a cookie value."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def csrf_for(token: str) -> str:
    return hashlib.sha256(b"csrf\0" + token.encode("ascii", "replace")).hexdigest()[:40]


def same_secret(sent: str, expected: str) -> bool:
    """Constant-time comparison of a secret a client sent; any text, never an error
    (``hmac.compare_digest`` refuses non-ASCII ``str``, so compare UTF-8 bytes)."""
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"),
                               expected.encode("utf-8", "surrogatepass"))


def session_from_cookie(request: Request, store: Store) -> tuple[str, str] | None:
    """``(user, cookie value)`` for a known session cookie, else None."""
    token = request.cookies.get(COOKIE, "")
    if not token or len(token) > 64 or not token.isalnum():
        return None
    current = now()
    user = store.session_user(stored_key(token), current, not_seen_before=current - SESSION_IDLE)
    return (user, token) if user else None


def start_session(ctx, user: str) -> str:
    """Create a session for ``user`` and make it this request's (the cookie goes out
    with the page)."""
    token = new_token()
    ctx.store.create_session(stored_key(token), user, now())
    ctx.user, ctx.session_token, ctx.logged_in = user, token, True
    return token


def end_session(ctx) -> None:
    if ctx.session_token:
        ctx.store.delete_session(stored_key(ctx.session_token))
    ctx.session_token, ctx.logged_in = None, False


def set_cookie(response: Response, settings, token: str) -> Response:
    """``Set-Cookie: pypi=...``: a browser-session cookie on the base URL's path."""
    url = urlsplit(settings.base_url)
    response.set_cookie(COOKIE, token, path=url.path or "/", httponly=True, samesite="lax",
                        secure=url.scheme == "https")
    return response


def check_csrf(ctx) -> None:
    """403 unless a state-changing request may go ahead (see the module docstring)."""
    if ctx.session_token:
        sent = ctx.form.text(CSRF_FIELD)
        if not sent or not same_secret(sent, csrf_for(ctx.session_token)):
            raise Forbidden(CSRF_MESSAGE)
    elif ctx.user is not None and _cross_site(ctx.request, ctx.settings.base_url):
        raise Forbidden("Cross-site request refused; log in and use the site's own forms")


def _cross_site(request: Request, base_url: str) -> bool:
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return True
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin == "null"
    ours = urlsplit(base_url)
    try:
        theirs = urlsplit(origin)
    except ValueError:   # e.g. "http://[": not an origin we could be
        return True
    return (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc) and \
        theirs.netloc != request.host
