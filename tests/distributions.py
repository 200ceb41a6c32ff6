"""Small but valid sdists and wheels, built in memory for upload tests."""
from __future__ import annotations

import base64
import gzip
import hashlib
import io
import tarfile
import zipfile


def pkg_info(name: str, version: str, summary: str = "A test package",
             requires_python: str | None = None, metadata_version: str = "2.1") -> str:
    lines = [f"Metadata-Version: {metadata_version}", f"Name: {name}", f"Version: {version}",
             f"Summary: {summary}"]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    return "\n".join(lines) + "\n\n"


# A PEP 517 backend shipped inside the sdist, so that pip builds it with the
# standard library alone: no setuptools, no wheel, and no other index to ask.
IN_TREE_BACKEND = """\
import base64, hashlib, os, zipfile

NAME, VERSION, MODULE = {name!r}, {version!r}, {module!r}


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist = NAME.replace("-", "_")
    info = f"{{dist}}-{{VERSION}}.dist-info"
    files = {{
        f"{{MODULE}}.py": open(f"{{MODULE}}.py").read(),
        f"{{info}}/METADATA": open("PKG-INFO").read(),
        f"{{info}}/WHEEL": "Wheel-Version: 1.0\\nGenerator: in-tree\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    }}
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{{path}},sha256={{digest}},{{len(text.encode())}}")
    files[f"{{info}}/RECORD"] = "\\n".join(record + [f"{{info}}/RECORD,,"]) + "\\n"
    filename = f"{{dist}}-{{VERSION}}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return filename
"""
PYPROJECT = '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'


def make_sdist(name: str, version: str, module: str | None = None, **meta) -> tuple[str, bytes]:
    """An sdist that pip can build offline: PKG-INFO, pyproject.toml, an in-tree backend, one module."""
    base = f"{name}-{version}"
    module = module or name.replace("-", "_").lower()
    members = {
        "PKG-INFO": pkg_info(name, version, **meta),
        "pyproject.toml": PYPROJECT,
        "backend.py": IN_TREE_BACKEND.format(name=name, version=version, module=module),
        f"{module}.py": f"VERSION = {version!r}\n",
    }
    buffer = io.BytesIO()
    # gzip's header would carry the current time: fixed, so the same call gives the same bytes
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed, \
            tarfile.open(fileobj=compressed, mode="w") as archive:
        for member, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{base}/{member}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return f"{base}.tar.gz", buffer.getvalue()


def make_wheel(name: str, version: str, module: str | None = None, **meta) -> tuple[str, bytes]:
    """A pure-Python wheel that installs one module printing its version."""
    dist = name.replace("-", "_")
    module = module or dist.lower()
    info = f"{dist}-{version}.dist-info"
    files = {
        f"{module}.py": f"VERSION = {version!r}\n",
        f"{info}/METADATA": pkg_info(name, version, **meta),
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record_lines = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record_lines.append(f"{path},sha256={digest},{len(text.encode())}")
    record_lines.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\n".join(record_lines) + "\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return f"{dist}-{version}-py3-none-any.whl", buffer.getvalue()
