"""``xmlrpc.client.ServerProxy`` against the real server, on every backend: one test a method.

The index is filled once per server by twine; each test checks a method's
answer against the shapes of ``spec/xmlrpc.md`` §2.
"""
from __future__ import annotations

import time
import xmlrpc.client

import pytest

from tests.distributions import make_sdist, make_wheel

from .test_twine_pip import twine_upload

pytestmark = pytest.mark.clients
PROJECT = "xmlrpcdemo"


@pytest.fixture(scope="module")
def index(server, client_home, tmp_path_factory):
    """``xmlrpcdemo`` 1.0 (sdist, wheel; hidden by autohide) and 2.0 (sdist), uploaded by alice."""
    directory = tmp_path_factory.mktemp("xmlrpc-dists")
    start = int(time.time()) - 1
    files = []
    for filename, data in (make_sdist(PROJECT, "1.0", summary="XML-RPC demo"),
                           make_wheel(PROJECT, "1.0", summary="XML-RPC demo"),
                           make_sdist(PROJECT, "2.0", summary="XML-RPC demo, again")):
        (directory / filename).write_bytes(data)
        files.append(directory / filename)
    result = twine_upload(server, client_home, *files)
    assert result.returncode == 0, result.stdout + result.stderr
    return start


@pytest.fixture
def proxy(server, index):
    with xmlrpc.client.ServerProxy(server.index_url, allow_none=True) as client:
        yield client


def test_list_packages(proxy):
    assert PROJECT in proxy.list_packages()


def test_list_packages_with_serial(proxy):
    serials = proxy.list_packages_with_serial()
    assert isinstance(serials[PROJECT], int) and serials[PROJECT] <= proxy.changelog_last_serial()


def test_package_releases(proxy):
    assert proxy.package_releases(PROJECT) == ["2.0"]
    assert proxy.package_releases(PROJECT, True) == ["2.0", "1.0"]
    assert proxy.package_releases("no-such-project") == []


def test_release_urls_and_package_urls(proxy, server):
    files = proxy.release_urls(PROJECT, "1.0")
    assert [f["filename"] for f in files] == [f"{PROJECT}-1.0-py3-none-any.whl",
                                              f"{PROJECT}-1.0.tar.gz"]
    wheel = files[0]
    assert (wheel["packagetype"], wheel["python_version"]) == ("bdist_wheel", "py3")
    assert isinstance(wheel["upload_time"], xmlrpc.client.DateTime)
    assert isinstance(wheel["size"], int) and wheel["has_sig"] is False
    assert len(wheel["md5_digest"]) == 32 and wheel["digests"]["sha256"] == wheel["sha256_digest"]
    assert wheel["url"].startswith(server.base + "/packages/")
    assert proxy.package_urls(PROJECT, "1.0") == files


def test_release_data_and_package_data(proxy, server):
    data = proxy.release_data(PROJECT, "2.0")
    assert (data["name"], data["version"], data["summary"]) == (PROJECT, "2.0",
                                                                "XML-RPC demo, again")
    assert data["_pypi_hidden"] is False and data["classifiers"] == []
    assert data["requires_dist"] == [] and data["release_url"] == f"{server.index_url}/{PROJECT}/2.0"
    assert proxy.release_data(PROJECT, "1.0")["_pypi_hidden"] is True
    assert proxy.package_data(PROJECT, "2.0") == data
    assert proxy.release_data(PROJECT, "9.9") == {}


def test_search(proxy):
    hits = proxy.search({"name": "XMLRPC"})
    assert hits == [{"name": PROJECT, "version": "2.0", "summary": "XML-RPC demo, again",
                     "_pypi_ordering": hits[0]["_pypi_ordering"]}]
    assert proxy.search({"summary": ["again", "nothing"]}, "or")[0]["version"] == "2.0"
    assert proxy.search({"name": "xmlrpc", "summary": "nothing"}, "and") == []


def test_browse(proxy):
    assert proxy.browse(["Topic :: Utilities"]) == []
    with pytest.raises(xmlrpc.client.Fault, match='Unknown category "No :: Such"'):
        proxy.browse(["No :: Such"])


def test_updated_releases(proxy, index):
    assert proxy.updated_releases(index)[0] == [PROJECT, "2.0"]
    assert [PROJECT, "1.0"] not in proxy.updated_releases(index)      # hidden


def test_changelog(proxy, index):
    rows = proxy.changelog(index)
    actions = [(row[0], row[1], row[3]) for row in rows]
    assert actions[:3] == [(PROJECT, None, "create"), (PROJECT, None, "add Owner alice"),
                           (PROJECT, "1.0", "new release")]
    assert all(len(row) == 4 and isinstance(row[2], int) for row in rows)
    assert all(len(row) == 5 for row in proxy.changelog(index, True))


def test_changelog_last_serial_and_since_serial(proxy):
    last = proxy.changelog_last_serial()
    rows = proxy.changelog_since_serial(0)
    assert rows[-1][4] == last and [row[4] for row in rows] == sorted(row[4] for row in rows)
    assert rows[0][:2] == [PROJECT, None] and rows[0][3] == "create"
    assert proxy.changelog_since_serial(last) == []


def test_changed_packages(proxy, index):
    assert proxy.changed_packages(index) == [PROJECT]
    assert proxy.changed_packages(int(time.time()) + 60) == []


def test_release_downloads_and_top_packages(proxy):
    assert proxy.release_downloads(PROJECT, "1.0") == [
        [f"{PROJECT}-1.0-py3-none-any.whl", 0], [f"{PROJECT}-1.0.tar.gz", 0]]
    assert proxy.top_packages() == [[PROJECT, 0]]
    assert proxy.top_packages(0) == []


def test_package_roles_and_user_packages(proxy):
    assert proxy.package_roles(PROJECT) == [["Owner", "alice"]]
    assert proxy.user_packages("alice") == [["Owner", PROJECT]]
    assert proxy.user_packages("bob") == []


def test_package_hosting_mode(proxy):
    assert proxy.package_hosting_mode(PROJECT) == "pypi-explicit"
    with pytest.raises(xmlrpc.client.Fault):
        proxy.package_hosting_mode("no-such-project")


def test_introspection(proxy):
    assert "changelog_since_serial" in proxy.system.listMethods()
    assert proxy.system.methodHelp("search")
    assert proxy.system.methodSignature("changelog") == [["array", "int"],
                                                         ["array", "int", "boolean"]]


def test_multicall(proxy):
    calls = xmlrpc.client.MultiCall(proxy)
    calls.package_releases(PROJECT)
    calls.no_such_method()
    results = calls()
    assert results[0] == ["2.0"]
    with pytest.raises(xmlrpc.client.Fault, match="is not supported"):
        results[1]


def test_faults_keep_the_server_serving(proxy):
    with pytest.raises(xmlrpc.client.Fault, match="takes 1 to 2 arguments"):
        proxy.package_releases()
    with pytest.raises(xmlrpc.client.Fault, match="must be a string, not int"):
        proxy.package_releases(5)
    assert proxy.package_releases(PROJECT) == ["2.0"]
    assert isinstance(proxy.changelog_since_serial(0)[0][2], int)
