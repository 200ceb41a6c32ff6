"""PKG-INFO (RFC 822 headers) read as the register form, for ``submit_pkg_info``.

Header names are lower-cased with ``-`` turned into ``_``; repeated headers
become repeated fields; ``Classifier`` feeds ``classifiers``; a message body
(metadata 2.1 and later) is the description.
"""
from __future__ import annotations

from email.parser import HeaderParser

from .forms import Form, UploadedFile
from .http_errors import BadRequest

MAX_PKGINFO = 4 * 1024 * 1024
RENAMED = {"classifier": "classifiers"}


def pkginfo_form(value) -> Form:
    text = _text(value)
    message = HeaderParser().parsestr(text)
    if not message.keys():
        raise BadRequest("pkginfo: no metadata headers found")
    items = []
    for header, field_value in message.items():
        name = header.strip().lower().replace("-", "_")
        items.append((RENAMED.get(name, name), str(field_value)))
    body = message.get_payload()
    if isinstance(body, str) and body.strip() and "description" not in message:
        items.append(("description", body))
    return Form(items)


def _text(value) -> str:
    if value is None or value == "":
        raise BadRequest("pkginfo: the PKG-INFO file is required")
    if isinstance(value, UploadedFile):
        raw = value.file.read(MAX_PKGINFO + 1)
    else:
        raw = value.encode("utf-8")
    if len(raw) > MAX_PKGINFO:
        raise BadRequest(f"pkginfo: larger than {MAX_PKGINFO} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("pkginfo: not correctly encoded in UTF-8") from None
