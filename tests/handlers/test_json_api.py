"""The JSON API: /pypi/<name>[/<version>]/json and :action=json."""
from __future__ import annotations

import json

import pytest

from pypi.backends import open_backends
from storage_backends.records import Actor, ReleaseMetadata
from tests.handlers.uploading import register, upload_sdist, upload_wheel


@pytest.fixture
def demo(web):
    """demo 1.0 (sdist + wheel) then 2.0 (sdist): autohide hides 1.0."""
    upload_wheel(web, version="1.0", requires_python=">=3.8", status=200)
    upload_sdist(web, version="1.0", status=200)
    register(web, version="2.0", status=200, metadata_version="2.1",
             requires_dist=["requests>=2", "idna; extra == 'x'"], provides_extra="x",
             project_url="Source, https://example.org/src", home_page="https://example.org",
             description_content_type="text/markdown")
    upload_sdist(web, version="2.0", status=200)


def test_latest_release_with_info_urls_releases_and_headers(web, app, demo):
    response = web.get("/pypi/demo/json", status=200)
    body = response.json
    assert response.content_type == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "max-age=600, public"
    assert response.headers["Content-Disposition"] == "inline"
    assert response.headers["X-PyPI-Last-Serial"] == str(app.store.last_serial())
    info = body["info"]
    assert (info["name"], info["version"], info["yanked"], info["yanked_reason"]) == ("demo", "2.0", False, None)
    assert info["requires_dist"] == ["requests>=2", "idna; extra == 'x'"]
    assert info["provides_extra"] == ["x"]
    assert info["project_urls"] == {"Homepage": "https://example.org", "Source": "https://example.org/src"}
    assert info["description_content_type"] == "text/markdown"
    assert info["release_url"].endswith("/pypi/demo/2.0")
    assert body["last_serial"] == app.store.get_project("demo").last_serial
    assert [f["filename"] for f in body["urls"]] == ["demo-2.0.tar.gz"]
    assert sorted(body["releases"]) == ["1.0", "2.0"]
    assert [f["filename"] for f in body["releases"]["1.0"]] == ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]


def test_file_struct_fields(web, app, demo):
    wheel = web.get("/pypi/demo/1.0/json").json["urls"][0]
    record = app.store.get_file("demo-1.0-py3-none-any.whl")
    assert wheel["digests"] == {"md5": record.md5_digest, "sha256": record.sha256_digest,
                                "blake2b_256": record.blake2_256_digest}
    assert wheel["size"] == record.size and wheel["packagetype"] == "bdist_wheel"
    assert wheel["url"] == "http://127.0.0.1:8080/packages/py3/d/demo/demo-1.0-py3-none-any.whl"
    assert wheel["upload_time"] == record.upload_time.strftime("%Y-%m-%dT%H:%M:%S")
    assert wheel["upload_time_iso_8601"].endswith("Z")
    assert wheel["requires_python"] == ">=3.8"
    assert wheel["yanked"] is True      # 1.0 was hidden by autohide when 2.0 came


def test_hidden_release_is_yanked_and_still_served(web, demo):
    body = web.get("/pypi/demo/1.0/json", status=200).json
    assert body["info"]["version"] == "1.0"
    assert body["info"]["yanked"] is True and body["info"]["_pypi_hidden"] is True


def test_latest_is_the_highest_ordering_even_when_hidden(web):
    upload_sdist(web, version="1.0", status=200)
    register(web, version="2.0", _pypi_hidden="1", status=200)
    body = web.get("/pypi/demo/json").json
    assert body["info"]["version"] == "2.0"
    assert body["releases"]["2.0"] == []


def test_action_form_and_head(web, demo):
    body = web.get("/pypi?:action=json&name=demo&version=1.0", status=200).json
    assert body["info"]["version"] == "1.0"
    head = web.head("/pypi/demo/json", status=200)
    assert head.body == b"" and head.headers["X-PyPI-Last-Serial"]


def test_unknown_names_and_versions_are_json_404(web, demo):
    for url, message in (("/pypi/nothing/json", "Not Found"),
                         ("/pypi/demo/9.9/json", "invalid name/version")):
        response = web.get(url, status=404)
        assert response.content_type == "application/json"
        assert response.json == {"message": message}


