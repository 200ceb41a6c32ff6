"""One run of every benchmark: this server against the references, on the same sample.

    .venv/bin/pip install -e '.[bench]'              # matplotlib for the plot
    apt-get install -y wrk nginx                     # the load generator, the static reference
    .venv/bin/python -m bench.suite --quick          # 1k and 10k projects, 3 s per measurement
    .venv/bin/python -m bench.suite --with-100k      # 1k, 10k and 100k projects, 5 s each

For each index size it starts, one after the other on 127.0.0.1: a waitress hello-world
app (the ceiling), this server on SQLite loaded with ``pypi load-sample`` (and on
PostgreSQL and MariaDB at ``--server-size`` when they answer), pypiserver on the same
sample's files, and once devpi-server (on the first ``peers.DEVPI_PROJECTS`` projects)
and nginx (the same download files, statically). wrk measures; twine uploads. The
results go to ``--results`` (JSON), the tables to stdout, the plot to ``--plot``.
Samples, peer virtual environments and devpi's data are kept in ``--cache-dir``.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import signal
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from pypi.backends import open_backends
from pypi.config import Config
from storage_backends.errors import NoSuchProject
from storage_backends.records import Actor

from . import consistency, measure, memory_profile, peers, processes, report, sample_prep, wrk
from .measure import Settings, Target

UPLOAD_FILES = 200
CONSISTENCY_ROUNDS = 30
HELD_CACHE_MB = 4096     # the control in the turns across sizes: every page of 100k held
RUNS = (measure.index_pages, measure.json_api, measure.xmlrpc, measure.downloads)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    # SIGTERM unwinds like Ctrl-C, so every server started so far is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not wrk.available():
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    cache = Path(args.cache_dir).expanduser()
    cache.mkdir(parents=True, exist_ok=True)
    results = {"meta": _meta(args), "runs": {}}
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pypi-bench-") as scratch:
        work = Path(scratch)
        downloads = sample_prep.download_files(cache)
        bins = {peer: peers.ensure_venv(cache, peer) for peer in ("pypiserver", "devpi")}
        results["meta"]["versions"] = {
            "pypiserver": peers.installed_version(bins["pypiserver"], "pypiserver"),
            "devpi-server": peers.installed_version(bins["devpi"], "devpi-server")}
        served = {}     # size -> (index, names, exact names) of ours on SQLite
        if args.turns_only:
            for size in args.sizes:
                print(f"== {size:,} projects: the sample", flush=True)
                run = _Run(args, cache, work / str(size), downloads, size, {})
                index = sample_prep.prepare(cache, "sqlite", size, args.seed, args.threads,
                                            args.page_cache_mb)
                run._write_names(index)
                served[size] = (index, run.names, run.exact)
        for number, size in enumerate([] if args.turns_only else args.sizes):
            print(f"== {size:,} projects", flush=True)
            block = results["runs"][str(size)] = {}
            run = _Run(args, cache, work / str(size), downloads, size, block)
            run.hello()
            try:
                served[size] = (run.ours("sqlite"), run.names, run.exact)
                if args.peers:
                    run.pypiserver(bins["pypiserver"])
                if number == 0 and args.peers:
                    run.devpi(bins["devpi"])
                    run.nginx()
                if size == args.server_size:
                    for backend in args.server_backends:
                        run.ours(backend)
            finally:
                run.close()
            print(report.table(block, size), flush=True)
            results["meta"]["seconds"] = round(time.perf_counter() - began)
            Path(args.results).write_text(json.dumps(results, indent=1, sort_keys=True))
        if len(served) > 1:
            print("== every size at once", flush=True)
            hello_threads = (None if args.turns_only   # measured below: no block measured it
                             else results["runs"][str(args.sizes[0])]["hello"]["threads"])
            results["sizes_in_turns"] = _sizes_in_turns(args, work, served, hello_threads)
            print(report.sizes_in_turns(results["sizes_in_turns"]), flush=True)
            results["meta"]["seconds"] = round(time.perf_counter() - began)
            Path(args.results).write_text(json.dumps(results, indent=1, sort_keys=True))
    if args.turns_only:
        return 0
    for metric in ("simple_project", "simple_root", "simple_root_first", "peak_rss_mb", "start_s",
                   "xmlrpc_changelog_since_serial"):
        print(report.flatness(results["runs"], metric))
    if args.plot:
        from .plot import plot
        plot(results, Path(args.plot))
    return 0


def _start_ours(label: str, config: Path, log: Path) -> processes.Server:
    """``pypi serve`` on ``config``, on a free port, ready once it answers ``/serial``."""
    port = processes.free_port()
    return processes.start(label, [sys.executable, "-m", "pypi", "serve", "--config", str(config),
                                   "--port", str(port)], port, "/serial", log)


def _start_hello(threads: int, log: Path) -> processes.Server:
    """The hello app with ``threads`` waitress threads, on a free port."""
    port = processes.free_port()
    return processes.start("hello", [sys.executable, str(Path(__file__).with_name("hello.py")),
                                     "--port", str(port), "--threads", str(threads)],
                           port, "/", log)


def _sizes_in_turns(args, work: Path, served: dict, hello_threads: int | None) -> dict:
    """A server for every index size, one more for the largest holding every page in memory,
    and a hello app (with ``hello_threads``, or None: whichever of one thread and ``--threads``
    serves more), all running at once, measured in turns (``measure.sizes_in_turns``)."""
    started = []
    try:
        smallest = served[min(served)]
        hello = (_start_hello(hello_threads, work / "turns-hello.log") if hello_threads
                 else _fastest_hello(args, work, Settings(args.seconds, args.connections,
                                                          smallest[1], smallest[2]),
                                     "turns-hello")[0])
        started.append(hello)
        targets, settings = {}, {}
        for size, (index, names, exact) in served.items():
            server = _start_ours(f"ours-sqlite-{size}", index.config,
                                 work / f"turns-ours-{size}.log")
            started.append(server)
            targets[size] = Target(f"ours-sqlite-{size}", server, simple="/simple/")
            settings[size] = Settings(args.seconds, args.connections, names, exact)
        largest = max(served)
        (work / "turns-held").mkdir()
        config = memory_profile.with_cache_size(served[largest][0].config, HELD_CACHE_MB,
                                                work / "turns-held")
        server = _start_ours("ours-sqlite-held", config, work / "turns-held.log")
        started.append(server)
        held = Target("ours-sqlite-held", server, simple="/simple/")
        figures = measure.sizes_in_turns(targets, Target("hello", hello), settings, held)
        figures["held_peak_rss_mb"] = round(server.peak_rss_mb(), 1)
        return figures
    finally:
        for server in started:
            server.stop()


def _fastest_hello(args, work: Path, settings: Settings,
                   stem: str) -> tuple[processes.Server, dict]:
    """The hello app with one waitress thread or ``--threads``, whichever serves more on this
    machine (one on some two-core machines, four on others), the other stopped; with its
    figures, its thread count and the other's rate."""
    measured = []
    for threads in sorted({1, args.threads}):
        server = _start_hello(threads, work / f"{stem}-{threads}.log")
        target = Target("hello", server)
        measured.append(({**measure.hello(target, settings), **measure.memory_and_start(target)},
                         threads, server))
    measured.sort(key=lambda found: found[0]["hello"]["rate"], reverse=True)
    for _, _, slower in measured[1:]:
        slower.stop()
    figures, threads, server = measured[0]
    return server, {**figures, "threads": threads, "other_threads": [
        {"threads": n, "rate": round(other["hello"]["rate"])} for other, n, _ in measured[1:]]}


