"""PEP 381 on the real server: `pypi genkey`, `pypi mirror`, and signatures a client can verify."""
from __future__ import annotations

import re
import stat
import subprocess
import urllib.error
import urllib.request

import pytest
from cryptography.hazmat.primitives import hashes, serialization

from pypi.config import Config
from tests.distributions import make_sdist, make_wheel

from .server import pypi_command
from .test_twine_pip import _write, twine_upload

pytestmark = pytest.mark.clients


def _get(url: str):
    """The body and the (case-insensitive) headers."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read(), response.headers


def _pypi(server, *args):
    return subprocess.run(pypi_command(*args, config=server.config), capture_output=True, text=True,
                          timeout=120)


def test_genkey_then_signatures_verify_against_the_simple_page(server, client_home, tmp_path):
    private = Config.from_ini(server.config).private_key_path
    if not private.exists():             # the module's server is shared by the tests of its backend
        with pytest.raises(urllib.error.HTTPError) as missing:
            _get(f"{server.base}/serverkey")
        missing.value.close()             # the error holds the response open
        assert missing.value.code == 404
        created = _pypi(server, "genkey")
        assert created.returncode == 0, created.stderr
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    refused = _pypi(server, "genkey")
    assert refused.returncode == 1 and "--force" in refused.stderr

    name = "Signed_Pkg"
    files = [_write(tmp_path, make_sdist(name, "1.0")), _write(tmp_path, make_wheel(name, "1.0"))]
    result = twine_upload(server, client_home, *files)
    assert result.returncode == 0, result.stdout + result.stderr

    # what a PEP 381 client does: the key once, then page and signature, then verify
    public_key = serialization.load_pem_public_key(_get(f"{server.base}/serverkey")[0])
    page, page_headers = _get(f"{server.base}/simple/signed-pkg/")
    signature, headers = _get(f"{server.base}/serversig/signed-pkg")       # follows the 301
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["X-PyPI-Last-Serial"] == page_headers["X-PyPI-Last-Serial"]
    public_key.verify(signature, page, hashes.SHA1())      # raises InvalidSignature if not


def test_mirror_commands_and_page(server):
    assert _pypi(server, "mirror", "add", "b.mirror.example.org", "alice").returncode == 0
    assert _pypi(server, "mirror", "add", "192.0.2.9").returncode == 0
    again = _pypi(server, "mirror", "add", "192.0.2.9")
    assert again.returncode == 1 and "already registered" in again.stderr
    assert "no user" in _pypi(server, "mirror", "add", "192.0.2.10", "ghost").stderr
    listed = _pypi(server, "mirror", "list")
    assert listed.stdout.splitlines() == ["192.0.2.9", "b.mirror.example.org\talice"]
    page = _get(f"{server.base}/mirrors")[0].decode()
    assert "<li>b.mirror.example.org (maintained by alice)</li>" in page
    assert _pypi(server, "mirror", "remove", "192.0.2.9").returncode == 0
    assert _pypi(server, "mirror", "remove", "192.0.2.9").returncode == 1
    assert "192.0.2.9" not in _get(f"{server.base}/mirrors")[0].decode()
    _pypi(server, "mirror", "remove", "b.mirror.example.org")


def test_last_modified_and_daytime(server, client_home, tmp_path):
    result = twine_upload(server, client_home, _write(tmp_path, make_sdist("Dated_Pkg", "1.0")))
    assert result.returncode == 0, result.stdout + result.stderr
    for path in ("/last-modified", "/daytime"):
        body, headers = _get(server.base + path)
        assert re.fullmatch(rb"\d{8}T\d\d:\d\d:\d\d\n", body)
        assert headers["Content-Type"].startswith("text/plain")
