"""Hostile input, as one parametrised matrix per attack: each case must get a clear 4xx
(or an XML-RPC fault, or a harmless success), never a 5xx, and leave nothing it
should not have touched.

- path traversal in every encoding under /packages/, /docs/, /simple/, /serversig/
  and in upload filenames, absolute paths and NUL bytes: the secret file beside the
  data directories is never served, nothing is written outside them;
- CR/LF and non-Latin-1 text in names that reach Location and Content-Disposition;
- XML-RPC bodies with DTDs, entities (internal, external, parameter), XInclude and
  broken encodings, beyond test_xmlrpc_bad_input: faults, no file read, no
  connection made;
- bodies over the limits: 413 for upload and register forms (XML-RPC answers its
  legacy fault, test_xmlrpc_bad_input; the real server's 413 is in
  tests/clients/test_slow_clients.py, and so are slow clients);
- documentation zips with hostile members, beyond test_web_docs;
- reStructuredText and Markdown that try to include files, fetch URLs or pass raw
  HTML, and script in every metadata field shown on a page: pages stay inert
  (``inert_html``), javascript: URLs never become links;
- open redirects through ``next``.

Each case records how many hostile inputs it tried (``hostile_inputs``).
"""
from __future__ import annotations

import io
import itertools
import socket
import stat
import zipfile
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import webtest

from legacy import sessions
from pypi.app import PypiApp
from pypi.backends import open_backends
from pypi.config import Config
from storage_backends.records import ADMIN, Actor, ReleaseMetadata
from tests.conftest import PASSWORD, basic_auth
from tests.distributions import make_sdist

from .inert_html import assert_inert, problems
from .test_bad_input import BOUNDARY
from .uploading import register
from .xmlrpc_calls import post_xml

SECRET = "TOP-SECRET-CONTENT"
INJECTED = "X-Injected"
UNIQUE = itertools.count()   # project names for cases that share the module's site
ON_SITE = ("", "localhost", "127.0.0.1:8080")   # the request's host; the default [webui] url's


