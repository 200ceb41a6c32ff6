"""Form parsing that accepts what real clients send and rejects what no client should.

distutils posts multipart bodies with bare ``\\n`` line endings and a charset
after the boundary; twine uses ``\\r\\n``. The standard library's multipart
parser copes with both and spools file parts to temporary files, so a large
upload never sits in memory. Text must be UTF-8: anything else is a 400, not a
silent replacement character.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import parse_qsl

from .http_errors import BadRequest, PayloadTooLarge

with warnings.catch_warnings():  # deprecated in 3.11 but still the most forgiving parser
    warnings.simplefilter("ignore", DeprecationWarning)
    import cgi

MAX_FIELDS = 2000
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass
class UploadedFile:
    """A file part: its client file name, declared type and a seekable file."""
    filename: str
    content_type: str | None
    file: BinaryIO
    part: object = None   # the parser's part object, which closes ``file`` when collected


class Form:
    """The merged query-string and body fields; repeated names keep every value."""

    def __init__(self, items: list[tuple[str, object]]):
        self._values: dict[str, list] = {}
        for name, value in items:
            self._values.setdefault(name, []).append(value)

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def names(self) -> list[str]:
        """Every field name, in first-seen order (for fields named by data, like ``hid_<version>``)."""
        return list(self._values)

    def getall(self, name: str) -> list:
        return list(self._values.get(name, ()))

    def get(self, name: str, default=None):
        """The first value of a field (text or file)."""
        values = self._values.get(name)
        return values[0] if values else default

    def text(self, name: str, default: str = "") -> str:
        """A single text value, stripped; a file part here is a form error."""
        value = self.get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise BadRequest(f"{name}: expected a text field, got a file")
        return value.strip()

    def texts(self, name: str) -> list[str]:
        """Every text value of a repeated field, split on lines, blanks dropped."""
        result = []
        for value in self.getall(name):
            if not isinstance(value, str):
                raise BadRequest(f"{name}: expected a text field, got a file")
            result.extend(line.strip() for line in value.splitlines() if line.strip())
        return result


def parse_form(environ: dict, max_body: int) -> Form:
    """Read the query string and, for form posts, the body."""
    items = _parse_urlencoded(environ.get("QUERY_STRING", "").encode("latin-1"))
    content_type, params = cgi.parse_header(environ.get("CONTENT_TYPE", ""))
    content_type = content_type.lower()
    if content_type not in FORM_TYPES:
        return Form(items)
    length = _content_length(environ)
    if length > max_body:
        raise PayloadTooLarge(f"Request body of {length} bytes exceeds the limit of {max_body} bytes")
    body = environ["wsgi.input"]
    if content_type == "application/x-www-form-urlencoded":
        items += _parse_urlencoded(body.read(length))
    else:
        items += _parse_multipart(body, environ, length)
    return Form(items)


def _content_length(environ: dict) -> int:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadRequest("Content-Length is not a number") from None
    if length < 0:
        raise BadRequest("Content-Length is negative")
    return length


def _parse_urlencoded(raw: bytes) -> list[tuple[str, object]]:
    try:
        return parse_qsl(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8",
                         errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise BadRequest("Form data is not correctly encoded in UTF-8") from None
    except ValueError as err:
        raise BadRequest(f"Malformed form data: {err}") from None


def _parse_multipart(body: BinaryIO, environ: dict, length: int) -> list[tuple[str, object]]:
    headers = {"content-type": environ.get("CONTENT_TYPE", ""), "content-length": str(length)}
    fs_environ = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": headers["content-type"],
                  "CONTENT_LENGTH": str(length), "QUERY_STRING": ""}
    try:
        storage = cgi.FieldStorage(fp=body, headers=headers, environ=fs_environ,
                                   keep_blank_values=True, encoding="utf-8", errors="strict",
                                   max_num_fields=MAX_FIELDS)
        parts = storage.list or []
    except UnicodeDecodeError:
        raise BadRequest("Form data is not correctly encoded in UTF-8") from None
    except ValueError as err:
        raise BadRequest(f"Malformed multipart form data: {err}") from None
    if length and not parts:
        raise BadRequest("Malformed multipart form data: no parts found for the boundary")
    if parts and parts[-1].done != 1:
        raise BadRequest("Malformed multipart form data: the body ends before the closing boundary")
    if any(part.name is None for part in parts):
        raise BadRequest("Malformed multipart form data: a part has no field name")
    items = []
    for part in parts:
        if part.filename is not None:
            items.append((part.name, UploadedFile(part.filename, part.headers.get("content-type"), part.file, part)))
        else:
            value = part.value
            if isinstance(value, bytes):
                try:
                    value = value.decode("utf-8")
                except UnicodeDecodeError:
                    raise BadRequest(f"{part.name}: not correctly encoded in UTF-8") from None
            items.append((part.name, value))
    return items
