"""Helpers for the web-UI handler tests: log in through the form, read mails, CSRF tokens."""
from __future__ import annotations

import email
import re
from pathlib import Path

from tests.conftest import PASSWORD


def login(web, user: str, password: str = PASSWORD):
    """Log in through ``login_form``; the TestApp keeps the ``pypi`` cookie."""
    page = web.get("/pypi", params={":action": "login_form"})
    nonce = page.html.find("input", {"name": "nonce"})["value"]
    response = web.post("/pypi", params={":action": "login_form", "nonce": nonce,
                                         "username": user, "password": password}, status=303)
    assert web.cookies.get("pypi")
    return response


def csrf(web, action: str = "user_form", **params) -> str:
    """The CSRF token from a page (every session page carries the same one)."""
    page = web.get("/pypi", params={":action": action, **params})
    field = page.html.find("input", {"name": "CSRFToken"})
    return field["value"]


def mails(config) -> list[email.message.Message]:
    directory = Path(config.mail_directory)
    if not directory.exists():
        return []
    return [email.message_from_bytes(p.read_bytes())
            for p in sorted(directory.glob("*.eml"))]


def link_in(message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"https?://\S+", body).group(0)