# -- one site for the read-only cases --------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory, password_hash):
    """demo 1.0 with an sdist and docs, alice its Owner; ``secret.txt`` beside the data dirs."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "secret.txt").write_text(SECRET)
    config = Config(database_url=f"sqlite:///{root / 'pypi.db'}", files_dir=root / "packages",
                    docs_dir=root / "docs", max_upload_size=1 << 20)
    app = PypiApp(config, *open_backends(config, create=True))
    for name in ("alice", "bob", "root"):
        app.store.create_user(name, f"{name}@example.org", password_hash)
    app.store.add_role(Actor("root"), ADMIN, "root", None)
    web = webtest.TestApp(app)
    register(web, "demo", "1.0", status=200)
    filename, data = make_sdist("demo", "1.0")
    web.post("/legacy/", params={":action": "file_upload", "name": "demo", "version": "1.0",
                                 "filetype": "sdist", "pyversion": "source"},
             upload_files=[("content", filename, data)], headers=basic_auth("alice"), status=200)
    web.post("/pypi", params={":action": "doc_upload", "name": "demo"},
             upload_files=[("content", "docs.zip", _zip({"index.html": b"docs", "sub/a.html": b"a"}))],
             headers=basic_auth("alice"), status=301)
    yield app, web, root
    app.close()


def _zip(members: dict[str, bytes], modes: dict[str, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            if modes and name in modes:
                info.external_attr = modes[name] << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and p.suffix not in (".db", ".db-wal", ".db-shm", ".db-journal")}


def _headers_are_clean(response) -> None:
    for name, value in response.headerlist:
        assert name.lower() != INJECTED.lower(), response.headerlist
        assert "\r" not in value and "\n" not in value, (name, value)
        value.encode("latin-1")


def _check(response, count: int = 1, record=None):
    assert response.status_int < 500, (response.request.url, response.status)
    assert SECRET not in response.text
    assert b"Traceback" not in response.body
    _headers_are_clean(response)
    if response.status_int in (301, 302, 303, 307, 308):
        assert urlsplit(response.location).netloc in ON_SITE, response.location
    if record is not None:
        record("hostile_inputs", count)
    return response


def test_the_inert_check_sees_script():
    """``inert_html`` is not vacuous: each of these would run script in a browser."""
    for html in ("<script>alert(1)</script>", '<a href=" java\tscript:alert(1)">x</a>',
                 "<img src=x onerror=alert(1)>", '<iframe src="/"></iframe>',
                 '<form action="JAVASCRIPT:alert(1)"></form>', "<svg><g onload=alert(1)></g></svg>",
                 '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
                 '<a href="data:text/html,x">x</a>', '<p style="background:url(x)">x</p>'):
        assert problems(f"<!DOCTYPE html><title>t</title>{html}"), html
    assert not problems('<!DOCTYPE html><title>t</title><a href="https://example.org/">ok</a>')


# -- path traversal ------------------------------------------------------------------------
DOT_DOT_SLASH = ("../", "%2e%2e/", "%2e%2e%2f", "..%2f", ".%2e/", "%2e./", "%252e%252e%252f",
                 "..%5c", "..\\", "%c0%ae%c0%ae/", "%c0%ae%c0%ae%c0%af", "..%c0%af",
                 "..%ef%bc%8f", "%uff0e%uff0e/", "....//", "..;/", "%%32%65%%32%65/")
TRAVERSAL_BASES = {"/packages/": 1, "/packages/source/d/demo/": 4, "/docs/demo/": 2,
                   "/docs/demo/sub/": 3, "/simple/": 1, "/serversig/": 1, "/pypi/": 1}


@pytest.mark.parametrize("base", sorted(TRAVERSAL_BASES))
@pytest.mark.parametrize("step", DOT_DOT_SLASH)
def test_path_traversal_never_leaves_the_data(site, base, step, record_figure):
    app, web, root = site
    depth = TRAVERSAL_BASES[base]
    tried = [base + step * depth + "secret.txt", base + step * (depth + 3) + "secret.txt",
             base + step * depth]
    for path in tried:
        _check(web.get(path, status="*"))
    record_figure("hostile_inputs", len(tried))


@pytest.mark.parametrize("path", [
    "/packages/%2f{secret}", "/packages//{secret}", "/docs/demo/%2f{secret}", "/docs/demo//{secret}",
    "/docs/%2f{secret}", "/packages/source/d/demo/demo-1.0.tar.gz%00.txt",
    "/docs/demo/index.html%00", "/simple/demo%00/", "/packages/source/d/demo/%00/../demo-1.0.tar.gz",
    "/docs/demo%5c..%5c..%5csecret.txt", "/docs/..", "/docs/.", "/docs/%2e%2e/secret.txt",
    "/packages/.incoming/", "/packages/.incoming/x", "/docs/.demo.new-x/index.html",
])
def test_absolute_paths_and_nul_bytes(site, path, record_figure):
    app, web, root = site
    quoted = quote(str(root / "secret.txt"))
    _check(web.get(path.format(secret=quoted.lstrip("/")), status="*"), record=record_figure)


HOSTILE_FILENAMES = [b"../demo-1.0.tar.gz", b"..\\demo-1.0.tar.gz", b"/tmp/demo-1.0.tar.gz",
                     b"C:\\demo-1.0.tar.gz", b"demo-1.0.tar.gz\x00.exe", b"demo/../demo-1.0.tar.gz",
                     b"%2e%2e%2fdemo-1.0.tar.gz", b"demo-1.0.tar.gz\r\nX-Injected: 1",
                     b"\xc0\xae\xc0\xae/demo-1.0.tar.gz", b"demo-1.0.tar.gz/", b".", b"..",
                     b"demo-1.0.tar.gz\r", b" demo-1.0.tar.gz", b"demo-2.0.tar.gz\x00",
                     b"/etc/passwd", b"\\\\server\\share\\demo-2.0.tar.gz", b"demo-2.0.tar.gz%00"]


def _upload_body(filename: bytes, data: bytes, version: str = "2.0") -> bytes:
    fields = {":action": "file_upload", "name": "demo", "version": version, "filetype": "sdist",
              "pyversion": "source", "protocol_version": "1"}
    body = b"".join(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields.items())
    body += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="content"; filename="'.encode()
             + filename + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + data + b"\r\n")
    return body + f"--{BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize("filename", HOSTILE_FILENAMES, ids=repr)
def test_hostile_upload_filenames_are_refused(site, filename, record_figure):
    app, web, root = site
    before = (_tree(root), app.store.last_serial())
    _, data = make_sdist("demo", "2.0")
    response = web.post("/legacy/", _upload_body(filename, data), status="*",
                        headers={**basic_auth("alice"),
                                 "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    _check(response, record=record_figure)
    assert response.status_int == 400, response.status
    assert (_tree(root), app.store.last_serial()) == before


# -- header injection ------------------------------------------------------------------------
INJECTIONS = ("%0d%0aX-Injected:%20yes", "%0aX-Injected:%20yes", "%0dX-Injected:%20yes",
              "%c4%80", "%e2%80%a8X-Injected:%20yes", "%00X-Injected")
REDIRECTING = ("/simple/demo{x}", "/serversig/demo{x}", "/docs/demo{x}", "/docs/demo/sub{x}",
               "/pypi/DEMO{x}", "/pypi/DEMO/1.0{x}", "/pypi?:action=display&name=DEMO&version=1.0{x}",
               "/pypi?:action=doap&name=demo&version=1.0{x}", "/docs{x}", "/simple{x}")


@pytest.mark.parametrize("url", REDIRECTING)
@pytest.mark.parametrize("injection", INJECTIONS)
def test_no_header_injection_through_names(site, url, injection, record_figure):
    app, web, root = site
    _check(web.get(url.format(x=injection), status="*"), record=record_figure)


def test_no_header_injection_from_stored_names(app, web, record_figure):
    """Names from a legacy database may hold anything; Content-Disposition and Location stay one line."""
    tried = ["bad\r\nX-Injected: yes", "x\u0100y", "a\nb", "q\"uote;d"]
    for name in tried:
        app.store.store_release(Actor("alice"), name, "1.0\r\nX-Injected: 1", ReleaseMetadata())
        version = quote("1.0\r\nX-Injected: 1")
        for path in (f"/pypi?:action=doap&name={quote(name)}&version={version}",
                     f"/pypi/{quote(name.upper(), safe='')}", f"/simple/{quote(name, safe='')}"):
            _check(web.get(path, status="*"))
    record_figure("hostile_inputs", len(tried))


# -- XML-RPC ---------------------------------------------------------------------------------
@pytest.fixture
def listener():
    """A local port that records whether anything connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)

    def connected() -> bool:
        try:
            server.accept()[0].close()
            return True
        except BlockingIOError:
            return False
    yield f"http://127.0.0.1:{server.getsockname()[1]}/x", connected
    server.close()


