#!/usr/bin/env python3
"""Benchmark: uploads per second with one twine process, as ``bench/suite.py`` measures them.

Starts ``pypi serve`` on 127.0.0.1 on a fresh index (SQLite in a temporary directory, or a
fresh PostgreSQL / MariaDB database), uploads ``--files`` small sdists of new projects with
ONE twine process (the suite's ``upload_sequential``: twine's start-up included), and prints
files/s. Two references measured in the same run, so that figures from a busy or idle
machine can be compared as ratios:

- ``hello``: twine uploading the same files to ``bench/hello.py`` (waitress answering every
  request with a fixed page): the client's own ceiling, start-up and hashing included;
- ``http``: the same number of other files POSTed by a plain Python client on one keep-alive
  connection, with the form fields twine sends (no client start-up, no client hashing);
- ``fsync``: the same number of files of the same sizes written and ``fsync``ed, one after
  the other, beside the server's files directory (the durability floor of an upload).

Usage: python bench/upload_rate.py [--backend sqlite|postgresql|mariadb] [--files 200]
                                   [--processes 1] [--threads 4] [--rounds 1]
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import subprocess
import sys
import tempfile
import time
import uuid
from base64 import b64encode
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import processes, sample_prep  # noqa: E402

USER, PASSWORD = sample_prep.BENCH_USER, sample_prep.BENCH_PASSWORD


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "mariadb"),
                        default="sqlite")
    parser.add_argument("--files", type=int, default=200, help="files per twine run")
    parser.add_argument("--threads", type=int, default=4, help="waitress threads")
    parser.add_argument("--processes", type=int, default=1,
                        help="twine processes at once, each with its share of the files "
                             "(the suite's second figure uses 4)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="twine runs (each with new projects); the best is reported too")
    return parser.parse_args(argv)


def make_config(home: Path, backend: str, threads: int) -> Path:
    if backend == "sqlite":
        url = f"sqlite:///{home / 'pypi.db'}"
    else:
        url = sample_prep.SERVER_URLS[backend].format(db=f"pypi_upload_rate_{os.getpid()}")
        sample_prep._create_database(backend, url)
    config = home / "config.ini"
    config.write_text("[database]\n"
                      f"url = {url}\n"
                      f"files_dir = {home / 'packages'}\n"
                      f"docs_dir = {home / 'docs'}\n"
                      "[server]\n"
                      f"threads = {threads}\n")
    return config


def drop_database(backend: str, config: Path) -> None:
    if backend == "sqlite":
        return
    import sqlalchemy as sa
    url = sa.engine.make_url(config.read_text().split("url = ")[1].split("\n")[0])
    admin = url.set(database="postgres" if backend == "postgresql" else "")
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with engine.connect() as conn:
        name = conn.dialect.identifier_preparer.quote_identifier(url.database)
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
    engine.dispose()


def twine_in_parallel(base: str, files: list[Path], processes: int) -> float:
    """Seconds for ``processes`` twine processes at once, each with its share of ``files``."""
    if processes == 1:
        return twine_upload(base, files)
    share = -(-len(files) // processes)
    began = time.perf_counter()
    with ThreadPoolExecutor(processes) as pool:
        list(pool.map(lambda i: twine_upload(base, files[i:i + share]),
                      range(0, len(files), share)))
    return time.perf_counter() - began


def twine_upload(base: str, files: list[Path]) -> float:
    """Seconds for one twine process uploading ``files`` (as bench/measure.py runs it)."""
    with tempfile.TemporaryDirectory() as home:
        began = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "twine", "upload", "--repository-url", f"{base}/legacy/",
             "-u", USER, "-p", PASSWORD, "--disable-progress-bar", "--non-interactive",
             *map(str, files)],
            capture_output=True, text=True, env={"HOME": home, "PATH": "/usr/bin:/bin"})
        seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"twine failed: {done.stdout[-800:]}{done.stderr[-800:]}")
    return seconds


def http_upload(base: str, files: list[Path]) -> float:
    """Seconds for POSTing ``files`` one after the other on one keep-alive connection."""
    host, port = base.removeprefix("http://").split(":")
    auth = "Basic " + b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    bodies = [_multipart(path) for path in files]
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    began = time.perf_counter()
    for boundary, body in bodies:
        conn.request("POST", "/legacy/", body=body, headers={
            "Authorization": auth, "Content-Type": f"multipart/form-data; boundary={boundary}"})
        reply = conn.getresponse()
        text = reply.read()
        if reply.status != 200:
            raise RuntimeError(f"upload answered {reply.status}: {text[:300]!r}")
    seconds = time.perf_counter() - began
    conn.close()
    return seconds


def _multipart(path: Path) -> tuple[str, bytes]:
    """The form twine sends for an sdist of ``<name>-1.0.tar.gz``."""
    data = path.read_bytes()
    name = path.name.removesuffix("-1.0.tar.gz")
    fields = {":action": "file_upload", "protocol_version": "1", "metadata_version": "2.1",
              "name": name, "version": "1.0", "filetype": "sdist", "pyversion": "source",
              "summary": "upload benchmark", "md5_digest": hashlib.md5(data).hexdigest(),
              "sha256_digest": hashlib.sha256(data).hexdigest(),
              "blake2_256_digest": hashlib.blake2b(data, digest_size=32).hexdigest()}
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
             .encode() for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="content"; '
                 f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                 .encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return boundary, b"".join(parts)


def fsync_writes(where: Path, files: list[Path]) -> float:
    """Seconds for writing and fsyncing a copy of each file, one after the other."""
    where.mkdir(parents=True, exist_ok=True)
    contents = [path.read_bytes() for path in files]
    began = time.perf_counter()
    for number, data in enumerate(contents):
        with open(where / f"{number}.bin", "xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    return time.perf_counter() - began


def main(argv=None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="upload-rate-") as tmp:
        home = Path(tmp)
        config = make_config(home, args.backend, args.threads)
        try:
            sample_prep.pypi("initdb", config=config)
            sample_prep.pypi("adduser", USER, "--email", "bench@example.org", "--password",
                             PASSWORD, config=config)
            port = processes.free_port()
            server = processes.start("pypi", [sys.executable, "-m", "pypi", "serve", "--config",
                                              str(config), "--port", str(port)],
                                     port, "/serial", home / "server.log")
            try:
                report(args, home, server.base)
            finally:
                server.stop()
        finally:
            drop_database(args.backend, config)
    return 0


def report(args, home: Path, base: str) -> None:
    n = args.files
    warm = sample_prep.upload_files(home / "warm", "warm", 1)
    http_upload(base, warm)                     # the password check (argon2) once
    twine_rates = []
    for number in range(args.rounds):
        files = sample_prep.upload_files(home / f"twine{number}", f"tw{number}", n)
        twine_rates.append(n / twine_in_parallel(base, files, args.processes))
    hello_port = processes.free_port()
    hello = processes.start("hello", [sys.executable, str(Path(__file__).with_name("hello.py")),
                                      "--port", str(hello_port), "--threads", str(args.threads)],
                            hello_port, "/", home / "hello.log")
    try:
        hello_rate = n / twine_in_parallel(hello.base, files, args.processes)
    finally:
        hello.stop()
    plain = sample_prep.upload_files(home / "http", "plain", n)
    http_rate = n / http_upload(base, plain)
    fsync_rate = n / fsync_writes(home / "fsync", plain)
    print(f"backend                    {args.backend}, {n} files of "
          f"{plain[0].stat().st_size} bytes, {args.threads} server threads")
    print(f"twine, {args.processes} process(es)     {twine_rates[0]:7.1f} files/s"
          + (f"  (rounds: {', '.join(f'{r:.1f}' for r in twine_rates)})" if args.rounds > 1
             else ""))
    print(f"twine to hello.py          {hello_rate:7.1f} files/s")
    print(f"plain http client          {http_rate:7.1f} files/s")
    print(f"fsync'ed writes            {fsync_rate:7.1f} files/s")
    print(f"twine / twine to hello     {twine_rates[0] / hello_rate:7.2f}")
    print(f"twine / http               {twine_rates[0] / http_rate:7.2f}")
    print(f"twine / fsync              {twine_rates[0] / fsync_rate:7.2f}")


if __name__ == "__main__":
    sys.exit(main())
