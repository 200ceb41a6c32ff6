"""Sample values for the conformance tests."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from storage_backends.records import NewFile, ReleaseMetadata

CLASSIFIERS = (
    "Development Status :: 5 - Production/Stable",
    "License :: OSI Approved :: MIT License",
    "Programming Language :: Python :: 3",
    "Topic :: Internet",
    "Topic :: Internet :: WWW/HTTP",
)

FULL_METADATA = ReleaseMetadata(
    metadata_version="2.4",
    summary="Everything set",
    description="A long description\n\nwith *markup* and ünïcödé ✓ 🐍",
    description_content_type="text/markdown; charset=UTF-8",
    author="Ada Lovelace",
    author_email="ada@example.org",
    maintainer="Grace Hopper",
    maintainer_email="grace@example.org",
    home_page="https://example.org/full",
    license="MIT",
    license_expression="MIT OR Apache-2.0",
    keywords="one,two,three",
    platform="any",
    download_url="https://example.org/full/download",
    requires_python=">=3.8",
    classifiers=tuple(sorted(CLASSIFIERS)),
    requires=("os", "sys"),
    provides=("full",),
    obsoletes=("empty",),
    requires_dist=("zeta>=1.0", "alpha; extra == 'test'", "mid[extra]<3"),
    provides_dist=("full (1.0)",),
    obsoletes_dist=("old-full (<1.0)",),
    requires_external=("libpq (>=9)", "C"),
    project_urls=("Homepage, https://example.org", "Bug Tracker, https://example.org/bugs"),
    provides_extra=("test", "docs"),
    supported_platform=("x86_64-linux",),
    dynamic=("Requires-Dist",),
    license_files=("LICENSE", "NOTICE"),
)


def new_file(name: str, version: str, filename: str, content: bytes | None = None,
             python_version: str = "source", packagetype: str = "sdist", **extra) -> NewFile:
    """A NewFile whose digests are those of ``content`` (by default derived from the name)."""
    data = content if content is not None else filename.encode()
    b2 = hashlib.blake2b(data, digest_size=32).hexdigest()
    return NewFile(
        name=name, version=version, filename=filename, python_version=python_version,
        packagetype=packagetype, path=f"{b2[:2]}/{b2[2:4]}/{b2[4:]}/{filename}", size=len(data),
        md5_digest=hashlib.md5(data).hexdigest(), sha256_digest=hashlib.sha256(data).hexdigest(),
        blake2_256_digest=b2, **extra)


def release_in_another_process(url: str, project: str, version: str,
                               change_counter: os.PathLike | None = None) -> None:
    """``store_release`` by alice through a store of a separate process (its own database
    library state and locks, as another server's)."""
    code = ("import sys; from storage_backends.sql import open_sql_store\n"
            "from storage_backends.records import Actor, ReleaseMetadata\n"
            "s = open_sql_store(sys.argv[1], change_counter=sys.argv[4] or None)\n"
            "s.store_release(Actor('alice', None), sys.argv[2], sys.argv[3], ReleaseMetadata())\n"
            "s.close()\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    subprocess.run([sys.executable, "-c", code, url, project, version,
                    str(change_counter or "")], cwd=root, check=True, timeout=120)
