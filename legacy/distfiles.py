"""Checks on an uploaded distribution file: its name, its type and its content.

The rules are legacy's (upload-register.md steps 8-18) plus wheels; content
checks open archives from the spooled upload, never from memory.
"""
from __future__ import annotations

import re
import zipfile
from typing import BinaryIO

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from storage_backends.ordering import safe_name

from .http_errors import BadRequest

DIST_EXTENSION = re.compile(r".+?\.(exe|tar\.gz|bz2|rpm|deb|zip|tgz|egg|dmg|msi|whl)$", re.IGNORECASE)
SAFE_PYVERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# The filetype each binary extension must be uploaded with.
EXTENSION_FILETYPES = {
    ".whl": {"bdist_wheel"}, ".egg": {"bdist_egg"}, ".exe": {"bdist_wininst"},
    ".msi": {"bdist_msi"}, ".rpm": {"bdist_rpm"}, ".dmg": {"bdist_dmg"},
}
SDIST_EXTENSIONS = (".tar.gz", ".tgz", ".zip", ".tar.bz2", ".bz2")
KNOWN_FILETYPES = {"sdist", "bdist_dumb", "bdist_rpm", "bdist_wininst", "bdist_msi",
                   "bdist_egg", "bdist_dmg", "bdist_wheel"}
MSI_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
WININST_PREFIXES = ("purelib", "platlib", "headers", "scripts", "data")
MAX_FILENAME = 255


def check_filename(project: str, filename: str, filetype: str) -> None:
    """Name rules: allowed extension, matching filetype, project-name prefix, no paths."""
    if not filename or len(filename) > MAX_FILENAME or "\x00" in filename:
        raise BadRequest("invalid distribution file name")
    if "/" in filename or "\\" in filename or filename in (".", ".."):
        raise BadRequest("invalid distribution file: the file name must not contain a path")
    if any(ch in filename for ch in "\r\n\t") or filename != filename.strip():
        raise BadRequest("invalid distribution file name")
    if filetype not in KNOWN_FILETYPES:
        raise BadRequest(f"Invalid file type {filetype!r}")
    if not DIST_EXTENSION.match(filename):
        raise BadRequest("invalid distribution file: unsupported file extension")
    lower = filename.lower()
    if filetype == "sdist":
        if not lower.endswith(SDIST_EXTENSIONS):
            raise BadRequest(f"Invalid file type: {filename} is not a source archive "
                             "(.tar.gz, .zip, .tgz or .tar.bz2) but was uploaded as sdist")
    else:
        for extension, filetypes in EXTENSION_FILETYPES.items():
            if lower.endswith(extension) and filetype not in filetypes:
                raise BadRequest(f"Invalid file type: a {extension} file must be uploaded as "
                                 f"{' or '.join(sorted(filetypes))}, not {filetype}")
    prefix = safe_name(project.lower())
    if not safe_name(lower).startswith(prefix):
        raise BadRequest(f'The filename for {project} must start with "{prefix}" (any case)')
    if lower.endswith(".whl"):
        try:
            parse_wheel_filename(filename)
        except InvalidWheelFilename as err:
            raise BadRequest(f"Invalid wheel filename: {err}") from None


def check_pyversion(pyversion: str) -> None:
    """``pyversion`` becomes a directory name: only a safe character set is allowed."""
    if not SAFE_PYVERSION.match(pyversion):
        raise BadRequest(f"Invalid pyversion {pyversion!r}: use letters, digits, '.', '_' and '-'")


def check_content(filename: str, filetype: str, file: BinaryIO) -> None:
    """Legacy's content checks: archives must open and carry what their type promises."""
    try:
        if filename.endswith(".msi"):
            ok = file.read(len(MSI_MAGIC)) == MSI_MAGIC
        elif filename.endswith(".exe"):
            ok = _zip_members_ok(file, lambda names: all(
                n.lower().startswith(WININST_PREFIXES) for n in names))
        elif filename.endswith((".zip", ".egg")):
            ok = _zip_members_ok(file, lambda names: any(
                n.rstrip("/").rsplit("/", 1)[-1] == "PKG-INFO" for n in names))
        elif filename.lower().endswith(".whl"):
            ok = _zip_members_ok(file, lambda names: any(
                n.endswith(".dist-info/METADATA") for n in names))
        else:
            ok = True
    finally:
        file.seek(0)
    if not ok:
        raise BadRequest(f"invalid distribution file: {filename} is not a valid {filetype} archive")


def _zip_members_ok(file: BinaryIO, predicate) -> bool:
    try:
        with zipfile.ZipFile(file) as archive:
            return predicate(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False
