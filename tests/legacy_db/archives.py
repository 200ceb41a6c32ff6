"""Small, valid distribution files as 2010-era tools made them.

distutils sdists (``.tar.gz``, ``.tar.bz2``, ``.zip``) hold a ``setup.py``
and a ``PKG-INFO`` under ``<name>-<version>/``; setuptools eggs hold
``EGG-INFO/PKG-INFO``. The bytes are deterministic (fixed times), so a file's
md5 is the same on every run. The one file pip must install comes from
``tests.distributions.make_sdist``, whose in-tree build backend needs no
network.
"""
from __future__ import annotations

import gzip
import io
import tarfile
import zipfile

from tests.distributions import make_sdist

ARCHIVE_TIME = (2010, 6, 1, 12, 0, 0)
ARCHIVE_EPOCH = 1275393600  # the same moment, for tar members and gzip headers

# What a detached signature file looks like; nobody checks it.
SIGNATURE = ("-----BEGIN PGP SIGNATURE-----\nVersion: GnuPG v1.4.10 (GNU/Linux)\n\n"
             "iEYEABECAAYFAkwE7dAACgkQtest-signature-not-verifiable-by-anyone\n"
             "=AbCd\n-----END PGP SIGNATURE-----\n")


def _pkg_info(name: str, version: str, summary: str) -> str:
    return (f"Metadata-Version: 1.0\nName: {name}\nVersion: {version}\nSummary: {summary}\n"
            "Home-page: UNKNOWN\nAuthor: UNKNOWN\nAuthor-email: UNKNOWN\nLicense: UNKNOWN\n"
            "Description: UNKNOWN\nPlatform: UNKNOWN\n")


def _setup_py(name: str, version: str, module: str) -> str:
    return (f"from distutils.core import setup\n\nsetup(name={name!r}, version={version!r},\n"
            f"      py_modules=[{module!r}])\n")


def _members(name: str, version: str, module: str, summary: str) -> dict[str, str]:
    return {"PKG-INFO": _pkg_info(name, version, summary),
            "setup.py": _setup_py(name, version, module),
            f"{module}.py": f"__version__ = {version!r}\n"}


def _tar(files: dict[str, str], compression: str) -> bytes:
    raw = io.BytesIO()
    if compression == "gz":
        target = gzip.GzipFile(fileobj=raw, mode="wb", mtime=ARCHIVE_EPOCH)
        mode = "w"
    else:
        target, mode = raw, f"w:{compression}"
    with tarfile.open(fileobj=target, mode=mode, format=tarfile.USTAR_FORMAT) as archive:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), ARCHIVE_EPOCH, 0o644
            archive.addfile(info, io.BytesIO(data))
    if compression == "gz":
        target.close()
    return raw.getvalue()


def _zip(files: dict[str, str]) -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in files.items():
            archive.writestr(zipfile.ZipInfo(path, ARCHIVE_TIME), text)
    return raw.getvalue()


def distutils_sdist(filename: str, name: str, version: str, module: str,
                    summary: str = "A legacy package") -> bytes:
    """A distutils sdist; the archive kind follows the file name's ending."""
    for ending, compression in ((".tar.gz", "gz"), (".tar.bz2", "bz2"), (".zip", None)):
        if filename.endswith(ending):
            base = filename[: -len(ending)]
            files = {f"{base}/{path}": text
                     for path, text in _members(name, version, module, summary).items()}
            return _zip(files) if compression is None else _tar(files, compression)
    raise ValueError(f"not an sdist file name: {filename}")


def setuptools_egg(name: str, version: str, module: str, summary: str = "A legacy egg") -> bytes:
    files = {"EGG-INFO/PKG-INFO": _pkg_info(name, version, summary),
             "EGG-INFO/top_level.txt": f"{module}\n",
             f"{module}.py": f"__version__ = {version!r}\n"}
    return _zip(files)


def installable_sdist(name: str, version: str, module: str) -> tuple[str, bytes]:
    """``(filename, bytes)`` of an sdist pip 23 builds and installs offline."""
    return make_sdist(name, version, module=module, summary="Installable from a legacy index")
