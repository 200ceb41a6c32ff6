"""HTTP errors in the legacy shape: the message is also the reason phrase.

distutils prints ``Upload failed (400): <reason>`` and twine shows
``response.reason``, so the status line carries the message, made single-line
and Latin-1 safe.
"""
from __future__ import annotations

from html import escape

from webob import Response

LOGIN_CHALLENGE = ("WWW-Authenticate", 'Basic realm="pypi"')
MAX_REASON = 200


class HTTPError(Exception):
    status = 500
    heading: str | None = None

    def __init__(self, message: str, *, heading: str | None = None, headers=(), html_extra: str = ""):
        super().__init__(message)
        self.message = message
        if heading is not None:
            self.heading = heading
        self.headers = list(headers)
        self.html_extra = html_extra

    def response(self) -> Response:
        parts = [self.heading, self.message] if self.heading else [self.message]
        if self.html_extra:
            body = "<html><body>" + "".join(f"<p>{escape(p)}</p>" for p in parts) + self.html_extra + "</body></html>\n"
            content_type = "text/html"
        else:
            body = "\n\n".join(parts) + "\n"
            content_type = "text/plain"
        response = Response(body, status=f"{self.status} {reason_phrase(self.message)}",
                            content_type=content_type, charset="utf-8")
        for name, value in self.headers:
            response.headers[name] = value
        return response


def reason_phrase(message: str) -> str:
    """One line of Latin-1 text: what a status line can carry."""
    line = " ".join(message.split())[:MAX_REASON]
    return line.encode("latin-1", "replace").decode("latin-1") or "Error"


class BadRequest(HTTPError):
    status = 400
    heading = "Error processing form"


class LoginRequired(HTTPError):
    status = 401
    heading = "Login required"

    def __init__(self, message: str = "You must login to access this feature", **kwargs):
        super().__init__(message, headers=[LOGIN_CHALLENGE], **kwargs)


class Forbidden(HTTPError):
    status = 403
    heading = "Forbidden"


class NotFound(HTTPError):
    status = 404

    def __init__(self, message: str = "Not Found", **kwargs):
        super().__init__(message, **kwargs)


class MethodNotAllowed(HTTPError):
    status = 405


class PayloadTooLarge(HTTPError):
    status = 413


class NotImplementedYet(HTTPError):
    status = 501
