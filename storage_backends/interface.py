"""The storage interface every backend implements.

Operations are named after the legacy domain, not after tables. Each write
operation is one transaction that also appends its journal row(s), each with a
new serial, so mirrors see every change in commit order. A write that raises a
domain error (``storage_backends.errors``) has changed nothing.
"""
from __future__ import annotations

import io
from abc import ABC, abstractmethod
from datetime import datetime
from typing import BinaryIO, Callable, Hashable, Iterable, Iterator

from . import listings as _listings
from .records import (
    Actor, FileRecord, JournalEntry, Mirror, NewFile, Project, Release, ReleaseChange,
    ReleaseMetadata, Role, StoredBlob, User,
)
from .records import IndexPage, OneTimeKey, ProjectName, ReleaseOrder
from .records import IntegrityProblem, ProjectExport, TemporaryBlob, UserExport
from typing import Mapping, Sequence

from . import search as _search
from .records import ReleaseBrief


class Store(ABC):
    """Metadata: projects, releases, files (records), users, roles, journals."""

    # -- serials and journal -------------------------------------------------
    @abstractmethod
    def last_serial(self) -> int:
        """The highest journal serial, 0 for an empty index."""

    @abstractmethod
    def changelog_since_serial(self, serial: int, limit: int | None = None) -> list[JournalEntry]:
        """Journal rows with a serial above ``serial``, oldest first."""

    @abstractmethod
    def changelog_since(self, when: datetime) -> list[JournalEntry]:
        """Journal rows submitted after ``when`` (UTC), oldest first."""

    @abstractmethod
    def project_journal(self, name: str) -> list[JournalEntry]:
        """Every journal row of one project, oldest first."""

    def journal_time(self, serial: int) -> datetime | None:
        """When the journal row numbered ``serial`` was written (naive UTC); None if there is none.

        An index page's Last-Modified: the time of the serial it was built under.
        """
        entries = self.changelog_since_serial(serial - 1, limit=1) if serial > 0 else []
        return entries[0].submitted_date if entries and entries[0].serial == serial else None

    # -- projects ------------------------------------------------------------
    @abstractmethod
    def get_project(self, name: str) -> Project | None:
        """The project with exactly this name."""

    @abstractmethod
    def find_project(self, name: str) -> Project | None:
        """The project whose PEP 503 normalised name equals that of ``name``."""

    @abstractmethod
    def list_projects(self) -> list[Project]:
        """Every project, ordered by name."""

    def list_project_names(self) -> list[ProjectName]:
        """Every project's name, PEP 503 name and last serial, in ``list_projects`` order.

        What ``/simple/`` and ``list_packages_with_serial`` need; backends answer
        it without building a whole record per project.
        """
        return [ProjectName(p.name, p.normalized_name, p.last_serial) for p in self.list_projects()]

    def project_name_pieces(self, size: int) -> Iterator[list[ProjectName]]:
        """``list_project_names()`` as consecutive lists of at most ``size`` projects.

        For the pages of the whole index: a backend that can read them in order
        from its database hands them over as they come, so the whole list never
        exists at once (at 100k projects it is about 20 MB). Consume it to its end
        before the next call to the store.
        """
        projects = self.list_project_names()
        for start in range(0, len(projects), size):
            yield projects[start:start + size]

    def change_token(self) -> Hashable | None:
        """A value equal on two calls only if nothing was committed in between, by any process
        sharing the store; None where the backend cannot tell that without a query.

        A page whose freshness key was read after a token was taken is still
        fresh while the token is equal, so its freshness read can be skipped.
        """
        return None

    def project_serial(self, name: str) -> tuple[str, int] | None:
        """``(name, last_serial)`` of the project ``find_project(name)`` returns, or None.

        Pages built from that project are cached under it: every journalled
        change of the project raises its serial, so an equal pair means an
        unchanged page in any process sharing the store. Backends answer it with
        one indexed read.
        """
        project = self.find_project(name)
        return (project.name, project.last_serial) if project is not None else None

    def project_downloads(self, name: str) -> int:
        """The download counts of all files of the project named exactly ``name``, added up
        (0 without files).

        ``add_downloads`` changes counts without a journal row, so the JSON API,
        which shows them, caches its bodies under this total beside the
        project's serial: counts only grow, and removing a file journals.
        """
        return sum(record.downloads or 0 for record in self.list_files(name))

    def index_page(self, name: str) -> IndexPage | None:
        """``project_serial(name)``, then that project's ``index_listing`` and the
        ``journal_time`` of its serial: all ``/simple/<name>/`` needs, or None.

        The serial is read first, so the listing is never older than the serial
        a page built from it is cached under (at worst the page is built once
        more). Backends may read it all in one statement.
        """
        current = self.project_serial(name)
        if current is None:
            return None
        releases, files = self.index_listing(current[0])
        return IndexPage(current[0], current[1], releases, files, self.journal_time(current[1]))

    def index_listing(self, name: str) -> tuple[list[ReleaseOrder], list[FileRecord]]:
        """What ``/simple/<name>/`` shows of the project named exactly ``name``: its releases
        newest first (as ``list_releases``) without their metadata, and its files by file name.

        Backends read both at once where they can (one statement).
        """
        releases = [ReleaseOrder(r.version, r.ordering, r.hidden) for r in self.list_releases(name)]
        return releases, self.list_files(name)

    @abstractmethod
    def create_project(self, actor: Actor, name: str) -> Project:
        """Create a project owned by ``actor.user``.

        Journals ``create`` and ``add Owner <user>``. Raises ``ProjectExists``
        when the name, or one normalising to the same, is taken.
        """

    @abstractmethod
    def remove_project(self, actor: Actor, name: str) -> list[FileRecord]:
        """Delete a project with its releases, files, roles; journal ``remove``.

        Returns the removed file records so the caller can delete their bytes
        after the commit. Raises ``NoSuchProject``.
        """

    # -- releases ------------------------------------------------------------
    @abstractmethod
    def store_release(self, actor: Actor, name: str, version: str,
                      metadata: ReleaseMetadata, *, hidden: bool | None = None) -> ReleaseChange:
        """Insert a release, or update one if its metadata changed.

        A missing project is created first (as ``create_project``; raises
        ``ProjectExists`` for a conflicting spelling). A new release is
        journalled ``new release``, the project's orderings are recomputed and,
        when the project's autohide flag is on, every other release is hidden.
        An update is journalled ``update <field, field>``; no change writes
        nothing. ``hidden`` None keeps the stored flag (new releases are
        visible). Unknown classifiers raise ``UnknownClassifier``.
        """

    @abstractmethod
    def get_release(self, name: str, version: str) -> Release | None:
        """One release of the exactly-named project."""

    @abstractmethod
    def list_releases(self, name: str, include_hidden: bool = True) -> list[Release]:
        """The project's releases, newest (highest ordering) first."""

    @abstractmethod
    def remove_release(self, actor: Actor, name: str, version: str) -> list[FileRecord]:
        """Delete a release and its files; journal ``remove`` with the version.

        Returns the removed file records. Raises ``NoSuchRelease``.
        """

    # -- files -----------------------------------------------------------------
    @abstractmethod
    def add_file(self, actor: Actor, new_file: NewFile, *,
                 new_release: ReleaseMetadata | None = None,
                 before_commit: Callable[[], None] | None = None) -> FileRecord:
        """Attach a file record to a release.

        Journals ``add <python_version> file <filename>``. Raises
        ``NoSuchRelease``, ``FileExists`` (file name taken anywhere in the
        index) or ``DigestExists`` (same md5 under another name). With
        ``new_release``, a missing release (and project) is first created
        from it as ``store_release`` would, in the same transaction, so an
        upload is one commit; its errors (``ProjectExists``,
        ``UnknownClassifier``) come after the file's, and nothing is written
        when any is raised. An existing release is left as it is.
        ``before_commit`` runs inside the transaction, after its checks and
        writes, just before the commit (an upload waits there for its bytes to
        be durable); what it raises rolls everything back.
        """

    @abstractmethod
    def list_files(self, name: str, version: str | None = None) -> list[FileRecord]:
        """Files of one release, or of every release of the project, by file name."""

    @abstractmethod
    def get_file(self, filename: str) -> FileRecord | None:
        """The file record with this (index-wide unique) file name."""

    @abstractmethod
    def get_file_by_md5(self, md5_digest: str) -> FileRecord | None:
        """The file record with this md5 hex digest."""

    @abstractmethod
    def remove_file(self, actor: Actor, filename: str) -> FileRecord:
        """Delete one file record; journal ``remove file <filename>``. Raises ``NoSuchFile``."""

    # -- release-management flags and hosted documentation ------------------------
    @abstractmethod
    def set_autohide(self, name: str, autohide: bool) -> None:
        """Set the project's autohide flag; unjournalled, as legacy. Raises ``NoSuchProject``."""

    @abstractmethod
    def set_release_hidden(self, actor: Actor, name: str, version: str, hidden: bool) -> bool:
        """Hide or unhide one release; journals ``update _pypi_hidden`` when it changed.

        Returns whether it changed. Raises ``NoSuchRelease``.
        """

    @abstractmethod
    def set_has_docs(self, actor: Actor, name: str, has_docs: bool) -> None:
        """Record that documentation was uploaded (journal ``docupdate``) or destroyed
        (journal ``docdestroy``). Raises ``NoSuchProject``."""

    # -- classifiers -----------------------------------------------------------
    @abstractmethod
    def list_classifiers(self) -> list[str]:
        """Every known trove classifier, sorted."""

    @abstractmethod
    def add_classifiers(self, classifiers: Iterable[str]) -> int:
        """Add the classifiers not yet known; returns how many were added."""

    # -- users and roles ---------------------------------------------------------
    @abstractmethod
    def create_user(self, name: str, email: str, password_hash: str) -> User:
        """Raises ``UserExists`` when the name is taken."""

    @abstractmethod
    def get_user(self, name: str) -> User | None:
        """The user with exactly this name."""

    @abstractmethod
    def get_user_by_email(self, email: str) -> User | None:
        """The user with this e-mail address, compared case-insensitively."""

    @abstractmethod
    def set_password_hash(self, name: str, password_hash: str) -> None:
        """Replace a user's stored hash (on a password change or a hash upgrade)."""

    @abstractmethod
    def record_login(self, name: str, when: datetime) -> None:
        """Remember when the user last authenticated."""

    @abstractmethod
    def update_user(self, name: str, email: str, gpg_keyid: str | None) -> User:
        """Change a user's e-mail address and GPG key id. Raises ``NoSuchUser``."""

    @abstractmethod
    def delete_user(self, actor: Actor, name: str) -> None:
        """Delete an account with its roles, sessions and keys.

        Each removed project role is journalled ``remove <Role> <user>``; journal
        rows the user wrote are re-attributed to ``records.DELETED_USER``.
        Raises ``NoSuchUser``, or ``UserOwnsProjects`` when the user is some
        project's only Owner (nothing is changed then).
        """

    # -- registration keys (legacy rego_otk) -----------------------------------------
    @abstractmethod
    def register_user(self, name: str, email: str, password_hash: str, otk: str,
                      when: datetime, gpg_keyid: str | None = None) -> User:
        """Create an unconfirmed account with its registration key, in one transaction.

        Raises ``UserExists``, or ``EmailExists`` when another account has this
        address (compared case-insensitively).
        """

    @abstractmethod
    def registration_key(self, user_name: str) -> OneTimeKey | None:
        """The user's pending registration key; None once the account is confirmed."""

    @abstractmethod
    def confirm_registration(self, otk: str, not_before: datetime) -> str | None:
        """Delete the pending key ``otk`` if issued at or after ``not_before``.

        Returns the confirmed user's name; None (and nothing changed) for an
        unknown or expired key.
        """

    @abstractmethod
    def purge_unconfirmed_users(self, issued_before: datetime) -> list[str]:
        """Delete accounts whose registration key is older than ``issued_before`` and
        who hold no role; returns their names."""

    # -- browser sessions (legacy cookies) ---------------------------------------------
    # ``key`` is whatever the caller stores for a session: the web layer passes a
    # hash of the cookie value, so a leaked table does not hand out sessions.
    @abstractmethod
    def create_session(self, key: str, user_name: str, when: datetime) -> None:
        """Start a session. Raises ``NoSuchUser``."""

    @abstractmethod
    def session_user(self, key: str, now: datetime,
                     not_seen_before: datetime | None = None) -> str | None:
        """The session's user, or None; also None when the session was last seen before
        ``not_seen_before`` (idle too long). Refreshes its last-seen time (and the
        user's last login) when they are a minute old or more."""

    @abstractmethod
    def delete_session(self, key: str) -> None:
        """End one session; an unknown key is no error."""

    @abstractmethod
    def delete_user_sessions(self, user_name: str, keep: str | None = None) -> None:
        """End every session of a user except ``keep`` (after a password change)."""

    @abstractmethod
    def expire_sessions(self, idle_before: datetime) -> int:
        """Delete sessions last seen before ``idle_before``; returns how many."""

    # -- password-reset keys (stored as hashes) ------------------------------------------
    @abstractmethod
    def create_reset_key(self, user_name: str, key_hash: str, when: datetime) -> None:
        """Store a password-reset key's hash. Raises ``NoSuchUser``."""

    @abstractmethod
    def reset_key_user(self, key_hash: str, not_before: datetime) -> str | None:
        """The user a still-valid reset key belongs to, or None; changes nothing."""

    @abstractmethod
    def reset_password(self, key_hash: str, not_before: datetime, password_hash: str) -> str:
        """Use a reset key: set the password, drop the user's reset keys and sessions.

        Returns the user name. Raises ``InvalidKey`` for an unknown or expired key.
        """

    # -- failed-login counters (consistent across server processes) ------------------------
    @abstractmethod
    def count_login_failure(self, subject: str, now: datetime, window_start: datetime) -> int:
        """Add a failure for ``subject`` (e.g. ``ip:192.0.2.1``, ``user:alice``) and return
        the failures counted since ``window_start``; older ones are forgotten."""

    @abstractmethod
    def login_failures(self, subject: str, window_start: datetime) -> int:
        """Failures of ``subject`` counted since ``window_start``."""

    @abstractmethod
    def clear_login_failures(self, subject: str) -> None:
        """Forget a subject's failures (after a successful login)."""

    @abstractmethod
    def add_role(self, actor: Actor, role_name: str, user_name: str, project: str | None) -> None:
        """Grant a role; ``project`` None makes it site-wide (how Admin is stored).

        Journals ``add <Role> <user>``. Raises ``NoSuchUser``,
        ``NoSuchProject`` or ``RoleExists``.
        """

    @abstractmethod
    def remove_role(self, actor: Actor, role_name: str, user_name: str, project: str | None) -> None:
        """Revoke a role; journals ``remove <Role> <user>``. Raises ``NoSuchRole``."""

    @abstractmethod
    def roles_for_project(self, name: str) -> list[Role]:
        """The project's own role rows, by role then user name."""

    @abstractmethod
    def roles_for_user(self, user_name: str) -> list[Role]:
        """Every role row of a user, site-wide ones included."""

    @abstractmethod
    def has_role(self, user_name: str, project: str | None, *role_names: str) -> bool:
        """Whether the user holds one of the roles on the project or site-wide."""

    # -- PEP 381 mirrors ----------------------------------------------------------
    # Administrators register mirrors by hand; legacy journalled none of this
    # (a mirror list is not package data a mirror copies), and neither do we.
    @abstractmethod
    def list_mirrors(self) -> list[Mirror]:
        """Every registered mirror, ordered by ``ip``."""

    @abstractmethod
    def add_mirror(self, ip: str, user_name: str | None) -> Mirror:
        """Register a mirror. Raises ``MirrorExists`` or ``NoSuchUser``."""

    @abstractmethod
    def remove_mirror(self, ip: str) -> None:
        """Unregister a mirror. Raises ``NoSuchMirror``."""

    # -- web UI listings (home page, feeds, classifier browsing) -----------------------
    # Not abstract: each defaults to ``storage_backends.listings``' reference
    # implementation over the operations above; the SQL backend overrides them.
    def latest_releases(self, limit: int = 40) -> list[tuple[Release, datetime]]:
        """The releases of the latest ``new release`` journal rows, newest first.

        Each (name, version) once, with the time of its latest such row; only
        releases that still exist and are not hidden (the home page and RSS).
        """
        return _listings.reference_latest_releases(self, limit)

    def newest_projects(self, limit: int = 40) -> list[Project]:
        """The most recently created projects, newest first (``packages_rss``)."""
        return _listings.reference_newest_projects(self, limit)

    def classifier_ids(self) -> dict[str, int]:
        """Every known classifier with its id: the number browse URLs carry.

        Legacy's ids are stable; a backend storing none should override this
        (the default numbers classifiers in sorted order).
        """
        return _listings.reference_classifier_ids(self)

    def classifier_tally(self, selected: list[str] | tuple[str, ...]) -> dict[str, int]:
        """Counts for classifier browsing.

        Of the non-hidden releases that carry every classifier in ``selected``
        (each, or a sub-classifier of it), how many carry each known
        classifier or a sub-classifier of it; classifiers no such release
        carries are left out. Raises ``UnknownClassifier``.
        """
        return _listings.reference_classifier_tally(self, selected)

    # -- search, browse, feeds and download counts ---------------------------------
    # Not abstract: each defaults to ``storage_backends.search``'s reference
    # implementation over the operations above, which reads every project. A
    # backend overrides them with indexed queries (the SQL backend does); the
    # conformance suite holds both to the same results.
    def search_releases(self, spec: Mapping[str, str | Sequence[str]],
                        operator: str = "and") -> list[ReleaseBrief]:
        """Non-hidden releases matching a legacy search spec (rules: ``search``)."""
        return _search.reference_search(self, spec, operator)

    def browse(self, classifiers: Sequence[str]) -> list[tuple[str, str]]:
        """``(name, version)`` of non-hidden releases carrying every one of ``classifiers``
        (or a sub-classifier of it), by name. Raises ``UnknownClassifier``."""
        return _search.reference_browse(self, classifiers)

    def updated_releases(self, since: datetime) -> list[tuple[str, str]]:
        """``(name, version)`` of non-hidden releases journalled ``new release`` after
        ``since`` (UTC), newest first, each once."""
        return _search.reference_updated_releases(self, since)

    def changed_projects(self, since: datetime) -> list[str]:
        """Names with a journal row after ``since`` (UTC), sorted, each once."""
        return _search.reference_changed_projects(self, since)

    def top_projects(self, limit: int | None = None) -> list[tuple[str, int]]:
        """``(name, downloads of all its files)`` of projects with files, most first."""
        return _search.reference_top_projects(self, limit)

    def add_downloads(self, counts: Mapping[str, int]) -> int:
        """Add to the download counters of files by file name (legacy's log-processing
        job); unknown names are skipped, nothing is journalled (as in legacy).
        Returns how many files were counted. Raises ``ValueError`` for a negative count."""
        raise NotImplementedError(f"{type(self).__name__} does not count downloads yet")

    # -- copying a whole index between stores (``pypi migrate``) ---------------------
    # Exports read everything worth keeping; imports write it back as it was
    # (serials, timestamps, orderings, hidden flags, classifier ids, download
    # counts), journalling nothing and leaving the serial counter alone except
    # in ``import_journal``. Every import replaces what the target holds under
    # the same key, so running it again is harmless: that makes an interrupted
    # migration resumable. Sessions, password-reset keys and failed-login
    # counters are not exported: they live minutes to hours, and users log in again.
    @abstractmethod
    def export_users(self) -> Iterator[UserExport]:
        """Every account with its pending registration key and site-wide roles, by name."""

    def export_projects(self) -> Iterator[ProjectExport]:
        """Every project with its releases, file records and roles, in ``list_projects`` order."""
        for project in self.list_projects():
            yield ProjectExport(
                project=project,
                releases=tuple(sorted(self.list_releases(project.name), key=lambda r: r.version)),
                files=tuple(self.list_files(project.name)),
                roles=tuple(self.roles_for_project(project.name)))

    def export_journal(self, after_serial: int = 0, batch: int = 1000) -> Iterator[list[JournalEntry]]:
        """The journal after ``after_serial`` in batches of at most ``batch`` rows, oldest first."""
        while rows := self.changelog_since_serial(after_serial, limit=batch):
            yield rows
            after_serial = rows[-1].serial

    @abstractmethod
    def import_classifiers(self, ids: Mapping[str, int]) -> None:
        """Make the known classifiers those of ``ids``, with those ids.

        Classifiers no release carries are dropped unless in ``ids``; one a
        release carries keeps its id. A wanted id held by another classifier in
        use gives the newcomer the next free id instead.
        """

    @abstractmethod
    def import_users(self, users: Sequence[UserExport]) -> None:
        """Write accounts as given (password hashes, last login, registration key,
        site-wide roles), replacing accounts of the same names."""

    @abstractmethod
    def import_project(self, export: ProjectExport) -> None:
        """Write a project as given, replacing any project whose name normalises alike.

        Its users and classifiers must have been imported. Raises ``FileExists``
        or ``DigestExists`` when another project holds one of its file names or md5s.
        """

    def import_projects(self, exports: Sequence[ProjectExport],
                        journal: Sequence[JournalEntry] = ()) -> None:
        """``import_project`` for each of ``exports``, then ``import_journal(journal)``,
        for bulk loads (``pypi load-sample``). A backend writes them in as few
        round trips as it can (the SQL store: one transaction, so all or nothing)."""
        for export in exports:
            self.import_project(export)
        if journal:
            self.import_journal(journal)

    @abstractmethod
    def import_journal(self, entries: Sequence[JournalEntry]) -> None:
        """Write journal rows with their own serials (replacing rows of those serials),
        and raise the serial counter to the highest of them."""

    @abstractmethod
    def migration_marker(self) -> str | None:
        """What ``pypi migrate`` recorded as done so far in this (target) store, or None."""

    @abstractmethod
    def set_migration_marker(self, marker: str | None) -> None:
        """Record migration progress; None removes the marker."""

    # -- legacy rows: what a legacy PyPI database never recorded ------------------------
    def files_lacking_digests(self, after: str = "", limit: int = 500) -> list[FileRecord]:
        """Up to ``limit`` files without a sha256 digest, by file name after ``after``:
        rows legacy PyPI wrote (``pypi backfill-digests``). Only a legacy SQL
        database has any, so other stores keep this default."""
        return []

    def record_file_digests(self, filename: str, *, sha256_digest: str, blake2_256_digest: str,
                            size: int, has_signature: bool,
                            metadata_sha256: str | None = None) -> None:
        """Fill in what ``pypi backfill-digests`` computed from the stored bytes."""
        raise NotImplementedError(f"{type(self).__name__} keeps every digest at upload")

    # -- consistency checks (``pypi fsck``) -------------------------------------------
    # Reads in short transactions, so a check can run beside a serving server.
    def iter_files(self) -> Iterator[FileRecord]:
        """Every file record of the index, project by project (in ``list_projects`` order)."""
        for project in self.list_projects():
            yield from self.list_files(project.name)

    @abstractmethod
    def integrity_problems(self) -> list[IntegrityProblem]:
        """Rows or entities that point at nothing: a release without its project, a file
        record without its release, a role of a missing user or project, a uniqueness
        index entry without its file, a serial counter behind the journal, ... Each write
        is one transaction, so none should exist; a faulty backend, a hand edit or a
        legacy database may still hold some. Changes nothing."""

    @abstractmethod
    def repair_integrity(self, actor: Actor) -> list[str]:
        """Remove what ``integrity_problems`` reports and raise a lagging serial counter;
        returns what was done, one line each. Dangling file records and releases are
        journalled (``remove file <filename>``, ``remove``) so mirrors drop them too."""

    # -- lifecycle ---------------------------------------------------------------
    def begin_serving(self) -> None:
        """Called once by a long-running server process before it takes requests: a store
        may move upkeep off the request path here (SQLite: WAL checkpoints)."""

    def close(self) -> None:
        """Release connections; the store is not used afterwards."""


