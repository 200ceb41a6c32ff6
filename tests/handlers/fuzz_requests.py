"""Hypothesis strategies for whole HTTP requests to the app, by family.

Each strategy draws a ``FuzzRequest``: method, raw path and query, headers and
body bytes. Values mix what real clients send (names and versions that exist,
valid digests and archives, known actions and methods), so that requests get
past the first checks and reach the deeper code, with what no client should
send (random text and bytes, control characters, quotes and CR/LF in names,
huge numbers, broken multipart and XML).
"""
from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote, quote_from_bytes

from hypothesis import strategies as st

from legacy.actions import ACTIONS
from legacy.sessions import csrf_for
from legacy.xmlrpc.methods import METHODS
from tests.conftest import PASSWORD
from tests.distributions import make_sdist, make_wheel

USER = "alice"
SESSION_TOKEN = "f" * 32    # a live session of alice's (the fuzz fixture keeps it alive)
NAMES = ("demo", "Demo", "demo-pkg", "demo_pkg", "other", "x")
VERSIONS = ("1.0", "1.0.post1", "2.0a1", "0.1", "1.0+local", "1.0 ")
METHODS_HTTP = ("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH")
PREFIXES = ("/pypi", "/pypi/", "/legacy/", "/simple", "/simple/", "/packages/", "/docs/",
            "/serversig/", "/mirrors", "/serial", "/daytime", "/last-modified", "/serverkey",
            "/security", "/tos", "/static/pypi.css", "/RPC2", "/", "/id/", "/oauth")
METADATA_FIELDS = ("metadata_version", "summary", "description", "description_content_type",
                   "author", "author_email", "maintainer", "maintainer_email", "home_page",
                   "license", "download_url", "requires_python", "keywords", "platform",
                   "classifiers", "requires", "provides", "obsoletes", "requires_dist",
                   "provides_dist", "obsoletes_dist", "requires_external", "project_urls",
                   "project_url", "provides_extra", "_pypi_hidden", "license_expression")
UPLOAD_FIELDS = ("protocol_version", "filetype", "pyversion", "md5_digest", "sha256_digest",
                 "blake2_256_digest", "comment", "gpg_signature")
FORM_FIELDS = ("name", "version", "package_name", "user_name", "role_name", ":operation",
               "email", "password", "confirm", "otk", "next", "nonce", "username", "CSRFToken",
               "submit_ok", "submit_cancel", "submit_remove", "submit_autohide", "autohide",
               "hid_1.0", "file-ids", "digest", "term", "c", "show", "callback", "pkginfo",
               "gpg_keyid", "agree", "agree_shown", "content")
CLASSIFIERS = ("Programming Language :: Python :: 3", "Topic :: Utilities",
               "Not :: A :: Classifier")


@dataclass
class FuzzRequest:
    method: str
    path: str                       # raw, percent-encoded as on the wire, with the query
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


# -- small values --------------------------------------------------------------------------
def weighted(*choices):
    """``(weight, strategy)`` pairs: each strategy drawn that often (shrinks to the first)."""
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(table).flatmap(lambda strategy: strategy)


# Text that stays printable in a header: latin-1, no control characters.
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF,
                                    blacklist_characters="\x7f"), max_size=40)
