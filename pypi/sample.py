"""A scrubbed, representative sample index for ``pypi load-sample``: generation only.

Everything here is a pure function of the seed (no clock, no store, no global
random state), so one seed always gives the same index, and project ``i`` does
not depend on how many projects are asked for: a 1,000-project sample is the
first thousand projects of a 10,000-project one.

No real personal data: names of people, users and projects are made from
syllables, e-mail addresses use the ``example.*`` domains, addresses come
from the documentation ranges (RFC 5737, RFC 3849).

Shapes follow the real index: project names in mixed case with dashes, dots
and underscores; PEP 440 versions with pre-, post- and dev-releases, calendar
versions, and legacy versions PEP 440 cannot parse (``1.0-beta``, ``r2009``,
``0.9.8g``); a skewed number of releases per project (a Pareto tail: most have
one to three, a few have hundreds); sdists on most releases and wheels on the
newer ones of some projects; legacy autohide; Owner and Maintainer roles; the
journal rows the legacy server wrote (``create``, ``add Owner <user>``,
``new release``, ``add <pyversion> file <file>``, ``add Maintainer <user>``).
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from packaging.version import InvalidVersion, Version

from storage_backends.ordering import compute_orderings, normalize_name
from storage_backends.records import (
    MAINTAINER, OWNER, FileRecord, OneTimeKey, Project, ProjectExport, Release,
    Role, User,
)

from . import sample_text as text
from .sample_archives import sdist, wheel, wheel_filename

START, END = datetime(2005, 3, 1), datetime(2025, 6, 1)
MAX_RELEASES = 400
RELEASE_TAIL = 1.3            # Pareto shape: P(more than n releases) is about n ** -1.3
USERS_PER_PROJECT = 1 / 3     # accounts made per project (some own many, some none)


@dataclass(frozen=True)
class JournalEvent:
    """A journal row without its serial (the loader numbers rows in load order)."""
    name: str
    version: str | None
    action: str
    when: datetime
    user: str
    address: str


@dataclass(frozen=True)
class SampleUser:
    user: User                     # ``password`` is empty: the loader fills in one hash
    registration: OneTimeKey | None = None


@dataclass(frozen=True)
class SampleProject:
    export: ProjectExport          # ``last_serial`` 0: set by the loader
    journal: tuple[JournalEvent, ...]
    blobs: tuple[tuple[str, bytes], ...]   # (blob key, bytes) of every file and .metadata


def _rng(seed: int, *parts) -> random.Random:
    """An independent generator per purpose (string seeds hash the same on every run)."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))


