#!/usr/bin/env python3
"""Benchmark: uploading a large file must not grow the server's memory.

Claim checked: uploading a 200 MiB distribution file raises the peak resident
set size (VmHWM) of the ``pypi serve`` process by less than 30 MiB, i.e. no
layer (waitress, the multipart parser, the blob store) holds the body in
memory. The script starts a real server on a throw-away SQLite database in a
temporary directory, warms it up, uploads the file the way twine does, reads
the server's peak RSS before and after, checks that the file downloads intact,
and prints a table. Exit status: 0 PASS, 1 FAIL, 2 the run itself failed.

Why the peak is also split by phase: every authenticated request verifies the
password with argon2, whose memory_cost is 64 MiB. That transient is already
in VmHWM after the warm-up upload, so the plain before/after difference could
not see any buffering smaller than about 64 MiB. A watcher thread therefore
samples the server's RSS every millisecond during each upload, recognises the
password check (waitress reads the whole body before the app runs, and the app
checks the password before it parses the form), and resets VmHWM right after
it (``/proc/<pid>/clear_refs``), so the peak of parsing and storing the body
is the kernel's exact figure, not hidden behind the password check.

It is a benchmark, not a test: it takes a few seconds to a minute and needs
about five times the file size of free disk (the file, waitress's request
buffer, the parser's spool file and the stored blob). Linux only (/proc).

Usage: python bench/upload_memory.py [--size-mb 200] [--budget-mb 30]
                                     [--client http|twine] [--tmpdir DIR]
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import io
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path

MIB = 1 << 20
CHUNK = MIB
HOST = "127.0.0.1"          # the only address this script talks to
PROJECT = "memdemo"
USER, PASSWORD = "bench", "bench-password-1"
READY_TIMEOUT = 30.0        # seconds for `pypi serve` to answer
REQUEST_TIMEOUT = 600.0     # seconds for one upload or download
SAMPLE_INTERVAL = 0.001     # seconds between two RSS samples during an upload
CHECK_RISE_KIB = 32 * 1024  # a rise above this is the argon2 password check (memory_cost 64 MiB)


# --- set-up ---------------------------------------------------------------------------------

def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=200, help="size of the big upload, MiB")
    parser.add_argument("--budget-mb", type=float, default=30.0,
                        help="allowed increase of the server's peak RSS, MiB")
    parser.add_argument("--client", choices=("http", "twine"), default="http",
                        help="http: stream the multipart body with http.client (default, times "
                             "only the request); twine: run `twine upload` (the real client, "
                             "whose start-up and hashing are then part of the time)")
    parser.add_argument("--tmpdir", help="where to create the temporary directory")
    return parser.parse_args(argv)


def free_port() -> int:
    """A port the kernel says is free now; the tiny race with another process is accepted."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def write_config(root: Path, port: int, max_upload: int) -> Path:
    """A config.ini keeping the database and the files inside ``root``."""
    config = root / "config.ini"
    config.write_text(
        "[database]\n"
        f"url = sqlite:///{root / 'pypi.db'}\n"
        f"files_dir = {root / 'packages'}\n"
        f"docs_dir = {root / 'docs'}\n"
        "[webui]\n"
        f"url = http://{HOST}:{port}/pypi\n"
        f"max_upload_size = {max_upload}\n"
        "[server]\n"
        f"host = {HOST}\nport = {port}\nthreads = 4\n",
        encoding="utf-8")
    return config


def pypi_command(*args: str, config: Path) -> list[str]:
    """The ``pypi`` CLI of the interpreter running this script (the project's virtualenv)."""
    return [sys.executable, "-m", "pypi", *args, "--config", str(config)]