class _Run:
    """The measurements of one index size; each server is started, measured and stopped."""

    def __init__(self, args, cache: Path, work: Path, downloads: dict, size: int, block: dict):
        self.args, self.cache, self.work, self.size, self.block = args, cache, work, size, block
        self.downloads = downloads
        work.mkdir(parents=True)
        self.uploads = work / "uploads"
        self.names = self.exact = None
        self.last_serial = 0

    def settings(self, names: Path | None = None, exact: Path | None = None) -> Settings:
        return Settings(self.args.seconds, self.args.connections, names or self.names,
                        exact or self.exact, self.last_serial)

    def hello(self) -> None:
        """Start the hello app for the whole block (idle but for its own runs) and measure it.

        It is measured with one waitress thread and with ``--threads``; the faster
        (``_fastest_hello``) stays up as the reference, so that every ratio is to the
        best this app does.
        """
        server, self.block["hello"] = _fastest_hello(self.args, self.work, self.settings(),
                                                     "hello")
        self.hello_target = Target("hello", server)
        # The same twine runs as the servers get, to an app that answers every upload without
        # reading it: what twine itself takes, start-up included.
        files = sample_prep.upload_files(self.uploads / "up-hello", "up-hello", self.args.uploads)
        base = self.hello_target.server.base
        self.block["hello"].update(measure.uploads(
            Target("hello", self.hello_target.server, upload=(f"{base}/legacy/", "u", "p")), files))

    def close(self) -> None:
        self.hello_target.server.stop()

    def ours(self, backend: str) -> sample_prep.Index:
        """Measure this server on ``backend``; returns the sample it served."""
        label = f"ours-{backend}"
        print(f"  {label}", flush=True)
        index = sample_prep.prepare(self.cache, backend, self.size, self.args.seed,
                                    self.args.threads, self.args.page_cache_mb)
        server = _start_ours(label, index.config, self.work / f"{label}.log")
        try:
            paths = self._download_paths(index, server)
            if self.names is None:
                self._write_names(index)
            target = Target(label, server, simple="/simple/", json=("/pypi/", "/json"),
                            downloads={k: f"/packages/{p}" for k, p in paths.items()},
                            upload=(f"{server.base}/legacy/", sample_prep.BENCH_USER,
                                    sample_prep.BENCH_PASSWORD), xmlrpc="/pypi")
            self.block[label] = self._measure(target, self.settings(), f"up-{backend}")
            self.block[label].update(measure.paired_with_hello(target, self.hello_target,
                                                               self.settings()))
        finally:
            server.stop()
            self._remove_uploads(index, f"up-{backend}")
        if self.size == self.args.server_size:
            prefix = f"up-consistency-{backend}"
            try:
                self.block[label]["two_servers"] = consistency.two_servers(
                    index, self.work, CONSISTENCY_ROUNDS, prefix)
            finally:
                self._remove_uploads(index, prefix)
        return index

    def pypiserver(self, bin_dir: Path) -> None:
        print("  pypiserver", flush=True)
        flat = self.cache / f"pypiserver-s{self.args.seed}-p{self.size}"
        index = sample_prep.prepare(self.cache, "sqlite", self.size, self.args.seed,
                                    self.args.threads, self.args.page_cache_mb)
        peers.link_flat(index.files_dir, flat)
        server = peers.start_pypiserver(bin_dir, flat, self.work / "pypiserver.log")
        try:
            target = Target("pypiserver", server, simple="/simple/", json=("/", "/json"),
                            json_exact_names=False,
                            downloads={k: f"/packages/{p.name}" for k, p in self.downloads.items()},
                            upload=(f"{server.base}/", "bench", "bench"))
            self.block["pypiserver"] = self._measure(target, self.settings(), "up-pypiserver")
        finally:
            server.stop()
            for uploaded in flat.glob("up_pypiserver-*"):
                uploaded.unlink()
            for uploaded in flat.glob("up-pypiserver-*"):
                uploaded.unlink()

    def devpi(self, bin_dir: Path) -> None:
        print("  devpi-server", flush=True)
        seed, projects = self.args.seed, peers.DEVPI_PROJECTS
        serverdir = peers.devpi_serverdir(self.cache, seed, projects)
        server = peers.start_devpi(bin_dir, serverdir, self.work / "devpi.log")
        try:
            index = sample_prep.prepare(self.cache, "sqlite", projects, seed, self.args.threads,
                                        self.args.page_cache_mb)
            store, _ = open_backends(Config.from_ini(index.config))
            try:
                loaded = peers.fill_devpi(server, serverdir, store, index.files_dir, projects)
            finally:
                store.close()
            names = self._devpi_names(server)
            loaded["projects_listed"] = len(names.read_text().split())
            paths = self._devpi_downloads(server)
            upload_index = f"{server.base}/root/up{int(time.time())}"
            _devpi_request(upload_index, "PUT", b'{"bases": [], "volatile": true}')
            target = Target("devpi", server, simple="/root/bench/+simple/",
                            json=("/root/bench/", ""), json_accept="application/json",
                            downloads=paths, upload=(upload_index + "/", "root",
                                                     peers.DEVPI_PASSWORD))
            figures = self._measure(target, self.settings(names, names), "up-devpi")
            self.block["devpi"] = {**figures, "sample": {"projects": projects, **loaded}}
            _devpi_request(upload_index, "DELETE")
        finally:
            server.stop()

    def nginx(self) -> None:
        if not peers.nginx_available():
            return
        print("  nginx", flush=True)
        root = self.downloads["1mb"].parent
        server = peers.start_nginx(root, self.work / "nginx", self.work / "nginx.log")
        try:
            target = Target("nginx", server,
                            downloads={k: f"/{p.name}" for k, p in self.downloads.items()})
            self.block["nginx"] = measure.downloads(target, self.settings())
        finally:
            server.stop()

    # -- helpers ---------------------------------------------------------------------
    def _measure(self, target: Target, settings: Settings, upload_prefix: str) -> dict:
        """Reads, the peak memory they needed, then uploads (which log in: argon2 takes
        64 MiB for a moment, so the peak after them is reported apart, and so is that of
        the server's child processes, where ours runs argon2)."""
        figures = {}
        for run in RUNS:
            figures.update(run(target, settings))
        figures.update(measure.memory_and_start(target))
        files = sample_prep.upload_files(self.uploads / upload_prefix, upload_prefix,
                                         self.args.uploads)
        figures.update(measure.uploads(target, files))
        figures.update(measure.memory_and_start(target, "peak_rss_mb_uploads"))
        figures.update(measure.children_memory(target))
        return figures

    def _download_paths(self, index, server) -> dict[str, str]:
        """Upload the download files into this index once; their paths under /packages/."""
        config = Config.from_ini(index.config)
        store, _ = open_backends(config)
        try:
            records = store.list_files(sample_prep.DOWNLOAD_PROJECT)
            if not records:
                target = Target("", server, upload=(f"{server.base}/legacy/",
                                                    sample_prep.BENCH_USER,
                                                    sample_prep.BENCH_PASSWORD))
                measure._twine(*target.upload, list(self.downloads.values()))
                records = store.list_files(sample_prep.DOWNLOAD_PROJECT)
            self.last_serial = store.last_serial()
        finally:
            store.close()
        by_name = {record.filename: record.path for record in records}
        return {label: by_name[path.name] for label, path in self.downloads.items()}

    def _write_names(self, index) -> None:
        store, _ = open_backends(Config.from_ini(index.config))
        try:
            self.names, self.exact = self._names_of(store, self.work / "ours")
        finally:
            store.close()

    @staticmethod
    def _names_of(store, stem: Path) -> tuple[Path, Path]:
        """Projects with files (what a simple page exists for), normalised and as spelt."""
        found = [p for p in store.list_project_names()
                 if p.name != sample_prep.DOWNLOAD_PROJECT and store.index_listing(p.name)[1]]
        names, exact = stem.with_suffix(".names"), stem.with_suffix(".exact")
        names.write_text("\n".join(p.normalized_name for p in found) + "\n")
        exact.write_text("\n".join(p.name for p in found) + "\n")
        return names, exact

    def _remove_uploads(self, index, prefix: str) -> None:
        store, blobs = open_backends(Config.from_ini(index.config))
        try:
            for project in store.list_project_names():
                if project.name.startswith(prefix):
                    try:
                        for record in store.remove_project(Actor("bench", "127.0.0.1"),
                                                           project.name):
                            blobs.delete(record.path)
                    except NoSuchProject:
                        pass
        finally:
            store.close()

    def _devpi_names(self, server) -> Path:
        """The projects devpi lists (it refused a few wheels, so not every project is there)."""
        _, _, body = processes.timed_get(f"{server.base}/root/bench/+simple/")
        names = [n for n in re.findall(r'href="([^"/]+)/"', body.decode())
                 if n != sample_prep.DOWNLOAD_PROJECT]
        path = self.work / "devpi.names"
        path.write_text("\n".join(names) + "\n")
        return path

    def _devpi_downloads(self, server) -> dict[str, str]:
        page = f"{server.base}/root/bench/+simple/{sample_prep.DOWNLOAD_PROJECT}/"
        _, status, body = processes.timed_get(page)
        if status != 200:
            target = Target("", server, upload=(f"{server.base}/root/bench/", "root",
                                                peers.DEVPI_PASSWORD))
            measure._twine(*target.upload, list(self.downloads.values()))
            _, status, body = processes.timed_get(page)
        links = re.findall(r'href="([^"#]+)', body.decode())
        paths = {}
        for label, path in self.downloads.items():
            link = next(link for link in links if link.endswith(path.name))
            paths[label] = urllib.request.urljoin(page, link)[len(server.base):]
        return paths


