"""The simple index by content negotiation: PEP 691 JSON (API 1.1, PEP 700), HTML, yanking."""
from __future__ import annotations

import pytest

from tests.handlers.uploading import upload_sdist, upload_wheel

JSON = "application/vnd.pypi.simple.v1+json"
V1_HTML = "application/vnd.pypi.simple.v1+html"
PIP_ACCEPT = f"{JSON}, {V1_HTML}; q=0.1, text/html; q=0.01"   # what pip 22.2+ sends


@pytest.mark.parametrize("accept, chosen", [
    (None, "text/html"),
    ("*/*", "text/html"),
    ("text/html", "text/html"),
    (PIP_ACCEPT, JSON),
    (JSON, JSON),
    (V1_HTML, V1_HTML),
    (f"text/html;q=0.5, {JSON};q=0.9", JSON),
    (f"{JSON};q=0, */*;q=0.1", "text/html"),
    ("application/*", V1_HTML),
    ("text/html;q=0, application/vnd.pypi.simple.v1+html;q=0, */*", JSON),
])
def test_negotiation(web, accept, chosen):
    upload_sdist(web, status=200)
    headers = {"Accept": accept} if accept else {}
    for url in ("/simple/", "/simple/demo/"):
        response = web.get(url, headers=headers, status=200)
        assert response.content_type == chosen
        assert response.headers["Vary"] == "Accept"


def test_nothing_acceptable_is_406(web):
    upload_sdist(web, status=200)
    for url in ("/simple/", "/simple/demo/"):
        response = web.get(url, headers={"Accept": "application/vnd.pypi.simple.v2+json"}, status=406)
        assert JSON in response.text and response.headers["Vary"] == "Accept"
    web.get("/simple/", headers={"Accept": f"{JSON};q=0, text/html;q=0"}, status=406)


def test_json_root(web, app):
    upload_sdist(web, name="Demo_Pkg", status=200)
    body = web.get("/simple/", headers={"Accept": JSON}).json
    assert body == {"meta": {"api-version": "1.1", "_last-serial": app.store.last_serial()},
                    "projects": [{"name": "Demo_Pkg"}]}


def test_json_project_page(web, app):
    upload_wheel(web, version="1.0", requires_python=">=3.8", status=200)
    upload_sdist(web, version="2.0", status=200)
    response = web.get("/simple/demo/", headers={"Accept": JSON}, status=200)
    assert response.headers["X-PyPI-Last-Serial"] == str(app.store.get_project("demo").last_serial)
    body = response.json
    assert body["meta"]["api-version"] == "1.1" and body["name"] == "demo"
    assert body["versions"] == ["1.0", "2.0"]
    wheel, sdist = body["files"]
    record = app.store.get_file("demo-1.0-py3-none-any.whl")
    assert wheel["filename"] == record.filename
    assert wheel["url"] == f"../../packages/{record.path}"
    assert wheel["hashes"] == {"sha256": record.sha256_digest}
    assert wheel["requires-python"] == ">=3.8"
    assert wheel["size"] == record.size
    assert wheel["upload-time"] == record.upload_time.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert wheel["yanked"] is True       # 1.0 hidden by autohide when 2.0 was registered
    assert sdist["yanked"] is False and "requires-python" not in sdist
    assert "core-metadata" not in sdist   # sdists get no metadata file


def test_html_marks_hidden_releases_yanked(web):
    upload_sdist(web, version="1.0", status=200)
    upload_sdist(web, version="2.0", status=200)
    page = web.get("/simple/demo/").text
    assert '<meta name="pypi:repository-version" content="1.1">' in page
    assert 'data-yanked="">demo-1.0.tar.gz</a>' in page
    line = next(line for line in page.splitlines() if "demo-2.0.tar.gz" in line)
    assert "data-yanked" not in line


def test_version_without_files_is_listed_in_json_only(web):
    from tests.handlers.uploading import register
    upload_sdist(web, version="1.0", status=200)
    register(web, version="3.0", status=200)
    body = web.get("/simple/demo/", headers={"Accept": JSON}).json
    assert body["versions"] == ["1.0", "3.0"]
    assert [f["filename"] for f in body["files"]] == ["demo-1.0.tar.gz"]
