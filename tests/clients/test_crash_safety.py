"""SIGKILL at random moments: the server under uploads and removals, ``pypi migrate``
and ``pypi load-sample``. What a killed write may leave is only orphan bytes and
temporary files, which ``pypi fsck --repair`` removes.

The server runs ``pypi serve`` on SQLite and on a database server; client
threads upload (multipart POSTs as twine sends them) and remove files and
releases (the files page's and ``remove_pkg``'s forms, with HTTP Basic); the
server is killed after a random delay and started again. After each restart:
every file record has its bytes with the recorded sha256, every upload that
was answered 200 is there (and every answered removal is gone), no file is
served without a record, the simple index answers, and nothing answered 5xx.

By default a few kills run (under a minute); ``PYPI_FULL_CRASH=1`` runs the
full count (more than 100 kills over the three databases). Traffic goes to
127.0.0.1 only; every loop is bounded in count and time.
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from storage_backends.errors import ServiceUnavailable
from storage_backends.file_keys import measure
from tests.storage.backends import ServerDatabases, worker_id
from tests.storage.dump import canonical_dump

from .multipart import post_upload
from .server import PASSWORD, client_env, free_port, serve, start_server
from .test_fsck import open_backends
from .test_migrate import sqlite_config

pytestmark = pytest.mark.clients

FULL = os.environ.get("PYPI_FULL_CRASH") == "1"
SERVER_KILLS = ({"sqlite": 40, "postgresql": 35, "mariadb": 30, "gae": 10} if FULL
                else {"sqlite": 8, "postgresql": 2})
TOOL_KILLS = 8 if FULL else 2                   # per interrupted migrate / load-sample
SAMPLE_PROJECTS = 600 if FULL else 300           # load-sample writes batches of 250
UPLOADERS, PROJECTS = 3, 3
KILL_AFTER = (0.2, 2.5)                         # seconds of load before the SIGKILL
ROOT = Path(__file__).resolve().parents[2]
LEGAL_LEFTOVERS = {"orphan bytes", "stale temporary bytes"}
ROLLED_FORWARD = "its upload was interrupted after the commit"     # pypi serve's warning


@dataclass
class Ledger:
    """What the clients were told; the truth the index is checked against."""
    sent: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # file -> project, version, sha256
    acked: set[str] = field(default_factory=set)           # uploads answered 200
    removed: set[str] = field(default_factory=set)         # removals answered 200
    removing: set[str] = field(default_factory=set)        # removals sent, answer unknown
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: int = 0

    def note(self, what: str, status: int | None) -> None:
        with self.lock:
            self.statuses[status] += 1
            if status is not None and status >= 500:
                self.server_errors.append(f"{what}: {status}")


def _auth() -> str:
    return "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()


def _post_form(url: str, fields: list[tuple[str, str]]) -> int | None:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(),
                                     headers={"Authorization": _auth()}, method="POST")
    return _status(request)


def _status(request) -> int | None:
    """The answer's status; None when the connection died (the server was killed)."""
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as err:
        with err:
            return err.code
    except (urllib.error.URLError, http.client.HTTPException, OSError):
        return None


