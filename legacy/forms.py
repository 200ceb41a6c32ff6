"""Form parsing that accepts what real clients send and rejects what no client should.

Every client of today (twine, browsers, Python 3's distutils) separates
multipart lines with ``\\r\\n``; those bodies go through the ``multipart``
package, which keeps a small file part in memory and spools a larger one to a
temporary file, so a large upload never sits in memory. Python 2's distutils
separated them with a bare ``\\n``, which only the standard library's more
forgiving (and about five times slower) ``cgi`` parser reads; the first
delimiter line of a body decides which one it gets. Text must be UTF-8:
anything else is a 400, not a silent replacement character.
"""
from __future__ import annotations

import io
import tempfile
import warnings
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import parse_qsl

import multipart

from .http_errors import BadRequest, PayloadTooLarge

with warnings.catch_warnings():  # deprecated in 3.11; the one parser of bare-\n bodies
    warnings.simplefilter("ignore", DeprecationWarning)
    import cgi

MAX_FIELDS = 2000
PEEK = 64 << 10            # bytes read ahead to find the first delimiter line
SPOOL_AT = 64 << 10        # a file part larger than this goes to a temporary file
READ_CHUNK = 64 << 10
MAX_TEXT_BYTES = 32 << 20  # all text parts of a \r\n body (a description may have 4 Mi characters)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass
class UploadedFile:
    """A file part: its client file name, declared type and a seekable file."""
    filename: str
    content_type: str | None
    file: BinaryIO


class Form:
    """The merged query-string and body fields; repeated names keep every value."""

    def __init__(self, items: list[tuple[str, object]]):
        self._values: dict[str, list] = {}
        for name, value in items:
            self._values.setdefault(name, []).append(value)

    def close(self) -> None:
        """Close the files of the file parts (and so remove those spooled to disk)."""
        for values in self._values.values():
            for value in values:
                if isinstance(value, UploadedFile):
                    value.file.close()

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
    content_type, options = multipart.parse_options_header(environ.get("CONTENT_TYPE", ""))
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
        items += _parse_multipart(body, environ, length, options.get("boundary", ""))
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


def _parse_multipart(body: BinaryIO, environ: dict, length: int,
                     boundary: str) -> list[tuple[str, object]]:
    if not length:
        return []
    head = body.read(min(length, PEEK))
    if _first_delimiter_ends_in_crlf(head, boundary):
        parts = _crlf_parts(head, body, boundary, length)
    else:
        parts = _cgi_parts(io.BufferedReader(_Replayed(head, body), PEEK), environ, length)
    if not parts:
        raise BadRequest("Malformed multipart form data: no parts found for the boundary")
    return [(name, UploadedFile(filename, content_type, file) if filename is not None else value)
            for name, filename, content_type, file, value in parts]


def _first_delimiter_ends_in_crlf(head: bytes, boundary: str) -> bool:
    try:
        delimiter = b"--" + boundary.encode("ascii")
    except UnicodeEncodeError:
        return False
    at = head.find(delimiter) if boundary else -1
    return at >= 0 and head[at + len(delimiter):at + len(delimiter) + 2] == b"\r\n"


def _crlf_parts(head: bytes, rest: BinaryIO, boundary: str, length: int) -> list[tuple]:
    """``(name, filename, content type, file, text)`` by ``multipart``'s push parser, fed
    ``head`` and then the rest of the body: a file part goes to a file spooled to disk past
    ``SPOOL_AT`` bytes, a text part to memory; every file made is closed again if the body
    turns out bad."""
    parser = multipart.PushMultipartParser(boundary, content_length=length,
                                           max_segment_count=MAX_FIELDS)
    parts, segment, sink = [], None, None
    chunk, remaining, text_bytes = head, length - len(head), 0
    try:
        with parser:
            while chunk:
                for event in parser.parse(chunk):
                    if isinstance(event, multipart.MultipartSegment):
                        segment, sink = event, _sink_for(event)
                    elif event is None:
                        parts.append(_finished_part(segment, sink))
                        segment = sink = None
                    elif segment.filename is not None:
                        sink.write(event)
                    else:
                        text_bytes += len(event)
                        if text_bytes > MAX_TEXT_BYTES:
                            raise PayloadTooLarge(f"The form's text fields exceed "
                                                  f"{MAX_TEXT_BYTES} bytes")
                        sink += event
                chunk = rest.read(min(READ_CHUNK, remaining)) if remaining > 0 else b""
                remaining -= len(chunk)
    except BaseException as err:
        _close_files(parts)
        if isinstance(sink, tempfile.SpooledTemporaryFile):
            sink.close()
        if isinstance(err, multipart.MultipartError):
            raise BadRequest(f"Malformed multipart form data: {err}") from None
        raise
    return parts


def _sink_for(segment) -> tempfile.SpooledTemporaryFile | bytearray:
    if not segment.name:
        raise BadRequest("Malformed multipart form data: a part has no field name")
    if segment.filename is None:
        return bytearray()
    return tempfile.SpooledTemporaryFile(SPOOL_AT)


def _finished_part(segment, sink) -> tuple:
    if segment.filename is None:
        try:
            return segment.name, None, None, None, sink.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest(f"{segment.name}: not correctly encoded in UTF-8") from None
    sink.seek(0)
    return segment.name, _filename_as_sent(segment), segment.content_type, sink, None


def _filename_as_sent(segment) -> str:
    """The part's file name unquoted but otherwise whole: ``multipart`` cuts a Windows path
    down to its last component, which would let ``\\\\host\\share\\x.tar.gz`` pass as
    ``x.tar.gz`` where the upload checks must see (and refuse) the name that was sent."""
    disposition = next((value for name, value in segment.headerlist
                        if name.lower() == "content-disposition"), "")
    _, options = multipart.parse_options_header(disposition, unquote=_unquote)
    return options.get("filename", segment.filename)


def _unquote(value: str, filename: bool = False) -> str:
    return multipart.content_disposition_unquote(value)


def _close_files(parts: list[tuple]) -> None:
    for part in parts:
        if part[3] is not None:
            part[3].close()


def _cgi_parts(body: BinaryIO, environ: dict, length: int) -> list[tuple]:
    """The same tuples as ``_crlf_parts``, by the standard library's parser (which decodes
    text parts as strict UTF-8 itself)."""
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
    if parts and parts[-1].done != 1:
        raise BadRequest("Malformed multipart form data: the body ends before the closing boundary")
    if any(part.name is None for part in parts):
        raise BadRequest("Malformed multipart form data: a part has no field name")
    return [_cgi_part(part) for part in parts]


def _cgi_part(part) -> tuple:
    if part.filename is None:
        return part.name, None, None, None, part.value
    file, part.file = part.file, None   # else the part closes it when it is collected
    return part.name, part.filename, part.headers.get("content-type"), file, None


class _Replayed(io.RawIOBase):
    """The request body again from its start, of which ``head`` was read already (for
    ``cgi``, which reads it itself)."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)
