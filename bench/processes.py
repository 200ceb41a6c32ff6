"""Starting the servers under test, timing their start, reading their peak memory, stopping them.

Every server is a child process of the benchmark on 127.0.0.1; it is stopped
by its own process id (SIGTERM, then SIGKILL after a grace period).
"""
from __future__ import annotations

import math
import os
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.clients.server import free_port, stop_process

__all__ = ["Server", "free_port", "start", "timed_get"]
START_TIMEOUT_S = 300


@dataclass
class Server:
    name: str
    base: str                        # http://127.0.0.1:PORT
    process: subprocess.Popen
    log: Path
    start_s: float = 0.0             # spawn to the first answer of its ready URL
    extra: dict = field(default_factory=dict)

    def peak_rss_mb(self) -> float:
        """VmHWM of the server process: its peak resident memory since it started."""
        return status_mb(self.process.pid, "VmHWM")

    def children_peak_rss_mb(self) -> float | None:
        """The sum of the VmHWM of the server's running child processes (ours: the password
        worker), or None when it has none."""
        peaks = [status_mb(child, "VmHWM")
                 for task in Path(f"/proc/{self.process.pid}/task").iterdir()
                 for child in (task / "children").read_text().split()]
        peaks = [peak for peak in peaks if not math.isnan(peak)]
        return sum(peaks) if peaks else None

    def cpu_s(self) -> float:
        """CPU time the server process has used so far, user and system, in seconds (its
        threads included; its child processes not)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        stop_process(self.process, grace_s=15)


def status_mb(pid: int | str, field: str) -> float:
    """A memory line of ``/proc/<pid>/status`` (``VmRSS``, ``VmHWM``) in MB; nan when the
    process has ended or has no such line."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    for line in status.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start(name: str, command: list[str], port: int, ready_path: str, log: Path,
          cwd: Path | None = None, env: dict | None = None) -> Server:
    """Spawn ``command`` and wait until ``ready_path`` answers 200; the wait is ``start_s``."""
    began = time.perf_counter()
    with open(log, "ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=env)
    server = Server(name, f"http://127.0.0.1:{port}", process, log)
    deadline = began + START_TIMEOUT_S
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(server.base + ready_path, timeout=5) as reply:
                if reply.status == 200:
                    server.start_s = time.perf_counter() - began
                    return server
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.02)
    server.stop()
    raise RuntimeError(f"{name} did not answer {ready_path} within {START_TIMEOUT_S} s; see {log}")


def timed_get(url: str, headers: dict | None = None) -> tuple[float, int, bytes]:
    """One GET: seconds, status, body."""
    request = urllib.request.Request(url, headers=headers or {})
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as reply:
            body = reply.read()
            return time.perf_counter() - began, reply.status, body
    except urllib.error.HTTPError as err:
        return time.perf_counter() - began, err.code, err.read()
