"""Where the ndb backend's datastore lives, and who may touch it when.

On App Engine the SDK talks to the real datastore (Firestore in Datastore
mode) and nothing here is needed but ``DatastoreAccess(None)``, a no-op guard.

Everywhere else the datastore is the SDK's file stub (``DatastoreFileStub``),
as App Engine's own development server used it. What we found reading the
stub's source and measuring it decides the rest of this module:

* The stub keeps every entity in memory and, after every commit, pickles the
  whole datastore into the file again (write temp file, rename). A write costs
  time proportional to the size of the whole datastore.
* It reads the file only when it starts. Two processes on one file would each
  overwrite the other's changes. So every access takes an exclusive ``flock``
  on ``<file>.lock`` and, when the file changed since this process last saw
  it (inode, size, mtime), reloads it first: processes share one file
  correctly, one at a time.
* Its transactions are optimistic; several threads writing the serial counter
  at once fail with "too much contention" after ndb's retries, and its
  internal locking is not documented as thread-safe. So one re-entrant lock per
  process serialises every operation as well (reads included). waitress
  threads therefore take turns on the stub: fine for development and tests,
  and the reason this stub is not a production database.
* The SDK keeps its stub map and the application id in process globals
  (``apiproxy_stub_map.apiproxy``, ``os.environ``): one process can have one
  stub datastore open at a time. ``activate_stub`` refuses a second.
* The file is a pickle: opening one loads code-capable data, so open only
  datastore files you wrote yourself.
"""
from __future__ import annotations

import fcntl
import os
import pickle
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import ServiceUnavailable

APP_ID = "pypi-legacy"
_active: dict[str, object] = {}          # the one stub this process may have open
_active_lock = threading.Lock()


class DatastoreFileError(ServiceUnavailable):
    """The datastore file is missing, unreadable or not a datastore."""


def check_datastore_file(path: Path, create: bool) -> None:
    """Refuse a file that would silently serve an empty (or wrong) index.

    The stub itself only logs a warning for a missing file and starts empty,
    so this check runs before it: missing without ``create``, unreadable, or
    not a pickled entity list are errors naming the file.
    """
    if not path.exists():
        if create:
            if not path.parent.is_dir():
                raise DatastoreFileError(f"datastore file {path}: directory {path.parent} "
                                         f"does not exist")
            return
        raise DatastoreFileError(f"datastore file {path} does not exist; create it with "
                                 f"`pypi initdb`")
    try:
        with open(path, "rb") as handle:
            if path.stat().st_size == 0:
                return                    # created by initdb before the first write
            loaded = pickle.load(handle, encoding="bytes")
    except OSError as err:
        raise DatastoreFileError(f"datastore file {path} is unreadable: {err}") from None
    except Exception as err:              # unpickling fails with many types
        raise DatastoreFileError(f"datastore file {path} is corrupt or not a datastore "
                                 f"file: {type(err).__name__}: {err}") from None
    if not isinstance(loaded, list) or not all(isinstance(e, (bytes, int)) for e in loaded):
        raise DatastoreFileError(f"datastore file {path} is not a datastore file")


def activate_stub(path: Path):
    """Install the file stub (and a memcache stub) for ``path``; returns the testbed."""
    from .sdk import testbed

    with _active_lock:
        if _active:
            raise DatastoreFileError(f"this process already has the datastore "
                                     f"{next(iter(_active))} open; the SDK allows one")
        bed = testbed.Testbed()
        bed.activate()
        bed.setup_env(app_id=APP_ID, overwrite=True)
        with warnings.catch_warnings():
            # the stub's Read() of an existing file leaves it to the garbage collector
            warnings.simplefilter("ignore", ResourceWarning)
            bed.init_datastore_v3_stub(datastore_file=str(path), save_changes=True)
        bed.init_memcache_stub()
        _active[str(path)] = bed
    return bed


def deactivate_stub(path: Path, bed) -> None:
    with _active_lock:
        if _active.get(str(path)) is bed:
            del _active[str(path)]
            bed.deactivate()


class DatastoreAccess:
    """The guard every store operation runs in (see the module docstring).

    ``path`` None (App Engine) guards nothing. Re-entrant, so an operation may
    call another.
    """

    def __init__(self, path: Path | None = None, stub=None):
        self._path = path
        self._stub = stub
        self._lock = threading.RLock()
        self._depth = 0
        self._seen = self._signature() if path else None
        self._lock_file = open(f"{path}.lock", "a+b") if path else None

    def _signature(self):
        try:
            st = os.stat(self._path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    @contextmanager
    def __call__(self) -> Iterator[None]:
        if self._path is None:
            yield
            return
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            self._depth += 1
            try:
                if outermost and self._signature() != self._seen:
                    self._reload()           # another process wrote the file
                yield
            finally:
                self._depth -= 1
                if outermost:
                    self._seen = self._signature()
                    fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def _reload(self) -> None:
        self._stub.Clear()
        with warnings.catch_warnings():
            # the stub's Read() leaves its file to the garbage collector
            warnings.simplefilter("ignore", ResourceWarning)
            self._stub.Read()

    def save(self) -> None:
        """Write the whole datastore to the file now (after unsaved chunk writes)."""
        if self._stub is not None:
            self._stub.Write()

    @contextmanager
    def unsaved(self) -> Iterator[None]:
        """Commits inside skip the stub's whole-file rewrite (blob chunks, see blobs.py)."""
        if self._stub is None:
            yield
            return
        attr = "_DatastoreFileStub__save_changes"
        setattr(self._stub, attr, False)
        try:
            yield
        finally:
            setattr(self._stub, attr, True)

    def close(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
