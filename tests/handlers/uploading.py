"""Posting uploads and registrations the way twine and distutils do."""
from __future__ import annotations

import hashlib

from tests.conftest import basic_auth
from tests.distributions import make_sdist, make_wheel


def upload(web, filename: str, data: bytes, *, name: str, version: str, user: str | None = "alice",
           filetype: str = "sdist", pyversion: str = "source", status: int | str = "*", **fields):
    params = {":action": "file_upload", "protocol_version": "1", "name": name, "version": version,
              "filetype": filetype, "pyversion": pyversion,
              "sha256_digest": hashlib.sha256(data).hexdigest(), "metadata_version": "2.1"}
    params.update(fields)
    params = [(k, v) for k, v in params.items() if v is not None]
    headers = basic_auth(user) if user else {}
    return web.post("/legacy/", params=params, upload_files=[("content", filename, data)],
                    headers=headers, status=status)


def upload_sdist(web, name="demo", version="1.0", **kwargs):
    filename, data = make_sdist(name, version)
    return upload(web, filename, data, name=name, version=version, **kwargs)


def upload_wheel(web, name="demo", version="1.0", requires_python=None, **kwargs):
    filename, data = make_wheel(name, version, requires_python=requires_python)
    kwargs.setdefault("requires_python", requires_python)
    return upload(web, filename, data, name=name, version=version,
                  filetype="bdist_wheel", pyversion="py3", **kwargs)


def register(web, name="demo", version="1.0", user="alice", status="*", **fields):
    fields.setdefault("metadata_version", "1.0")
    params = [(":action", "submit"), ("name", name), ("version", version)]
    params += [(k, v) for k, values in fields.items()
               for v in (values if isinstance(values, list) else [values])]
    headers = basic_auth(user) if user else {}
    return web.post("/pypi", params=params, headers=headers, status=status)
