"""The XML-RPC methods through the WSGI app: shapes and rules of ``spec/xmlrpc.md`` §2-4."""
from __future__ import annotations

import calendar
import time
from datetime import datetime

import pytest
import webtest

from legacy.xmlrpc import protocol
from legacy.xmlrpc.methods import METHODS
from pypi.app import PypiApp
from pypi.backends import open_backends
from storage_backends.records import Actor, ReleaseMetadata
from tests.storage.samples import new_file

from .xmlrpc_calls import call, fault_for_body, fault_of, post_xml

ALICE = Actor("alice", "192.0.2.1")
LEGACY_2010_METHODS = {
    "list_packages", "package_releases", "release_urls", "package_urls", "release_data",
    "package_data", "search", "updated_releases", "changelog", "post_cheesecake_for_release",
    "ratings"}
FINAL_METHODS = {
    "changed_packages", "release_downloads", "package_roles", "user_packages", "browse",
    "package_hosting_mode", "changelog_last_serial", "changelog_since_serial", "top_packages",
    "list_packages_with_serial"}


@pytest.fixture
def index(app):
    """demo 1.0 (hidden by autohide) and 2.0 with files; spam and spam-eggs for search."""
    store = app.store
    store.store_release(ALICE, "demo", "1.0", ReleaseMetadata(summary="Old demo"))
    store.store_release(ALICE, "demo", "2.0", ReleaseMetadata(
        summary="Demo\x0c project", author="Ada", requires_dist=("spam>=1",),
        classifiers=("Topic :: Utilities",), project_urls=("Docs, https://example.org",)))
    store.add_file(ALICE, new_file("demo", "2.0", "demo-2.0.tar.gz"))
    store.add_file(ALICE, new_file("demo", "2.0", "demo-2.0-py3-none-any.whl",
                                   python_version="py3", packagetype="bdist_wheel"))
    store.store_release(ALICE, "Spam_Eggs", "1.0", ReleaseMetadata(summary="Breakfast"))
    store.store_release(ALICE, "spam", "1.0", ReleaseMetadata(summary="Tinned meat"))
    store.store_release(ALICE, "ham", "1.0", ReleaseMetadata(summary="Goes with spam"))
    store.store_release(ALICE, "aspammer", "1.0", ReleaseMetadata(summary="Not wanted"))
    store.add_role(ALICE, "Maintainer", "bob", "demo")
    return store


def test_method_table_is_the_union_of_2010_and_final(web):
    assert LEGACY_2010_METHODS | FINAL_METHODS <= set(METHODS)
    listed = call(web, "system.listMethods")
    assert set(listed) == set(METHODS) and "system.multicall" in listed
    assert "newest first" in call(web, "system.methodHelp", "package_releases")
    assert call(web, "system.methodSignature", "package_releases") == [
        ["array", "string"], ["array", "string", "boolean"]]


def test_projects_and_releases(web, index):
    assert call(web, "list_packages") == ["aspammer", "demo", "ham", "spam", "Spam_Eggs"]
    serials = call(web, "list_packages_with_serial")
    assert serials["demo"] == index.get_project("demo").last_serial
    assert call(web, "package_releases", "demo") == ["2.0"]
    assert call(web, "package_releases", "demo", True) == ["2.0", "1.0"]
    assert call(web, "package_releases", "demo", 1) == ["2.0", "1.0"]
    assert call(web, "package_releases", "DEMO") == []          # names match exactly
    assert call(web, "package_hosting_mode", "demo") == "pypi-explicit"
    assert "no project named 'nothing'" in fault_of(web, "package_hosting_mode", "nothing")


def test_release_urls_struct(web, index, config):
    files = call(web, "release_urls", "demo", "2.0")
    assert [f["filename"] for f in files] == ["demo-2.0-py3-none-any.whl", "demo-2.0.tar.gz"]
    sdist = files[1]
    record = index.get_file("demo-2.0.tar.gz")
    assert {"filename", "packagetype", "python_version", "comment_text", "md5_digest",
            "sha256_digest", "digests", "size", "has_sig", "downloads", "upload_time", "path",
            "url"} <= set(sdist)
    assert (sdist["packagetype"], sdist["python_version"], sdist["size"]) == (
        "sdist", "source", record.size)
    assert sdist["digests"]["md5"] == record.md5_digest
    assert sdist["has_sig"] is False and sdist["downloads"] == 0
    assert isinstance(sdist["upload_time"], datetime)
    assert sdist["url"] == f"http://127.0.0.1:8080/packages/{record.path}"
    assert call(web, "package_urls", "demo", "2.0") == files
    assert call(web, "release_urls", "demo", "1.0") == []
    assert call(web, "release_urls", "nothing", "1.0") == []