class SampleIndex:
    """The first ``projects`` projects of the sample of ``seed``, and their users."""

    def __init__(self, seed: int, projects: int):
        self.seed, self.count = seed, projects
        self.user_names = _unique_names(_rng(seed, "users"), user_count(projects), text.user_name)
        self.project_names = _unique_names(_rng(seed, "projects"), projects, text.project_name)

    def users(self) -> list[SampleUser]:
        return [self.user(j) for j in range(len(self.user_names))]

    def user(self, j: int) -> SampleUser:
        rng, name = _rng(self.seed, "user", j), self.user_names[j]
        domain = rng.choice(("example.org", "example.com", "example.net"))
        joined = START + timedelta(seconds=rng.randrange(int((END - START).total_seconds())))
        last_login = joined + timedelta(seconds=rng.randrange(900 * 86400)) \
            if rng.random() < 0.6 else None
        gpg = "%08X" % rng.getrandbits(32) if rng.random() < 0.05 else None
        user = User(name, f"{name.lower()}@{domain}", "", gpg, last_login)
        if rng.random() < 0.01:           # never confirmed their registration
            key = OneTimeKey(name, "%032x" % rng.getrandbits(128), joined)
            return SampleUser(User(name, user.email, "", gpg, None), key)
        return SampleUser(user)

    def projects(self, first: int = 0, last: int | None = None):
        for i in range(first, self.count if last is None else min(last, self.count)):
            yield self.project(i)

    def project(self, i: int) -> SampleProject:
        rng, name = _rng(self.seed, "project", i), self.project_names[i]
        owner = self._pick_user(rng, i)
        maintainer = self._pick_user(rng, i) if rng.random() < 0.2 else None
        if maintainer == owner:
            maintainer = None
        span = int((END - START).total_seconds()) - 30 * 86400      # a month for releases
        created = START + timedelta(seconds=rng.randrange(span))
        autohide = rng.random() < 0.7
        hide_old = autohide and rng.random() < 0.4
        address = text.address(rng)
        versions = _versions(rng, release_count(rng))
        orderings = compute_orderings(versions)
        wheels_from = len(versions) // 3 if rng.random() < 0.45 else None
        deps = [self.project_names[d] for d in sorted({rng.randrange(i) for _ in range(3)})] if i else []
        profile = text.project_profile(rng, name, owner)
        events = [JournalEvent(name, None, "create", created, owner, address),
                  JournalEvent(name, None, f"add {OWNER} {owner}", created, owner, address)]
        releases, files, blobs = [], [], []
        last, spacing = created, min(45 * 86400, (END - created).total_seconds() / len(versions))
        for n, version in enumerate(versions):
            pause = int(rng.expovariate(1 / spacing)) if n else 0      # seconds between releases
            when = last + timedelta(minutes=rng.randrange(1, 240), seconds=pause)
            metadata = text.release_metadata(rng, profile, version, when, deps)
            hidden = hide_old and n < len(versions) - 1
            releases.append(Release(name, version, metadata, hidden, orderings[version], when))
            actor = maintainer if maintainer and n and rng.random() < 0.3 else owner
            events.append(JournalEvent(name, version, "new release", when, actor, address))
            if maintainer and n == 0:
                events.append(JournalEvent(name, None, f"add {MAINTAINER} {maintainer}",
                                           when + timedelta(seconds=1), owner, address))
            last = when + timedelta(seconds=1)
            for record, data in self._files(rng, name, version, metadata, when, n, wheels_from):
                files.append(record)
                blobs += data
                events.append(JournalEvent(name, version, f"add {record.python_version} file "
                                           f"{record.filename}", record.upload_time, actor, address))
                last = record.upload_time
        roles = [Role(OWNER, owner, name)] + ([Role(MAINTAINER, maintainer, name)] if maintainer else [])
        project = Project(name, normalize_name(name), autohide=autohide, created=created,
                          comments=rng.random() < 0.9)
        export = ProjectExport(project, tuple(sorted(releases, key=lambda r: r.version)),
                               tuple(sorted(files, key=lambda f: f.filename)), tuple(roles))
        return SampleProject(export, tuple(events), tuple(blobs))

    def _pick_user(self, rng: random.Random, i: int) -> str:
        """Early accounts own more (squaring skews the pick); only accounts made by then."""
        made = min(len(self.user_names), int(i * USERS_PER_PROJECT) + 1)
        return self.user_names[int(made * rng.random() ** 2)]

    @staticmethod
    def _files(rng, name, version, metadata, when, n, wheels_from):
        """(record, [(key, bytes), ...]) for the sdist and, on newer releases, a wheel."""
        made = []
        if rng.random() < 0.88:
            style = name if metadata.metadata_version < "2.1" else name.replace("-", "_")
            filename = f"{style}-{version}.tar.gz"
            data = sdist(name, version, filename, metadata, when)
            made.append((_record(name, version, filename, "source", "sdist", data, metadata,
                                 when + timedelta(seconds=rng.randrange(5, 600)), rng), [data]))
        if wheels_from is not None and n >= wheels_from and _is_pep440(version):
            canonical = str(Version(version))
            filename = wheel_filename(name, canonical)
            data, meta = wheel(name, canonical, metadata, when)
            made.append((_record(name, version, filename, "py3", "bdist_wheel", data, metadata,
                                 when + timedelta(seconds=rng.randrange(600, 1200)), rng,
                                 meta), [data, meta]))
        for record, payloads in made:
            keys = [record.path] + ([record.path + ".metadata"] if len(payloads) > 1 else [])
            yield record, list(zip(keys, payloads))


def _record(name, version, filename, pyversion, packagetype, data, metadata, uploaded, rng,
            metadata_file: bytes | None = None) -> FileRecord:
    return FileRecord(
        name=name, version=version, filename=filename, python_version=pyversion,
        packagetype=packagetype, path=f"{pyversion}/{name[0]}/{name}/{filename}",
        size=len(data), md5_digest=hashlib.md5(data).hexdigest(),
        sha256_digest=hashlib.sha256(data).hexdigest(),
        blake2_256_digest=hashlib.blake2b(data, digest_size=32).hexdigest(),
        upload_time=uploaded, requires_python=metadata.requires_python,
        downloads=min(int(rng.paretovariate(0.8)) - 1, 10**7),
        metadata_sha256=hashlib.sha256(metadata_file).hexdigest() if metadata_file else None)


def user_count(projects: int) -> int:
    return int(projects * USERS_PER_PROJECT) + 1 if projects else 0


def release_count(rng: random.Random) -> int:
    return min(int(rng.paretovariate(RELEASE_TAIL)), MAX_RELEASES)


def _unique_names(rng: random.Random, count: int, make) -> list[str]:
    """``count`` names, unique after PEP 503 normalisation (a clash grows the name)."""
    names, seen = [], set()
    for _ in range(count):
        name = make(rng)
        while normalize_name(name) in seen:
            name = name + text.syllable(rng)
        seen.add(normalize_name(name))
        names.append(name)
    return names


def _is_pep440(version: str) -> bool:
    try:
        Version(version)
    except InvalidVersion:
        return False
    return True


def _versions(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct versions, oldest first, in one of the index's numbering habits."""
    scheme = rng.choices(("semver", "two-part", "calver", "legacy", "svn"),
                         weights=(58, 15, 7, 16, 4))[0]
    made, seen = [], set()
    state = text.VersionState(rng, scheme)
    while len(made) < count:
        version = state.next()
        key = str(Version(version)) if _is_pep440(version) else version.lower()
        if key not in seen:
            seen.add(key)
            made.append(version)
    return made
