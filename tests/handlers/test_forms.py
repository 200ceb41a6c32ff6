"""``legacy.forms``: both multipart parsers give the same form, and no file part outlives it."""
from __future__ import annotations

import io
import tempfile

import pytest

from legacy import forms
from legacy.http_errors import BadRequest, PayloadTooLarge

BOUNDARY = "-----bOuNdArY-7f3a"
FIELDS = [(":action", "file_upload"), ("name", "demo"), ("summary", "Caf\u00e9 \u2615"),
          ("classifiers", "Programming Language :: Python"),
          ("classifiers", "License :: OSI Approved :: MIT License"), ("comment", "")]
SMALL = bytes(range(256)) * 4 + b"\r\n\n\r--" + BOUNDARY.encode()[:-1]   # delimiter-like bytes
LARGE = bytes(range(256)) * 1024                                        # past the spool size


def body(newline: str, content: bytes, filename: str = "demo-1.0.tar.gz") -> bytes:
    """A form as twine (``\\r\\n``) or Python 2's distutils (``\\n``) writes it."""
    out = b""
    for name, value in FIELDS:
        out += (f"--{BOUNDARY}{newline}Content-Disposition: form-data; name=\"{name}\""
                f"{newline}{newline}{value}{newline}").encode()
    out += (f"--{BOUNDARY}{newline}Content-Disposition: form-data; name=\"content\"; "
            f"filename=\"{filename}\"{newline}Content-Type: application/x-tar"
            f"{newline}{newline}").encode()
    return out + content + f"{newline}--{BOUNDARY}--{newline}".encode()


def with_text_part(raw: bytes, name: str, text: bytes) -> bytes:
    """``raw`` with a text part after its file part, before the closing delimiter."""
    closing = f"--{BOUNDARY}--\r\n".encode()
    return (raw.replace(closing, b"") + f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
            f"name=\"{name}\"\r\n\r\n".encode() + text + b"\r\n" + closing)


def parse(raw: bytes, boundary: str = BOUNDARY) -> forms.Form:
    return forms.parse_form({"CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
                             "CONTENT_LENGTH": str(len(raw)), "wsgi.input": io.BytesIO(raw),
                             "QUERY_STRING": ""}, 1 << 30)


@pytest.mark.parametrize("content", [SMALL, LARGE], ids=["in-memory", "spooled"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "bare-lf"])
def test_both_line_endings_give_the_same_form(newline, content):
    form = parse(body(newline, content))
    assert [(name, form.getall(name)) for name in form.names() if name != "content"] == [
        (":action", ["file_upload"]), ("name", ["demo"]), ("summary", ["Caf\u00e9 \u2615"]),
        ("classifiers", ["Programming Language :: Python",
                         "License :: OSI Approved :: MIT License"]),
        ("comment", [""])]
    uploaded = form.get("content")
    assert (uploaded.filename, uploaded.content_type) == ("demo-1.0.tar.gz", "application/x-tar")
    assert uploaded.file.read() == content
    uploaded.file.seek(0)
    assert uploaded.file.read(3) == content[:3]
    form.close()
    assert uploaded.file.closed


def test_the_body_is_read_in_chunks_whatever_its_size():
    raw = body("\r\n", LARGE * 3)
    reads = []

    class Counting(io.BytesIO):
        def read(self, size=-1):
            reads.append(size)
            return super().read(size)

    form = forms.parse_form({"CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
                             "CONTENT_LENGTH": str(len(raw)), "wsgi.input": Counting(raw),
                             "QUERY_STRING": ""}, 1 << 30)
    assert form.get("content").file.read() == LARGE * 3
    assert reads and all(0 < size <= forms.READ_CHUNK for size in reads)
    form.close()


def test_a_windows_path_reaches_the_checks_whole():
    form = parse(body("\r\n", SMALL, filename="C:\\Users\\me\\demo-1.0.tar.gz"))
    assert form.get("content").filename == "C:\\Users\\me\\demo-1.0.tar.gz"
    form.close()


def spooled_files(monkeypatch) -> list:
    """Every spooled file the parser makes from now on, to check that each was closed."""
    made = []

    class Tracked(tempfile.SpooledTemporaryFile):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(forms.tempfile, "SpooledTemporaryFile", Tracked)
    return made


@pytest.mark.parametrize("cut", [0.5, 0.99], ids=["mid-file", "before-closing-delimiter"])
def test_a_body_cut_short_is_400_and_leaves_no_file_open(monkeypatch, cut):
    made = spooled_files(monkeypatch)
    raw = body("\r\n", LARGE)
    with pytest.raises(BadRequest, match="Malformed multipart form data"):
        parse(raw[:int(len(raw) * cut)])
    assert made and all(file.closed for file in made)


def test_text_that_is_not_utf8_is_400_and_closes_the_files(monkeypatch):
    made = spooled_files(monkeypatch)
    with pytest.raises(BadRequest, match="author: not correctly encoded in UTF-8"):
        parse(with_text_part(body("\r\n", LARGE), "author", b"Andr\xe9"))
    assert made and all(file.closed for file in made)


@pytest.mark.parametrize("raw", [
    b"\r\n--" + BOUNDARY.encode() + b"--\r\n",
    ("--" + BOUNDARY + "\r\nContent-Disposition: form-data\r\n\r\nx\r\n--" + BOUNDARY
     + "--\r\n").encode(),
    ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--" + BOUNDARY
     + "--\r\n").encode(),
], ids=["no-parts", "no-name", "empty-name"])
def test_a_form_without_named_parts_is_400(raw):
    with pytest.raises(BadRequest, match="Malformed multipart form data"):
        parse(raw)


def test_more_parts_than_the_limit_is_400():
    raw = "".join(f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nx\r\n"
                  for i in range(forms.MAX_FIELDS + 1)) + f"--{BOUNDARY}--\r\n"
    with pytest.raises(BadRequest, match="Malformed multipart form data"):
        parse(raw.encode())


def test_text_fields_past_the_limit_are_413_and_close_the_files(monkeypatch):
    made = spooled_files(monkeypatch)
    monkeypatch.setattr(forms, "MAX_TEXT_BYTES", 100_000)
    with pytest.raises(PayloadTooLarge, match="text fields exceed 100000 bytes"):
        parse(with_text_part(body("\r\n", LARGE), "description", b"x" * 100_000))
    assert made and all(file.closed for file in made)
    form = parse(with_text_part(body("\r\n", LARGE), "description", b"x" * 90_000))
    assert len(form.get("description")) == 90_000
    assert form.get("content").file.read() == LARGE
    form.close()
