"""The indexes under test: ``pypi load-sample`` into a cached directory (SQLite) or database
(PostgreSQL, MariaDB), plus the download files and the upload files.

Samples are kept in the cache directory between runs, keyed by seed and size, so a
second run starts measuring at once; the upload benchmark's projects are removed
again after each run, so the sample stays the sample.
"""
from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pypi.sample_archives import sdist
from storage_backends.records import ReleaseMetadata

BENCH_USER, BENCH_PASSWORD = "bench", "bench-password"
DOWNLOADS = {"1mb": 1 << 20, "100mb": 100 << 20}
DOWNLOAD_PROJECT = "bench-download"
SERVER_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/{db}",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/{db}?charset=utf8mb4",
}


@dataclass(frozen=True)
class Index:
    """One loaded sample: where its config, database and files are."""
    backend: str
    projects: int
    config: Path
    files_dir: Path
    database_url: str


def pypi(*args: str, config: Path, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pypi", *args, "--config", str(config)],
                          check=check, capture_output=True, text=True)


def prepare(cache: Path, backend: str, projects: int, seed: int, threads: int,
            page_cache_mb: int) -> Index:
    """The sample of ``projects`` on ``backend``, loaded once, with a user and the download files."""
    home = cache / f"sample-{backend}-s{seed}-p{projects}"
    home.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        url = f"sqlite:///{home / 'pypi.db'}"
    else:
        url = SERVER_URLS[backend].format(db=f"pypi_bench_s{seed}_p{projects}")
        _create_database(backend, url)
    config = home / "config.ini"
    # Every process writing to a server database here runs on this host through this config,
    # which is what a change counter needs (config.ini.sample, [database] change_counter).
    counter = "" if backend == "sqlite" else f"change_counter = {home / 'change-counter'}\n"
    config.write_text(
        "[database]\n"
        f"url = {url}\n"
        f"{counter}"
        f"files_dir = {home / 'packages'}\n"
        f"docs_dir = {home / 'docs'}\n"
        "[webui]\n"
        f"max_upload_size = {max(DOWNLOADS.values()) + (10 << 20)}\n"
        "[server]\n"
        f"threads = {threads}\n"
        f"page_cache_mb = {page_cache_mb}\n")
    index = Index(backend, projects, config, home / "packages", url)
    done = home / ".loaded"
    if not done.exists():
        pypi("initdb", config=config)
        print(f"  loading the {projects}-project sample into {backend} ...", flush=True)
        pypi("load-sample", "--projects", str(projects), "--seed", str(seed), config=config)
        pypi("adduser", BENCH_USER, "--email", "bench@example.org", "--password", BENCH_PASSWORD,
             config=config)
        done.write_text(url)
    # Every project page kept as a file, as after `pypi build-pages` on a deployed index (the
    # pages left by an earlier run that are still current are kept; others are rebuilt).
    pypi("build-pages", config=config)
    return index


def _create_database(backend: str, url: str) -> None:
    import sqlalchemy as sa
    parsed = sa.engine.make_url(url)
    admin = parsed.set(database="postgres" if backend == "postgresql" else "")
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote_identifier(parsed.database)
            if backend == "postgresql":
                exists = conn.exec_driver_sql(
                    "SELECT 1 FROM pg_database WHERE datname = %(name)s",
                    {"name": parsed.database}).first()
                if not exists:
                    conn.exec_driver_sql(f"CREATE DATABASE {quoted} ENCODING 'UTF8' "
                                         "TEMPLATE template0")
            else:
                conn.exec_driver_sql(f"CREATE DATABASE IF NOT EXISTS {quoted} "
                                     "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    finally:
        engine.dispose()


def big_sdist(path: Path, name: str, version: str, size: int) -> Path:
    """A valid sdist of about ``size`` bytes: PKG-INFO plus incompressible data, written in chunks."""
    top = f"{name}-{version}"
    target = path / f"{top}.tar.gz"
    if target.exists():
        return target
    pkg_info = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    with gzip.open(target, "wb", compresslevel=1) as raw, \
            tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        info = tarfile.TarInfo(f"{top}/PKG-INFO")
        info.size = len(pkg_info)
        archive.addfile(info, io.BytesIO(pkg_info))
        info = tarfile.TarInfo(f"{top}/data.bin")
        info.size = size - 4096
        archive.addfile(info, _RandomStream(info.size))
    return target


class _RandomStream(io.RawIOBase):
    def __init__(self, size: int):
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.left, 1 << 20)
        buffer[:count] = os.urandom(count)
        self.left -= count
        return count


def download_files(cache: Path) -> dict[str, Path]:
    """The 1 MB and 100 MB sdists every server serves (made once, kept in the cache)."""
    where = cache / "downloads"
    where.mkdir(parents=True, exist_ok=True)
    return {label: big_sdist(where, DOWNLOAD_PROJECT, f"1.{size >> 20}", size)
            for label, size in DOWNLOADS.items()}


def upload_files(where: Path, prefix: str, count: int) -> list[Path]:
    """``count`` small valid sdists of new projects ``<prefix>-<i>`` for the upload runs."""
    where.mkdir(parents=True, exist_ok=True)
    when = datetime(2025, 1, 1)
    files = []
    for number in range(count):
        name = f"{prefix}-{number:04d}"
        filename = f"{name}-1.0.tar.gz"
        (where / filename).write_bytes(sdist(name, "1.0", filename,
                                             ReleaseMetadata(summary="upload benchmark"), when))
        files.append(where / filename)
    return files
