"""Two ``pypi serve`` processes on one database answer the same right after each other's writes.

Each round uploads a new release through one server (alternating) and at once reads
the project's simple page (HTML and PEP 691 JSON), ``/simple/`` and the JSON API from
both; any difference counts as a mismatch. Both servers keep their page caches warm
throughout, so a cache that missed the other process's write would show here.
"""
from __future__ import annotations

import sys
from pathlib import Path

from . import processes, sample_prep

V1_JSON = "application/vnd.pypi.simple.v1+json"


def two_servers(index: sample_prep.Index, work: Path, rounds: int, prefix: str) -> dict:
    import requests   # twine's dependency

    servers = []
    try:
        for number in (1, 2):
            port = processes.free_port()
            servers.append(processes.start(
                f"serve-{number}", [sys.executable, "-m", "pypi", "serve", "--config",
                                    str(index.config), "--port", str(port)],
                port, "/serial", work / f"consistency-{number}.log"))
        session = requests.Session()
        session.auth = (sample_prep.BENCH_USER, sample_prep.BENCH_PASSWORD)
        files = sample_prep.upload_files(work / "consistency", prefix, rounds)
        mismatches, reads = [], 0
        for number, path in enumerate(files):
            writer = servers[number % 2]
            name = path.name.removesuffix("-1.0.tar.gz")
            reply = session.post(f"{writer.base}/legacy/", data={
                ":action": "file_upload", "protocol_version": "1", "name": name,
                "version": "1.0", "filetype": "sdist", "pyversion": "source",
                "metadata_version": "2.1"}, files={"content": (path.name, path.read_bytes())})
            reply.raise_for_status()
            for url, headers in ((f"/simple/{name}/", {}), (f"/simple/{name}/", {"Accept": V1_JSON}),
                                 ("/simple/", {}), (f"/pypi/{name}/json", {})):
                bodies = [session.get(s.base + url, headers=headers).content for s in servers]
                reads += 2
                if bodies[0] != bodies[1] or name.encode() not in bodies[0]:
                    mismatches.append(url)
        return {"rounds": rounds, "reads": reads, "mismatches": len(mismatches),
                "first_mismatches": mismatches[:5]}
    finally:
        for server in servers:
            server.stop()
