"""Unpacking an uploaded documentation zip safely.

Every member is checked before anything is written: no absolute paths, no
``..``, no backslashes or drive letters, no symbolic links, no more than
``MAX_MEMBERS`` members and ``MAX_TOTAL`` uncompressed bytes (zipfile never
reads past a member's declared size, and the bytes written are counted as
well), and a top-level ``index.html``. The tree is unpacked into a fresh
directory beside the target and swapped in with renames, so readers see the
old docs or the new, never a mix.
"""
from __future__ import annotations

import os
import shutil
import stat
import uuid
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .http_errors import BadRequest

MAX_MEMBERS = 10_000
MAX_TOTAL = 200 * (1 << 20)
CHUNK = 1 << 16


def check_archive(stream: BinaryIO) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as err:
        raise BadRequest(f"Error uncompressing zipfile:{err}") from None
    if len(members) > MAX_MEMBERS:
        raise BadRequest(f"Error unpacking zipfile:more than {MAX_MEMBERS} members")
    if sum(m.file_size for m in members) > MAX_TOTAL:
        raise BadRequest(f"Error unpacking zipfile:more than {MAX_TOTAL} bytes uncompressed")
    names = set()
    for member in members:
        names.add(_safe_name(member))
    if "index.html" not in names:
        raise BadRequest("Error unpacking zipfile:the zip must contain a top-level index.html")
    return archive


def _safe_name(member: zipfile.ZipInfo) -> str:
    raw = member.filename
    mode = member.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise BadRequest(f"Error unpacking zipfile:symbolic links are not allowed:{raw}")
    path = PurePosixPath(raw)
    if not raw or "\\" in raw or "\0" in raw or raw.startswith("/") or path.is_absolute() \
            or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise BadRequest(f"Error unpacking zipfile:invalid path name:{raw}")
    return str(path)


def replace_tree(archive: zipfile.ZipFile, target: Path) -> None:
    """Unpack ``archive`` as the new content of ``target`` (created or replaced)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = target.parent / f".{target.name}.new-{uuid.uuid4().hex}"
    fresh.mkdir()
    try:
        written = 0
        for member in archive.infolist():
            destination = fresh.joinpath(*PurePosixPath(member.filename).parts)
            if not destination.resolve().is_relative_to(fresh.resolve()):
                raise BadRequest(f"Error unpacking zipfile:invalid path name:{member.filename}")
            if member.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, open(destination, "xb") as out:
                while chunk := source.read(CHUNK):
                    written += len(chunk)
                    if written > MAX_TOTAL:
                        raise BadRequest("Error unpacking zipfile:too large uncompressed")
                    out.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError, zlib.error) as err:   # what zipfile raises for damaged members
        shutil.rmtree(fresh, ignore_errors=True)
        raise BadRequest(f"Error unpacking zipfile:{err}") from None
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    old = target.parent / f".{target.name}.old-{uuid.uuid4().hex}"
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)
