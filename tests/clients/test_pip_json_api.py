"""pip 23.2 on the PEP 691 JSON simple API with PEP 658 metadata files and PEP 592 yanking,
and the JSON API after a twine upload, against the real server on every backend."""
from __future__ import annotations

import json
import urllib.request

from packaging.utils import canonicalize_name

from tests.distributions import make_wheel

from .conftest import run
from .test_twine_pip import _write, project, twine_upload  # noqa: F401  (fixture)

JSON = "application/vnd.pypi.simple.v1+json"


def _pip(venv, *args):
    return [venv / "bin" / "python", "-m", "pip", *args]


def _installed_version(venv, home, project_name) -> str:
    module = project_name.replace("-", "_").lower()
    shown = run([venv / "bin" / "python", "-c", f"import {module}; print({module}.VERSION)"], home)
    return shown.stdout.strip()


def test_pip_reads_json_page_and_metadata_file(server, client_home, venv, tmp_path, project):
    built = make_wheel(project, "1.0")
    assert twine_upload(server, client_home, _write(tmp_path, built)).returncode == 0
    normalized = canonicalize_name(project)
    result = run(_pip(venv, "install", "-vv", "--index-url", server.simple_url, project), client_home)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    # pip logs the Content-Type of each index page it parsed ...
    assert f"Fetched page {server.simple_url}{normalized}/ as {JSON}" in log
    # ... and takes the dependency information from the PEP 658 file instead of the wheel
    assert (f"Obtaining dependency information for {project} from "
            f"{server.base}/packages/py3/{project.replace('_', '-')[0]}/") in log
    assert f"{built[0]}.metadata" in log
    assert _installed_version(venv, client_home, project) == "1.0"
    run(_pip(venv, "uninstall", "-y", project), client_home)


def test_hidden_release_is_yanked_for_pip(server, client_home, venv, tmp_path, project):
    # 2.0 first, then 1.0: autohide hides every other release, so the highest version is hidden
    for version in ("2.0", "1.0"):
        wheel = _write(tmp_path, make_wheel(project, version))
        assert twine_upload(server, client_home, wheel).returncode == 0

    result = run(_pip(venv, "install", "--index-url", server.simple_url, project), client_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _installed_version(venv, client_home, project) == "1.0"

    result = run(_pip(venv, "install", "--index-url", server.simple_url, f"{project}==2.0"),
                 client_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "yanked version" in result.stdout + result.stderr   # pip warns, then installs it
    assert _installed_version(venv, client_home, project) == "2.0"
    run(_pip(venv, "uninstall", "-y", project), client_home)


def test_twine_upload_shows_in_the_json_api(server, client_home, tmp_path, project):
    wheel = make_wheel(project, "1.0")
    assert twine_upload(server, client_home, _write(tmp_path, wheel)).returncode == 0
    # the normalised name redirects to the stored spelling, which urllib follows
    with urllib.request.urlopen(f"{server.index_url}/{canonicalize_name(project)}/json") as response:
        assert response.headers["Content-Type"].startswith("application/json")
        serial = int(response.headers["X-PyPI-Last-Serial"])
        body = json.load(response)
    # twine reads nothing but releases[<version>][*].filename (its --skip-existing check)
    assert [f["filename"] for f in body["releases"]["1.0"]] == [wheel[0]]
    assert body["info"]["version"] == "1.0" and serial >= body["last_serial"] > 0
