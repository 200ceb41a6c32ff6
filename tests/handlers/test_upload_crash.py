"""An upload whose process dies between the metadata commit and the publish.

The record is committed, the bytes are still temporary: the recovery that
``pypi serve`` runs at start must publish them, so the record is never left
without its bytes (before the fix, the temporary bytes did not say where they
belonged and the file stayed a 404 with a record).
"""
from __future__ import annotations

import hashlib

import pytest

from storage_backends.recovery import publish_pending
from tests.distributions import make_wheel
from tests.handlers.uploading import upload


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no handler catches it."""


def test_an_upload_killed_before_publishing_is_rolled_forward(web, app, monkeypatch):
    filename, data = make_wheel("demo", "1.0")

    def die(*args, **kwargs):
        raise Killed()
    monkeypatch.setattr(type(app.blobs), "publish", die)
    with pytest.raises(Killed):
        upload(web, filename, data, name="demo", version="1.0", filetype="bdist_wheel",
               pyversion="py3")
    monkeypatch.undo()
    record = app.store.get_file(filename)
    assert record is not None and not app.blobs.exists(record.path)     # what the crash left

    published = publish_pending(app.store, app.blobs)                   # the next start

    assert sorted(published) == [record.path, record.path + ".metadata"]
    served = web.get(f"/packages/{record.path}", status=200).body
    assert hashlib.sha256(served).hexdigest() == record.sha256_digest
    metadata = web.get(f"/packages/{record.path}.metadata", status=200).body
    assert hashlib.sha256(metadata).hexdigest() == record.metadata_sha256
    assert list(app.blobs.list_temporary()) == []