def _get(url: str) -> tuple[int | None, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, b""
    except (urllib.error.URLError, http.client.HTTPException, OSError):
        return None, b""


def _uploader(base: str, ledger: Ledger, stop: threading.Event, rng: random.Random) -> None:
    while not stop.is_set():
        with ledger.lock:
            ledger.counter += 1
            number = ledger.counter
        project, version = f"crash-{number % PROJECTS}", f"1.{number}"
        filename = f"{project}-{version}.tar.gz"
        data = rng.randbytes(rng.choice((1_000, 20_000, 300_000)))   # sdists are not opened
        with ledger.lock:
            ledger.sent[filename] = (project, version, hashlib.sha256(data).hexdigest())
        try:
            status, _ = post_upload(f"{base}/legacy/", "alice", PASSWORD, filename, data,
                                    name=project, version=version, filetype="sdist",
                                    pyversion="source")
        except (urllib.error.URLError, http.client.HTTPException, OSError):
            status = None
        ledger.note(f"upload {filename}", status)
        if status == 200:
            with ledger.lock:
                ledger.acked.add(filename)


def _remover(base: str, ledger: Ledger, stop: threading.Event, rng: random.Random) -> None:
    """Removes an acknowledged upload now and then: a file through the files page's form, or
    its whole (one-file) release through ``remove_pkg``."""
    while not stop.wait(rng.uniform(0.02, 0.2)):
        with ledger.lock:
            candidates = sorted(ledger.acked - ledger.removed - ledger.removing)
            if not candidates:
                continue
            filename = rng.choice(candidates)
            ledger.removing.add(filename)
            project, version, _ = ledger.sent[filename]
        if rng.random() < 0.5:
            md5 = _md5_of(base, project, filename)
            if md5 is None:
                continue
            fields = [(":action", "files"), ("name", project), ("version", version),
                      ("submit_remove", "Remove"), ("file-ids", md5)]
        else:
            fields = [(":action", "remove_pkg"), ("name", project), ("version", version),
                      ("submit_ok", "OK")]
        status = _post_form(f"{base}/pypi", fields)
        ledger.note(f"remove {filename}", status)
        if status == 200:
            with ledger.lock:
                ledger.removed.add(filename)
                ledger.removing.discard(filename)


def _md5_of(base: str, project: str, filename: str) -> str | None:
    status, body = _get(f"{base}/simple/{project}/")
    marker = f"{filename}#md5="
    text = body.decode(errors="replace")
    if status != 200 or marker not in text:
        return None
    return text.split(marker, 1)[1][:32]


def _check_after_restart(base: str, config: Path, ledger: Ledger) -> int:
    """Every invariant of the module docstring; returns how many records were checked."""
    store, blobs = open_backends(config)
    try:
        records = {r.filename: r for r in store.iter_files()}
        for record in records.values():
            measured = measure(blobs.open_range(record.path))          # NoSuchFile fails the test
            assert (measured.size, measured.sha256) == (record.size, record.sha256_digest), \
                record.filename
        with ledger.lock:
            acked, removed, removing = set(ledger.acked), set(ledger.removed), set(ledger.removing)
            sent = dict(ledger.sent)
    finally:
        store.close()
    lost = acked - removed - removing - set(records)
    assert not lost, f"uploads answered 200 are gone: {sorted(lost)[:5]}"
    back = removed & set(records)
    assert not back, f"removals answered 200 came back: {sorted(back)[:5]}"
    for filename, record in records.items():
        assert record.sha256_digest == sent[filename][2], filename
    status, _ = _get(f"{base}/simple/")
    assert status == 200
    for number in range(PROJECTS):
        assert _get(f"{base}/simple/crash-{number}/")[0] in (200, 404)
    for filename in sent:                    # nothing served without its record
        status, body = _get(f"{base}/packages/source/c/crash-{filename.split('-')[1]}/{filename}")
        ledger.note(f"GET {filename}", status)
        if filename in records:
            assert status == 200 and hashlib.sha256(body).hexdigest() == sent[filename][2], filename
        else:
            assert status == 404, f"{filename} served without a record"
    return len(records)


def _server_config(backend: str, directory: Path, databases: ServerDatabases):
    if backend == "sqlite":
        return start_server(directory, f"sqlite:///{directory / 'pypi.db'}")
    if backend == "gae":
        try:
            import storage_backends.gae.sdk  # noqa: F401
        except ImportError as err:
            raise ServiceUnavailable(f"the App Engine SDK is not installed: {err}") from None
        return start_server(directory, "", database_lines=(
            f"backend = gae\ndatastore_file = {directory / 'datastore.pickle'}\n"))
    store = databases.open_store(backend)
    try:
        url = store.engine.url.render_as_string(hide_password=False)
    finally:
        store.close()
    return start_server(directory, url)


def fsck(config: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pypi", "fsck", "--config", str(config),
                           "--grace", "0", *args], cwd=ROOT, env=client_env(home),
                          capture_output=True, text=True, timeout=600)


def fsck_kinds(output: str) -> Counter:
    return Counter(line.split(":", 1)[0] for line in output.splitlines()
                   if not line.startswith(("checked ", "left alone:", "repaired:")))


def assert_only_leftovers_then_repair(config: Path, home: Path) -> Counter:
    """fsck finds nothing but what an interrupted write may leave; repair; then clean."""
    report = fsck(config, home)
    kinds = fsck_kinds(report.stdout)
    assert report.returncode == (1 if kinds else 0), report.stdout + report.stderr
    assert set(kinds) <= LEGAL_LEFTOVERS, report.stdout
    repaired = fsck(config, home, "--repair")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    again = fsck(config, home)
    assert again.returncode == 0 and again.stdout.rstrip().endswith(": clean"), again.stdout
    return kinds


@pytest.mark.parametrize("backend", list(SERVER_KILLS))
def test_server_killed_under_uploads_and_removals(backend, tmp_path):
    databases = ServerDatabases(f"crash_{worker_id()}")
    try:
        server = _server_config(backend, tmp_path, databases)
    except ServiceUnavailable as err:
        if os.environ.get("PYPI_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{backend} is required here: {err}")
        pytest.skip(f"{backend} not reachable: {err}")
    rng = random.Random(f"crash-{backend}")
    ledger = Ledger()
    checked = rolled_forward = 0
    try:
        for kill in range(SERVER_KILLS[backend]):
            stop = threading.Event()
            threads = [threading.Thread(target=_uploader, args=(server.base, ledger, stop,
                                                                random.Random(rng.random())))
                       for _ in range(UPLOADERS)]
            threads.append(threading.Thread(target=_remover, args=(server.base, ledger, stop,
                                                                   random.Random(rng.random()))))
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(*KILL_AFTER))
            server.process.send_signal(signal.SIGKILL)
            server.process.wait()
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            server = serve(server.config, free_port(), tmp_path / "server.log")
            rolled_forward += server.log.read_text().count(ROLLED_FORWARD)
            checked = _check_after_restart(server.base, server.config, ledger)
        assert not ledger.server_errors, ledger.server_errors[:10]
    finally:
        server.stop()
    kinds = assert_only_leftovers_then_repair(server.config, tmp_path)
    databases.drop_all()
    print(f"\n{backend}: {SERVER_KILLS[backend]} kills survived; {len(ledger.sent)} uploads sent, "
          f"{len(ledger.acked)} answered 200, {len(ledger.removed)} removals answered 200, "
          f"{checked} file records at the end, {rolled_forward} uploads published at a restart "
          f"(killed between commit and publish); statuses {dict(ledger.statuses)}; "
          f"fsck found {dict(kinds)}, all repaired")


