"""The real server in a subprocess: ``pypi initdb``, ``pypi adduser``, ``pypi serve``.

Client tests talk to it over 127.0.0.1 exactly as users' tools do.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "s3cret-Password"
USERS = ("alice", "bob")
START_TIMEOUT = 60


@dataclass
class RunningServer:
    base: str                 # http://127.0.0.1:PORT
    config: Path
    process: subprocess.Popen
    log: Path

    @property
    def index_url(self) -> str:
        return f"{self.base}/pypi"

    @property
    def simple_url(self) -> str:
        return f"{self.base}/simple/"

    @property
    def upload_url(self) -> str:
        return f"{self.base}/legacy/"

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen, grace_s: float = 10) -> None:
    """SIGTERM, then SIGKILL when it has not exited after ``grace_s``."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pypi_command(*args: str, config: Path) -> list[str]:
    return [sys.executable, "-m", "pypi", *args, "--config", str(config)]


def start_server(directory: Path, database_url: str, public_url: str | None = None,
                 database_lines: str = "", server_lines: str = "") -> RunningServer:
    """``public_url``: the ``[webui] url`` clients see, when a proxy stands in front;
    ``database_lines``, ``server_lines``: more ``[database]`` settings (``backend = gae``,
    ...) and ``[server]`` ones (``channel_timeout = 2``)."""
    port = free_port()
    config = directory / "config.ini"
    config.write_text(
        "[database]\n"
        f"url = {database_url}\n"
        f"{database_lines}"
        f"files_dir = {directory / 'packages'}\n"
        f"docs_dir = {directory / 'docs'}\n"
        "[webui]\n"
        f"url = {public_url or f'http://127.0.0.1:{port}'}/pypi\n"
        "[server]\n"
        "threads = 4\n"
        f"{server_lines}")
    subprocess.run(pypi_command("initdb", config=config), check=True, capture_output=True)
    for user in USERS:
        subprocess.run(pypi_command("adduser", user, "--email", f"{user}@example.org",
                                    "--password", PASSWORD, config=config),
                       check=True, capture_output=True)
    return serve(config, port, directory / "server.log")


def serve(config: Path, port: int, log: Path) -> RunningServer:
    """``pypi serve`` on an initialised config; returns once it answers."""
    with open(log, "wb") as out:
        process = subprocess.Popen(pypi_command("serve", "--port", str(port), config=config),
                                   stdout=out, stderr=subprocess.STDOUT)
    server = RunningServer(f"http://127.0.0.1:{port}", config, process, log)
    _wait_until_up(server)
    return server


def _wait_until_up(server: RunningServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited: {server.log.read_text()}")
        try:
            with urllib.request.urlopen(server.simple_url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server did not answer within {START_TIMEOUT}s: {server.log.read_text()}")


def client_env(home: Path) -> dict[str, str]:
    """An environment for client subprocesses: its own HOME, no proxies, no user config."""
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith(("PIP_", "TWINE_"))}
    env.update(HOME=str(home), PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_CACHE_DIR="1",
               PIP_CONFIG_FILE=os.devnull, PYTHONWARNINGS="ignore")
    return env


@contextmanager
def waitress_in_thread(app, dispatcher=None):
    """``app`` served by waitress in this process on 127.0.0.1 (one pool thread, or the threads
    ``dispatcher`` has when given); yields the base URL, without a trailing slash."""
    from waitress import wasyncore
    from waitress.server import create_server

    extra = {"_dispatcher": dispatcher} if dispatcher is not None else {}
    server = create_server(app, host="127.0.0.1", port=0, threads=1, **extra)
    if dispatcher is not None:
        dispatcher.set_thread_count(1)
    runner = threading.Thread(target=server.run, daemon=True)
    runner.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # The pool first: a task still finishing pulls the trigger when it writes, which would
        # fail on a trigger already closed (an OSError in that thread, seen once in a while).
        server.task_dispatcher.shutdown(timeout=5)
        # Then closed from the server's own loop (a close from here races its select): with
        # every socket gone the loop ends, and run() returns.
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        runner.join(10)
