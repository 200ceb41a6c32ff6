"""twine uploads and pip installs against the real server, on every backend."""
from __future__ import annotations

import hashlib
import http.client
import itertools
import json
import sys
import urllib.error
import urllib.request
import uuid

import pytest

from tests.distributions import make_sdist, make_wheel

from .conftest import run
from .server import PASSWORD

pytestmark = pytest.mark.clients
_counter = itertools.count()


@pytest.fixture
def project():
    """A project name no other test on this server uses."""
    return f"Demo_Pkg{next(_counter)}x{uuid.uuid4().hex[:6]}"


def _write(directory, built) -> str:
    filename, data = built
    path = directory / filename
    path.write_bytes(data)
    return str(path)


def twine_upload(server, home, *files, user="alice", password=PASSWORD, extra=()):
    return run([sys.executable, "-m", "twine", "upload", "--repository-url", server.upload_url,
                "-u", user, "-p", password, "--disable-progress-bar", "--non-interactive",
                *extra, *files], home)


def test_twine_upload_then_pip_install(server, client_home, venv, tmp_path, project):
    sdist = _write(tmp_path, make_sdist(project, "1.0"))
    wheel = _write(tmp_path, make_wheel(project, "1.0", requires_python=">=3.8"))
    result = twine_upload(server, client_home, sdist, wheel)
    assert result.returncode == 0, result.stdout + result.stderr

    pip = [venv / "bin" / "python", "-m", "pip"]
    result = run([*pip, "install", "--index-url", server.simple_url, f"{project}==1.0"], client_home)
    assert result.returncode == 0, result.stdout + result.stderr
    module = project.lower()
    shown = run([venv / "bin" / "python", "-c", f"import {module}; print({module}.VERSION)"], client_home)
    assert shown.stdout.strip() == "1.0"

    # the sdist builds and installs too, with the in-tree backend it carries (no other index asked)
    result = run([*pip, "install", "--force-reinstall", "--no-binary", ":all:",
                  "--index-url", server.simple_url, f"{project}==1.0"], client_home)
    assert result.returncode == 0, result.stdout + result.stderr
    run([*pip, "uninstall", "-y", project], client_home)


def test_pip_sees_the_recorded_digests(server, client_home, tmp_path, project):
    built = make_wheel(project, "2.0")
    assert twine_upload(server, client_home, _write(tmp_path, built)).returncode == 0
    result = run([sys.executable, "-m", "pip", "download", "--no-deps", "--index-url", server.simple_url,
                  "-d", tmp_path / "dl", f"{project}==2.0"], client_home)
    assert result.returncode == 0, result.stdout + result.stderr
    downloaded = (tmp_path / "dl" / built[0]).read_bytes()
    assert hashlib.sha256(downloaded).hexdigest() == hashlib.sha256(built[1]).hexdigest()


def test_duplicate_file_fails_and_twine_would_skip_it(server, client_home, tmp_path, project):
    sdist = _write(tmp_path, make_sdist(project, "1.0"))
    assert twine_upload(server, client_home, sdist).returncode == 0
    again = twine_upload(server, client_home, sdist)
    assert again.returncode != 0
    assert "400" in again.stdout + again.stderr and "already exists" in again.stdout + again.stderr
    # twine 6.1+ only allows --skip-existing for its own default hosts, so ask twine's own
    # decision function about the server's real answer to the duplicate upload.
    import requests
    from twine.commands.upload import skip_upload
    from twine.package import PackageFile
    package = PackageFile.from_filename(sdist, comment=None)
    data = package.metadata_dictionary()
    data.update({":action": "file_upload", "protocol_version": "1"})
    with open(sdist, "rb") as content:
        response = requests.post(server.upload_url, data=data, auth=("alice", PASSWORD),
                                 files={"content": (package.basefilename, content)}, timeout=60)
    assert response.status_code == 400
    assert skip_upload(response, True, package)


def test_wrong_password_is_refused(server, client_home, tmp_path, project):
    result = twine_upload(server, client_home, _write(tmp_path, make_sdist(project, "1.0")),
                          password="wrong")
    assert result.returncode != 0
    assert "401" in result.stdout + result.stderr
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{server.base}/simple/{project.lower().replace('_', '-')}/")
    assert err.value.code == 404
    err.value.close()


def test_foreign_project_is_403(server, client_home, tmp_path, project):
    assert twine_upload(server, client_home, _write(tmp_path, make_sdist(project, "1.0"))).returncode == 0
    result = twine_upload(server, client_home, _write(tmp_path, make_sdist(project, "1.1")), user="bob")
    assert result.returncode != 0
    assert "403" in result.stdout + result.stderr
    # twine sends the name through setuptools' safe_name, so the project is stored as Demo-Pkg...
    assert f"not allowed to edit '{project.replace('_', '-')}'" in result.stdout + result.stderr


def test_mismatched_extension_and_bad_version_are_400(server, tmp_path, project):
    """twine refuses both before sending, so these go through urllib as a plain HTTP client."""
    from tests.clients.multipart import post_upload
    filename, data = make_wheel(project, "1.0")
    status, reason = post_upload(server.upload_url, "alice", PASSWORD, filename, data,
                                 name=project, version="1.0", filetype="sdist", pyversion="source")
    assert (status, "Invalid file type" in reason) == (400, True)
    filename, data = make_sdist(project, "1.0")
    status, reason = post_upload(server.upload_url, "alice", PASSWORD, filename, data,
                                 name=project, version="one.zero", filetype="sdist", pyversion="source")
    assert status == 400 and "Invalid version" in reason


def test_cached_simple_pages_through_waitress(server, client_home, tmp_path, project):
    """The cached answer (sent without webob) through the real server: GET, HEAD and a 304 on
    one kept-alive connection, and a new upload shown on the very next request."""
    first = _write(tmp_path, make_sdist(project, "1.0"))
    assert twine_upload(server, client_home, first).returncode == 0
    host, port = server.base.removeprefix("http://").split(":")
    path = f"/simple/{project.lower().replace('_', '-')}/"
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        bodies = []
        for _ in range(3):     # built, then found current, then confirmed by the change token
            connection.request("GET", path)
            reply = connection.getresponse()
            bodies.append(reply.read())
            assert reply.status == 200 and reply.getheader("X-Content-Type-Options") == "nosniff"
        assert bodies[0] == bodies[1] == bodies[2] and b"1.0.tar.gz" in bodies[0]
        connection.request("HEAD", path)
        head = connection.getresponse()
        assert head.status == 200 and head.read() == b""
        assert int(head.getheader("Content-Length")) == len(bodies[0])
        connection.request("GET", path, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
        as_json = connection.getresponse()
        assert json.loads(as_json.read())["files"][0]["filename"].endswith("1.0.tar.gz")
        connection.request("GET", path, headers={"If-None-Match": reply.getheader("ETag")})
        revalidated = connection.getresponse()
        assert revalidated.status == 304 and revalidated.read() == b""
    finally:
        connection.close()
    second = _write(tmp_path, make_sdist(project, "2.0"))
    assert twine_upload(server, client_home, second).returncode == 0
    with urllib.request.urlopen(server.base + path, timeout=30) as reply:
        assert b"2.0.tar.gz" in reply.read()
