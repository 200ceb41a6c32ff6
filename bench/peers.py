"""The reference servers: pypiserver and devpi-server (each in its own virtual environment
under the cache directory), nginx serving files statically, and how each gets the sample.

- pypiserver reads a flat directory: every sample distribution file is hard-linked into
  one directory per index size (cheap, no copy).
- devpi-server stores what is uploaded to it: the sample's files are posted to an index
  ``root/bench`` through its upload API, once, and its server directory is kept in the
  cache (importing 10k projects would take an hour, so devpi serves the first
  ``DEVPI_PROJECTS`` projects of the same sample at every size).
- nginx (Debian's) serves the files directory of our index as it is, with sendfile.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import venv
from pathlib import Path

from . import processes

PEER_PACKAGES = {
    "pypiserver": ["pypiserver", "passlib", "waitress", "watchdog"],
    "devpi": ["devpi-server"],
}
DEVPI_PASSWORD = "bench-root"
DEVPI_PROJECTS = 1000
DIST_SUFFIXES = (".tar.gz", ".whl", ".zip", ".tar.bz2", ".tgz", ".egg")


def ensure_venv(cache: Path, peer: str) -> Path:
    """The peer's virtual environment (created and installed once); returns its bin dir."""
    home = cache / "venvs" / peer
    done = home / ".installed"
    if not done.exists():
        venv.create(home, with_pip=True, clear=True)
        subprocess.run([str(home / "bin" / "pip"), "install", "-q", *PEER_PACKAGES[peer]],
                       check=True, capture_output=True)
        done.write_text(" ".join(PEER_PACKAGES[peer]))
    return home / "bin"


def installed_version(bin_dir: Path, distribution: str) -> str:
    completed = subprocess.run(
        [str(bin_dir / "python"), "-c",
         f"import importlib.metadata as m; print(m.version({distribution!r}))"],
        capture_output=True, text=True)
    return completed.stdout.strip() or "?"


# -- pypiserver --------------------------------------------------------------------

def link_flat(files_dir: Path, target: Path) -> int:
    """Hard-link every distribution file under ``files_dir`` into ``target``; returns the count."""
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    for directory, _, names in os.walk(files_dir):
        if Path(directory).name == ".incoming" or "/.incoming" in directory:
            continue
        for name in names:
            if name.endswith(DIST_SUFFIXES) and not (target / name).exists():
                os.link(Path(directory, name), target / name)
                count += 1
    return count


def start_pypiserver(bin_dir: Path, packages: Path, log: Path) -> processes.Server:
    """Its best single-process settings: its automatic server choice (waitress, installed),
    the cached directory backend (watchdog), no fallback, no authentication."""
    port = processes.free_port()
    command = [str(bin_dir / "pypi-server"), "run", "-p", str(port), "-i", "127.0.0.1",
               "-a", ".", "-P", ".", "--disable-fallback", "--server", "auto",
               "--backend", "cached-dir", str(packages)]
    return processes.start("pypiserver", command, port, "/health", log)


# -- devpi-server ------------------------------------------------------------------

def devpi_serverdir(cache: Path, seed: int, projects: int) -> Path:
    return cache / f"devpi-s{seed}-p{projects}"


def start_devpi(bin_dir: Path, serverdir: Path, log: Path) -> processes.Server:
    if not (serverdir / ".nodeinfo").exists():
        subprocess.run([str(bin_dir / "devpi-init"), "--serverdir", str(serverdir),
                        "--root-passwd", DEVPI_PASSWORD, "--no-root-pypi"],
                       check=True, capture_output=True)
    secret = serverdir.parent / "devpi-secret"
    if not secret.exists():
        secret.write_bytes(os.urandom(32).hex().encode())
        secret.chmod(0o600)
    port = processes.free_port()
    command = [str(bin_dir / "devpi-server"), "--serverdir", str(serverdir), "--host",
               "127.0.0.1", "--port", str(port), "--offline-mode", "--secretfile", str(secret)]
    return processes.start("devpi-server", command, port, "/+api", log)


def fill_devpi(server: processes.Server, serverdir: Path, store, files_dir: Path,
               projects: int) -> dict:
    """Create ``root/bench`` and post the first ``projects`` projects' files, once per serverdir
    (an interrupted fill goes on where it stopped: devpi refuses what it has already).

    Returns what was loaded; files devpi refuses (wheels whose file name spells the
    version differently from the metadata) are counted, not fatal.
    """
    import requests   # twine's dependency

    marker = serverdir / ".bench-loaded"
    if marker.exists():
        return json.loads(marker.read_text())
    session = requests.Session()
    session.auth = ("root", DEVPI_PASSWORD)
    index = f"{server.base}/root/bench/"
    if session.get(index, headers={"Accept": "application/json"}).status_code != 200:
        session.put(index.rstrip("/"), json={"bases": [], "volatile": True}).raise_for_status()
    # An interrupted fill: the projects devpi lists are done but (maybe) the last one.
    have = re.findall(r'href="([^"/]+)/"', session.get(index + "+simple/").text)
    done = set(have[:-1])
    loaded = refused = 0
    for project in store.list_project_names()[:projects]:
        if project.normalized_name in done:
            continue
        for record in store.list_files(project.name):
            data = (files_dir / record.path).read_bytes()
            reply = session.post(index, data={
                ":action": "file_upload", "protocol_version": "1", "name": record.name,
                "version": record.version, "filetype": record.packagetype,
                "pyversion": record.python_version}, files={"content": (record.filename, data)})
            if reply.status_code == 200:
                loaded += 1
            else:
                refused += 1
    counts = {"files_posted": loaded, "files_refused": refused, "resumed": bool(have)}
    marker.write_text(json.dumps(counts))
    return counts


# -- nginx -------------------------------------------------------------------------

NGINX_CONF = """daemon off;
user root;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location = /ready {{ return 200 "ready"; }}
    }}
}}
"""


def nginx_available() -> bool:
    return Path("/usr/sbin/nginx").exists()


def start_nginx(root: Path, work: Path, log: Path) -> processes.Server:
    """nginx from Debian, one worker, sendfile on: the static reference for downloads.
    Its worker runs as root here only because the files are under the cache directory."""
    work.mkdir(parents=True, exist_ok=True)
    port = processes.free_port()
    conf = work / "nginx.conf"
    conf.write_text(NGINX_CONF.format(work=work, port=port, root=root))
    return processes.start("nginx", ["/usr/sbin/nginx", "-c", str(conf), "-p", str(work)],
                           port, "/ready", log)
