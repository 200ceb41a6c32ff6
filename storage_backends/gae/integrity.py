"""Entities that point at nothing, for ``pypi fsck``: found by key scans, removed on repair.

The datastore has no foreign keys: a child key may name a parent that does
not exist. Every write is one XG transaction, so none of these should
appear; a faulty write, a hand edit or a partial import could still leave
them. The scan reads keys (and the small index entities) kind by kind.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..records import Actor, IntegrityProblem
from . import models as m
from .files import file_digest_key, file_name_key
from .journal import TXN_RETRIES
from .sdk import ndb


@dataclass
class Finding:
    kind: str
    detail: str
    deletes: list = field(default_factory=list)
    puts: list = field(default_factory=list)
    journal: tuple | None = None          # (name, version, action) written on repair


def _keys(kind, **filters) -> set:
    return set(kind.query(**filters).fetch(keys_only=True))


def _scan() -> list[Finding]:
    projects, users = _keys(m.Project), _keys(m.User)
    releases = _keys(m.Release)
    chunks: dict = {}
    for key in _keys(m.ReleaseChunk):
        chunks.setdefault(key.parent(), []).append(key)
    found = [Finding("release without project", f"{k.parent().id()!r} {k.id()!r}",
                     deletes=[k, *chunks.get(k, [])], journal=(k.parent().id(), k.id(), "remove"))
             for k in sorted(releases) if k.parent() not in projects]
    found += [Finding("metadata chunk without release", f"{k.parent().parent().id()!r} "
                      f"{k.parent().id()!r} #{k.id()}", deletes=[k])
              for release, keys in sorted(chunks.items()) if release not in releases
              for k in sorted(keys)]
    files = {f.key: f for f in m.ProjectFile.query().fetch()}
    names = {e.key.id(): e for e in m.FileName.query(ancestor=m.file_index_key()).fetch()}
    digests = {e.key.id(): e for e in m.FileDigest.query(ancestor=m.file_index_key()).fetch()}
    for key, f in sorted(files.items()):
        filename, project = key.id(), key.parent()
        if project not in projects or ndb.Key(m.Release, f.version, parent=project) not in releases:
            found.append(Finding(
                "file without release", repr(filename),
                deletes=[key, file_name_key(filename), file_digest_key(f.md5_digest)],
                journal=(f.name, f.version, f"remove file {filename}")))
            continue
        if filename not in names:
            found.append(Finding("file missing from the file-name index", repr(filename),
                                 puts=[m.FileName(key=file_name_key(filename),
                                                  project=project.id())]))
        if f.md5_digest not in digests:
            found.append(Finding("file missing from the digest index", repr(filename),
                                 puts=[m.FileDigest(key=file_digest_key(f.md5_digest),
                                                    filename=filename)]))
    for filename, entry in sorted(names.items()):
        if ndb.Key(m.Project, entry.project, m.ProjectFile, filename) not in files:
            found.append(Finding("file-name index entry without file", repr(filename),
                                 deletes=[entry.key]))
    for md5, entry in sorted(digests.items()):
        owner = names.get(entry.filename)
        file = files.get(ndb.Key(m.Project, owner.project, m.ProjectFile, entry.filename)) \
            if owner else None
        if file is None or file.md5_digest != md5:
            found.append(Finding("digest index entry without file", f"{md5} {entry.filename!r}",
                                 deletes=[entry.key]))
    found += _role_findings(projects, users)
    for kind, label in ((m.RegistrationKey, "registration key"), (m.Session, "session"),
                        (m.ResetKey, "reset key")):
        found += [Finding(f"{label} of a missing user", repr(e.user_name), deletes=[e.key])
                  for e in kind.query().fetch() if ndb.Key(m.User, e.user_name) not in users]
    return found


def _role_findings(projects: set, users: set) -> list[Finding]:
    found = []
    for role in m.ProjectRole.query().fetch():
        where = f"{role.role_name} {role.user_name!r} on {role.key.parent().id()!r}"
        if role.key.parent() not in projects:
            found.append(Finding("role on a missing project", where, deletes=[role.key]))
        elif ndb.Key(m.User, role.user_name) not in users:
            found.append(Finding("role of a missing user", where, deletes=[role.key]))
    for key in sorted(_keys(m.SiteRole)):
        if key.parent() not in users:
            found.append(Finding("role of a missing user",
                                 f"{key.id()} {key.parent().id()!r} (site-wide)", deletes=[key]))
    return found


def _serial_lag() -> tuple[str, int] | None:
    counter = m.serial_key().get()
    last = m.Journal.query(ancestor=m.serial_key()).order(-m.Journal.key).fetch(1, keys_only=True)
    highest = last[0].id() if last else 0
    value = counter.value if counter else None
    if value is None or value < highest:
        return f"counter {value}, journal at {highest}", highest
    return None


class IntegrityMixin:

    def integrity_problems(self) -> list[IntegrityProblem]:
        with self._access():
            found = _scan()
            lag = _serial_lag()
        problems = [IntegrityProblem(f.kind, f.detail) for f in found]
        if lag is not None:
            problems.append(IntegrityProblem("serial counter behind the journal", lag[0]))
        return problems

    def repair_integrity(self, actor: Actor) -> list[str]:
        with self._access():
            found = _scan()
        done = []
        for finding in found:
            def work(journal, finding=finding):
                if finding.journal is not None:
                    journal.add(actor, *finding.journal)
                return None, finding.puts, finding.deletes
            self._write(work)
            verb = "restored" if finding.puts else "deleted"
            done.append(f"{verb} {finding.kind}: {finding.detail}"
                        + (" (journalled)" if finding.journal else ""))
        with self._access():
            lag = _serial_lag()
            if lag is not None:
                ndb.transaction(lambda: m.Serial(key=m.serial_key(), value=lag[1]).put(),
                                retries=TXN_RETRIES)
                done.append(f"serial counter raised to {lag[1]} ({lag[0]})")
        return done
