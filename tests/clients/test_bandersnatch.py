"""bandersnatch mirrors the real server: a full sync, then an incremental one.

bandersnatch (PyPA's mirror client) reads the XML-RPC changelog
(``list_packages_with_serial``, ``changelog_since_serial``), the JSON API
(``/pypi/<name>/json``), and downloads the files the JSON names, checking their
sha256. It insists on an ``https://`` master (we leave that check on), so the
server runs behind the small TLS proxy of ``tls_proxy.py`` with a throw-away
CA that bandersnatch trusts through ``SSL_CERT_FILE``.

bandersnatch 6.x runs on Python 3.11; it is installed once per session into a
virtual environment of its own with pip from the package registry. No network:
the test is skipped, unless ``PYPI_TEST_REQUIRE_SERVICES=1`` makes it a failure.

Runs on SQLite only: the storage conformance suite and the other client tests
cover the other databases; this one is about the protocol, and must stay fast.
"""
from __future__ import annotations

import base64
import configparser
import hashlib
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from pypi.backends import open_backends
from pypi.config import Config
from tests.distributions import make_sdist, make_wheel

from .server import PASSWORD, client_env, free_port, start_server
from .test_twine_pip import _write, twine_upload
from .tls_proxy import TlsProxy, make_certificates

pytestmark = pytest.mark.clients
BANDERSNATCH = "bandersnatch>=6.5,<7"
NO_NETWORK = ("Could not find a version", "No matching distribution", "NewConnectionError",
              "Temporary failure in name resolution", "Network is unreachable", "ProxyError")


@pytest.fixture(scope="session")
def bandersnatch(tmp_path_factory) -> Path:
    """The ``bandersnatch`` executable in a virtual environment of its own."""
    venv = tmp_path_factory.mktemp("bandersnatch-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # the registry is reached as this machine's pip is configured (index, proxies): os.environ
    result = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                             "--disable-pip-version-check", BANDERSNATCH],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        output = result.stdout + result.stderr
        if any(sign in output for sign in NO_NETWORK) and \
                os.environ.get("PYPI_TEST_REQUIRE_SERVICES") != "1":
            pytest.skip(f"cannot install {BANDERSNATCH} (no network?): {output[-500:]}")
        pytest.fail(f"pip install {BANDERSNATCH} failed:\n{output}")
    return venv / "bin" / "bandersnatch"


@pytest.fixture
def tls_server(tmp_path):
    """The server on SQLite behind a TLS proxy; its ``[webui] url`` is the https one."""
    ca, cert, key = make_certificates(tmp_path)
    proxy_port = free_port()
    public = f"https://127.0.0.1:{proxy_port}"
    server = start_server(tmp_path, f"sqlite:///{tmp_path / 'pypi.db'}", public_url=public)
    proxy = TlsProxy(proxy_port, int(server.base.rsplit(":", 1)[1]), cert, key)
    yield server, public, ca
    proxy.stop()
    server.stop()


def _mirror(bandersnatch: Path, config: Path, ca: Path, home: Path) -> None:
    env = client_env(home)
    env.update(SSL_CERT_FILE=str(ca), REQUESTS_CA_BUNDLE=str(ca))
    result = subprocess.run([str(bandersnatch), "--config", str(config), "mirror"],
                            capture_output=True, text=True, env=env, timeout=120)
    log = result.stdout + result.stderr
    (home / "bandersnatch.log").write_text(log)
    summary = [line for line in log.splitlines() if " ERROR: " in line or " INFO: " in line]
    assert result.returncode == 0, "\n".join(summary[-40:]) + "\n" + log[-3000:]


def _server_digests(config: Config) -> dict[str, str]:
    store, _ = open_backends(config)
    try:
        return {f.path.rsplit("/", 1)[-1]: f.sha256_digest
                for project in store.list_projects() for f in store.list_files(project.name)}
    finally:
        store.close()


def _mirror_digests(directory: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in (directory / "web" / "packages").rglob("*") if path.is_file()}


def _remove_release(server, name: str, version: str) -> None:
    """Remove a release through the web UI's ``remove_pkg`` action, confirmed, as its Owner."""
    form = urllib.parse.urlencode({":action": "remove_pkg", "name": name, "version": version,
                                   "submit_ok": "Remove"}).encode()
    token = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    request = urllib.request.Request(server.index_url, data=form,
                                     headers={"Authorization": f"Basic {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def test_bandersnatch_full_then_incremental_sync(bandersnatch, tls_server, tmp_path, client_home):
    server, public, ca = tls_server
    config = Config.from_ini(server.config)
    mirror_dir = tmp_path / "mirror"
    mirror_config = tmp_path / "bandersnatch.conf"
    parser = configparser.ConfigParser()
    parser["mirror"] = {"directory": str(mirror_dir), "master": public, "json": "true",
                        "workers": "2", "timeout": "10", "global-timeout": "60",
                        "stop-on-error": "true", "verifiers": "1", "hash-index": "false",
                        "release-files": "true", "compare-method": "hash"}
    with open(mirror_config, "w") as handle:
        parser.write(handle)

    def upload(name, version, wheel=True) -> str:
        """Upload with twine; returns the sdist's file name."""
        files = [_write(tmp_path, make_sdist(name, version))]
        if wheel:
            files.append(_write(tmp_path, make_wheel(name, version)))
        result = twine_upload(server, client_home, *files)
        assert result.returncode == 0, result.stdout + result.stderr
        return Path(files[0]).name

    # Names already in PEP 503 form: bandersnatch asks for /pypi/<normalised>/json, and the
    # server's 301 to another spelling would name the plain-http URL it was reached by
    # (webob makes the Location absolute from the request), which the TLS front cannot serve.
    alpha_sdist = upload("alpha", "1.0")
    beta_old = upload("beta-pkg", "1.0", wheel=False)
    beta_new = upload("beta-pkg", "2.0", wheel=False)
    _mirror(bandersnatch, mirror_config, ca, client_home)
    assert _mirror_digests(mirror_dir) == _server_digests(config)
    assert (mirror_dir / "status").read_text().strip() == _get_serial(server)
    assert (mirror_dir / "web" / "json" / "alpha").is_file()
    assert alpha_sdist in (mirror_dir / "web" / "simple" / "alpha" / "index.html").read_text()

    # incremental: new uploads and a removed release
    upload("alpha", "2.0")
    upload("gamma", "0.1")
    _remove_release(server, "beta-pkg", "1.0")
    _mirror(bandersnatch, mirror_config, ca, client_home)
    served = _server_digests(config)
    mirrored = _mirror_digests(mirror_dir)
    # bandersnatch never deletes a removed release's files on `mirror` (that is `verify --delete`)
    assert mirrored.pop(beta_old, None) is not None
    assert mirrored == served
    beta_page = (mirror_dir / "web" / "simple" / "beta-pkg" / "index.html").read_text()
    assert beta_new in beta_page and beta_old not in beta_page
    assert (mirror_dir / "status").read_text().strip() == _get_serial(server)


def _get_serial(server) -> str:
    with urllib.request.urlopen(f"{server.base}/serial", timeout=10) as response:
        return response.read().decode()