def test_release_data_struct(web, index):
    data = call(web, "release_data", "demo", "2.0")
    assert data["name"] == "demo" and data["version"] == "2.0"
    assert data["summary"] == "Demo project"             # control character stripped
    assert data["author"] == "Ada" and data["license"] is None
    assert data["requires_dist"] == ["spam>=1"] and data["requires"] == []
    assert data["project_url"] == ["Docs, https://example.org"]
    assert data["classifiers"] == ["Topic :: Utilities"]
    assert data["_pypi_hidden"] is False and isinstance(data["_pypi_ordering"], int)
    assert data["release_url"] == "http://127.0.0.1:8080/pypi/demo/2.0"
    for key in ("stable_version", "cheesecake_installability_id", "bugtrack_url", "docs_url",
                "requires_python", "download_url", "home_page", "keywords", "platform"):
        assert key in data
    assert call(web, "release_data", "demo", "1.0")["_pypi_hidden"] is True
    assert call(web, "package_data", "demo", "2.0") == data
    assert call(web, "release_data", "demo", "9.9") == {}


def test_search_ranks_exact_then_prefix_then_others(web, index):
    hits = call(web, "search", {"name": ["spam"], "summary": ["spam"]}, "or")
    assert [h["name"] for h in hits] == ["spam", "Spam_Eggs", "aspammer", "ham"]
    assert hits[0] == {"name": "spam", "version": "1.0", "summary": "Tinned meat",
                       "_pypi_ordering": index.get_release("spam", "1.0").ordering}
    assert [h["name"] for h in call(web, "search", {"name": "spam-eggs"})] == ["Spam_Eggs"]
    assert [h["name"] for h in call(web, "search", {"summary": "spam"})] == ["ham"]
    assert [h["version"] for h in call(web, "search", {"name": "demo"})] == ["2.0"]
    assert "spec['name'] must be a string or an array of strings" in fault_of(
        web, "search", {"name": 3})
    assert "must be a struct, not list" in fault_of(web, "search", ["spam"])


def test_browse(web, index):
    assert call(web, "browse", ["Topic :: Utilities"]) == [["demo", "2.0"]]
    assert call(web, "browse", ["Topic :: Software Development :: Libraries"]) == []
    assert 'Unknown category "Topic :: Nonsense"' in fault_of(web, "browse", ["Topic :: Nonsense"])
    assert "TypeError" in fault_of(web, "browse", "Topic :: Utilities")


def test_changelog_family(web, index, app):
    assert call(web, "changelog_last_serial") == index.last_serial()
    entries = index.changelog_since_serial(0)
    rows = call(web, "changelog_since_serial", 0)
    assert len(rows) == len(entries)
    first = entries[1]                        # entries[0] is the fixture's site-wide Admin role
    assert rows[1] == ["demo", None, calendar.timegm(first.submitted_date.timetuple()),
                       "create", first.serial]
    assert call(web, "changelog_since_serial", entries[-2].serial) == rows[-1:]
    since = calendar.timegm(first.submitted_date.timetuple()) - 1
    newer = [row for row in rows if row[2] > since]
    assert call(web, "changelog", since) == [row[:4] for row in newer]
    assert call(web, "changelog", since, True) == newer
    assert call(web, "changelog", int(time.time()) + 5) == []
    assert call(web, "changed_packages", since) == sorted(
        ["aspammer", "demo", "ham", "spam", "Spam_Eggs"])
    updated = call(web, "updated_releases", since)
    assert updated[0] == ["aspammer", "1.0"] and ["demo", "1.0"] not in updated
    assert "argument 1 (since) must be an int, not str" in fault_of(web, "updated_releases", "x")
    huge = (b"<methodCall><methodName>changelog</methodName><params><param><value>"
            b"<i8>1000000000000000</i8></value></param></params></methodCall>")
    assert "not a usable Unix time" in fault_for_body(web, huge)


