"""``GaeStore``: the ``Store`` interface on App Engine's ndb.

The operations live in one mixin per concern (journal, catalogue, files,
accounts, lifecycle, sessions, mirrors, migration); this module puts them together and owns the datastore's lifetime.
Every public operation runs inside ``self._access()`` (see ``runtime``): on
the file stub that serialises access within and across processes; on App
Engine it does nothing.
"""
from __future__ import annotations

from ..errors import SchemaMissing
from ..interface import Store
from . import models as m
from .accounts import AccountsMixin
from .catalogue import CatalogueMixin
from .files import FilesMixin
from .integrity import IntegrityMixin
from .journal import JournalMixin
from .lifecycle import LifecycleMixin
from .migration import MigrationMixin
from .mirrors import MirrorsMixin
from .sessions import SessionsMixin
from .runtime import DatastoreAccess


class GaeStore(JournalMixin, CatalogueMixin, FilesMixin, AccountsMixin, MirrorsMixin,
               LifecycleMixin, SessionsMixin, MigrationMixin, IntegrityMixin, Store):
    """Metadata as ndb entities (``models``), in the datastore the SDK is connected to."""

    def __init__(self, access: DatastoreAccess, on_close=None):
        self._access = access
        self._on_close = on_close

    @property
    def access(self) -> DatastoreAccess:
        """The guard, shared with the ``GaeBlobStore`` on the same datastore."""
        return self._access

    def create_schema(self) -> None:
        """Put the serial counter if missing; the datastore needs no other schema."""
        with self._access():
            if m.serial_key().get() is None:
                m.Serial(key=m.serial_key(), value=0).put()

    def check_schema(self) -> None:
        """Raise ``SchemaMissing`` unless the counter exists (``pypi initdb`` puts it)."""
        with self._access():
            if m.serial_key().get() is None:
                raise SchemaMissing("the datastore has no serial counter; "
                                    "initialise it with `pypi initdb`")

    def close(self) -> None:
        if self._on_close is not None:
            self._on_close()
            self._on_close = None