nasty_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "..", "../../etc/passwd", "\r\nX-Injected: 1", "a\x00b", "%00",
                     "<script>alert(1)</script>", "javascript:alert(1)", "' OR 1=1 --", "é",
                     "\u202e", "\ud7ff", "A" * 300, "1" * 30, "-1", "1e999", "nan", "UNKNOWN",
                     ".. raw:: html\n\n   <script>x</script>", "http://[x", "//evil.example",
                     "=?utf-8?q?x?=", "a;b", "x,y", "%ff", "\\", "\t"]),
)
name_value = weighted((3, st.sampled_from(NAMES)), (1, nasty_text))
version_value = weighted((3, st.sampled_from(VERSIONS)), (1, nasty_text))
PLAUSIBLE = {
    "summary": st.sampled_from(["A summary", "<b>bold</b>", "x" * 600]),
    "author": st.sampled_from(["A. Author", "<script>alert(1)</script>"]),
    "author_email": st.sampled_from(["a@example.invalid", "not an email", "<a@b>"]),
    "keywords": st.sampled_from(["one two", "a,b,c", "<img src=x onerror=alert(1)>"]),
    "license": st.sampled_from(["MIT", "line one\nline two"]),
    "classifiers": st.sampled_from(CLASSIFIERS),
    "home_page": st.sampled_from(["http://example.invalid/", "https://x.invalid/a?b",
                                  "javascript:alert(1)", "ftp://x", "http://[::1", "http://",
                                  "UNKNOWN", "https://[", "http://x:99999/"]),
    "download_url": st.sampled_from(["https://x.invalid/d.tar.gz", "data:text/html,x", "http://]"]),
    "requires_dist": st.sampled_from(["packaging>=20", "foo; python_version<'3'", "bar[", "",
                                      "x @ http://[", "a (>=1)"]),
    "requires": st.sampled_from(["foo (>=1.0)", "foo (", "x.y"]),
    "provides": st.sampled_from(["foo (1.0)", "foo ("]),
    "requires_python": st.sampled_from([">=3.8", ">=3..", "~=3", "<<4", "==3.*"]),
    "description_content_type": st.sampled_from(
        ["text/markdown", "text/x-rst", "text/plain", "text/markdown; variant=CommonMark",
         "text/markdown; variant=nonsense", "image/png", ";;;", "text/x-rst; charset=x",
         "text/markdown; variant=GFM; charset=utf-8"]),
    "description": st.sampled_from([
        "Hello *world*", ".. raw:: html\n\n   <b>x</b>", ".. include:: /etc/passwd",
        ".. csv-table::\n   :file: /etc/passwd", "`x <javascript:alert(1)>`_",
        "[x](javascript:alert(1))", "<script>alert(1)</script>", "Title\n=====\n\n.. image:: x",
        "====\nbad\n", ".. unknown-directive:: x", ".. raw:: html\n   :file: /etc/passwd",
        ".. csv-table::\n   :url: http://127.0.0.1:9/", "|x|\n\n.. |x| date::",
        "Text\n\n.. include:: README\n", "<iframe src=x></iframe>", "\x0c\x00 control"]),
    "metadata_version": st.sampled_from(["1.0", "1.1", "1.2", "2.1", "2.4", "x"]),
    "project_urls": st.sampled_from(["Home, https://x.invalid", "Bad, javascript:alert(1)",
                                     "NoComma", ", ", "Docs, //evil.invalid",
                                     "Data, data:text/html,<script>x</script>"]),
    "project_url": st.sampled_from(["Home, https://x.invalid", "Bad, JavaScript:alert(1)"]),
    "_pypi_hidden": st.sampled_from(["0", "1", "true", "x"]),
}
METADATA_VALUES = {name: weighted((3, PLAUSIBLE[name]), (1, nasty_text)) if name in PLAUSIBLE
                   else nasty_text for name in METADATA_FIELDS + UPLOAD_FIELDS}


def _field_list(names) -> st.SearchStrategy[list[tuple[str, str]]]:
    pair = st.sampled_from(names).flatmap(lambda n: st.tuples(st.just(n), METADATA_VALUES[n]))
    return st.lists(pair, max_size=6)


metadata_fields = _field_list(METADATA_FIELDS)
upload_metadata_fields = _field_list(METADATA_FIELDS + UPLOAD_FIELDS)
random_fields = st.lists(st.tuples(st.one_of(st.sampled_from(FORM_FIELDS), nasty_text), nasty_text),
                         max_size=4)


# -- bodies --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    name: bytes
    data: bytes
    filename: bytes | None = None
    content_type: bytes | None = None