def prepare_database(config: Path) -> None:
    """Through the real CLI, as an operator would: schema, classifiers, one uploader."""
    for args in (("initdb",), ("adduser", USER, "--email", "bench@example.org",
                               "--password", PASSWORD)):
        subprocess.run(pypi_command(*args, config=config), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


# --- the server -------------------------------------------------------------------------------

class Server:
    """A running ``pypi serve``: waitress runs in this very process, so its pid is what we measure."""

    def __init__(self, config: Path, port: int, log: Path):
        self.port, self.log = port, log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(pypi_command("serve", config=config),
                                            stdout=out, stderr=subprocess.STDOUT)
        self._status = f"/proc/{self.process.pid}/status"
        self._peak_before_resets = 0

    def wait_ready(self) -> None:
        """Poll GET /simple/ until it answers 200, failing fast if the process dies."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pypi serve exited with {self.process.returncode}")
            try:
                if get(self.port, "/simple/") == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"pypi serve did not answer within {READY_TIMEOUT:.0f} s")

    def status_kib(self, key: str) -> int:
        """One ``Vm*`` line of /proc/<pid>/status, in KiB."""
        with open(self._status, encoding="ascii") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        raise RuntimeError(f"{key} missing from {self._status}")

    def rss_kib(self) -> int:
        return self.status_kib("VmRSS")

    def hwm_kib(self) -> int:
        """VmHWM: the peak RSS since start or since the last reset_peak()."""
        return self.status_kib("VmHWM")

    def written_bytes(self) -> int:
        """wchar of /proc/<pid>/io: bytes the server has written to files (not to sockets)."""
        with open(f"/proc/{self.process.pid}/io", encoding="ascii") as io_stats:
            for line in io_stats:
                if line.startswith("wchar:"):
                    return int(line.split()[1])
        raise RuntimeError("wchar missing from /proc/<pid>/io")

    def reset_peak(self) -> None:
        """Set VmHWM to the current RSS, remembering the old peak so peak_kib() stays exact."""
        self._peak_before_resets = max(self._peak_before_resets, self.hwm_kib())
        with open(f"/proc/{self.process.pid}/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")

    def peak_kib(self) -> int:
        """The peak RSS since the server started, whatever resets happened in between."""
        return max(self._peak_before_resets, self.hwm_kib())

    def stop(self) -> None:
        """Terminate (waitress exits on SIGTERM), kill if it hangs; always reaped."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 20) -> str:
        """The end of the server's output, shown when the run fails (the log is then deleted)."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Phases:
    """RSS rises of one upload request above the RSS just before it, in KiB."""
    receive: int             # sampled max while waitress spools the body
    check: int | None        # sampled max of the password check; None when none was recognised
    store: int               # exact VmHWM after the check (whole request if none was isolated)
    receive_s: float         # how long each phase lasted, in seconds
    check_s: float
    store_s: float


class RssWatcher(threading.Thread):
    """Samples the server's RSS during one upload and splits its peak into three phases.

    receive: until the server has written the body's size to disk (/proc/<pid>/io
      wchar), i.e. while waitress spools the request body; nothing else writes then.
    check: the app's first rise above CHECK_RISE_KIB, the argon2 password check,
      until RSS is back under half of that; then VmHWM is reset, so that
    store: the peak of parsing the form and storing the blob is the kernel's exact
      figure. A body held in memory would either keep RSS up (no reset: its peak
      counts in full) or make the receive phase never end; both fail, never pass.
    """

    def __init__(self, server: Server, body_size: int):
        super().__init__(daemon=True)
        self.server = server
        # waitress keeps bodies under 512 KiB in memory: then there is no spooling to wait for
        self.spool_size = body_size if body_size > MIB else 0
        server.reset_peak()
        self.base, self.written0 = server.rss_kib(), server.written_bytes()
        self.receive = self.check = self.store = 0
        self.received = False
        self.started_at = time.perf_counter()
        self.received_at = self.check_start = self.check_end = None
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            rise = self.server.rss_kib() - self.base
            if not self.received:
                self.received = self.server.written_bytes() - self.written0 >= self.spool_size
                self.received_at = time.perf_counter() if self.received else None
            if not self.received:
                self.receive = max(self.receive, rise)
            elif self.check_end is None:
                self._in_check(rise)
            else:
                self.store = max(self.store, rise)
            self._done.wait(SAMPLE_INTERVAL)

    def _in_check(self, rise: int) -> None:
        """Before and during the password check: wait for the rise, then for the fall."""
        self.check = max(self.check, rise)
        if self.check_start is None:
            if rise > CHECK_RISE_KIB:
                self.check_start = time.perf_counter()
        elif rise < CHECK_RISE_KIB // 2:
            self.server.reset_peak()
            self.check_end = time.perf_counter()

    def finish(self) -> Phases:
        self._done.set()
        self.join()
        end = time.perf_counter()
        received_at = self.received_at or end
        if self.check_end is None:    # no check isolated: the whole request's peak counts
            return Phases(self.receive, None, max(self.check, self.server.hwm_kib() - self.base),
                          received_at - self.started_at, 0.0, end - received_at)
        return Phases(self.receive, self.check, max(self.store, self.server.hwm_kib() - self.base),
                      received_at - self.started_at, self.check_end - received_at, end - self.check_end)


# --- the file -----------------------------------------------------------------------------------

class RandomStream(io.RawIOBase):
    """``size`` bytes of os.urandom, read on demand, so the payload is never in memory."""

    def __init__(self, size: int):
        self.remaining = size

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.remaining if n is None or n < 0 else min(n, self.remaining)
        self.remaining -= n
        return os.urandom(n)


def build_sdist(directory: Path, version: str, payload_size: int) -> Path:
    """A real sdist (PKG-INFO plus an incompressible payload), so twine accepts it too.

    Written in chunks by tarfile; gzip level 0 (stored blocks) keeps the file the
    size asked for and costs no CPU, since random bytes would not compress anyway.
    """
    base = f"{PROJECT}-{version}"
    path = directory / f"{base}.tar.gz"
    pkg_info = (f"Metadata-Version: 2.1\nName: {PROJECT}\nVersion: {version}\n"
                "Summary: upload memory benchmark\n").encode()
    with tarfile.open(path, "w:gz", compresslevel=0) as archive:
        for name, size, stream in ((f"{base}/PKG-INFO", len(pkg_info), io.BytesIO(pkg_info)),
                                   (f"{base}/payload.bin", payload_size, RandomStream(payload_size))):
            info = tarfile.TarInfo(name)
            info.size, info.mtime = size, int(time.time())
            archive.addfile(info, stream)
    return path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_seconds(source: Path, target: Path) -> float:
    """The reference: how long the same bytes take to copy on the same disk (then removed)."""
    start = time.perf_counter()
    shutil.copyfile(source, target)
    elapsed = time.perf_counter() - start
    target.unlink()
    return elapsed


# --- HTTP -------------------------------------------------------------------------------------

def connection(port: int) -> http.client.HTTPConnection:
    """Plain http.client: no third-party client buffering the body behind our back."""
    return http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)


def get(port: int, path: str) -> int:
    conn = connection(port)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def download_sha256(port: int, path: str) -> tuple[str, int]:
    """Stream a download and hash it chunk by chunk: (sha256, size)."""
    conn = connection(port)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {response.reason}")
        digest, size = hashlib.sha256(), 0
        while chunk := response.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        return digest.hexdigest(), size
    finally:
        conn.close()


def upload_fields(version: str, sha256: str) -> list[tuple[str, str]]:
    """The text fields twine sends for an sdist (the subset the server needs)."""
    return [(":action", "file_upload"), ("protocol_version", "1"), ("name", PROJECT),
            ("version", version), ("filetype", "sdist"), ("pyversion", "source"),
            ("metadata_version", "2.1"), ("summary", "upload memory benchmark"),
            ("sha256_digest", sha256)]


def multipart_envelope(fields, filename: str, boundary: str) -> tuple[bytes, bytes]:
    """Everything before and after the file's bytes in a multipart/form-data body."""
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields)
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="content"; '
             f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n').encode()
    return head, f"\r\n--{boundary}--\r\n".encode()


