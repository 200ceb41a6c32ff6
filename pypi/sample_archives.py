"""Small but valid distribution files for ``pypi load-sample``, built in memory.

An sdist is a ``.tar.gz`` holding ``<name>-<version>/PKG-INFO``, a ``setup.py``
and a module; a wheel is a pure ``py3-none-any`` ``.whl`` holding the module and
its ``.dist-info`` (``METADATA``, ``WHEEL``, ``RECORD`` with sha256 digests and
sizes), which pip installs. Both are byte-for-byte the same for the same input:
archive times come from the release, gzip carries no time stamp, so a seed
always gives the same digests.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import io
import tarfile
import zipfile
from datetime import datetime

from packaging.utils import canonicalize_name

from storage_backends.records import ReleaseMetadata

# (field, header) in the order the core metadata specification lists them.
_SINGLE_HEADERS = (
    ("summary", "Summary"), ("home_page", "Home-page"), ("download_url", "Download-URL"),
    ("author", "Author"), ("author_email", "Author-email"), ("maintainer", "Maintainer"),
    ("maintainer_email", "Maintainer-email"), ("license", "License"),
    ("keywords", "Keywords"), ("platform", "Platform"), ("requires_python", "Requires-Python"),
    ("description_content_type", "Description-Content-Type"),
)
_LIST_HEADERS = (
    ("classifiers", "Classifier"), ("requires_dist", "Requires-Dist"),
    ("provides_extra", "Provides-Extra"), ("project_urls", "Project-URL"),
)
WHEEL_TAG = "py3-none-any"


def module_name(name: str) -> str:
    """The importable package a sample project ships (its normalised name with underscores)."""
    return canonicalize_name(name).replace("-", "_")


def core_metadata(name: str, version: str, metadata: ReleaseMetadata) -> bytes:
    """``PKG-INFO`` / ``METADATA`` text of the release, in the metadata version it names."""
    lines = [f"Metadata-Version: {metadata.metadata_version or '1.0'}", f"Name: {name}",
             f"Version: {version}"]
    for field, header in _SINGLE_HEADERS:
        value = getattr(metadata, field)
        if value is not None:
            lines.append(f"{header}: {value}")
    for field, header in _LIST_HEADERS:
        lines += [f"{header}: {value}" for value in getattr(metadata, field)]
    description = metadata.description or ""
    if (metadata.metadata_version or "1.0") >= "2.1":
        text = "\n".join(lines) + "\n\n" + description
    else:       # before 2.1 the description is a header with indented continuation lines
        indented = description.replace("\n", "\n        ")
        text = "\n".join(lines) + f"\nDescription: {indented}\n"
    return text.encode("utf-8")


def _module_source(name: str, version: str, summary: str | None) -> bytes:
    return f'"""{summary or name}"""\n\n__version__ = "{version}"\n'.encode("utf-8")


def sdist(name: str, version: str, filename: str, metadata: ReleaseMetadata,
          when: datetime) -> bytes:
    """A ``.tar.gz`` whose top directory is the file name without its extension."""
    top = filename.removesuffix(".tar.gz")
    module = module_name(name)
    members = (
        (f"{top}/PKG-INFO", core_metadata(name, version, metadata)),
        (f"{top}/setup.py", (f"from setuptools import setup\n\nsetup(name={name!r}, "
                             f"version={version!r}, packages=[{module!r}])\n").encode()),
        (f"{top}/{module}/__init__.py", _module_source(name, version, metadata.summary)),
    )
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path, data in members:
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), int(when.timestamp()), 0o644
            archive.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=0)


def wheel_filename(name: str, version: str) -> str:
    return f"{module_name(name)}-{version}-{WHEEL_TAG}.whl"


def wheel(name: str, version: str, metadata: ReleaseMetadata, when: datetime) -> tuple[bytes, bytes]:
    """A pure wheel and its ``METADATA`` bytes (served beside it as PEP 658 ``.metadata``).

    ``version`` must be the canonical PEP 440 form the file name carries.
    """
    module = module_name(name)
    dist_info = f"{module}-{version}.dist-info"
    metadata_bytes = core_metadata(name, version, metadata)
    members = [
        (f"{module}/__init__.py", _module_source(name, version, metadata.summary)),
        (f"{dist_info}/METADATA", metadata_bytes),
        (f"{dist_info}/WHEEL", (f"Wheel-Version: 1.0\nGenerator: pypi-load-sample\n"
                                f"Root-Is-Purelib: true\nTag: {WHEEL_TAG}\n").encode()),
        (f"{dist_info}/top_level.txt", f"{module}\n".encode()),
    ]
    record = "".join(f"{path},sha256={_record_digest(data)},{len(data)}\n" for path, data in members)
    members.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode()))
    raw = io.BytesIO()
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in members:
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            archive.writestr(info, data)
    return raw.getvalue(), metadata_bytes


def _record_digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
