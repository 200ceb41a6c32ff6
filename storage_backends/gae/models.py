"""The ndb entities of the App Engine backend, designed for the datastore.

Entity groups follow the reads that must see the latest writes (a get by key
or an ancestor query is strongly consistent; other queries were eventually
consistent on the old datastore):

* ``Project`` (root, key = PEP 503 normalised name, the display name a
  property) holds its ``Release`` (key = version), ``ProjectFile`` (key =
  file name) and ``ProjectRole`` (key = ``role:user``) children, so one
  project's page is one ancestor query, and spelling conflicts are one get.
* ``FileName`` (key = file name) and ``FileDigest`` (key = md5) make the
  file name and the md5 unique across the index. Both live under the single
  ``FileIndex`` root: a removal of a project with many files then touches three
  entity groups (project, file index, serial), within the 25 an XG
  transaction may touch, however many files it has. Every write already
  queues on the serial counter, so one more shared group costs no throughput.
* ``User`` (root, key = name) holds its site-wide roles (``SiteRole``, key =
  role name): ``has_role`` is a few gets by key.
* ``Serial`` (root, one entity) is the counter; its ``Journal`` children are
  keyed by serial, so "changes since serial N" is an ancestor query on keys.
  Each write transaction updates the counter, so serials follow commit order.
* ``TroveClassifier`` entities live under the ``Trove`` root (key = the
  classifier string), so the list of classifiers is strongly consistent.

Every model switches off ndb's in-context cache and memcache: the context is
per thread and lives across requests under waitress, where it served a stale
counter to one thread after another thread had written it; and memcache
would be one more process-local copy. Reads go to the datastore every time.

Text is ``TextProperty`` (unindexed, no 1500-byte limit) unless a query
filters on it.
"""
from __future__ import annotations

from .sdk import ndb



# Root keys are made when used: a key carries the application id, which the
# SDK reads from the environment set up when the datastore is opened.
def serial_key() -> ndb.Key:
    return ndb.Key("Serial", "serial")


def file_index_key() -> ndb.Key:
    return ndb.Key("FileIndex", "files")


def trove_key() -> ndb.Key:
    return ndb.Key("Trove", "trove")


def mirrors_key() -> ndb.Key:
    return ndb.Key("Mirrors", "mirrors")


class Entity(ndb.Model):
    _use_cache = False
    _use_memcache = False


class Serial(Entity):
    value = ndb.IntegerProperty(default=0, indexed=False)


class Journal(Entity):
    """Key: ``Serial/serial/Journal/<serial>``."""
    name = ndb.StringProperty()
    version = ndb.TextProperty()
    action = ndb.TextProperty()
    submitted_date = ndb.DateTimeProperty()
    submitted_by = ndb.StringProperty()     # indexed: a deleted user's rows are re-attributed
    submitted_from = ndb.TextProperty()


class Project(Entity):
    """Key: ``Project/<normalised name>``."""
    name = ndb.StringProperty()
    autohide = ndb.BooleanProperty(default=True, indexed=False)
    comments = ndb.BooleanProperty(default=True, indexed=False)
    bugtrack_url = ndb.TextProperty()
    hosting_mode = ndb.TextProperty(default="pypi-explicit")
    created = ndb.DateTimeProperty()
    last_serial = ndb.IntegerProperty(default=0)
    has_docs = ndb.BooleanProperty(default=False, indexed=False)


class Release(Entity):
    """Key: ``Project/<norm>/Release/<version>``; metadata packed by ``release_data``."""
    hidden = ndb.BooleanProperty(default=False)
    ordering = ndb.IntegerProperty(default=0)
    created = ndb.DateTimeProperty()
    classifiers = ndb.StringProperty(repeated=True)    # for browsing; also in ``metadata``
    metadata = ndb.BlobProperty()                       # zlib JSON, or b"" when chunked
    requires_python = ndb.TextProperty()                # copied onto each new file
    chunks = ndb.IntegerProperty(default=0, indexed=False)


class ReleaseChunk(Entity):
    """Key: ``.../Release/<version>/ReleaseChunk/<1..n>``: part of a large metadata value."""
    data = ndb.BlobProperty()


class ProjectFile(Entity):
    """Key: ``Project/<norm>/ProjectFile/<filename>``."""
    name = ndb.TextProperty()                          # exact project name
    version = ndb.StringProperty()
    python_version = ndb.TextProperty()
    packagetype = ndb.TextProperty()
    path = ndb.TextProperty()
    size = ndb.IntegerProperty(indexed=False)
    md5_digest = ndb.TextProperty()
    sha256_digest = ndb.TextProperty()
    blake2_256_digest = ndb.TextProperty()
    upload_time = ndb.DateTimeProperty()
    comment_text = ndb.TextProperty(default="")
    has_signature = ndb.BooleanProperty(default=False, indexed=False)
    requires_python = ndb.TextProperty()
    downloads = ndb.IntegerProperty(default=0, indexed=False)
    metadata_sha256 = ndb.TextProperty()


class FileName(Entity):
    """Key: ``FileIndex/files/FileName/<filename>``; points at the project."""
    project = ndb.StringProperty(indexed=False)       # normalised name


class FileDigest(Entity):
    """Key: ``FileIndex/files/FileDigest/<md5>``."""
    filename = ndb.StringProperty(indexed=False)


class User(Entity):
    """Key: ``User/<name>``."""
    email = ndb.TextProperty(default="")
    email_lower = ndb.StringProperty()
    password = ndb.TextProperty(default="")
    gpg_keyid = ndb.TextProperty()
    last_login = ndb.DateTimeProperty(indexed=False)
    otk = ndb.TextProperty()                 # pending registration key (legacy rego_otk)
    otk_date = ndb.DateTimeProperty(indexed=False)


class ProjectRole(Entity):
    """Key: ``Project/<norm>/ProjectRole/<role>:<user>``."""
    role_name = ndb.StringProperty()
    user_name = ndb.StringProperty()
    package_name = ndb.StringProperty(indexed=False)  # exact project name


class SiteRole(Entity):
    """Key: ``User/<name>/SiteRole/<role>``: a role on every project (Admin)."""
    role_name = ndb.StringProperty()


class TroveClassifier(Entity):
    """Key: ``Trove/trove/TroveClassifier/<classifier>``; ids as legacy assigned them."""
    trove_id = ndb.IntegerProperty()


class MirrorHost(Entity):
    """Key: ``Mirrors/mirrors/MirrorHost/<ip>``: a registered PEP 381 mirror."""
    user_name = ndb.TextProperty()


class RegistrationKey(Entity):
    """Key: ``RegistrationKey/<otk>``, so confirming is a get; also on its ``User``."""
    user_name = ndb.StringProperty()
    created = ndb.DateTimeProperty()


class Session(Entity):
    """Key: ``Session/<key the web layer chose>`` (legacy cookies)."""
    user_name = ndb.StringProperty()
    last_seen = ndb.DateTimeProperty()


class ResetKey(Entity):
    """Key: ``ResetKey/<sha256 of the mailed key>``."""
    user_name = ndb.StringProperty()
    created = ndb.DateTimeProperty(indexed=False)


class LoginFailures(Entity):
    """Key: ``LoginFailures/<subject>``: failures within the current window."""
    failures = ndb.IntegerProperty(indexed=False)
    window_start = ndb.DateTimeProperty(indexed=False)


class MigrationMarker(Entity):
    """Key: ``MigrationMarker/marker``: the progress ``pypi migrate`` recorded here."""
    marker = ndb.TextProperty()