# -- interrupted tools -------------------------------------------------------------------
def _pypi(*args: str, home: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pypi", *args], cwd=ROOT, env=client_env(home),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def run_with_kills(args: list[str], home: Path, rng: random.Random,
                   delays: tuple[float, float]) -> tuple[int, str]:
    """Run the command and SIGKILL it after a random delay, up to ``TOOL_KILLS`` times (each
    rerun resumes), then let it finish; returns (the kills, the finishing run's output).

    A kill can land after the last write, while the process exits: the rerun then
    refuses the index as not empty, as after any completed run, and the caller's
    checks of the result tell whether it really was complete."""
    kills = 0
    while True:
        process = _pypi(*args, home=home)
        try:
            output, _ = process.communicate(
                timeout=rng.uniform(*delays) if kills < TOOL_KILLS else 600)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.communicate()
            kills += 1
            continue
        if kills and process.returncode == 2 and "is not empty" in output:
            return kills, output
        assert process.returncode == 0, output
        return kills, output


def timed_run(args: list[str], home: Path) -> float:
    """Run a ``pypi`` command to its end; returns how long it took, in seconds."""
    started = time.monotonic()
    finished = subprocess.run([sys.executable, "-m", "pypi", *args], cwd=ROOT,
                              env=client_env(home), capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return time.monotonic() - started


def kill_window(duration: float) -> tuple[float, float]:
    """Kill delays inside a run that takes ``duration`` uninterrupted (after start-up)."""
    return 0.3 * duration, 0.8 * duration


def _dump(config: Path) -> dict:
    store, blobs = open_backends(config)
    try:
        return canonical_dump(store, blobs)
    finally:
        store.close()


def test_interrupted_migrate_resumes_to_a_complete_copy(tmp_path):
    source = sqlite_config(tmp_path / "source")
    loaded = subprocess.run([sys.executable, "-m", "pypi", "load-sample", "--projects", "120",
                             "--config", str(source)], cwd=ROOT, env=client_env(tmp_path),
                            capture_output=True, text=True, timeout=600)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    # an uninterrupted copy first: its duration places the kills inside the run, however
    # fast or busy the machine is
    duration = timed_run(["migrate", "--from", str(source), "--to",
                          str(sqlite_config(tmp_path / "uninterrupted"))], tmp_path)
    target = sqlite_config(tmp_path / "target")
    kills, output = run_with_kills(["migrate", "--from", str(source), "--to", str(target)],
                                   tmp_path, random.Random("migrate"), kill_window(duration))
    assert kills >= 1, "no kill hit the migration while it ran"
    assert _dump(target) == _dump(source)
    kinds = assert_only_leftovers_then_repair(target, tmp_path)
    assert _dump(target) == _dump(source)             # the repair removed only leftovers
    print(f"\nmigrate: {kills} kills, then: {output.strip().splitlines()[-1]}; fsck found "
          f"{dict(kinds)}, all repaired")


def test_interrupted_load_sample_leaves_a_usable_index(tmp_path):
    config = sqlite_config(tmp_path / "index")
    args = ["load-sample", "--projects", str(SAMPLE_PROJECTS), "--config", str(config)]
    reference = sqlite_config(tmp_path / "reference")      # same seed, uninterrupted
    duration = timed_run([*args[:-1], str(reference)], tmp_path)
    kills, _ = run_with_kills(args, tmp_path, random.Random("load-sample"), kill_window(duration))
    assert kills >= 1, "no kill hit the load while it ran"
    kinds = assert_only_leftovers_then_repair(config, tmp_path)
    assert _without_passwords(_dump(config)) == _without_passwords(_dump(reference))
    server = serve(config, free_port(), tmp_path / "server.log")
    try:
        status, body = _get(server.simple_url)
        assert status == 200 and body.count(b"<a ") == SAMPLE_PROJECTS
        name = body.split(b"<a href=", 2)[1].split(b">", 1)[0].strip(b"'\"")
        assert _get(urllib.parse.urljoin(server.simple_url, name.decode()))[0] == 200
    finally:
        server.stop()
    print(f"\nload-sample: {kills} kills; fsck found {dict(kinds)}, all repaired")


def _without_passwords(dump: dict) -> dict:
    """Each load hashes the shared sample password with its own salt."""
    for user in dump["users"]:
        user["user"].pop("password")
    return dump