CALL = ("<methodCall><methodName>package_releases</methodName><params><param><value><string>{v}"
        "</string></value></param></params></methodCall>")
HARMLESS_XML = {"processing instruction"}   # answered normally when the encoding is readable
XML_ATTACKS = {
    "quadratic blowup": '<!DOCTYPE m [<!ENTITY a "{a}">]>' + CALL.format(v="&a;" * 2000),
    "parameter entity": '<!DOCTYPE m [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>' + CALL.format(v="x"),
    "external DTD over http": '<!DOCTYPE methodCall SYSTEM "{url}">' + CALL.format(v="x"),
    "external entity over http": '<!DOCTYPE m [<!ENTITY e SYSTEM "{url}">]>' + CALL.format(v="&e;"),
    "internal DTD only": "<!DOCTYPE methodCall []>" + CALL.format(v="demo"),
    "xinclude": ('<methodCall xmlns:xi="http://www.w3.org/2001/XInclude"><methodName>package_releases'
                 '</methodName><params><param><value><xi:include href="file://{secret}" parse="text"/>'
                 "</value></param></params></methodCall>"),
    "entity in method name": ('<!DOCTYPE m [<!ENTITY n "list_packages">]>'
                              "<methodCall><methodName>&n;</methodName></methodCall>"),
    "undefined entity": CALL.format(v="&undefined;"),
    "invalid character reference": CALL.format(v="&#0;"),
    "processing instruction": '<?xml-stylesheet href="{url}"?>' + CALL.format(v="demo"),
}
XML_ENCODINGS = ("utf-8", "utf-16", "utf-7-declared", "latin-1-declared-utf-8")


def _encoded(text: str, encoding: str) -> bytes:
    if encoding == "utf-16":
        return ('<?xml version="1.0" encoding="UTF-16"?>' + text).encode("utf-16")
    if encoding == "utf-7-declared":
        return ('<?xml version="1.0" encoding="UTF-7"?>' + text).encode("utf-8")
    if encoding == "latin-1-declared-utf-8":
        return ('<?xml version="1.0" encoding="UTF-8"?>' + text + "\xe9").encode("latin-1")
    return ('<?xml version="1.0"?>' + text).encode("utf-8")


