"""Domain exceptions, named for what the caller got wrong.

Each is raised before anything is written, so a caller that catches one knows
the store is unchanged.
"""


class StorageError(Exception):
    """Base of every error a store raises on purpose."""


class ServiceUnavailable(StorageError):
    """The database server (or datastore) could not be reached."""


class SchemaMissing(StorageError):
    """The database has no schema yet (run ``pypi initdb``)."""


class SchemaOutdated(StorageError):
    """The schema is older than this code: a legacy PyPI database, or an older
    revision of ours (run ``pypi upgradedb``)."""


class UnknownSchema(StorageError):
    """The database is neither empty, nor legacy PyPI's, nor ours (or carries a
    migration revision this code does not know): nothing is written to it."""


class NoSuchProject(StorageError):
    def __init__(self, name):
        super().__init__(f"no project named {name!r}")
        self.name = name


class NoSuchRelease(StorageError):
    def __init__(self, name, version):
        super().__init__(f"no release {name!r} {version!r}")
        self.name, self.version = name, version


class NoSuchFile(StorageError):
    def __init__(self, key):
        super().__init__(f"no file {key!r}")
        self.key = key


class NoSuchUser(StorageError):
    def __init__(self, name):
        super().__init__(f"no user named {name!r}")
        self.name = name


class ProjectExists(StorageError):
    """A project of that name, or one that normalises to it, exists already."""

    def __init__(self, name, existing):
        super().__init__(f"project {name!r} conflicts with existing project {existing!r}")
        self.name, self.existing = name, existing


class FileExists(StorageError):
    """The file name (unique across the index) is taken."""

    def __init__(self, filename):
        super().__init__(f"a file named {filename!r} already exists")
        self.filename = filename


class DigestExists(StorageError):
    """Byte-identical content was already uploaded under another name."""

    def __init__(self, filename, existing):
        super().__init__(f"{filename!r} has the same content as the existing file {existing!r}")
        self.filename, self.existing = filename, existing


class UserExists(StorageError):
    def __init__(self, name):
        super().__init__(f"user {name!r} already exists")
        self.name = name


class RoleExists(StorageError):
    def __init__(self, role, user, project):
        super().__init__(f"{user!r} already has the role {role} on {project!r}")


class NoSuchRole(StorageError):
    def __init__(self, role, user, project):
        super().__init__(f"{user!r} has no role {role} on {project!r}")


class MirrorExists(StorageError):
    def __init__(self, ip):
        super().__init__(f"mirror {ip!r} is already registered")
        self.ip = ip


class NoSuchMirror(StorageError):
    def __init__(self, ip):
        super().__init__(f"no mirror {ip!r} is registered")
        self.ip = ip


class EmailExists(StorageError):
    """Another account already uses this e-mail address (compared case-insensitively)."""

    def __init__(self, email, existing):
        super().__init__(f"{email!r} is already registered as user {existing!r}")
        self.email, self.existing = email, existing


class InvalidKey(StorageError):
    """A one-time key that is unknown, used up or expired."""

    def __init__(self):
        super().__init__("invalid or expired key")


class UserOwnsProjects(StorageError):
    """The user is the only Owner of projects, which would be left without one."""

    def __init__(self, name, projects):
        super().__init__(f"{name!r} is the only owner of {', '.join(projects)}")
        self.name, self.projects = name, tuple(projects)


class UnknownClassifier(StorageError):
    def __init__(self, classifier):
        super().__init__(f"unknown classifier {classifier!r}")
        self.classifier = classifier


class BlobTooLarge(StorageError):
    def __init__(self, limit):
        super().__init__(f"larger than the limit of {limit} bytes")
        self.limit = limit


class BadBlobKey(StorageError):
    """A key that would leave the blob store's root, or is not a plain relative path."""
