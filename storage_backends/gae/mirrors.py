"""Registered PEP 381 mirrors in the ndb store.

All under one ``Mirrors`` root, so the list is one strongly consistent
ancestor query. Not journalled (site administration, not package data), so
these transactions leave the serial counter alone.
"""
from __future__ import annotations

from .sdk import ndb

from ..errors import MirrorExists, NoSuchMirror, NoSuchUser
from ..records import Mirror
from . import models as m
from .journal import TXN_RETRIES


def _key(ip: str) -> ndb.Key:
    return ndb.Key(m.MirrorHost, ip, parent=m.mirrors_key())


class MirrorsMixin:

    def list_mirrors(self) -> list[Mirror]:
        with self._access():
            found = m.MirrorHost.query(ancestor=m.mirrors_key()).fetch()
        return sorted((Mirror(ip=e.key.id(), user_name=e.user_name) for e in found),
                      key=lambda mirror: mirror.ip)

    def add_mirror(self, ip: str, user_name: str | None) -> Mirror:
        def txn():
            if _key(ip).get() is not None:
                raise MirrorExists(ip)
            if user_name is not None and ndb.Key(m.User, user_name).get() is None:
                raise NoSuchUser(user_name)
            m.MirrorHost(key=_key(ip), user_name=user_name).put()
        with self._access():
            ndb.transaction(txn, xg=True, retries=TXN_RETRIES)
        return Mirror(ip=ip, user_name=user_name)

    def remove_mirror(self, ip: str) -> None:
        def txn():
            if _key(ip).get() is None:
                raise NoSuchMirror(ip)
            _key(ip).delete()
        with self._access():
            ndb.transaction(txn, retries=TXN_RETRIES)
