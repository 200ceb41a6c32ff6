"""``pypi load-sample`` against the real server: every backend serves the loaded sample.

On each backend 200 sample projects are loaded beside a running server, which
then lists them on ``/simple/``, serves every file of a few projects with the
digests its records announce (and a wheel's PEP 658 ``.metadata``), answers
the JSON API, and lets pip install a sample wheel. On SQLite only (the same
code runs for every backend): refusal of a non-empty index, ``--force``, and a
load killed mid-way that leaves a serving index and resumes.
"""
from __future__ import annotations

import hashlib
import json
import re
import signal
import sqlite3
import subprocess
import time
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest

from pypi.sample import SampleIndex

from .conftest import run
from .server import free_port, pypi_command, serve
from .test_migrate import sqlite_config

pytestmark = pytest.mark.clients
SEED, COUNT = 5, 200


def load(config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(pypi_command("load-sample", *args, config=config),
                          capture_output=True, text=True, timeout=600)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def installable(index: SampleIndex):
    """A sample project whose newest release is visible and has a wheel: (name, version)."""
    for project in index.projects():
        releases = sorted(project.export.releases, key=lambda r: r.ordering)
        newest = releases[-1] if releases else None
        if newest and not newest.hidden and any(
                f.version == newest.version and f.filename.endswith(".whl")
                for f in project.export.files):
            return project.export.project.name, newest.version
    raise AssertionError("the sample has no installable wheel")


@pytest.fixture(scope="module")
def loaded(server):
    result = load(server.config, "--projects", str(COUNT), "--seed", str(SEED))
    assert result.returncode == 0, result.stderr
    assert f"loaded {COUNT} projects" in result.stdout
    return server, SampleIndex(SEED, COUNT)


def test_the_simple_index_lists_every_sample_project(loaded):
    server, index = loaded
    page = fetch(server.simple_url).decode()
    listed = set(re.findall(r'<a href="[^"]+">([^<]+)</a>', page))
    assert set(index.project_names) <= listed


def test_every_file_of_some_projects_is_served_with_its_digests(loaded):
    server, index = loaded
    checked = metadata_checked = 0
    for project in index.projects(0, 12):
        page = fetch(f"{server.simple_url}{project.export.project.normalized_name}/").decode()
        for record in project.export.files:
            link = re.search(rf'<a href="([^"#]+)#sha256=([0-9a-f]+)"([^>]*)>'
                             rf'{re.escape(record.filename)}</a>', page)
            assert link, (record.filename, page)
            url, sha256, attributes = link.groups()
            assert sha256 == record.sha256_digest
            data = fetch(urllib.request.urljoin(f"{server.simple_url}x/", url))
            assert hashlib.sha256(data).hexdigest() == record.sha256_digest
            checked += 1
            if record.metadata_sha256:
                assert f'data-core-metadata="sha256={record.metadata_sha256}"' in attributes
                metadata = fetch(urllib.request.urljoin(f"{server.simple_url}x/", url) + ".metadata")
                assert hashlib.sha256(metadata).hexdigest() == record.metadata_sha256
                metadata_checked += 1
    assert checked and metadata_checked


def test_the_json_api_answers_for_sample_projects(loaded):
    server, index = loaded
    for project in index.projects(0, 5):
        name = project.export.project.name
        data = json.loads(fetch(f"{server.base}/pypi/{name}/json"))
        assert data["info"]["name"] == name
        assert set(data["releases"]) == {r.version for r in project.export.releases}


def test_pip_installs_a_sample_wheel(loaded, client_home, venv):
    server, index = loaded
    name, version = installable(index)
    pip = [venv / "bin" / "python", "-m", "pip"]
    result = run([*pip, "install", "--no-deps", "--index-url", server.simple_url,
                  f"{name}=={version}"], client_home)
    assert result.returncode == 0, result.stdout + result.stderr
    module = re.sub(r"[-_.]+", "_", name).lower()
    shown = run([venv / "bin" / "python", "-c", f"import {module}; print({module}.__version__)"],
                client_home)
    assert shown.stdout.strip() == str(__import__("packaging.version").version.Version(version))
    run([*pip, "uninstall", "-y", name], client_home)


def test_a_non_empty_index_is_refused_unless_forced(tmp_path):
    config = sqlite_config(tmp_path / "index")
    assert load(config, "--projects", "10").returncode == 0
    refused = load(config, "--projects", "10", "--seed", "1")
    assert refused.returncode == 2
    assert "not empty (10 projects" in refused.stderr and "--force" in refused.stderr
    forced = load(config, "--projects", "10", "--seed", "1", "--force")
    assert forced.returncode == 0, forced.stderr
    database = tmp_path / "index" / "pypi.db"
    assert _count(database, "packages") == 20
    serials = [r[0] for r in _query(database, "select id from journals order by id")]
    assert serials == list(range(1, len(serials) + 1))      # the second load went on numbering
    assert load(config, "--projects", "-1").returncode == 2


def test_a_killed_load_leaves_a_serving_index_and_resumes(tmp_path):
    config, total = sqlite_config(tmp_path / "index"), 500
    database = tmp_path / "index" / "pypi.db"
    process = subprocess.Popen(pypi_command("load-sample", "--projects", str(total), config=config),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _count(database, "packages") == 0:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    loaded = _count(database, "packages")
    assert 0 < loaded < total, "the load was not interrupted mid-way"
    records = _query(database, "select path, size from release_files")
    assert records and all((tmp_path / "index" / "packages" / path).stat().st_size == size
                           for path, size in records)
    server = serve(config, free_port(), tmp_path / "server.log")
    try:
        assert fetch(server.simple_url).decode().count("<a href=") == loaded
    finally:
        server.stop()
    resumed = load(config, "--projects", str(total))
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming the sample load" in resumed.stderr
    assert _count(database, "packages") == total


def _query(database: Path, sql: str) -> list:
    with closing(sqlite3.connect(database)) as db:
        return db.execute(sql).fetchall()


def _count(database: Path, table: str) -> int:
    try:
        return _query(database, f"select count(*) from {table}")[0][0]
    except sqlite3.OperationalError:          # not created yet, or locked for a moment
        return 0
