"""Account lifecycle and release-management flags in the ndb store.

Registration keys are root entities keyed by the key (confirming is a get),
mirrored on the user (``User.otk``) so "is this account confirmed" is the
user's own entity. Deleting a user finds its project roles with a query
before the transaction (ndb allows only ancestor queries inside one), then
re-reads each by key inside it; the journal rows it re-attributes are an
ancestor query on the serial group, which the transaction holds anyway.
A user with roles on more than ~20 projects exceeds the 25 entity groups an
XG transaction may touch and must be cleaned up in steps; legacy had no
such accounts to delete.
"""
from __future__ import annotations

from datetime import datetime

from ..errors import (
    EmailExists, NoSuchProject, NoSuchRelease, NoSuchUser, UserExists, UserOwnsProjects,
)
from ..records import DELETED_USER, OWNER, Actor, OneTimeKey, User
from . import models as m
from .accounts import user_record
from .catalogue import journal_project
from .sessions import second
from .sdk import ndb


class LifecycleMixin:

    # -- registration ---------------------------------------------------------------
    def register_user(self, name: str, email: str, password_hash: str, otk: str,
                      when: datetime, gpg_keyid: str | None = None) -> User:
        with self._access():
            same_email = m.User.query(m.User.email_lower == email.lower()).fetch(keys_only=True)

        def txn():
            key = ndb.Key(m.User, name)
            if key.get() is not None:
                raise UserExists(name)
            others = [k for k in same_email if k.id() != name]
            if others:
                raise EmailExists(email, min(k.id() for k in others))
            user = m.User(key=key, email=email, email_lower=email.lower(),
                          password=password_hash, gpg_keyid=gpg_keyid or None,
                          otk=otk, otk_date=second(when))
            ndb.put_multi([user, m.RegistrationKey(id=otk, user_name=name,
                                                   created=second(when))])
            return user_record(user)
        return self._txn(txn, xg=True)

    def registration_key(self, user_name: str) -> OneTimeKey | None:
        with self._access():
            user = ndb.Key(m.User, user_name).get()
        if user is None or not user.otk:
            return None
        return OneTimeKey(user_name, user.otk, user.otk_date)

    def confirm_registration(self, otk: str, not_before: datetime) -> str | None:
        def txn():
            key = ndb.Key(m.RegistrationKey, otk).get()
            if key is None or key.created is None or key.created < second(not_before):
                return None
            user = ndb.Key(m.User, key.user_name).get()
            if user is not None:
                user.otk, user.otk_date = None, None
                user.put()
            key.key.delete()
            return key.user_name
        return self._txn(txn, xg=True)

    def purge_unconfirmed_users(self, issued_before: datetime) -> list[str]:
        with self._access():
            stale = {k.user_name for k in m.RegistrationKey.query(
                m.RegistrationKey.created < second(issued_before)).fetch()}
        purged = []
        for name in sorted(stale):
            if not self.roles_for_user(name):
                self._delete_user_entities(name)
                purged.append(name)
        return purged

    def update_user(self, name: str, email: str, gpg_keyid: str | None) -> User:
        def txn():
            user = ndb.Key(m.User, name).get()
            if user is None:
                raise NoSuchUser(name)
            user.populate(email=email, email_lower=email.lower(), gpg_keyid=gpg_keyid or None)
            user.put()
            return user_record(user)
        return self._txn(txn)

    def delete_user(self, actor: Actor, name: str) -> None:
        with self._access():
            role_keys = m.ProjectRole.query(m.ProjectRole.user_name == name).fetch(
                keys_only=True)

        def work(journal):
            if ndb.Key(m.User, name).get() is None:
                raise NoSuchUser(name)
            roles = [r for r in ndb.get_multi(role_keys) if r is not None]
            sole = sorted(r.package_name for r in roles if r.role_name == OWNER and len(
                m.ProjectRole.query(m.ProjectRole.role_name == OWNER,
                                    ancestor=r.key.parent()).fetch(keys_only=True)) == 1)
            if sole:
                raise UserOwnsProjects(name, sole)
            site = m.SiteRole.query(ancestor=ndb.Key(m.User, name)).fetch()
            projects = {p.key: p for p in ndb.get_multi(list({r.key.parent() for r in roles}))
                        if p is not None}
            removals = [(r.package_name or "", r.role_name, r) for r in roles]
            removals += [("", r.key.id(), r) for r in site]
            for package, role_name, role in sorted(removals, key=lambda x: (x[0], x[1])):
                action = f"remove {role_name} {name}"
                project = projects.get(role.key.parent())
                if project is not None:
                    journal_project(journal, actor, project, None, action)
                else:
                    journal.add(actor, package, None, action)
            rows = m.Journal.query(m.Journal.submitted_by == name,
                                   ancestor=m.serial_key()).fetch()
            for row in rows:
                row.submitted_by = DELETED_USER
            return None, [*rows, *projects.values()], [r.key for r in roles]
        self._write(work)
        self._delete_user_entities(name)

    def _delete_user_entities(self, name: str) -> None:
        """The user with its keys, sessions and site roles; mirrors lose their maintainer."""
        with self._access():
            user_key = ndb.Key(m.User, name)
            keys = ndb.Query(ancestor=user_key).fetch(keys_only=True)   # user and site roles
            for kind in (m.RegistrationKey, m.Session, m.ResetKey):
                keys += kind.query(kind.user_name == name).fetch(keys_only=True)
            keys.append(ndb.Key(m.LoginFailures, f"user:{name}"))
            mirrors = [e for e in m.MirrorHost.query(ancestor=m.mirrors_key()).fetch()
                       if e.user_name == name]
            for mirror in mirrors:
                mirror.user_name = None
            ndb.put_multi(mirrors)
            ndb.delete_multi(keys)

    # -- release-management flags ------------------------------------------------------
    def set_autohide(self, name: str, autohide: bool) -> None:
        def txn():
            project = self._exact_project(name)
            if project is None:
                raise NoSuchProject(name)
            project.autohide = autohide
            project.put()
        self._txn(txn)

    def set_release_hidden(self, actor: Actor, name: str, version: str, hidden: bool) -> bool:
        def work(journal):
            project = self._exact_project(name)
            release = ndb.Key(m.Release, version, parent=project.key).get() if project else None
            if release is None:
                raise NoSuchRelease(name, version)
            if bool(release.hidden) == hidden:
                return False, [], []
            release.hidden = hidden
            journal_project(journal, actor, project, version, "update _pypi_hidden")
            return True, [release, project], []
        return self._write(work)

    def set_has_docs(self, actor: Actor, name: str, has_docs: bool) -> None:
        def work(journal):
            project = self._exact_project(name)
            if project is None:
                raise NoSuchProject(name)
            project.has_docs = has_docs
            journal_project(journal, actor, project, None,
                            "docupdate" if has_docs else "docdestroy")
            return None, [project], []
        self._write(work)
