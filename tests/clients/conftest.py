"""One real server per backend for the client tests, and a virtual environment for pip."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from storage_backends.errors import ServiceUnavailable
from tests.storage.backends import BACKENDS, ServerDatabases, worker_id

from .server import client_env, start_server


def _database_url(backend: str, databases: ServerDatabases, directory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{directory / 'pypi.db'}"
    if backend == "gae":
        try:
            import storage_backends.gae.sdk  # noqa: F401
        except ImportError as err:
            raise ServiceUnavailable(f"the App Engine SDK is not installed: {err}") from None
        return ""                     # the server reads backend and datastore_file instead
    store = databases.open_store(backend)     # creates the database and its schema
    try:
        return store.engine.url.render_as_string(hide_password=False)
    finally:
        store.close()


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    databases = ServerDatabases(f"clients_{worker_id()}")
    directory = tmp_path_factory.mktemp(f"server-{request.param}")
    try:
        url = _database_url(request.param, databases, directory)
    except ServiceUnavailable as err:
        if os.environ.get("PYPI_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{request.param} is required here: {err}")
        pytest.skip(f"{request.param} not reachable: {err}")
    extra = (f"backend = gae\ndatastore_file = {directory / 'datastore.pickle'}\n"
             if request.param == "gae" else "")
    running = start_server(directory, url, database_lines=extra)
    yield running
    running.stop()
    databases.drop_all()


@pytest.fixture(scope="session")
def client_home(tmp_path_factory):
    return tmp_path_factory.mktemp("client-home")


@pytest.fixture(scope="session")
def venv(tmp_path_factory, client_home):
    """A fresh virtual environment with the interpreter's own pip (23.x on Python 3.11)."""
    path = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, env=client_env(client_home))
    return path


def run(command, home, **kwargs) -> subprocess.CompletedProcess:
    """Run a client; its output is returned, not raised, so tests can assert on failures too."""
    return subprocess.run([str(c) for c in command], capture_output=True, text=True,
                          env=client_env(home), timeout=300, **kwargs)
