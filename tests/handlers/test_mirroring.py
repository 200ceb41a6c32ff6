"""PEP 381 endpoints at handler level: /last-modified, /mirrors, /serverkey, /serversig."""
from __future__ import annotations

import re

import pytest
import webtest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa

from pypi.app import PypiApp
from pypi.backends import open_backends
from pypi.config import Config
from storage_backends.records import Actor, ReleaseMetadata
from tests.handlers.uploading import upload_sdist, upload_wheel


@pytest.fixture(scope="module")
def private_pem() -> bytes:
    """One 2048-bit key for the module: generating one takes seconds."""
    key = dsa.generate_private_key(key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@pytest.fixture
def server_key(config, private_pem):
    config.private_key_path.parent.mkdir(parents=True, exist_ok=True)
    config.private_key_path.write_bytes(private_pem)
    return serialization.load_pem_private_key(private_pem, password=None)


def _verify(public_key, signature: bytes, page: bytes) -> None:
    public_key.verify(signature, page, hashes.SHA1())


def test_last_modified_on_an_empty_index_is_404(tmp_path):
    config = Config(database_url=f"sqlite:///{tmp_path / 'empty.db'}",
                    files_dir=tmp_path / "files", docs_dir=tmp_path / "docs")
    app = PypiApp(config, *open_backends(config, create=True))
    try:
        assert "not changed yet" in webtest.TestApp(app).get("/last-modified", status=404).text
    finally:
        app.close()


def test_last_modified_is_the_newest_journal_time(web, app):
    upload_sdist(web, status=200)
    response = web.get("/last-modified", status=200)
    assert response.content_type == "text/plain"
    newest = app.store.changelog_since_serial(app.store.last_serial() - 1)[-1]
    assert response.text == newest.submitted_date.strftime("%Y%m%dT%H:%M:%S") + "\n"
    assert re.fullmatch(r"\d{8}T\d\d:\d\d:\d\d\n", web.get("/daytime").text)


def test_mirrors_page_lists_registered_mirrors_escaped(web, app):
    assert "No mirrors are registered" in web.get("/mirrors", status=200).text
    app.store.add_mirror("b.pypi.example.org", "alice")
    app.store.add_mirror("<script>x</script>", None)
    response = web.get("/mirrors", status=200)
    assert response.content_type == "text/html"
    assert "<li>b.pypi.example.org (maintained by alice)</li>" in response.text
    assert "<li>&lt;script&gt;x&lt;/script&gt;</li>" in response.text
    assert "<script>" not in response.text


def test_without_a_key_signatures_are_404_with_a_reason(web):
    upload_sdist(web, status=200)
    for url in ("/serverkey", "/serversig/demo/"):
        response = web.get(url, status=404)
        assert "pypi genkey" in response.text and "does not sign" in response.text


def test_serverkey_is_the_public_key_pem(web, server_key):
    response = web.get("/serverkey", status=200)
    published = serialization.load_pem_public_key(response.body)
    assert response.body.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert published.public_numbers() == server_key.public_key().public_numbers()


def test_signature_verifies_over_the_simple_page(web, app, server_key):
    upload_wheel(web, requires_python=">=3.8", status=200)
    upload_sdist(web, status=200)
    page = web.get("/simple/demo/", status=200)
    response = web.get("/serversig/demo/", status=200)
    assert response.content_type == "application/octet-stream"
    assert response.headers["X-PyPI-Last-Serial"] == page.headers["X-PyPI-Last-Serial"]
    public_key = serialization.load_pem_public_key(web.get("/serverkey").body)
    _verify(public_key, response.body, page.body)
    assert response.body[0] == 0x30                      # DER SEQUENCE {r, s}
    with pytest.raises(InvalidSignature):
        _verify(public_key, response.body, page.body + b" ")
    # a change to the project changes the page, and the signature follows it
    upload_sdist(web, version="2.0", status=200)
    new_page = web.get("/simple/demo/").body
    _verify(public_key, web.get("/serversig/demo/").body, new_page)


def test_signature_urls_behave_like_the_simple_page(web, server_key):
    upload_sdist(web, name="Demo_Pkg", status=200)
    assert web.get("/serversig/demo-pkg", status=301).headers["Location"].endswith(
        "/serversig/demo-pkg/")
    assert web.get("/serversig/Demo_Pkg/", status=301).headers["Location"].endswith(
        "/serversig/demo-pkg/")
    assert "nothing does not exist" in web.get("/serversig/nothing/", status=404).text
    web.get("/serversig/a/b/", status=404)
    web.get("/serversig/", status=404)
    web.get("/serversig", status=404)


def test_project_without_files_has_no_signature(web, app, server_key):
    app.store.store_release(Actor("alice"), "empty", "1.0", ReleaseMetadata())
    web.get("/simple/empty/", status=404)
    assert "does not have any releases" in web.get("/serversig/empty/", status=404).text


def test_a_file_that_is_not_a_dsa_key_is_a_logged_500(web, config):
    config.private_key_path.parent.mkdir(parents=True, exist_ok=True)
    config.private_key_path.write_bytes(b"not a key")
    response = web.get("/serverkey", status=500)
    assert "not a key" not in response.text
