"""Memory of a `pypi serve` process serving the index, and the first build of `/simple/`.

    .venv/bin/python -m bench.memory_profile --config CFG [--seconds 5] [--page-cache-mb N]

Starts `pypi serve` on 127.0.0.1 on the given configuration (a loaded sample,
e.g. `pypi load-sample --projects 100000`), and prints VmRSS at start, after
the first `/simple/` (HTML, then PEP 691 JSON, each timed), after wrk has asked
for `/simple/<random name>/` (HTML, then JSON) from 4 connections, after the
XML-RPC `list_packages_with_serial` and the JSON API, and VmHWM at the end.
References measured in the same run: the RSS of a bare `python -c "import
waitress"` process, and the time a plain read of the names takes in this
process (one plain SELECT of every project's names and serial, without sorting them or
making a page).
"""
from __future__ import annotations

import argparse
import configparser
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pypi.backends import open_store
from pypi.config import Config

from . import wrk
from .processes import free_port, start, status_mb, timed_get

V1_JSON = "application/vnd.pypi.simple.v1+json"
XMLRPC_LIST = ("<?xml version='1.0'?><methodCall><methodName>list_packages_with_serial"
               "</methodName><params></params></methodCall>")


def bare_waitress_mb() -> float:
    code = ("import waitress\n"
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmRSS')][0])")
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True).stdout) / 1024


def names_read_ms(config: Config, repeat: int = 3) -> tuple[float, list[str]]:
    """The best of ``repeat`` plain reads of every project's names and serial (one unordered
    SELECT on a DBAPI connection: what any way of building ``/simple/`` has to read), and the
    PEP 503 names."""
    store = open_store(config)
    connection = store.engine.raw_connection()
    try:
        best = float("inf")
        for _ in range(repeat):
            began = time.perf_counter()
            cursor = connection.cursor()
            cursor.execute("SELECT name, pep503_name, last_serial FROM packages")
            rows = cursor.fetchall()
            cursor.close()
            best = min(best, time.perf_counter() - began)
        return best * 1000, [pep503 for _, pep503, _ in rows if pep503]
    finally:
        connection.close()
        store.close()


def with_cache_size(config_path: Path, page_cache_mb: int | None, workdir: Path) -> Path:
    if page_cache_mb is None:
        return config_path
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(config_path)
    if not parser.has_section("server"):
        parser.add_section("server")
    parser.set("server", "page_cache_mb", str(page_cache_mb))
    # The copy lives elsewhere: the page files stay where the original config keeps them.
    pages = Config.from_ini(config_path).page_directory
    if pages is not None:
        parser.set("server", "page_dir", str(pages))
    copy = workdir / "config.ini"
    with open(copy, "w") as handle:
        parser.write(handle)
    return copy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--seconds", type=float, default=5, help="each wrk run (default 5)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--page-cache-mb", type=int, help="override [server] page_cache_mb")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="pypi-memory-"))
    config_path = with_cache_size(args.config, args.page_cache_mb, workdir)
    config = Config.from_ini(config_path)
    rows: list[tuple[str, str]] = []

    def show(label: str, value: str) -> None:
        rows.append((label, value))
        print(f"{label:<44} {value}", flush=True)

    show("bare `import waitress` process RSS", f"{bare_waitress_mb():.1f} MiB")
    read_ms, names = names_read_ms(config)
    show("reading the names in this process", f"{read_ms:.1f} ms ({len(names)} projects)")
    names_file = workdir / "names.txt"
    names_file.write_text("\n".join(names) + "\n")

    port = free_port()
    server = start("pypi", [sys.executable, "-m", "pypi", "serve", "--config", str(config_path),
                            "--host", "127.0.0.1", "--port", str(port)],
                   port, "/serial", workdir / "server.log")
    pid = server.process.pid
    try:
        show("server start (spawn to first answer)", f"{server.start_s:.2f} s")
        show("VmRSS at start", f"{status_mb(pid, 'VmRSS'):.1f} MiB")
        for label, headers in (("HTML", {}), ("JSON", {"Accept": V1_JSON})):
            seconds, status, body = timed_get(server.base + "/simple/", headers)
            show(f"first /simple/ {label}", f"{seconds * 1000:.0f} ms, {len(body) / 2**20:.1f} MiB,"
                 f" {seconds * 1000 / read_ms:.2f} x reading the names (status {status})")
            show("  VmRSS after it", f"{status_mb(pid, 'VmRSS'):.1f} MiB"
                 f" (VmHWM {status_mb(pid, 'VmHWM'):.1f})")
        seconds, _, _ = timed_get(server.base + "/simple/")
        show("cached /simple/ HTML", f"{seconds * 1000:.1f} ms")
        for label, headers in (("HTML", {}), ("JSON", {"Accept": V1_JSON})):
            result = wrk.run(server.base, wrk.request_script(
                names_file=names_file, prefix="/simple/", suffix="/", headers=headers),
                seconds=args.seconds, connections=args.connections)
            show(f"/simple/<random name>/ {label}",
                 f"{result.requests} requests, {result.rate:.0f} req/s, p50 {result.p50_ms:.2f} ms")
            show("  VmRSS after it", f"{status_mb(pid, 'VmRSS'):.1f} MiB")
        result = wrk.run(server.base, wrk.request_script(
            method="POST", path="/pypi", body=XMLRPC_LIST, headers={"Content-Type": "text/xml"}),
            seconds=min(args.seconds, 2), connections=args.connections)
        show("XML-RPC list_packages_with_serial", f"{result.requests} requests, {result.rate:.0f} req/s")
        show("  VmRSS after it", f"{status_mb(pid, 'VmRSS'):.1f} MiB")
        result = wrk.run(server.base, wrk.request_script(
            names_file=names_file, prefix="/pypi/", suffix="/json"),
            seconds=min(args.seconds, 2), connections=args.connections)
        show("/pypi/<random name>/json", f"{result.requests} requests, {result.rate:.0f} req/s")
        show("VmRSS at the end", f"{status_mb(pid, 'VmRSS'):.1f} MiB")
        show("VmHWM at the end (peak)", f"{status_mb(pid, 'VmHWM'):.1f} MiB")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
