"""Users, roles and trove classifiers in the ndb store.

A project role is a child of its project (key ``role:user``) and a site-wide
role (Admin) a child of its user, so ``has_role`` for one project is one
``get_multi`` by key. ``roles_for_user`` and ``get_user_by_email`` are the
only global queries: on Firestore in Datastore mode they are strongly
consistent; on the old High Replication datastore they could lag a write by
a moment, which no handler relies on (they list, they do not check).
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from .sdk import ndb

from ..errors import NoSuchProject, NoSuchRole, NoSuchUser, RoleExists, UserExists
from ..records import ROLE_NAMES, Actor, Role, User
from . import models as m
from .catalogue import journal_project, project_key
from .journal import TXN_RETRIES, naive_utc

_SEP = " :: "
# A commit may write at most 500 entities on the datastore.
_CLASSIFIER_BATCH = 400


def user_record(entity: m.User) -> User:
    return User(name=entity.key.id(), email=entity.email or "", password=entity.password or "",
                gpg_keyid=entity.gpg_keyid, last_login=entity.last_login)


def _role_key(role_name: str, user_name: str, project: str | None) -> ndb.Key:
    if project is None:
        return ndb.Key(m.User, user_name, m.SiteRole, role_name)
    return ndb.Key(m.ProjectRole, f"{role_name}:{user_name}", parent=project_key(project))


def _check_role_name(role_name: str) -> None:
    if role_name not in ROLE_NAMES:
        raise ValueError(f"unknown role {role_name!r}; expected one of {ROLE_NAMES}")


class AccountsMixin:

    # -- users -------------------------------------------------------------------
    def create_user(self, name: str, email: str, password_hash: str) -> User:
        def txn():
            key = ndb.Key(m.User, name)
            if key.get() is not None:
                raise UserExists(name)
            entity = m.User(key=key, email=email, email_lower=email.lower(),
                            password=password_hash)
            entity.put()
            return user_record(entity)
        with self._access():
            return ndb.transaction(txn, retries=TXN_RETRIES)

    def get_user(self, name: str) -> User | None:
        with self._access():
            entity = ndb.Key(m.User, name).get()
        return user_record(entity) if entity else None

    def get_user_by_email(self, email: str) -> User | None:
        # Legacy enforced one account per lower-cased address in code only, so
        # migrated data may hold several: the first by name wins.
        with self._access():
            found = m.User.query(m.User.email_lower == email.lower()).fetch()
        return user_record(min(found, key=lambda e: e.key.id())) if found else None

    def set_password_hash(self, name: str, password_hash: str) -> None:
        self._update_user(name, password=password_hash)

    def record_login(self, name: str, when: datetime) -> None:
        self._update_user(name, last_login=naive_utc(when).replace(microsecond=0))

    def _update_user(self, name: str, **values) -> None:
        """A transaction on the user alone: it checks nothing and journals nothing."""
        def txn():
            entity = ndb.Key(m.User, name).get()
            if entity is None:
                raise NoSuchUser(name)
            entity.populate(**values)
            entity.put()
        with self._access():
            ndb.transaction(txn, retries=TXN_RETRIES)

    # -- roles -------------------------------------------------------------------
    def add_role(self, actor: Actor, role_name: str, user_name: str, project: str | None) -> None:
        _check_role_name(role_name)

        def work(journal):
            if ndb.Key(m.User, user_name).get() is None:
                raise NoSuchUser(user_name)
            entity = None
            if project is not None:
                entity = self._exact_project(project)
                if entity is None:
                    raise NoSuchProject(project)
            key = _role_key(role_name, user_name, project)
            if key.get() is not None:
                raise RoleExists(role_name, user_name, project)
            action = f"add {role_name} {user_name}"
            if entity is None:
                journal.add(actor, "", None, action)
                return None, [m.SiteRole(key=key, role_name=role_name)], []
            journal_project(journal, actor, entity, None, action)
            return None, [m.ProjectRole(key=key, role_name=role_name, user_name=user_name,
                                        package_name=project), entity], []
        self._write(work)

    def remove_role(self, actor: Actor, role_name: str, user_name: str,
                    project: str | None) -> None:
        def work(journal):
            key = _role_key(role_name, user_name, project)
            entity = self._exact_project(project) if project is not None else None
            if key.get() is None or (project is not None and entity is None):
                raise NoSuchRole(role_name, user_name, project)
            action = f"remove {role_name} {user_name}"
            if entity is None:
                journal.add(actor, "", None, action)
                return None, [], [key]
            journal_project(journal, actor, entity, None, action)
            return None, [entity], [key]
        self._write(work)

    def roles_for_project(self, name: str) -> list[Role]:
        with self._access():
            project = self._exact_project(name)
            found = m.ProjectRole.query(ancestor=project.key).fetch() if project else []
        return sorted((Role(r.role_name, r.user_name, r.package_name) for r in found),
                      key=lambda r: (r.role_name, r.user_name))

    def roles_for_user(self, user_name: str) -> list[Role]:
        with self._access():
            found = [Role(r.role_name, r.user_name, r.package_name)
                     for r in m.ProjectRole.query(m.ProjectRole.user_name == user_name).fetch()]
            found += [Role(r.key.id(), user_name, None) for r in m.SiteRole.query(
                ancestor=ndb.Key(m.User, user_name)).fetch()]
        return sorted(found, key=lambda r: (r.package_name is not None, r.package_name or "",
                                            r.role_name))

    def has_role(self, user_name: str, project: str | None, *role_names: str) -> bool:
        names = role_names or ROLE_NAMES
        keys = [_role_key(r, user_name, None) for r in names]
        if project is not None:
            keys += [_role_key(r, user_name, project) for r in names]
        with self._access():
            found = ndb.get_multi(keys)
        return any(e is not None and (isinstance(e, m.SiteRole) or e.package_name == project)
                   for e in found)

    # -- classifiers ---------------------------------------------------------------
    def list_classifiers(self) -> list[str]:
        with self._access():
            keys = m.TroveClassifier.query(ancestor=m.trove_key()).fetch(keys_only=True)
        return sorted(k.id() for k in keys)

    def classifier_ids(self) -> dict[str, int]:
        """The stored ids (legacy's, when migrated), not the reference's sorted numbering."""
        with self._access():
            found = m.TroveClassifier.query(ancestor=m.trove_key()).fetch()
        return {e.key.id(): e.trove_id for e in found}

    def add_classifiers(self, classifiers: Iterable[str]) -> int:
        wanted = {c.strip() for c in classifiers if c and c.strip()}

        def batch():
            """Add up to one batch of the missing classifiers; returns how many."""
            existing = {e.key.id(): e.trove_id
                        for e in m.TroveClassifier.query(ancestor=m.trove_key()).fetch()}
            new = sorted(wanted - set(existing), key=lambda c: (c.count(_SEP), c))
            new = new[:_CLASSIFIER_BATCH]
            next_id = max(existing.values(), default=0) + 1
            ndb.put_multi([m.TroveClassifier(id=c, parent=m.trove_key(), trove_id=next_id + i)
                           for i, c in enumerate(new)])
            return len(new)

        added = 0
        with self._access():
            while count := ndb.transaction(batch, retries=TXN_RETRIES):
                added += count
        return added