@pytest.mark.parametrize("encoding", XML_ENCODINGS)
@pytest.mark.parametrize("attack", sorted(XML_ATTACKS))
def test_xml_attacks_are_faults(site, listener, attack, encoding, record_figure):
    app, web, root = site
    url, connected = listener
    before = app.store.last_serial()
    text = XML_ATTACKS[attack].format(a="a" * 1000, secret=root / "secret.txt", url=url)
    response = _check(post_xml(web, _encoded(text, encoding), status="*"), record=record_figure)
    assert response.status_int == 200, response.status
    if attack not in HARMLESS_XML or encoding not in ("utf-8", "utf-16"):
        assert b"<fault>" in response.body, response.body[:300]
    assert not connected() and app.store.last_serial() == before


# -- bodies over the limit ---------------------------------------------------------------------
@pytest.mark.parametrize("action", ["file_upload", "submit", "doc_upload", "user"])
def test_bodies_over_the_limit_are_413(site, action, record_figure):
    app, web, root = site
    limit = app.config.max_upload_size + (1 << 20)
    response = web.post("/legacy/" if action == "file_upload" else "/pypi",
                        params={":action": action, "name": "demo", "version": "3.0"},
                        upload_files=[("content", "demo-3.0.tar.gz", b"\0" * (limit + 1))],
                        headers=basic_auth("alice"), status="*")
    _check(response, record=record_figure)
    assert response.status_int == 413, response.status
    assert app.store.get_release("demo", "3.0") is None


# -- documentation zips ------------------------------------------------------------------------
DOC_ATTACKS = {
    "nul in a member name": {"index.html": b"x", "a\0/../../../secret.txt": b"x"},
    "dot slash dot dot": {"index.html": b"x", "./../escape.html": b"x"},
    "inner dot dot": {"index.html": b"x", "a/b/../../../escape.html": b"x"},
    "backslash inside a name": {"index.html": b"x", "a\\..\\..\\escape.html": b"x"},
    "drive letter": {"index.html": b"x", "D:escape.html": b"x"},
    "very long name": {"index.html": b"x", "n" * 300: b"x"},
    "very deep": {"index.html": b"x", "/".join(["d" * 50] * 90) + "/x.html": b"x"},
    "same name twice": {"index.html": b"x", "./index.html": b"y"},
    "file where a directory goes": {"index.html": b"x", "a": b"x", "a/b.html": b"y"},
    "absolute unicode": {"index.html": b"x", "\u2215etc\u2215escape": b"x"},
}
SPECIAL_MODES = {"device": stat.S_IFCHR | 0o666, "fifo": stat.S_IFIFO | 0o666,
                 "setuid": stat.S_IFREG | stat.S_ISUID | 0o777}


@pytest.mark.parametrize("attack", sorted(DOC_ATTACKS) + sorted(SPECIAL_MODES))
def test_hostile_documentation_zips(site, attack, record_figure):
    app, web, root = site
    outside = {k: v for k, v in _tree(root).items() if not k.startswith("docs/")}
    if attack in SPECIAL_MODES:
        data = _zip({"index.html": b"x", "special": b"x"}, {"special": SPECIAL_MODES[attack]})
    else:
        data = _zip(DOC_ATTACKS[attack])
    response = _check(web.post("/pypi", params={":action": "doc_upload", "name": "demo"},
                               upload_files=[("content", "docs.zip", data)],
                               headers=basic_auth("alice"), status="*"), record=record_figure)
    assert response.status_int in (301, 400), response.status
    assert {k: v for k, v in _tree(root).items() if not k.startswith("docs/")} == outside
    for path in (root / "docs").rglob("*"):
        assert path.is_dir() or stat.S_ISREG(path.lstat().st_mode), path
        assert not path.lstat().st_mode & (stat.S_ISUID | stat.S_IXUSR) or path.is_dir(), path
    assert web.get("/docs/demo/", status=200)


