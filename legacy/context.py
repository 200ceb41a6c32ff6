"""What a handler gets: the request, the caller, the settings and the two stores."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from webob import Request

from storage_backends.interface import BlobStore, Store
from storage_backends.records import Actor

from . import sessions
from .forms import Form, parse_form
from .http_errors import Forbidden, LoginRequired
from .page_cache import PageCache


@dataclass
class RequestContext:
    request: Request
    settings: Any          # pypi.config.Config; typed loosely so legacy/ does not import pypi/
    store: Store
    blobs: BlobStore
    user: str | None = None
    path_args: dict[str, str] = field(default_factory=dict)
    # A session cookie makes the caller "logged in"; HTTP Basic only "authenticated".
    logged_in: bool = False
    session_token: str | None = None   # the cookie value, repeated on every page
    pages: PageCache | None = None     # the process's built pages (None: build every time)

    @cached_property
    def form(self) -> Form:
        return parse_form(self.request.environ, self.settings.max_upload_size + (1 << 20))

    def close(self) -> None:
        """The request is answered: its uploaded files go (a spooled one from the disk)."""
        if "form" in self.__dict__:
            self.form.close()

    def field(self, name: str, default: str = "") -> str:
        """A text field, where values taken from the path win over the form."""
        if name in self.path_args:
            return self.path_args[name]
        return self.form.text(name, default)

    def csrf_token(self) -> str:
        """The token every POST form of a session user carries (see ``legacy.sessions``)."""
        return sessions.csrf_for(self.session_token) if self.session_token else ""

    def finish_page(self, response):
        """Repeat the session cookie on a rendered page, as legacy did."""
        if self.session_token:
            sessions.set_cookie(response, self.settings, self.session_token)
        return response

    @property
    def actor(self) -> Actor:
        return Actor(self.user, self.client_address)

    @property
    def client_address(self) -> str | None:
        forwarded = self.request.headers.get("X-Forwarded-For")
        if forwarded:
            return forwarded.split(",")[0].strip()
        return self.request.remote_addr

    def require_login(self, message: str = "You must login to access this feature") -> str:
        if self.user is None:
            raise LoginRequired(message)
        return self.user

    def require_role(self, project: str, *roles: str, message: str) -> None:
        """403 unless the user holds one of ``roles`` on ``project`` (or site-wide)."""
        if not self.store.has_role(self.require_login(), project, *roles):
            raise Forbidden(message)
