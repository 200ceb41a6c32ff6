"""Python 3.11's own distutils: ``setup.py register`` and ``setup.py sdist upload`` with a .pypirc."""
from __future__ import annotations

import itertools
import sys
import urllib.request
import uuid

import pytest

from .conftest import run
from .server import PASSWORD

pytestmark = [pytest.mark.clients,
              pytest.mark.skipif(sys.version_info >= (3, 12), reason="distutils left the standard library in 3.12")]
_counter = itertools.count()

SETUP_PY = """\
from distutils.core import setup
setup(name={name!r}, version={version!r}, py_modules=["{module}"],
      author="Alice", author_email="alice@example.org", url="http://127.0.0.1/home",
      description="Registered by distutils", long_description="Long *text*",
      classifiers=["Topic :: Utilities"], requires=["os"], license="MIT")
"""


@pytest.fixture
def project(tmp_path):
    name = f"DistDemo{next(_counter)}{uuid.uuid4().hex[:6]}"
    directory = tmp_path / name
    directory.mkdir()
    (directory / f"{name.lower()}.py").write_text("VERSION = 1\n")
    return name, directory


def write_setup(directory, name, version):
    (directory / "setup.py").write_text(SETUP_PY.format(name=name, version=version, module=name.lower()))


def write_pypirc(home, server, user="alice", password=PASSWORD):
    (home / ".pypirc").write_text(
        "[distutils]\nindex-servers = local\n\n"
        f"[local]\nrepository = {server.index_url}\nusername = {user}\npassword = {password}\n")


def setup_py(directory, home, *args):
    result = run([sys.executable, "setup.py", *args], home, cwd=directory)
    return result, result.stdout + result.stderr


@pytest.fixture
def home(tmp_path, server):
    path = tmp_path / "home"
    path.mkdir()
    write_pypirc(path, server)
    return path


@pytest.fixture(autouse=True)
def stdlib_distutils(monkeypatch):
    """setuptools would otherwise replace distutils with its own copy, which has no upload."""
    monkeypatch.setenv("SETUPTOOLS_USE_DISTUTILS", "stdlib")


def test_register_then_sdist_upload(server, home, project):
    name, directory = project
    write_setup(directory, name, "1.0")
    result, output = setup_py(directory, home, "register", "-r", "local")
    assert "Server response (200): OK" in output, output
    result, output = setup_py(directory, home, "sdist", "upload", "-r", "local")
    assert result.returncode == 0, output
    assert "Server response (200): OK" in output, output
    with urllib.request.urlopen(f"{server.base}/simple/{name.lower()}/") as response:
        assert f"{name}-1.0.tar.gz" in response.read().decode()
    with urllib.request.urlopen(f"{server.base}/pypi?:action=list_classifiers") as response:
        assert "Topic :: Utilities" in response.read().decode().splitlines()


def test_dry_run_register_verifies(server, home, project):
    name, directory = project
    write_setup(directory, name, "1.0")
    result, output = setup_py(directory, home, "register", "--dry-run", "-r", "local")
    assert result.returncode == 0, output
    assert "Server response (200): OK" in output, output


def test_list_classifiers(server, home, project):
    name, directory = project
    write_setup(directory, name, "1.0")
    result, output = setup_py(directory, home, "register", "--list-classifiers", "-r", "local")
    assert "Topic :: Utilities" in output, output


def test_wrong_password_is_401(server, home, project):
    name, directory = project
    write_setup(directory, name, "1.0")
    write_pypirc(home, server, password="wrong")
    result, output = setup_py(directory, home, "register", "-r", "local")
    assert "Server response (401): Incorrect password" in output, output
    result, output = setup_py(directory, home, "sdist", "upload", "-r", "local")
    assert result.returncode != 0
    assert "Upload failed (401): Incorrect password" in output, output


def test_foreign_project_is_403(server, home, project):
    name, directory = project
    write_setup(directory, name, "1.0")
    setup_py(directory, home, "register", "-r", "local")
    write_pypirc(home, server, user="bob")
    write_setup(directory, name, "1.1")
    result, output = setup_py(directory, home, "register", "-r", "local")
    assert f"Server response (403): You are not allowed to store '{name}' package information" in output
    result, output = setup_py(directory, home, "sdist", "upload", "-r", "local")
    assert result.returncode != 0
    assert f"Upload failed (403): You are not allowed to edit '{name}' package information" in output


def test_duplicate_upload_is_400(server, home, project):
    name, directory = project
    write_setup(directory, name, "1.0")
    result, output = setup_py(directory, home, "sdist", "upload", "-r", "local")
    assert result.returncode == 0, output
    result, output = setup_py(directory, home, "sdist", "upload", "-r", "local")
    assert result.returncode != 0
    assert "Upload failed (400): A file named" in output and "already exists" in output, output


def test_bad_version_is_400(server, home, project):
    name, directory = project
    write_setup(directory, name, "one two")
    result, output = setup_py(directory, home, "register", "-r", "local")
    assert "Server response (400): Invalid version 'one two'" in output, output