def test_empty_index_last_serial_is_nil(config):
    web = webtest.TestApp(PypiApp(config, *open_backends(config, create=True)))
    assert call(web, "changelog_last_serial") is None
    assert call(web, "list_packages") == [] and call(web, "top_packages") == []


def test_roles_and_downloads(web, index):
    assert call(web, "package_roles", "demo") == [["Maintainer", "bob"], ["Owner", "alice"]]
    assert ["Owner", "demo"] in call(web, "user_packages", "alice")
    assert ["Admin", None] not in call(web, "user_packages", "root")
    index.add_downloads({"demo-2.0.tar.gz": 7, "demo-2.0-py3-none-any.whl": 3})
    assert call(web, "release_downloads", "demo", "2.0") == [
        ["demo-2.0-py3-none-any.whl", 3], ["demo-2.0.tar.gz", 7]]
    assert call(web, "top_packages") == [["demo", 10]]
    assert call(web, "top_packages", 0) == [] and call(web, "top_packages", None) == [["demo", 10]]


def test_retired_methods(web, index):
    assert call(web, "ratings", "demo", "2.0", 0) == [[], []]
    assert "not accepted" in fault_of(web, "post_cheesecake_for_release", "demo", "2.0", {}, "pw")


def test_multicall(web, index):
    results = call(web, "system.multicall", [
        {"methodName": "package_releases", "params": ["demo"]},
        {"methodName": "nonsense", "params": []},
        {"methodName": "list_packages"},
        {"methodName": "system.multicall", "params": [[]]},
        "not a struct"])
    assert results[0] == [["2.0"]] and results[2][0][0] == "aspammer"
    assert results[1]["faultCode"] == 1 and 'method "nonsense" is not supported' in results[1][
        "faultString"]
    assert "cannot be nested" in results[3]["faultString"]
    assert "TypeError" in results[4]["faultString"]
    too_many = [{"methodName": "list_packages", "params": []}] * 101
    assert "multicall too large" in fault_of(web, "system.multicall", too_many)
    assert len(call(web, "system.multicall", too_many[:100])) == 100


def test_argument_errors_are_faults_naming_the_problem(web):
    assert fault_of(web, "nonsense") == "<class 'Exception'>:method \"nonsense\" is not supported"
    assert "package_releases takes 1 to 2 arguments (0 given)" in fault_of(web, "package_releases")
    assert "list_packages takes 0 arguments (1 given)" in fault_of(web, "list_packages", 1)
    assert fault_of(web, "release_urls", "demo", 1) == (
        "<class 'TypeError'>:release_urls: argument 2 (version) must be a string, not int")
    assert "must be an int, not nil" in fault_of(web, "changelog_since_serial", None)
    assert "must be an int, not bool" in fault_of(web, "changelog_since_serial", True)


def test_endpoints_and_content_types(web, index):
    assert call(web, "package_releases", "demo", path="/RPC2") == ["2.0"]
    body = b"<?xml version='1.0'?><methodCall><methodName>list_packages</methodName></methodCall>"
    response = post_xml(web, body, content_type="text/xml; charset=utf-8", status=200)
    assert b"Spam_Eggs" in response.body
    response = web.get("/RPC2", status=405)
    assert response.headers["Allow"] == "POST"


LISTING_NAMES = ["demo", "a&b", "<tag>", "Émile", "ctl\x0cchar", "", "x" * 300, "zeta"]


@pytest.mark.parametrize("piece", [1, 3, 4096])
@pytest.mark.parametrize("result", [
    LISTING_NAMES, {name: serial for serial, name in enumerate(LISTING_NAMES)}, [], {},
    {"too big": 2**40}])
def test_whole_index_answers_dumped_in_pieces_are_dump_result(monkeypatch, piece, result):
    monkeypatch.setattr(protocol, "LISTING_PIECE", piece)
    struct = isinstance(result, dict)
    items = iter(result.items() if struct else result)
    assert protocol.dump_listing(items, struct) == protocol.dump_result(result)