# -- descriptions ------------------------------------------------------------------------------
RST_ATTACKS = [
    ".. include:: {secret}", ".. raw:: html\n   :file: {secret}", ".. raw:: html\n   :url: {url}",
    ".. csv-table::\n   :file: {secret}", ".. csv-table::\n   :url: {url}",
    ".. raw:: html\n\n   <script>alert(1)</script>", ".. literalinclude:: {secret}",
    ".. role:: raw-html(raw)\n   :format: html\n\n:raw-html:`<script>alert(1)</script>`",
    ".. image:: javascript:alert(1)", ".. figure:: data:text/html,<script>alert(1)</script>",
    "`click <javascript:alert(1)>`_", ".. |x| replace:: <script>alert(1)</script>\n\n|x|",
    ".. meta::\n   :http-equiv=refresh: 0; url=javascript:alert(1)",
    ".. class:: \" onmouseover=alert(1)\n\nText", "x [#]_\n\n.. [#] <script>alert(1)</script>",
    ".. code:: html\n\n   <script>alert(1)</script>", ".. include:: /proc/self/environ",
]
MARKDOWN_ATTACKS = [
    "<script>alert(1)</script>", "[x](javascript:alert(1))", "<img src=x onerror=alert(1)>",
    "![x](javascript:alert(1))", '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<iframe src=\"{url}\"></iframe>", "<style>body{{display:none}}</style>", "<javascript:alert(1)>",
    "[x]( javascript:alert(1) )", "<svg onload=alert(1)>", "<details open ontoggle=alert(1)>",
    "[x](JaVaScRiPt:alert(1))", "<form action=javascript:alert(1)><button>x</button></form>",
    "<meta http-equiv=refresh content=\"0;url={url}\">", "<object data=\"{url}\"></object>",
]


@pytest.mark.parametrize("content_type, text", [("text/x-rst", t) for t in RST_ATTACKS]
                         + [("text/markdown", t) for t in MARKDOWN_ATTACKS])
def test_hostile_descriptions_render_inert(site, listener, content_type, text, record_figure):
    app, web, root = site
    url, connected = listener
    submitted_name, direct_name = f"evil{next(UNIQUE)}", f"direct{next(UNIQUE)}"
    description = "Title\n=====\n\n" + text.format(secret=root / "secret.txt", url=url) + "\n"
    submitted = register(web, submitted_name, "1.0", description=description,
                         description_content_type=content_type)
    assert submitted.status_int in (200, 400), submitted.status
    app.store.store_release(Actor("alice"), direct_name, "1.0", ReleaseMetadata(
        description=description, description_content_type=content_type))
    for name in (submitted_name, direct_name):
        response = _check(web.get(f"/pypi/{name}/1.0", status="*"))
        if response.status_int == 200:
            assert_inert(response, "<script>alert")
    assert not connected()
    record_figure("hostile_inputs", 2)


# -- script in every metadata field ------------------------------------------------------------
PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
MARKERS = ("<script>alert", "<img src=x")
FREE_TEXT = ("summary", "author", "author_email", "maintainer", "maintainer_email", "license",
             "keywords", "platform", "requires_external", "project_urls", "description")
REFUSED_AT_SUBMISSION = ("home_page", "download_url", "classifiers")
SCRIPT_URLS = ("javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)",
               "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)")
PAGES = ("/pypi/{name}/1.0", "/pypi/{name}", "/pypi?:action=index", "/pypi", "/pypi?:action=browse",
         "/pypi?:action=search&term={name}", "/pypi?:action=files&name={name}&version=1.0",
         "/pypi?:action=pkg_edit&name={name}", "/pypi?:action=role_form&package_name={name}",
         "/pypi?:action=submit_form&name={name}&version=1.0", "/pypi?:action=remove_pkg&name={name}")
FEEDS = ("/pypi?:action=rss", "/pypi?:action=packages_rss", "/pypi?:action=lasthour",
         "/pypi/{name}/1.0/doap", "/simple/{name}/", "/pypi/{name}/json")


def _as_owner(app) -> webtest.TestApp:
    """A browser with a session of alice's (the Owner): journal, package bar and forms show."""
    token = sessions.new_token()
    app.store.create_session(sessions.stored_key(token), "alice", sessions.now())
    browser = webtest.TestApp(app)
    browser.set_cookie(sessions.COOKIE, token)
    return browser


def _pages_are_inert(app, name: str) -> int:
    """HTML pages inert with no marker unescaped; feeds, DOAP and JSON are not HTML, and
    only JSON (a data format, sent with nosniff) carries the text as it is."""
    browser = _as_owner(app)
    quoted = quote(name, safe="")
    for page in PAGES:
        assert_inert(browser.get(page.format(name=quoted), status=200), *MARKERS)
    for feed in FEEDS:
        response = _check(browser.get(feed.format(name=quoted), status="*"))
        if response.content_type == "text/html":
            assert_inert(response, *MARKERS)
        elif response.content_type != "application/json":
            assert response.content_type in ("text/xml", "application/rss+xml", "text/plain"), feed
            assert all(m not in response.text for m in MARKERS), feed
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    return len(PAGES) + len(FEEDS)


