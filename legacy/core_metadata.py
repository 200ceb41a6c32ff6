"""A wheel's core metadata (``<name>-<version>.dist-info/METADATA``), for PEP 658.

Read at upload from the spooled file, in memory and bounded: the member is
looked up by name in the zip directory (nothing is extracted to disk, no
member path is ever used as a path), and at most ``MAX_METADATA`` bytes are
decompressed, whatever the zip header claims, so a zip bomb costs nothing.

Only wheels: their METADATA is the metadata of the built distribution, and
pip uses PEP 658 files only for wheels. An sdist's PKG-INFO may be
incomplete (dynamic fields) and pip builds sdists anyway.
"""
from __future__ import annotations

import logging
import zipfile
from typing import BinaryIO

from packaging.utils import (
    InvalidWheelFilename, canonicalize_name, canonicalize_version, parse_wheel_filename,
)

log = logging.getLogger(__name__)
MAX_METADATA = 4 << 20


def wheel_metadata(filename: str, file: BinaryIO) -> bytes | None:
    """The wheel's METADATA bytes, or None when it has none we can serve.

    None (and no metadata file) rather than a refusal for an odd wheel: legacy
    accepted any wheel, and pip falls back to downloading the wheel itself.
    """
    if not filename.lower().endswith(".whl"):
        return None
    try:
        name, version, _, _ = parse_wheel_filename(filename)
        with zipfile.ZipFile(file) as archive:
            info = _metadata_member(archive, filename, name, str(version))
            if info is None or info.file_size > MAX_METADATA:
                return None
            with archive.open(info) as member:
                data = member.read(MAX_METADATA + 1)
    except (InvalidWheelFilename, zipfile.BadZipFile, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError) as err:
        log.info("no core metadata taken from %s: %s", filename, err)
        return None
    finally:
        file.seek(0)
    return data if len(data) <= MAX_METADATA else None


def _metadata_member(archive: zipfile.ZipFile, filename: str, name: str,
                     version: str) -> zipfile.ZipInfo | None:
    """The top-level ``.dist-info/METADATA`` of this distribution.

    The wheel spec names the directory after the file name's first two parts;
    older tools spelled the name differently, so a top-level directory whose
    name and version match after normalisation is accepted too.
    """
    exact = "-".join(filename.split("-")[:2]) + ".dist-info/METADATA"
    try:
        return archive.getinfo(exact)
    except KeyError:
        pass
    for info in archive.infolist():
        directory, slash, member = info.filename.partition("/")
        if member != "METADATA" or not directory.endswith(".dist-info"):
            continue
        dist, _, dist_version = directory[:-len(".dist-info")].rpartition("-")
        same_version = canonicalize_version(dist_version) == canonicalize_version(version)
        if canonicalize_name(dist) == name and same_version:
            return info
    return None
