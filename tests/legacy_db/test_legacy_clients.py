"""The real server on a legacy PyPI database, after ``pypi upgradedb`` only.

A legacy-shaped database (PostgreSQL, and MariaDB with the MySQL-flavoured
schema) and its files folder, a config.ini written with legacy keys only; then
pip, twine, Python 3.11's distutils, xmlrpc.client and a headless browser use
it, and afterwards every legacy row and file is as it was, except what those
clients changed on purpose (a new release re-ranks and autohides its project's
releases, a first login replaces the user's SHA-1 hash).
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import urllib.request
import xmlrpc.client
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage_backends.ordering import normalize_name, sort_versions
from tests.browser.conftest import browser  # noqa: F401  (the fixture)
from tests.clients.conftest import client_home, run, venv  # noqa: F401  (fixtures)
from tests.clients.server import free_port, pypi_command, serve
from tests.distributions import make_sdist

from .fixture import legacy_database, load_legacy_data, snapshot

pytestmark = pytest.mark.clients

NEW_VERSION = "99.0"


def legacy_config(directory: Path, url: str, port: int) -> Path:
    """Only the keys a legacy deployment's config.ini has (plus sections we ignore)."""
    parsed = sa.make_url(url)
    driver = "psycopg2" if parsed.get_backend_name() == "postgresql" else "mysql"
    config = directory / "config.ini"
    config.write_text(
        "[database]\n"
        f"driver = {driver}\nname = {parsed.database}\nuser = {parsed.username}\n"
        f"host = {parsed.host}\nport = {parsed.port}\n"
        f"files_dir = {directory / 'packages'}\ndocs_dir = {directory / 'docs'}\n"
        "[webui]\n"
        f"url = http://127.0.0.1:{port}/pypi\nfiles_url = http://127.0.0.1:{port}/packages\n"
        "simple_script = /simple\nadminemail = admin@example.org\nmailhost = localhost\n"
        "replyto = admin@example.org\npydotorg = http://127.0.0.1/\nrss_file = /tmp/rss.xml\n"
        "debug_mode = no\ncheesecake_password = secret\nprivkey = privkey\n"
        "simple_sign_script = /serversig\n"
        "[logging]\nfile = \nmailhost = \nfromaddr = \ntoaddrs = \n"
        "[passlib]\nschemes = bcrypt, hex_sha1\n"
        f"[smtp]\nmaildir = {directory / 'mail'}\n")
    return config


@pytest.fixture(scope="module", params=("postgresql", "mariadb"))
def legacy(request, tmp_path_factory):
    directory = tmp_path_factory.mktemp(f"legacy-{request.param}")
    with legacy_database(request.param) as url:
        data = load_legacy_data(url, directory / "packages")
        rows = snapshot(url)
        port = free_port()
        config = legacy_config(directory, url, port)
        upgrade = subprocess.run(pypi_command("upgradedb", config=config),
                                 capture_output=True, text=True)
        assert upgrade.returncode == 0, upgrade.stderr
        server = serve(config, port, directory / "server.log")
        try:
            yield server, data, rows
        finally:
            server.stop()


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def test_simple_index_serves_legacy_projects_under_every_spelling(legacy):
    server, data, _ = legacy
    root = fetch(server.simple_url)
    for project in data.versions:
        assert f">{project}<" in root
    for file in data.files:
        page = fetch(f"{server.simple_url}{normalize_name(file.project)}/")
        assert f"{file.filename}#md5={file.md5}" in page        # md5 only, as legacy had
    zope = next(p for p in data.versions if normalize_name(p) == "zope-interface")
    assert fetch(f"{server.simple_url}{zope}/") == fetch(f"{server.simple_url}zope-interface/")


def test_files_are_served_from_the_legacy_layout(legacy):
    server, data, _ = legacy
    for file in data.files:
        relative = file.path.relative_to(data.files_dir).as_posix()
        with urllib.request.urlopen(f"{server.base}/packages/{relative}") as response:
            assert hashlib.md5(response.read()).hexdigest() == file.md5


def test_pip_installs_a_legacy_sdist(legacy, venv, client_home):
    server, data, _ = legacy
    name, version = data.installable
    python = venv / "bin" / "python"
    result = run([python, "-m", "pip", "install", "--index-url", server.simple_url,
                  f"{name}=={version}"], client_home)
    assert result.returncode == 0, result.stdout + result.stderr
    shown = run([python, "-c", f"import {data.installable_module}"], client_home)
    assert shown.returncode == 0, shown.stderr
    run([python, "-m", "pip", "uninstall", "-y", name], client_home)


def test_xmlrpc_answers_from_the_legacy_rows(legacy):
    server, data, _ = legacy
    with xmlrpc.client.ServerProxy(server.index_url) as proxy:
        assert set(data.versions) <= set(proxy.list_packages())
        assert proxy.changelog_last_serial() == data.last_serial
        for project, versions in data.versions.items():
            assert proxy.package_releases(project, True) == list(reversed(versions))
            visible = [v for v in reversed(versions) if (project, v) not in data.hidden]
            assert proxy.package_releases(project) == visible
            owners = {user for role, user in proxy.package_roles(project) if role == "Owner"}
            assert owners == set(data.owners[project])
        for (project, version), classifiers in data.release_classifiers.items():
            assert proxy.release_data(project, version)["classifiers"] == classifiers
        for file in data.files:
            urls = {u["filename"]: u for u in proxy.release_urls(file.project, file.version)}
            assert urls[file.filename]["md5_digest"] == file.md5


