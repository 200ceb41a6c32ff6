"""Small but valid sdists and wheels, built in memory for upload tests."""
from __future__ import annotations

import base64
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


def make_sdist(name: str, version: str, **meta) -> tuple[str, bytes]:
    base = f"{name}-{version}"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member, text in ((f"{base}/PKG-INFO", pkg_info(name, version, **meta)),
                             (f"{base}/setup.py", "from setuptools import setup\nsetup()\n")):
            data = text.encode()
            info = tarfile.TarInfo(member)
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
