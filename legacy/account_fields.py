"""The account form fields, checked as legacy 2010 checked them (users-and-roles.md §1, §4).

Each check raises ``BadRequest`` with legacy's message, so a client or a
person sees exactly what to fix; sizes are bounded so that no field can
fill the database.
"""
from __future__ import annotations

import re

from .http_errors import BadRequest

MAX_NAME, MAX_EMAIL, MAX_PASSWORD = 100, 254, 1024
_NAME = re.compile(r"^[A-Za-z0-9._]+$")
_EMAIL_CHARS = re.compile(r"^[A-Za-z0-9._+@-]+$")
_GPG = re.compile(r"^[0-9A-Fa-f]{8}$")


def check_user_name(name: str) -> str:
    if not name:
        raise BadRequest("name is required")
    if len(name) > MAX_NAME or not _NAME.match(name):
        raise BadRequest("Username is invalid (ASCII alphanum,.,_ only)")
    return name


def check_email(email: str) -> str:
    if not email:
        raise BadRequest("email is required")
    if len(email) > MAX_EMAIL or not _EMAIL_CHARS.match(email):
        raise BadRequest("Email is invalid (ASCII only)")
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or "@" in domain:
        raise BadRequest("Email is invalid")
    return email


def check_gpg_keyid(value: str) -> str | None:
    """Eight hex digits, or empty (which clears the key id)."""
    if not value:
        return None
    if not _GPG.match(value):
        raise BadRequest("GPG key ID is invalid")
    return value.upper()


def check_new_password(password: str, confirm: str, user_name: str) -> str:
    """Both given and equal; not trivially weak (HEAD's rules, shortened)."""
    if not password or not confirm:
        raise BadRequest("password and confirm are required")
    if password != confirm:
        raise BadRequest("password and confirm don't match")
    if len(password) > MAX_PASSWORD:
        raise BadRequest(f"Password is too long (at most {MAX_PASSWORD} characters)")
    if len(password) < 8:
        raise BadRequest("Password is too short (at least 8 characters)")
    if password == user_name:
        raise BadRequest("Password must not be the user name")
    return password
