"""Who is asking: HTTP Basic credentials checked against the store.

As in legacy PyPI, a known user with a wrong password is refused outright
(401 with the Basic challenge, which distutils needs), while an unknown name
just stays anonymous so the action can ask for a login itself.
"""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

from legacy import sessions, throttle
from legacy.http_errors import LoginRequired
from storage_backends.interface import Store

from .credential_cache import CredentialCache
from .passwords import check_password

LOGIN_REFRESH = timedelta(minutes=1)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """``(user, password)`` from an Authorization header, or None when there are none usable."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except ValueError:   # not base64, not ASCII or not UTF-8 (binascii.Error is one too)
        return None
    user, colon, password = decoded.partition(":")
    return (user, password) if colon and user else None


def authenticate_request(ctx, cache: CredentialCache | None = None) -> None:
    """Set ``ctx.user``: a session cookie first (then "logged in"), else HTTP Basic.

    Basic password checks are throttled per address and per user (``[blocking]``).
    """
    found = sessions.session_from_cookie(ctx.request, ctx.store)
    if found is not None:
        ctx.user, ctx.session_token = found
        ctx.logged_in = True
        return
    ctx.user = authenticate(ctx.request.headers.get("Authorization"), ctx.store, cache,
                            settings=ctx.settings, address=ctx.client_address)


def authenticate(header: str | None, store: Store, cache: CredentialCache | None = None,
                 settings=None, address: str | None = None) -> str | None:
    """The authenticated user name, None for anonymous; raises 401 for a wrong password."""
    credentials = basic_credentials(header)
    if credentials is None:
        return None
    name, password = credentials
    user = store.get_user(name)
    if user is None:
        return None
    if cache is None or not cache.remembers(user.name, password, user.password):
        if settings is not None:
            throttle.check_not_blocked(store, settings, address)
        try:
            if settings is not None and throttle.user_blocked(store, settings, user.name):
                raise LoginRequired("Incorrect password")
            _verify(store, user, password, cache)
        except LoginRequired:
            if settings is not None:
                throttle.record_failure(store, settings, address, user.name)
            raise
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    if user.last_login is None or now - user.last_login > LOGIN_REFRESH:
        store.record_login(user.name, now)
    return user.name


def _verify(store: Store, user, password: str, cache: CredentialCache | None) -> None:
    ok, upgraded = check_password(password, user.password)
    if not ok:
        raise LoginRequired("Incorrect password")
    stored = user.password
    if upgraded:
        store.set_password_hash(user.name, upgraded)
        stored = upgraded
    if cache is not None:
        cache.remember(user.name, password, stored)
