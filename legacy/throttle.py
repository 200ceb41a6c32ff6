"""Failed-login throttling (HEAD's ``[blocking]``), counted in the store.

The counters live in the store so that every server process sees the same
numbers. More than ``blocked_attempts_ip`` failures from one address within
``blocked_timeout`` seconds block that address (403 "Blocked IP"); more than
``blocked_attempts_user`` failures for one user make every password check for
that user fail until the window passes.
"""
from __future__ import annotations

from datetime import timedelta

from .http_errors import Forbidden
from .sessions import now


def _window(settings):
    current = now()
    return current, current - timedelta(seconds=settings.blocked_timeout)


def check_not_blocked(store, settings, address: str | None) -> None:
    if address is None:
        return
    _, start = _window(settings)
    if store.login_failures(f"ip:{address}", start) > settings.blocked_attempts_ip:
        raise Forbidden("Blocked IP")


def user_blocked(store, settings, user: str) -> bool:
    _, start = _window(settings)
    return store.login_failures(f"user:{user}", start) > settings.blocked_attempts_user


def record_failure(store, settings, address: str | None, user: str | None) -> None:
    current, start = _window(settings)
    if address is not None:
        store.count_login_failure(f"ip:{address}", current, start)
    if user is not None:
        store.count_login_failure(f"user:{user}", current, start)


def record_success(store, user: str) -> None:
    store.clear_login_failures(f"user:{user}")
