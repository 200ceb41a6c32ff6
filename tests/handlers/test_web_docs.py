"""Documentation upload, serving and removal; unsafe archives refused with nothing changed."""
from __future__ import annotations

import io
import stat
import zipfile

import pytest

from tests.conftest import basic_auth
from tests.handlers.uploading import register
from tests.handlers.web_helpers import csrf, login


def zipped(members: dict[str, bytes], symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


GOOD = {"index.html": b"<h1>Demo docs</h1><script>1</script>", "api/index.html": b"api",
        "style.css": b"h1{}"}


def post_docs(web, data: bytes, user="alice", status="*", name="demo"):
    return web.post("/pypi", params={":action": "doc_upload", "name": name},
                    upload_files=[("content", "docs.zip", data)],
                    headers=basic_auth(user) if user else {}, status=status)


@pytest.fixture
def demo(web):
    register(web, "demo", "1.0", status=200)


def test_upload_serve_replace_and_destroy(web, app, config, demo):
    response = post_docs(web, zipped(GOOD), status=301)
    assert response.headers["Location"].endswith("/docs/demo/")
    assert app.store.get_project("demo").has_docs
    assert app.store.project_journal("demo")[-1].action == "docupdate"
    page = web.get("/docs/demo/")
    assert b"Demo docs" in page.body
    assert page.headers["Content-Security-Policy"].startswith("sandbox")
    assert web.get("/docs/demo/api/").body == b"api"
    web.get("/docs/demo/api", status=301)
    web.get("/docs/demo", status=301)
    assert web.get("/docs/demo/style.css").content_type == "text/css"
    web.get("/docs/demo/../pypi.db", status=404)
    web.get("/docs/demo/%2e%2e/%2e%2e/pypi.db", status=404)
    post_docs(web, zipped({"index.html": b"second"}), status=301)
    assert web.get("/docs/demo/").body == b"second"
    web.get("/docs/demo/style.css", status=404)                 # the old tree is gone
    assert not [p for p in config.docs_dir.iterdir() if p.name.startswith(".")]
    web.post("/pypi", params={":action": "doc_destroy", "name": "demo"},
             headers=basic_auth("alice"), status=200)
    web.get("/docs/demo/", status=404)
    assert app.store.project_journal("demo")[-1].action == "docdestroy"


@pytest.mark.parametrize("user, status", [(None, 401), ("bob", 403), ("root", 301)])
def test_doc_upload_rights(web, demo, user, status):
    post_docs(web, zipped(GOOD), user=user, status=status)


@pytest.mark.parametrize("members, symlink, reason", [
    ({"../evil.html": b"x", "index.html": b"x"}, None, "invalid path name"),
    ({"/abs.html": b"x", "index.html": b"x"}, None, "invalid path name"),
    ({"a\\..\\..\\b.html": b"x", "index.html": b"x"}, None, "invalid path name"),
    ({"C:/x.html": b"x", "index.html": b"x"}, None, "invalid path name"),
    ({"index.html": b"x"}, "link", "symbolic links"),
    ({"docs/index.html": b"x"}, None, "index.html"),
])
def test_unsafe_archives_refused(web, app, config, demo, members, symlink, reason):
    response = post_docs(web, zipped(members, symlink), status=400)
    assert reason in response.status
    assert not (config.docs_dir / "demo").exists()
    assert not app.store.get_project("demo").has_docs
    assert not (config.docs_dir.parent / "evil.html").exists()


def test_zip_bomb_and_garbage_refused(web, app, demo, monkeypatch):
    from legacy import doc_archive
    monkeypatch.setattr(doc_archive, "MAX_TOTAL", 1 << 20)
    bomb = zipped({"index.html": b"x", "zeros.bin": b"\0" * (2 << 20)})
    assert len(bomb) < 50_000
    assert "uncompressed" in post_docs(web, bomb, status=400).status
    monkeypatch.setattr(doc_archive, "MAX_MEMBERS", 5)
    many = zipped({f"{i}.html": b"x" for i in range(6)} | {"index.html": b"x"})
    assert "members" in post_docs(web, many, status=400).status
    assert "uncompressing" in post_docs(web, b"not a zip", status=400).status
    web.post("/pypi", params={":action": "doc_upload", "name": "demo"},
             headers=basic_auth("alice"), status=400)
    web.post("/pypi", params={":action": "doc_upload"}, headers=basic_auth("alice"), status=400)
    assert not app.store.get_project("demo").has_docs


def test_doc_upload_from_the_pkg_edit_form_needs_csrf(web, app, demo):
    login(web, "alice")
    token = csrf(web, "pkg_edit", name="demo")
    web.post("/pypi", params={":action": "doc_upload", "name": "demo"},
             upload_files=[("content", "d.zip", zipped(GOOD))], status=403)
    web.post("/pypi", params={":action": "doc_upload", "name": "demo", "CSRFToken": token},
             upload_files=[("content", "d.zip", zipped(GOOD))], status=301)


def test_archive_whose_member_points_outside_the_file_is_refused(web, config, demo):
    """A central directory entry with an impossible header offset: 400, not a 500 (found by
    fuzzing: zipfile raises ValueError from a negative seek)."""
    data = bytearray(zipped({"index.html": b"x"}))
    entry = data.index(b"PK\x01\x02")
    data[entry + 42:entry + 46] = (0x89ABCDEF).to_bytes(4, "little")
    response = post_docs(web, bytes(data), status=400)
    assert "Error unpacking zipfile" in response.status
    assert not (config.docs_dir / "demo").exists()