def multipart(parts: list[Part], boundary: bytes, newline: bytes = b"\r\n") -> bytes:
    """A ``multipart/form-data`` body written by hand, so any name or filename can be sent."""
    out = []
    for part in parts:
        out.append(b"--" + boundary + newline)
        disposition = b'Content-Disposition: form-data; name="' + part.name + b'"'
        if part.filename is not None:
            disposition += b'; filename="' + part.filename + b'"'
        out.append(disposition + newline)
        if part.content_type is not None:
            out.append(b"Content-Type: " + part.content_type + newline)
        out.append(newline + part.data + newline)
    out.append(b"--" + boundary + b"--" + newline)
    return b"".join(out)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def text_parts(pairs) -> list[Part]:
    return [Part(_utf8(k), _utf8(v)) for k, v in pairs]


@lru_cache(maxsize=None)
def distribution(kind: str, name: str, version: str) -> tuple[str, bytes]:
    """A valid sdist or wheel, built once per (kind, name, version)."""
    return (make_wheel if kind == "wheel" else make_sdist)(name, version)


def basic(user: str = USER, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


bad_authorization = st.one_of(
    st.just(None), st.just(basic(password="wrong")), st.just(basic("nobody")),
    st.builds(lambda s: "Basic " + s, header_text), header_text,
    st.builds(lambda b: "Basic " + base64.b64encode(b).decode(), st.binary(max_size=30)),
)
authorization = weighted((6, st.just(basic())), (1, st.just(basic("root"))),
                         (1, st.just(basic("bob"))), (2, bad_authorization))
session_cookie = weighted((5, st.none()), (1, st.just(f"pypi={SESSION_TOKEN}")))
csrf_fields = st.sampled_from([[], [], [("CSRFToken", csrf_for(SESSION_TOKEN))], [("CSRFToken", "x")]])


def _headers(draw, **fixed: str) -> dict[str, str]:
    """``fixed`` plus an Authorization header (or none) and sometimes alice's session cookie."""
    headers = dict(fixed)
    auth, cookie = draw(authorization), draw(session_cookie)
    if auth is not None:
        headers["Authorization"] = auth
    if cookie is not None:
        headers["Cookie"] = cookie
    return headers


# -- uploads and register forms ---------------------------------------------------------------
junk_filenames = st.sampled_from([
    "demo-1.0.tar.gz", "demo-1.0.zip", "/etc/passwd", "../x.tar.gz", "demo-1.0.tar.gz\r\nX: y",
    'demo"1.0.tar.gz', "demo-1.0.whl", "demo-1.0.exe", "demo-1.0.msi", "demo-1.0.egg",
    "C:\\demo-1.0.zip", "demo-1.0.tar.gz\x00.png", "demo-1.0-py3-none-any.whl", "Demo-1.0.tar.gz",
    "demo-1.0.tar.bz2", "..", "demo-1.0.tar.gz/", "d\u00e9mo-1.0.tar.gz"])
filetypes = st.sampled_from(["sdist", "bdist_wheel", "bdist_egg", "bdist_wininst", "bdist_msi",
                             "bdist_dumb", "nonsense"])
upload_versions = weighted((1, st.sampled_from(VERSIONS[:4])),
                           (2, st.integers(0, 199).map(lambda n: f"{n // 10}.{n % 10}")))
signatures = st.sampled_from([b"-----BEGIN PGP SIGNATURE-----\nx\n", b"", b"not armored"])


@st.composite
def uploads(draw) -> FuzzRequest:
    """``file_upload`` as twine and distutils post it: as sent (about half), or bent."""
    kind = draw(st.sampled_from(["sdist", "sdist", "wheel", "junk"]))
    name, version = draw(st.sampled_from(NAMES[:4])), draw(upload_versions)
    filetype = "sdist" if kind == "sdist" else "bdist_wheel"
    if kind == "junk":
        filename = draw(st.one_of(junk_filenames, nasty_text))
        data, filetype = draw(st.binary(max_size=300)), draw(filetypes)
    else:
        filename, data = distribution(kind, name, version)
    fields = [(":action", "file_upload"), ("protocol_version", "1"), ("name", name),
              ("version", version), ("filetype", filetype),
              ("pyversion", "source" if filetype == "sdist" else "py3"),
              ("metadata_version", "2.1"), ("sha256_digest", hashlib.sha256(data).hexdigest())]
    bent = draw(st.booleans())
    if bent:
        fields = [f for f in fields if f[0] == ":action" or draw(st.integers(0, 9))]
        fields = [(k, draw(nasty_text) if not draw(st.integers(0, 9)) else v) for k, v in fields]
        fields += draw(random_fields)
        if draw(st.booleans()):
            fields.append(("md5_digest", draw(st.sampled_from(
                [hashlib.md5(data).hexdigest(), "0" * 32, "zz", hashlib.blake2b(data).hexdigest()]))))
    fields += draw(upload_metadata_fields) + draw(csrf_fields)
    file_name = _utf8(filename)
    if bent and not draw(st.integers(0, 3)):
        file_name = _utf8(draw(st.one_of(junk_filenames, nasty_text)))
    content_type = None
    if bent and not draw(st.integers(0, 3)):
        content_type = draw(st.sampled_from([b"application/octet-stream", b"image/png",
                                             b"text/plain\r\nX: y"]))
    parts = text_parts(fields) + [Part(b"content", data, file_name, content_type)]
    if not draw(st.integers(0, 4)):
        parts.append(Part(b"gpg_signature", draw(signatures), b"x.asc"))
    if bent and not draw(st.integers(0, 5)):
        parts.append(Part(b"content", b"second", b"second.tar.gz"))
    if bent and draw(st.booleans()):
        parts = draw(st.permutations(parts))
    return _multipart_request(draw, draw(st.sampled_from(["/legacy/", "/pypi"])), parts, bent)


member_names = weighted((3, st.sampled_from(["index.html", "a/b.html", "style.css", "../x.html",
                                              "/abs.html", "a\\..\\x", "C:/x", "./index.html",
                                              "a/../../x", "dir/", "index.html/x"])),
                        (1, nasty_text))


@st.composite
def doc_uploads(draw) -> FuzzRequest:
    """``doc_upload`` with a zip of random members (names included), or not a zip at all."""
    buffer = io.BytesIO()
    compression = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        members = st.lists(st.tuples(member_names, st.binary(max_size=50)), max_size=5,
                           unique_by=lambda member: member[0])
        for name, data in draw(members):
            zf.writestr(name or "empty", data)
    archive = buffer.getvalue()
    if not draw(st.integers(0, 5)):
        archive = draw(st.binary(max_size=100))
    fields = [(":action", "doc_upload"), ("name", draw(name_value))] + draw(csrf_fields)
    parts = text_parts(fields) + [Part(b"content", archive, b"docs.zip")]
    return _multipart_request(draw, "/pypi", parts, bent=not draw(st.integers(0, 3)))


boundaries = st.sampled_from([b"----fuzzBoundary7543", b"x", b"--------------GHSKF"])
broken_content_types = st.sampled_from([
    "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=wrong",
    "multipart/mixed; boundary=x", "text/plain", "multipart/form-data; boundary=\"x\"; charset=x"])


def _multipart_request(draw, path: str, parts: list[Part], bent: bool = True) -> FuzzRequest:
    boundary = draw(boundaries)
    newline = draw(st.sampled_from([b"\r\n", b"\r\n", b"\n"]))   # distutils sends bare \n
    body = multipart(parts, boundary, newline)
    content_type = "multipart/form-data; boundary=" + boundary.decode()
    breakage = draw(st.integers(0, 11)) if bent else None
    if breakage == 0:
        body = body[:draw(st.integers(0, len(body)))]
    elif breakage == 1:
        cut = draw(st.integers(0, len(body)))
        body = body[:cut] + draw(st.binary(max_size=20)) + body[cut:]
    elif breakage == 2:
        content_type = draw(broken_content_types)
    return FuzzRequest("POST", path, _headers(draw, **{"Content-Type": content_type}), body)


@st.composite
def register_forms(draw) -> FuzzRequest:
    """distutils ``register``: ``:action=submit`` or ``verify``, urlencoded or multipart."""
    action = draw(st.sampled_from(["submit", "submit", "verify", "submit_pkg_info"]))
    fields = [(":action", action)]
    if draw(st.integers(0, 9)):
        fields.append(("name", draw(name_value)))
    if draw(st.integers(0, 9)):
        fields.append(("version", draw(version_value)))
    fields += draw(metadata_fields) + draw(csrf_fields)
    bent = not draw(st.integers(0, 2))
    if bent:
        fields += draw(random_fields)
    if action == "submit_pkg_info":
        lines = [f"Name: {draw(name_value)}", f"Version: {draw(version_value)}"]
        lines += [f"{k}: {v}" for k, v in draw(metadata_fields)]
        fields.append(("pkginfo", "\n".join(lines)))
    if draw(st.booleans()):
        return _multipart_request(draw, "/pypi", text_parts(fields), bent)
    body = _query(fields).encode()
    content_type = "application/x-www-form-urlencoded"
    return FuzzRequest("POST", "/pypi", _headers(draw, **{"Content-Type": content_type}), body)


# -- XML-RPC -------------------------------------------------------------------------------
xmlrpc_scalars = st.one_of(
    st.integers(-2**70, 2**70), st.booleans(), st.none(), nasty_text, st.sampled_from(NAMES),
    st.floats(allow_nan=True, allow_infinity=True), st.binary(max_size=20),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
struct_keys = st.one_of(st.sampled_from(["name", "version", "summary", "methodName", "params",
                                         "keywords", "description", "author"]), nasty_text)
xmlrpc_values = st.recursive(xmlrpc_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(struct_keys, inner, max_size=4)), max_leaves=8)
xmlrpc_arguments = weighted((2, st.sampled_from(NAMES)), (2, st.sampled_from(VERSIONS)),
                            (1, st.integers(-2, 2**40)), (3, xmlrpc_values))
method_names = weighted((6, st.sampled_from(sorted(METHODS))), (1, nasty_text))
multicall_calls = st.lists(st.fixed_dictionaries({
    "methodName": method_names, "params": st.lists(xmlrpc_arguments, max_size=3)}), max_size=4)
xml_insertions = st.sampled_from([
    b"<", b"&", b"]]>", b"<!DOCTYPE x>", b"<!ENTITY a 'b'>", b"\x00", b"\xff", b"&amp;", b"<value>",
    b"</params>", b"<?xml version='1.0'?>", b"<![CDATA[x]]>", b"&#0;", b"&#x110000;", b"<!-- c -->"])


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_value(value) -> str:
    """Our own marshalling: big ints, NaN, control characters and all."""
    if value is None:
        return "<value><nil/></value>"
    if isinstance(value, bool):
        return f"<value><boolean>{int(value)}</boolean></value>"
    if isinstance(value, int):
        return f"<value><int>{value}</int></value>"
    if isinstance(value, float):
        return f"<value><double>{value!r}</double></value>"
    if isinstance(value, bytes):
        return f"<value><base64>{base64.b64encode(value).decode()}</base64></value>"
    if isinstance(value, datetime):
        return f"<value><dateTime.iso8601>{value:%Y%m%dT%H:%M:%S}</dateTime.iso8601></value>"
    if isinstance(value, list):
        return "<value><array><data>" + "".join(map(xml_value, value)) + "</data></array></value>"
    if isinstance(value, dict):
        return ("<value><struct>" + "".join(f"<member><name>{_escape(k)}</name>{xml_value(v)}</member>"
                                            for k, v in value.items()) + "</struct></value>")
    return f"<value><string>{_escape(value)}</string></value>"


def method_call(method: str, params) -> bytes:
    body = (f"<?xml version='1.0'?><methodCall><methodName>{_escape(method)}</methodName><params>"
            + "".join(f"<param>{xml_value(p)}</param>" for p in params) + "</params></methodCall>")
    return body.encode("utf-8", "surrogatepass")


@st.composite
def xmlrpc_calls(draw) -> FuzzRequest:
    method = draw(method_names)
    if method == "system.multicall" and draw(st.booleans()):
        params = [draw(multicall_calls)]
    else:
        params = draw(st.lists(xmlrpc_arguments, max_size=4))
    body = method_call(method, params)
    mutation = draw(st.integers(0, 7))
    if mutation == 0:
        body = body[:draw(st.integers(0, len(body)))]
    elif mutation == 1:
        cut = draw(st.integers(0, len(body)))
        body = body[:cut] + draw(xml_insertions) + body[cut:]
    elif mutation == 2:
        body = draw(st.binary(max_size=200))
    path = draw(st.sampled_from(["/pypi", "/RPC2", "/pypi/", "/legacy/"]))
    content_type = draw(st.sampled_from(["text/xml", "text/xml", "text/xml; charset=utf-8"]))
    method = "POST" if draw(st.integers(0, 9)) else draw(st.sampled_from(["GET", "PUT", "HEAD"]))
    return FuzzRequest(method, path, _headers(draw, **{"Content-Type": content_type}), body)


# -- URL space -----------------------------------------------------------------------------
segment = weighted(
    (4, st.sampled_from(NAMES + VERSIONS + ("json", "doap", "display", "files", "", ".", "..",
                                            "index.html", "source", "d", "demo-1.0.tar.gz"))),
    (1, st.builds(lambda b: quote_from_bytes(b, safe=""), st.binary(max_size=12))),
    (1, st.builds(lambda t: quote(_utf8(t), safe=""), st.text(max_size=12))),
    (1, st.sampled_from(["%2e%2e", "%252e%252e", "..%5c", "%c0%ae%c0%ae", "%00", "%0d%0a", "%ff",
                         "%2f", "a%2fb", "\\..\\"])),
)
prefixes = weighted((6, st.sampled_from(("/pypi/", "/pypi"))), (3, st.sampled_from(PREFIXES)))
actions = weighted((6, st.sampled_from(sorted(ACTIONS))), (1, nasty_text))
query_fields = st.lists(st.tuples(st.one_of(st.sampled_from(FORM_FIELDS), nasty_text),
                                  weighted((2, st.sampled_from(NAMES + VERSIONS)), (1, nasty_text))),
                        max_size=4)


def _query(pairs) -> str:
    return "&".join(f"{quote(_utf8(k), safe=':')}={quote(_utf8(v))}" for k, v in pairs)


@st.composite
def url_requests(draw) -> FuzzRequest:
    path = draw(prefixes) + "/".join(draw(st.lists(segment, max_size=4)))
    if draw(st.booleans()):
        path += draw(st.sampled_from(["", "/"]))
    pairs = [(":action", draw(actions))] if draw(st.integers(0, 3)) else []
    pairs += draw(query_fields)
    query = _query(pairs)
    if not draw(st.integers(0, 9)):
        query = draw(st.sampled_from(["%ff", "a=%", "=&=&", ";;;", "a=1;b=2", ":action"]))
    method = draw(st.sampled_from(METHODS_HTTP))
    headers = _headers(draw)
    if method in ("POST", "PUT", "PATCH") and pairs and draw(st.booleans()):
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return FuzzRequest(method, path, headers, query.encode())
    return FuzzRequest(method, path + ("?" + query if query else ""), headers)


# -- headers and cookies -------------------------------------------------------------------
HEADER_NAMES = ("Cookie", "Accept", "Range", "If-None-Match", "If-Modified-Since", "Origin",
                "Sec-Fetch-Site", "X-Forwarded-For", "X-Forwarded-Proto", "Host", "Referer",
                "Content-Type", "User-Agent", "Accept-Encoding", "Authorization", "Content-Length")
HEADER_VALUES = {
    "Cookie": st.one_of(st.builds(lambda v: f"pypi={v}", header_text),
                        st.builds(lambda a, b: f"pypi={a}; login_nonce={b}", header_text, header_text),
                        st.just("pypi=" + SESSION_TOKEN), st.just(f"pypi={SESSION_TOKEN}; pypi=x"),
                        header_text),
    "Accept": st.sampled_from(["application/vnd.pypi.simple.v1+json", "text/html;q=0.1, */*;q=x",
                               "application/vnd.pypi.simple.v1+html", "application/json", "*/*",
                               ";;,,q=", "text/*;q=0"]),
    "Range": st.sampled_from(["bytes=0-0", "bytes=-5", "bytes=5-", "bytes=10-1", "bytes=0-1,2-3",
                              "bytes=99999999999999999999-", "items=0-1", "bytes=-0", "bytes=-"]),
    "If-None-Match": st.sampled_from(['"x"', "*", 'W/"x", "y"', ",,,"]),
    "If-Modified-Since": st.sampled_from(["Sat, 29 Oct 1994 19:43:31 GMT", "yesterday",
                                          "Mon, 99 Foo 9999 99:99:99 GMT", "",
                                          "Fri, 31 Dec 9999 23:59:59 GMT"]),
    "Origin": st.sampled_from(["null", "http://evil.example", "http://localhost", "http://["]),
    "Sec-Fetch-Site": st.sampled_from(["cross-site", "same-origin", "none"]),
    "Host": st.sampled_from(["localhost", "evil.example", "localhost:99999", "[::1", ""]),
    "X-Forwarded-For": st.sampled_from(["127.0.0.1", "::1, 10.0.0.1", "not an address", ",,,"]),
    "X-Forwarded-Proto": st.sampled_from(["https", "gopher", ""]),
    "Content-Type": st.sampled_from(["text/xml", "multipart/form-data", "application/json",
                                     "application/x-www-form-urlencoded; charset=latin-1"]),
    "Content-Length": st.sampled_from(["0", "5", "99999999999999999999"]),   # waitress refuses others
    "Authorization": authorization.filter(lambda value: value is not None),
}
PAGES = ("/pypi", "/pypi?:action=user_form", "/pypi?:action=login_form", "/pypi/demo",
         "/pypi/demo/1.0", "/pypi/demo/json", "/simple/", "/simple/demo/", "/serverkey",
         "/packages/source/d/demo/demo-1.0.tar.gz", "/pypi?:action=submit_form",
         "/pypi?:action=pkg_edit&name=demo", "/pypi?:action=logout", "/pypi?:action=login",
         "/pypi?:action=files&name=demo&version=1.0", "/serial", "/docs/demo/", "/mirrors",
         "/pypi?:action=role_form&package_name=demo", "/pypi?:action=rss", "/serversig/demo/",
         "/pypi?:action=doap&name=demo", "/pypi?:action=search&term=demo", "/pypi?:action=clear_auth")


@st.composite
def header_requests(draw) -> FuzzRequest:
    """Known pages with random cookies and headers: the request shape stays plain."""
    headers = {}
    for name in draw(st.lists(st.sampled_from(HEADER_NAMES), max_size=5, unique=True)):
        headers[name] = draw(HEADER_VALUES.get(name, header_text))
    method = draw(st.sampled_from(["GET", "GET", "HEAD", "POST"]))
    return FuzzRequest(method, draw(st.sampled_from(PAGES)), headers)
