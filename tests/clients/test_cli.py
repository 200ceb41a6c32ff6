"""The ``pypi`` command on the embedded default: no config, SQLite and files in ./pypi-data."""
from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest

from .server import RunningServer, _wait_until_up, client_env, free_port

pytestmark = pytest.mark.clients


def test_serve_without_config_creates_the_embedded_store(tmp_path):
    env = client_env(tmp_path)
    env.pop("PYPI_CONFIG", None)
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "pypi", "serve", "--port", str(port)],
                                   cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = RunningServer(f"http://127.0.0.1:{port}", tmp_path / "none", process, log)
    try:
        _wait_until_up(server)
        assert (tmp_path / "pypi-data" / "pypi.db").is_file()
        added = subprocess.run([sys.executable, "-m", "pypi", "adduser", "carol", "--email",
                                "carol@example.org", "--password", "pw"], cwd=tmp_path, env=env,
                               capture_output=True, text=True)
        assert added.returncode == 0, added.stderr
        again = subprocess.run([sys.executable, "-m", "pypi", "adduser", "carol", "--email",
                                "carol@example.org", "--password", "pw"], cwd=tmp_path, env=env,
                               capture_output=True, text=True)
        assert again.returncode == 1 and "already exists" in again.stderr
        with urllib.request.urlopen(f"{server.base}/pypi?:action=list_classifiers") as response:
            assert "Programming Language :: Python :: 3" in response.read().decode()
    finally:
        server.stop()


def test_bad_config_is_a_clear_error(tmp_path):
    config = tmp_path / "config.ini"
    config.write_text("[server]\nport = eighty\n")
    result = subprocess.run([sys.executable, "-m", "pypi", "initdb", "--config", str(config)],
                            capture_output=True, text=True, env=client_env(tmp_path))
    assert result.returncode == 2
    assert "[server] port: 'eighty' is not a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_a_clear_error(tmp_path):
    config = tmp_path / "config.ini"
    config.write_text(f"[database]\nurl = postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none\n")
    result = subprocess.run([sys.executable, "-m", "pypi", "serve", "--config", str(config)],
                            capture_output=True, text=True, env=client_env(tmp_path), timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def _redirect_location(base: str, headers: dict) -> str:
    """The Location of /simple/Demo_Pkg/ (http.client: redirects are not followed)."""
    import http.client
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", "/simple/Demo_Pkg/", headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 301
        return response.getheader("Location")
    finally:
        connection.close()


def test_forwarded_headers_count_only_from_the_trusted_proxy(tmp_path):
    from .server import pypi_command, serve
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "index.example.test"}
    for trusted, expected in (("127.0.0.1", "https://index.example.test/simple/demo-pkg/"),
                              ("", "http://127.0.0.1:{port}/simple/demo-pkg/")):
        port = free_port()
        config = tmp_path / f"proxy-{bool(trusted)}.ini"
        config.write_text(f"[database]\nurl = sqlite:///{tmp_path / 'pypi.db'}\n"
                          f"files_dir = {tmp_path / 'files'}\n[server]\ntrusted_proxy = {trusted}\n")
        subprocess.run(pypi_command("initdb", config=config), check=True, capture_output=True)
        server = serve(config, port, tmp_path / "proxy.log")
        try:
            assert _redirect_location(server.base, forwarded) == expected.format(port=port)
        finally:
            server.stop()


def test_unusable_change_counter_is_a_clear_error(tmp_path):
    (tmp_path / "plain-file").write_text("")
    config = tmp_path / "config.ini"
    config.write_text("[database]\nurl = postgresql+psycopg://nobody@127.0.0.1/none\n"
                      "change_counter = plain-file/counter\n")
    result = subprocess.run([sys.executable, "-m", "pypi", "serve", "--config", str(config)],
                            capture_output=True, text=True, env=client_env(tmp_path), timeout=60)
    assert result.returncode == 2
    assert "[database] change_counter: cannot use" in result.stderr
    assert "Traceback" not in result.stderr