def test_project_without_releases_is_404(web, app):
    app.store.create_project(Actor("alice"), "empty")
    assert web.get("/pypi/empty/json", status=404).json == {"message": "no releases"}


def test_other_spelling_redirects_to_the_stored_name(web, demo):
    assert web.get("/pypi/DEMO/json", status=301).headers["Location"].endswith("/pypi/demo/json")
    location = web.get("/pypi/Demo/1.0/json?callback=cb", status=301).headers["Location"]
    assert location.endswith("/pypi/demo/1.0/json?callback=cb")


def test_jsonp_only_for_safe_callbacks(web, demo):
    response = web.get("/pypi/demo/json?callback=jQuery_123.done", status=200)
    assert response.content_type == "application/javascript"
    text = response.text
    assert text.startswith("/**/jQuery_123.done(") and text.endswith(");")
    assert json.loads(text[len("/**/jQuery_123.done("):-2])["info"]["name"] == "demo"
    for bad in ("alert(1)//", "<script>", "a b", "1abc", "x" * 200):
        response = web.get("/pypi/demo/json", params={"callback": bad}, status=400)
        assert response.content_type == "application/json"
        assert "callback" in response.json["message"]


# -- bodies kept in the page cache ----------------------------------------------------------
READS = ("get_project", "find_project", "list_releases", "list_files", "project_serial",
         "project_downloads", "journal_time")


def _count_reads(monkeypatch, store) -> list[str]:
    reads: list[str] = []
    for method in READS:
        original = getattr(store, method)
        monkeypatch.setattr(store, method,
                            lambda *args, _name=method, _read=original: reads.append(_name) or _read(*args))
    return reads


def test_a_kept_body_is_the_built_one_and_needs_no_read(web, app, demo, monkeypatch):
    first = web.get("/pypi/demo/json", status=200)
    reads = _count_reads(monkeypatch, app.store)
    again = web.get("/pypi/demo/json", status=200)
    assert reads == []          # nothing committed since: not even the serial is read
    assert again.body == first.body
    for header in ("ETag", "Last-Modified", "Content-Type", "X-PyPI-Last-Serial", "Cache-Control"):
        assert again.headers[header] == first.headers[header]
    web.get("/pypi/demo/json", headers={"If-None-Match": first.headers["ETag"]}, status=304)
    wrapped = web.get("/pypi/demo/json?callback=cb", status=200)
    assert wrapped.body == b"/**/cb(" + first.body + b");"
    assert wrapped.headers["ETag"] != first.headers["ETag"]


def test_download_counts_show_at_once_though_they_journal_nothing(web, app, demo, config):
    assert web.get("/pypi/demo/json").json["urls"][0]["downloads"] == 0
    assert web.get("/pypi/demo/2.0/json").json["urls"][0]["downloads"] == 0
    other, _ = open_backends(config)            # another server process's store
    try:
        other.add_downloads({"demo-2.0.tar.gz": 5})
    finally:
        other.close()
    assert web.get("/pypi/demo/json").json["urls"][0]["downloads"] == 5
    assert web.get("/pypi/demo/2.0/json").json["urls"][0]["downloads"] == 5


def test_a_release_made_elsewhere_shows_at_once_even_without_a_change_token(
        web, app, demo, config, monkeypatch):
    monkeypatch.setattr(app.store, "change_token", lambda: None)
    etag = web.get("/pypi/demo/json").headers["ETag"]
    reads = _count_reads(monkeypatch, app.store)
    web.get("/pypi/demo/json", headers={"If-None-Match": etag}, status=304)
    assert sorted(reads) == ["project_downloads", "project_serial"]   # the key, not the body
    other, _ = open_backends(config)
    try:
        other.store_release(Actor("alice"), "demo", "3.0", ReleaseMetadata(summary="three"))
    finally:
        other.close()
    body = web.get("/pypi/demo/json", headers={"If-None-Match": etag}, status=200).json
    assert body["info"]["version"] == "3.0" and body["info"]["summary"] == "three"
    assert sorted(body["releases"]) == ["1.0", "2.0", "3.0"]
