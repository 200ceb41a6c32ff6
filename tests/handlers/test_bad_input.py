"""Malformed bodies, missing fields, bad encodings, absurd lengths: a 4xx, never a 500."""
from __future__ import annotations

import io

import webob

from tests.conftest import basic_auth
from tests.distributions import make_sdist
from tests.handlers.uploading import register, upload, upload_sdist

BOUNDARY = "--------------GHSKFJDLGDS7543FJKLFHRE75642756743254"


def _post_raw(web, body: bytes, content_type: str, status="*", user="alice"):
    headers = {"Content-Type": content_type}
    if user:
        headers.update(basic_auth(user))
    return web.post("/pypi", body, headers=headers, status=status)


def test_distutils_register_body_with_bare_newlines(web, app):
    fields = {":action": "submit", "name": "demo", "version": "1.0", "metadata_version": "1.0",
              "summary": "Bare newlines"}
    body = "".join(f'\n--{BOUNDARY}\nContent-Disposition: form-data; name="{k}"\n\n{v}'
                   for k, v in fields.items()) + f"\n--{BOUNDARY}--\n"
    _post_raw(web, body.encode(), f"multipart/form-data; boundary={BOUNDARY}; charset=utf-8", status=200)
    assert app.store.get_release("demo", "1.0").metadata.summary == "Bare newlines"


def test_non_utf8_metadata_is_400(web, app):
    body = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name=":action"\r\n\r\nsubmit\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\ndemo\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="version"\r\n\r\n1.0\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="summary"\r\n\r\n').encode()
    body += b"caf\xe9\r\n" + f"--{BOUNDARY}--\r\n".encode()
    response = _post_raw(web, body, f"multipart/form-data; boundary={BOUNDARY}", status=400)
    assert "UTF-8" in response.status
    assert app.store.get_project("demo") is None


def test_malformed_multipart_is_4xx(web):
    for body, content_type in ((b"garbage", "multipart/form-data"),
                               (b"garbage", "multipart/form-data; boundary=\x01\x02"),
                               (b"--x\r\nno headers", "multipart/form-data; boundary=x")):
        response = _post_raw(web, body, content_type)
        assert 400 <= response.status_int < 500, (body, response.status)


def test_non_utf8_query_string_is_400(web):
    web.get("/pypi?:action=list_classifiers&x=%ff", status=400)


def test_missing_content_is_400(web):
    response = web.post("/legacy/", params={":action": "file_upload", "name": "demo", "version": "1.0",
                                            "filetype": "sdist"},
                        headers=basic_auth("alice"), status=400)
    assert response.status == "400 Both content and filetype are required"


def test_content_as_text_field_is_400(web):
    response = web.post("/legacy/", params={":action": "file_upload", "name": "demo", "version": "1.0",
                                            "filetype": "sdist", "content": "not a file"},
                        headers=basic_auth("alice"), status=400)
    assert "content must be a file" in response.status


def test_missing_name_is_400(web):
    filename, data = make_sdist("demo", "1.0")
    response = upload(web, filename, data, name="", version="1.0", status=400)
    assert response.status == "400 Name and version are required"


def test_absurd_lengths_are_400(web, app):
    response = register(web, name="a" * 300, status=400)
    assert "at most" in response.status
    response = register(web, summary="s" * 10000, status=400)
    assert "summary" in response.status
    assert app.store.list_projects() == []


def test_unsupported_protocol_is_400(web):
    response = upload_sdist(web, protocol_version="2", status=400)
    assert "Unsupported file upload protocol" in response.status


def test_reason_phrase_is_single_line_latin1(web):
    response = register(web, name="bad/ná\r\nme", status=400)
    assert "\n" not in response.status and "\r" not in response.status


def test_failed_upload_leaves_stored_data_unchanged(web, app, config):
    upload_sdist(web, status=200)
    before = (app.store.last_serial(), app.store.list_files("demo"))
    upload_sdist(web, md5_digest="0" * 32, version="1.0", status=400)
    upload_sdist(web, status=400)
    assert (app.store.last_serial(), app.store.list_files("demo")) == before
    assert web.get("/packages/source/d/demo/demo-1.0.tar.gz").status_int == 200


def test_bad_metadata_version_is_400(web, app):
    response = register(web, metadata_version="1.0; DROP TABLE", status=400)
    assert "Invalid metadata_version" in response.status



def test_a_body_shorter_than_its_content_length_is_a_400(app):
    """The client went away mid-body: a 400 naming it, never a 500 (found by fuzzing)."""
    request = webob.Request.blank("/pypi", method="POST", headers={"Content-Type": "text/xml"})
    request.environ.update({"CONTENT_LENGTH": "5", "wsgi.input": io.BytesIO(b""),
                            "webob.is_body_seekable": False})
    response = request.get_response(app)
    assert response.status_int == 400
    assert "shorter than its Content-Length" in response.status
