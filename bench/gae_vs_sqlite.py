"""Request throughput of ``pypi serve`` on the gae backend (datastore file stub) against SQLite.

Loads the same sample into each backend through the store API (PROJECTS
projects x 3 releases, one small sdist each, bytes in the backend's blob
store), starts ``pypi serve`` on 127.0.0.1, and measures from a thread pool:

* ``GET /simple/<name>/`` (reads),
* uploads: sequential multipart POSTs to ``/legacy/`` (new releases),
* the XML-RPC call ``list_packages_with_serial`` (a read of every project).

Each figure is printed with its ratio to SQLite in the same run.

    .venv/bin/python bench/gae_vs_sqlite.py [--projects 200] [--requests 400]
        [--uploads 40] [--xmlrpc 40] [--threads 8]
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypi.backends import open_backends  # noqa: E402
from pypi.config import Config  # noqa: E402
from pypi.passwords import hash_password  # noqa: E402
from storage_backends.records import Actor, NewFile, ReleaseMetadata  # noqa: E402

USER, PASSWORD = "bench", "bench-password"


def write_config(directory: Path, backend: str, port: int) -> Path:
    path = directory / "config.ini"
    database = (f"backend = gae\ndatastore_file = {directory / 'datastore.pickle'}\n"
                if backend == "gae" else f"url = sqlite:///{directory / 'pypi.db'}\n")
    path.write_text(f"[database]\n{database}files_dir = {directory / 'packages'}\n"
                    f"[webui]\nurl = http://127.0.0.1:{port}/pypi\n[server]\nport = {port}\n")
    return path


def load_sample(config_path: Path, projects: int) -> float:
    """The sample through the store API; returns seconds taken."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pypi", "initdb", "--config", str(config_path)],
                   cwd=ROOT, check=True, capture_output=True)
    store, blobs = open_backends(Config.from_ini(config_path))
    try:
        store.create_user(USER, "bench@example.org", hash_password(PASSWORD))
        actor = Actor(USER, "127.0.0.1")
        for p in range(projects):
            name = f"bench-{p:04d}"
            for r in range(3):
                version = f"1.{r}"
                store.store_release(actor, name, version, ReleaseMetadata(
                    metadata_version="2.1", summary=f"{name} {version}"))
                data = f"{name}-{version} ".encode() * 100
                blob = blobs.put_stream(io.BytesIO(data))
                filename = f"{name}-{version}.tar.gz"
                path = f"source/{name[0]}/{name}/{filename}"
                store.add_file(actor, NewFile(name, version, filename, "source", "sdist", path,
                                              blob.size, blob.md5, blob.sha256, blob.blake2_256))
                blobs.publish(blob, path)
    finally:
        store.close()
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(config_path: Path, port: int, log: Path) -> subprocess.Popen:
    out = open(log, "wb")
    process = subprocess.Popen([sys.executable, "-m", "pypi", "serve", "--config",
                                str(config_path), "--threads", "8"], cwd=ROOT, stdout=out,
                               stderr=subprocess.STDOUT)
    out.close()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/simple/", timeout=5):
                return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"the server did not start; see {log}:\n{log.read_text()[-2000:]}")


def timed_pool(calls, threads: int) -> float:
    """Requests per second of ``calls`` (callables) run from a pool of ``threads``."""
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for result in pool.map(lambda call: call(), calls):
            pass
    return len(calls) / (time.perf_counter() - started)


def get(url: str):
    def call():
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
            assert response.status == 200
    return call


def upload(base: str, name: str, version: str) -> None:
    data = f"{name}-{version} uploaded ".encode() * 200
    fields = {":action": "file_upload", "protocol_version": "1", "metadata_version": "2.1",
              "name": name, "version": version, "filetype": "sdist", "pyversion": "source",
              "summary": "uploaded", "sha256_digest": hashlib.sha256(data).hexdigest()}
    boundary = uuid.uuid4().hex
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                    f'{v}\r\n'.encode() for k, v in fields.items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="content"; '
             f'filename="{name}-{version}.tar.gz"\r\nContent-Type: application/octet-stream'
             f'\r\n\r\n').encode() + data + f"\r\n--{boundary}--\r\n".encode()
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    request = urllib.request.Request(f"{base}/legacy/", data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Authorization": f"Basic {token}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        assert response.status == 200, response.status


def measure(backend: str, args, tmp: Path) -> dict[str, float]:
    directory = tmp / backend
    directory.mkdir()
    port = free_port()
    config_path = write_config(directory, backend, port)
    results = {"load sample (s)": load_sample(config_path, args.projects)}
    base = f"http://127.0.0.1:{port}"
    process = start_server(config_path, port, directory / "serve.log")
    try:
        names = [f"bench-{p % args.projects:04d}" for p in range(args.requests)]
        get(f"{base}/simple/{names[0]}/")()                           # warm up
        results["GET /simple/<name>/ (req/s)"] = timed_pool(
            [get(f"{base}/simple/{n}/") for n in names], args.threads)
        upload(base, "bench-0000", "9.0")                             # warm up, caches the login
        started = time.perf_counter()
        for i in range(args.uploads):
            upload(base, f"bench-{i % args.projects:04d}", f"2.{i}")
        results["upload, sequential (req/s)"] = args.uploads / (time.perf_counter() - started)

        def rpc():
            proxy = xmlrpc.client.ServerProxy(f"{base}/pypi")
            assert len(proxy.list_packages_with_serial()) == args.projects
        results["XML-RPC list_packages_with_serial (req/s)"] = timed_pool(
            [rpc] * args.xmlrpc, args.threads)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--uploads", type=int, default=40)
    parser.add_argument("--xmlrpc", type=int, default=40)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = measure("sqlite", args, Path(tmp))
        gae = measure("gae", args, Path(tmp))
    print(f"{args.projects} projects x 3 releases, {os.cpu_count()} CPUs, "
          f"{args.threads} client threads, 8 server threads")
    print(f"{'':44} {'sqlite':>10} {'gae':>10} {'gae/sqlite':>11}")
    for key in sqlite:
        print(f"{key:44} {sqlite[key]:10.1f} {gae[key]:10.1f} {gae[key] / sqlite[key]:11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