def test_script_in_every_metadata_field_is_inert(site, record_figure):
    """Through the register form for the fields it takes; stored directly for the rest."""
    app, web, root = site
    fields = {field: PAYLOAD for field in FREE_TEXT}
    fields["project_urls"] = f"{PAYLOAD}, javascript:alert(3)"
    register(web, "victim", "1.0", status=200, **fields)
    for field in REFUSED_AT_SUBMISSION:
        assert register(web, "victim", "1.1", status="*", **{field: PAYLOAD}).status_int == 400
    app.store.add_classifiers([PAYLOAD])
    app.store.store_release(Actor("alice"), "victim-direct", "1.0", ReleaseMetadata(
        home_page=PAYLOAD, download_url=PAYLOAD, classifiers=(PAYLOAD,)))
    tried = _pages_are_inert(app, "victim") + _pages_are_inert(app, "victim-direct")
    record_figure("hostile_inputs", tried * (len(FREE_TEXT) + len(REFUSED_AT_SUBMISSION)))


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_script_urls_never_become_links(site, url, record_figure):
    app, web, root = site
    name = f"links{next(UNIQUE)}"
    app.store.store_release(Actor("alice"), name, "1.0", ReleaseMetadata(
        home_page=url, download_url=url, project_urls=(f"Docs, {url}", f"Home, {url}")))
    assert register(web, name, "1.1", home_page=url, status="*").status_int == 400
    assert register(web, name, "1.2", project_urls=f"Docs, {url}", status="*").status_int == 200
    for version in ("1.0", "1.2"):
        assert_inert(web.get(f"/pypi/{name}/{version}", status=200))
    record_figure("hostile_inputs", 3)


def test_script_in_names_comments_and_addresses(site, record_figure):
    """What users type besides metadata: a file's comment, the address the journal shows,
    and names and versions a legacy database may hold."""
    app, web, root = site
    register(web, "commented", "1.0", status=200)
    filename, data = make_sdist("commented", "1.0")
    web.post("/legacy/", params={":action": "file_upload", "name": "commented", "version": "1.0",
                                 "filetype": "sdist", "pyversion": "source", "comment": PAYLOAD},
             upload_files=[("content", filename, data)],
             headers={**basic_auth("alice"), "X-Forwarded-For": PAYLOAD}, status=200)
    app.store.store_release(Actor("alice", PAYLOAD), PAYLOAD, PAYLOAD, ReleaseMetadata(summary=PAYLOAD))
    tried = _pages_are_inert(app, "commented")
    browser = _as_owner(app)
    for path in (f"/pypi?:action=display&name={quote(PAYLOAD)}&version={quote(PAYLOAD)}",
                 f"/pypi?:action=role_form&package_name={quote(PAYLOAD)}",
                 f"/pypi?:action=pkg_edit&name={quote(PAYLOAD)}", "/pypi?:action=index"):
        assert_inert(browser.get(path, status=200), *MARKERS)
    record_figure("hostile_inputs", tried + 4)


# -- open redirects ------------------------------------------------------------------------------
NEXT_TARGETS = ["https:evil.example", "http:/evil.example", "/\\/evil.example", "\\\\evil.example",
                "/\t/evil.example", " //evil.example", "///evil.example", "////evil.example",
                "/%2F%2Fevil.example", "%2F%2Fevil.example", "/pypi\r\nLocation: http://evil.example",
                "data:text/html,<script>alert(1)</script>", "http://localhost@evil.example/",
                "/\u3002evil.example", "/．/evil.example", "//evil.example%2F@localhost", "\x00//evil",
                "/" + "a" * 3000, "/pypi?next=//evil.example"]


@pytest.mark.parametrize("target", NEXT_TARGETS, ids=repr)
def test_login_next_never_leaves_the_site(web, target, record_figure):
    page = web.get("/pypi?:action=login_form&next=" + quote(target), status=200)
    assert_inert(page)
    nonce = page.html.find("input", {"name": "nonce"})["value"]
    response = web.post("/pypi", params={":action": "login_form", "nonce": nonce, "next": target,
                                         "username": "alice", "password": PASSWORD}, status=303)
    _check(response, record=record_figure)
    location = urlsplit(response.location)
    assert location.netloc == "localhost" and location.path.startswith("/"), response.location
    assert not location.path.startswith("//") and "\\" not in location.path
    assert "evil" not in location.netloc
