"""The App Engine backend: metadata as ndb entities, bytes as datastore chunks.

Needs the ``gae`` extra (``appengine-python-standard``). On App Engine the SDK
connects to the project's datastore; elsewhere ``open_gae_store`` runs the
SDK's datastore stub persisted to one file, as App Engine's development server
did, so the same code is tested here and deployed there.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["open_gae_store"]


def on_app_engine() -> bool:
    """True inside an App Engine standard instance (its runtime sets ``GAE_ENV``)."""
    return os.environ.get("GAE_ENV", "").startswith("standard")


def open_gae_store(datastore_file: str | os.PathLike | None, create: bool = False):
    """Open the store on ``datastore_file`` (stub), or on App Engine's datastore (None).

    Raises ``ServiceUnavailable`` (``DatastoreFileError``) for a missing,
    unreadable or corrupt file, and ``SchemaMissing`` when the datastore was
    never initialised and ``create`` is false. Returns ``(store, access)``'s
    store; ``store.access`` is shared with the blob store.
    """
    try:
        from .runtime import DatastoreAccess, activate_stub, check_datastore_file, deactivate_stub
        from .store import GaeStore
    except ModuleNotFoundError as err:
        raise ImportError(f"the gae backend needs the module {err.name!r}: "
                          f"install the 'gae' extra") from err
    if datastore_file is None:
        store = GaeStore(DatastoreAccess(None))
    else:
        path = Path(datastore_file).resolve()
        check_datastore_file(path, create)
        bed = activate_stub(path)
        access = DatastoreAccess(path, bed.get_stub("datastore_v3"))

        def close():
            access.close()
            deactivate_stub(path, bed)
        try:
            store = GaeStore(access, on_close=close)
        except BaseException:
            close()
            raise
    try:
        if create:
            store.create_schema()
        store.check_schema()
    except BaseException:
        store.close()
        raise
    return store
