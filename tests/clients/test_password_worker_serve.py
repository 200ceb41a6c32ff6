"""`pypi serve` checks passwords in its child process (``[server] password_worker``), and
the child goes when the server does."""
from __future__ import annotations

import base64
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .server import PASSWORD, start_server


def _workers(pid: int) -> list[int]:
    """Process ids of the server's children that are password workers."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"pypi.password_worker" in command:
                found.append(int(child))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _upload_status(server, password: str) -> int:
    """A POST with no form at all: the password is checked before the form is read."""
    token = base64.b64encode(f"alice:{password}".encode()).decode()
    request = urllib.request.Request(server.upload_url, data=b"", method="POST",
                                     headers={"Authorization": f"Basic {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
@pytest.mark.parametrize("setting, in_child", [("on", True), ("off", False)])
def test_passwords_are_checked_in_the_child_of_pypi_serve(tmp_path, setting, in_child):
    server = start_server(tmp_path, f"sqlite:///{tmp_path / 'pypi.db'}",
                          server_lines=f"password_worker = {setting}\n")
    try:
        # started with the server, so the first login does not wait for it to start
        assert len(_workers(server.process.pid)) == (1 if in_child else 0)
        assert _upload_status(server, "wrong password") == 401
        assert _upload_status(server, PASSWORD) == 200     # past the password; no action asked
        workers = _workers(server.process.pid)
        assert len(workers) == (1 if in_child else 0)
        for pid in workers:
            assert PASSWORD.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
            assert PASSWORD.encode() not in Path(f"/proc/{pid}/environ").read_bytes()
    finally:
        server.stop()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in workers), "the password worker outlived the server"