def upload_http(port: int, file: Path, version: str, sha256: str) -> None:
    """POST /legacy/ like twine, the body generated from disk with a precomputed Content-Length."""
    boundary = uuid.uuid4().hex
    head, tail = multipart_envelope(upload_fields(version, sha256), file.name, boundary)

    def body():
        yield head
        with open(file, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
        yield tail

    credentials = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}",
               "Content-Length": str(len(head) + file.stat().st_size + len(tail)),
               "Authorization": f"Basic {credentials}"}
    conn = connection(port)
    try:
        conn.request("POST", "/legacy/", body=body(), headers=headers)
        response = conn.getresponse()
        text = response.read().decode(errors="replace").strip()
        if response.status != 200:
            raise RuntimeError(f"upload of {file.name}: {response.status} {response.reason} {text}")
    finally:
        conn.close()


def upload_twine(port: int, file: Path, version: str, sha256: str) -> None:
    """The real client; its MultipartEncoder streams the file too."""
    result = subprocess.run(
        [sys.executable, "-m", "twine", "upload", "--repository-url", f"http://{HOST}:{port}/legacy/",
         "-u", USER, "-p", PASSWORD, "--disable-progress-bar", "--non-interactive", str(file)],
        capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    if result.returncode != 0:
        raise RuntimeError(f"twine upload of {file.name} failed:\n{result.stdout}{result.stderr}")


UPLOADERS = {"http": upload_http, "twine": upload_twine}


# --- the run --------------------------------------------------------------------------------

@dataclass
class Figures:
    """Everything the table prints; memory in KiB as /proc gives it."""
    size: int
    upload_s: float
    copy_s: float
    rss_before: int          # KiB, just before the big upload
    peak_before: int         # KiB, VmHWM since start, after the warm-up
    peak_after: int          # KiB, VmHWM since start, after the big upload
    warmup: Phases
    big: Phases
    download_rise: int       # KiB, VmHWM rise while serving the file back


def watched_upload(server: Server, upload, file: Path, version: str, sha256: str) -> tuple[float, Phases]:
    """One upload with its RSS watched: (seconds, phases)."""
    watcher = RssWatcher(server, file.stat().st_size)
    watcher.start()
    start = time.perf_counter()
    try:
        upload(server.port, file, version, sha256)
    finally:
        elapsed = time.perf_counter() - start
        phases = watcher.finish()
    return elapsed, phases


def verify_download(server: Server, file: Path, sha256: str) -> int:
    """Download the file back, compare size and sha256; returns the VmHWM rise it caused."""
    server.reset_peak()
    base = server.rss_kib()
    got, got_size = download_sha256(server.port, f"/packages/source/m/{PROJECT}/{file.name}")
    if (got, got_size) != (sha256, file.stat().st_size):
        raise RuntimeError(f"download differs: sha256 {got} ({got_size} bytes), "
                           f"uploaded {sha256} ({file.stat().st_size} bytes)")
    return server.hwm_kib() - base


def measure(server: Server, work: Path, size_mb: int, upload) -> Figures:
    """Warm up (a small upload, the index, a download), then the big upload, watched."""
    small = build_sdist(work, "0.1", 64 * 1024)
    _, warmup = watched_upload(server, upload, small, "0.1", sha256_file(small))
    for path in ("/simple/", f"/simple/{PROJECT}/", f"/packages/source/m/{PROJECT}/{small.name}"):
        if get(server.port, path) != 200:
            raise RuntimeError(f"warm-up GET {path} did not answer 200")

    big = build_sdist(work, "1.0", size_mb * MIB)
    sha256 = sha256_file(big)
    copy_s = copy_seconds(big, work / "copy.bin")
    rss_before, peak_before = server.rss_kib(), server.peak_kib()
    upload_s, phases = watched_upload(server, upload, big, "1.0", sha256)
    peak_after = server.peak_kib()
    download_rise = verify_download(server, big, sha256)
    return Figures(big.stat().st_size, upload_s, copy_s, rss_before, peak_before, peak_after,
                   warmup, phases, download_rise)


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def verdict(figures: Figures, budget_mb: float) -> list[str]:
    """Why the run fails, if it does (an empty list is a PASS)."""
    budget = budget_mb * 1024
    failures = []
    if figures.peak_after - figures.peak_before >= budget:
        failures.append("peak RSS since start grew by more than the budget")
    if figures.big.receive >= budget:
        failures.append("RSS rose by more than the budget while waitress received the body")
    # No check recognised is no failure in itself: then store is the whole request's exact peak.
    if None not in (figures.big.check, figures.warmup.check) and \
            figures.big.check - figures.warmup.check >= budget:
        failures.append("the password-check peak grew with the file size")
    if figures.big.store >= budget:
        failures.append("RSS rose by more than the budget while parsing and storing the body")
    return failures


def report(figures: Figures, budget_mb: float, client: str) -> bool:
    """Print the table; True when every figure is within the budget."""
    size_mib = figures.size / MIB
    upload_rate, copy_rate = size_mib / figures.upload_s, size_mib / figures.copy_s
    big, warm = figures.big, figures.warmup
    check = "not recognised" if big.check is None else (
        f"+{mib(big.check)} in {big.check_s:.2f} s "
        f"(argon2, any authenticated request; 64 KiB warm-up: +{mib(warm.check or 0)})")
    failures = verdict(figures, budget_mb)
    rows = [
        ("file size", f"{size_mib:.1f} MiB ({figures.size} bytes)"),
        (f"upload ({client})", f"{figures.upload_s:.2f} s, {upload_rate:.1f} MiB/s"),
        ("disk copy (shutil.copyfile)", f"{figures.copy_s:.2f} s, {copy_rate:.1f} MiB/s"),
        ("upload / copy throughput", f"{upload_rate / copy_rate:.2f}"),
        ("server RSS before upload", mib(figures.rss_before)),
        ("peak RSS before (VmHWM)", f"{mib(figures.peak_before)} (since start, after warm-up)"),
        ("peak RSS after upload", mib(figures.peak_after)),
        ("increase", f"{mib(figures.peak_after - figures.peak_before)} (budget {budget_mb:g} MiB)"),
        ("upload, rise above RSS before:", ""),
        ("  receiving (waitress)", f"+{mib(big.receive)} in {big.receive_s:.2f} s "
                                   "(VmRSS sampled every ms)"),
        ("  password check", check),
        ("  parsing and storing", f"+{mib(big.store)} in {big.store_s:.2f} s " + (
            "(exact: VmHWM reset after the check)" if big.check is not None
            else "(VmHWM of the whole request: the check was not isolated)")),
        ("download, VmHWM rise", f"+{mib(figures.download_rise)} (sha256 matches)"),
        ("result", "PASS" if not failures else "FAIL: " + "; ".join(failures)),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}".rstrip())
    return not failures


def main(argv=None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="pypi-upload-bench-", dir=args.tmpdir))
    server = None
    try:
        port = free_port()
        config = write_config(work, port, max_upload=(args.size_mb + 100) * MIB)
        prepare_database(config)
        server = Server(config, port, work / "server.log")
        server.wait_ready()
        figures = measure(server, work, args.size_mb, UPLOADERS[args.client])
        return 0 if report(figures, args.budget_mb, args.client) else 1
    except Exception as err:  # the run failed (as opposed to a FAIL): say why, exit 2
        if isinstance(err, (RuntimeError, OSError)):
            print(f"upload_memory: {err}", file=sys.stderr)
        else:
            traceback.print_exc()
        if isinstance(err, subprocess.CalledProcessError) and err.stderr:
            print(err.stderr.decode(errors="replace"), file=sys.stderr)
        if server is not None:
            print(f"--- server log (last lines) ---\n{server.log_tail()}", file=sys.stderr)
        return 2
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