class BlobStore(ABC):
    """The bytes of distribution files, addressed by relative keys (paths).

    Writers stream to a temporary key, commit their metadata, then publish: a
    crash in between leaves the bytes under the temporary key, and ``target``
    (given to ``put_stream``) lets a restart publish them where the committed
    record expects them (``storage_backends.recovery``).
    """

    @abstractmethod
    def put_stream(self, stream: BinaryIO, limit: int | None = None,
                   target: str | None = None, *, sync: bool = True) -> StoredBlob:
        """Copy ``stream`` to a temporary key, computing size and digests.

        ``target`` is the key the bytes are meant to be published under; it is
        remembered with the temporary bytes (``list_temporary``). Raises
        ``BlobTooLarge`` (and keeps nothing) past ``limit`` bytes, ``BadBlobKey``
        for a bad ``target``. The bytes are durable when it returns, unless
        ``sync`` is False: then they may still be on their way to stable
        storage (a local store flushes them in the background, beside the
        caller's database work), and the caller calls ``make_durable`` before
        it commits anything naming them.
        """

    def make_durable(self, *blobs: StoredBlob | None) -> None:
        """Return once these temporary blobs (None is skipped) are durable; raises what
        flushing them raised. Nothing to wait for where ``put_stream`` is always durable."""

    @abstractmethod
    def publish(self, blob: StoredBlob, key: str) -> None:
        """Move a temporary blob to its final key, replacing whatever was there.

        Publishing a blob that a recovery already published under ``key`` is no
        error; a temporary key that is gone otherwise raises ``NoSuchFile``.
        """

    def discard(self, blob: StoredBlob) -> None:
        """Drop a temporary blob that will not be published."""
        self.discard_temporary(blob.temp_key)

    @abstractmethod
    def exists(self, key: str) -> bool:
        ...

    @abstractmethod
    def size(self, key: str) -> int:
        """Size in bytes; raises ``NoSuchFile``."""

    @abstractmethod
    def open_range(self, key: str, start: int = 0, end: int | None = None,
                   chunk_size: int = 65536) -> Iterator[bytes]:
        """Yield the bytes ``start`` to ``end`` (exclusive) in chunks; raises ``NoSuchFile``."""

    def open_file(self, key: str) -> BinaryIO | None:
        """The bytes at ``key`` as a file opened for reading on the local file system, which
        the server can send without passing them through the application
        (``wsgi.file_wrapper``); None when they live elsewhere (use ``open_range``).
        Raises ``NoSuchFile``. The caller closes the file."""
        return None

    def write_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        """Write small blobs held in memory straight to their final keys, replacing
        what is there: for bulk loads whose records are committed after the bytes
        (``pypi load-sample``). Durable when it returns; a store may skip the
        per-file flush that ``put_stream`` makes and flush once for the batch."""
        for key, data in items:
            self.publish(self.put_stream(io.BytesIO(data)), key)

    @abstractmethod
    def delete(self, key: str) -> None:
        """Delete the bytes at ``key`` if present."""

    # -- enumeration, for ``pypi fsck`` and recovery ----------------------------------
    @abstractmethod
    def list_keys(self) -> Iterator[str]:
        """Every published key, in no particular order; temporary bytes are not listed."""

    @abstractmethod
    def list_temporary(self) -> Iterator[TemporaryBlob]:
        """Every temporary blob: uploads in flight and what interrupted ones left."""

    @abstractmethod
    def read_temporary(self, temp_key: str, chunk_size: int = 65536) -> Iterator[bytes]:
        """The bytes of a complete temporary blob, in chunks; raises ``NoSuchFile``
        (also for an incomplete one)."""

    @abstractmethod
    def discard_temporary(self, temp_key: str) -> None:
        """Drop temporary bytes, complete or not; an unknown key is no error."""