def test_json_api_lists_legacy_releases_and_files(legacy):
    server, data, _ = legacy
    for project, versions in data.versions.items():
        document = json.loads(fetch(f"{server.index_url}/{project}/json"))
        assert document["info"]["name"] == project
        assert set(document["releases"]) == set(versions)
    file = data.files[0]
    document = json.loads(fetch(f"{server.index_url}/{file.project}/{file.version}/json"))
    assert {u["filename"]: u["md5_digest"] for u in document["urls"]}[file.filename] == file.md5


def test_a_legacy_user_logs_in_with_the_browser_and_reads_legacy_pages(legacy, browser):
    server, data, _ = legacy
    user = next(iter(data.owners[data.installable[0]]))
    page = browser.new_page()
    page.goto(f"{server.index_url}?:action=login_form")
    page.fill("#username", user)
    page.fill("#password", data.passwords[user])
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert f"Welcome {user}" in page.content()
    for project, versions in data.versions.items():
        for version in versions:
            response = page.goto(f"{server.index_url}/{project}/{version}")
            assert response.status == 200, (project, version)
            assert version in page.content()
    page.goto(f"{server.index_url}?:action=browse")
    assert "Topic" in page.content()
    page.close()


def test_twine_uploads_a_new_release_of_a_legacy_project(legacy, client_home, tmp_path):
    server, data, _ = legacy
    name = data.installable[0]
    owner = data.owners[name][0]
    filename, content = make_sdist(name, NEW_VERSION)
    path = tmp_path / filename
    path.write_bytes(content)
    result = run([sys.executable, "-m", "twine", "upload", "--repository-url", server.upload_url,
                  "-u", owner, "-p", data.passwords[owner], "--disable-progress-bar",
                  "--non-interactive", str(path)], client_home)
    assert result.returncode == 0, result.stdout + result.stderr
    # where legacy would have put it, and listed with its sha256 now
    stored = data.files_dir / "source" / name[0] / name / filename
    assert stored.read_bytes() == content
    page = fetch(f"{server.simple_url}{normalize_name(name)}/")
    assert f"{filename}#sha256={hashlib.sha256(content).hexdigest()}" in page
    # A new release re-ranks the project's releases by this server's rule (PEP 440 where it
    # parses: legacy's LooseVersion put 1.0-beta above 1.0); autohide is off for this project.
    ranked = list(reversed(sort_versions([*data.versions[name], NEW_VERSION])))
    with xmlrpc.client.ServerProxy(server.index_url) as proxy:
        assert proxy.package_releases(name, True) == ranked
        assert proxy.package_releases(name) == [v for v in ranked if (name, v) not in data.hidden]
        assert proxy.changelog_last_serial() > data.last_serial


def test_distutils_registers_and_uploads_a_new_project(legacy, tmp_path, monkeypatch):
    server, data, _ = legacy
    monkeypatch.setenv("SETUPTOOLS_USE_DISTUTILS", "stdlib")   # the stdlib's, with upload
    user = data.admin
    home = tmp_path / "home"
    home.mkdir()
    (home / ".pypirc").write_text(
        "[distutils]\nindex-servers = local\n\n"
        f"[local]\nrepository = {server.index_url}\nusername = {user}\n"
        f"password = {data.passwords[user]}\n")
    name = "Legacy.Neighbour_Pkg"
    directory = tmp_path / "src"
    directory.mkdir()
    (directory / "neighbour.py").write_text("VERSION = 1\n")
    (directory / "setup.py").write_text(
        "from distutils.core import setup\n"
        f"setup(name={name!r}, version='0.1dev', py_modules=['neighbour'], author='A',\n"
        "      author_email='a@example.org', url='http://127.0.0.1/', description='d')\n")
    for command in (["register", "-r", "local"], ["sdist", "upload", "-r", "local"]):
        result = run([sys.executable, "setup.py", *command], home, cwd=directory)
        assert "Server response (200): OK" in result.stdout + result.stderr, result.stderr
    page = fetch(f"{server.simple_url}legacy-neighbour-pkg/")
    assert f"{name}-0.1dev.tar.gz" in page


def test_every_legacy_row_and_file_is_unchanged_but_for_what_clients_did(legacy):
    server, data, before = legacy
    after = snapshot(data.url)
    uploaded_to = data.installable[0]
    logged_in = {data.owners[uploaded_to][0], data.admin}
    for table, rows in before.items():
        if rows == after[table]:
            continue
        remaining = list(after[table])
        for row in rows:
            if row in remaining:
                remaining.remove(row)
                continue
            ignored = _changed_on_purpose(table, row, uploaded_to, logged_in)
            assert ignored, f"{table}: legacy row changed or lost: {row}"
            match = [r for r in remaining
                     if {k: v for k, v in r.items() if k not in ignored}
                     == {k: v for k, v in row.items() if k not in ignored}]
            assert match, f"{table}: legacy row changed beyond {ignored}: {row}"
            remaining.remove(match[0])
    for file in data.files:
        assert hashlib.md5(file.path.read_bytes()).hexdigest() == file.md5


def _changed_on_purpose(table: str, row: dict, uploaded_to: str, logged_in: set) -> set:
    """The columns of a legacy row a client test changed on purpose (empty: none)."""
    if table == "releases" and row["name"] == uploaded_to:
        return {"_pypi_ordering", "_pypi_hidden"}        # re-ranked and autohidden by the upload
    if table == "users" and row["name"] in logged_in:
        return {"password", "last_login"}                # SHA-1 hash upgraded at login
    return set()
