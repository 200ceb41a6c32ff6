"""An upload whose process dies between the metadata commit and the publish.

The record is committed, the bytes are still temporary: the recovery that
``pypi serve`` runs at start must publish them, so the record is never left
without its bytes (before the fix, the temporary bytes did not say where they
belonged and the file stayed a 404 with a record).
"""
from __future__ import annotations

import hashlib
from urllib.parse import unquote

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


@pytest.mark.parametrize("layout", ["flat", "nested"])
def test_bytes_left_in_either_incoming_layout_are_rolled_forward(web, app, config, monkeypatch,
                                                                 layout):
    """Flat: ``<id>.<encoded target>`` (this version); nested: ``<id>/<target>``, what older
    versions left in data directories, which a server started on them must still publish."""
    filename, data = make_wheel("demo", "1.0")
    monkeypatch.setattr(type(app.blobs), "publish", lambda *args, **kwargs: None)
    upload(web, filename, data, name="demo", version="1.0", filetype="bdist_wheel",
           pyversion="py3", status=200)
    monkeypatch.undo()
    record = app.store.get_file(filename)
    incoming = config.files_dir / ".incoming"
    assert all(p.is_file() for p in incoming.iterdir())                 # flat: no directories
    if layout == "nested":
        for number, left in enumerate(sorted(incoming.iterdir())):
            target = unquote(left.name.partition(".")[2])
            nested = incoming / f"0ld{number}" / target
            nested.parent.mkdir(parents=True)
            left.rename(nested)

    published = publish_pending(app.store, app.blobs)

    assert sorted(published) == [record.path, record.path + ".metadata"]
    served = web.get(f"/packages/{record.path}", status=200).body
    assert hashlib.sha256(served).hexdigest() == record.sha256_digest
    assert list(app.blobs.list_temporary()) == [] and list(incoming.iterdir()) == []