def _devpi_request(url: str, method: str, body: bytes | None = None) -> None:
    token = base64.b64encode(f"root:{peers.DEVPI_PASSWORD}".encode()).decode()
    request = urllib.request.Request(url, method=method, data=body, headers={
        "Content-Type": "application/json", "Authorization": f"Basic {token}"})
    urllib.request.urlopen(request, timeout=60).read()


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k projects, 3 s runs")
    parser.add_argument("--with-100k", action="store_true", help="add 100k projects")
    parser.add_argument("--sizes", help="comma-separated index sizes (overrides the above)")
    parser.add_argument("--seconds", type=float, help="length of each wrk run (default 5, quick 3)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--threads", type=int, default=4,
                        help="waitress threads of this server and of the hello app")
    parser.add_argument("--page-cache-mb", type=int, default=8)
    parser.add_argument("--server-size", type=int, default=10000,
                        help="the index size also measured on PostgreSQL and MariaDB")
    parser.add_argument("--server-backends", default="postgresql,mariadb")
    parser.add_argument("--uploads", type=int, default=UPLOAD_FILES,
                        help="files uploaded: half by one twine, half by four")
    parser.add_argument("--no-peers", dest="peers", action="store_false",
                        help="only this server and the hello app")
    parser.add_argument("--turns-only", action="store_true",
                        help="only /simple/<random name>/ of every size at once, in turns")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache-dir", default="~/.cache/pypi-bench")
    parser.add_argument("--results", default="bench-results.json")
    parser.add_argument("--plot", default="docs/benchmarks.png", help="'' for none")
    args = parser.parse_args(argv)
    if args.sizes:
        args.sizes = [int(s) for s in args.sizes.split(",")]
    else:
        args.sizes = [1000, 10000] + ([100000] if args.with_100k else [])
    args.seconds = args.seconds or (3 if args.quick else 5)
    args.server_backends = [b for b in args.server_backends.split(",") if b and _reachable(b)]
    return args


def _reachable(backend: str) -> bool:
    import sqlalchemy as sa
    url = sample_prep.SERVER_URLS[backend].format(db="")
    try:
        engine = sa.create_engine(url, poolclass=sa.NullPool,
                                  connect_args={"connect_timeout": 3})
        with engine.connect():
            return True
    except Exception as err:   # a missing server or driver: measured without it
        print(f"{backend}: not measured ({str(err).splitlines()[0]})", file=sys.stderr)
        return False


def _meta(args) -> dict:
    return {"sizes": args.sizes, "seconds_per_run": args.seconds,
            "connections": args.connections, "threads": args.threads, "seed": args.seed,
            "page_cache_mb": args.page_cache_mb, "python": platform.python_version(),
            "machine": f"{platform.machine()}, {_cpus()} CPUs",
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def _cpus() -> int:
    return os.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main())
