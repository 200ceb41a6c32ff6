"""``:action=file_upload``: distutils ``upload`` and twine, at ``/pypi`` and ``/legacy/``.

Every check runs before anything is stored. The bytes stream to a temporary
blob while their digests are computed; the metadata commit comes next (their
fsync runs beside it and is waited for just before it commits), and only then
are the bytes published under their legacy path. Each temporary
blob names that path, so a crash between the commit and the publish is rolled
forward when the server starts again (``storage_backends.recovery``): no
record stays without its bytes. A wheel's METADATA goes the same way, beside
it as ``<path>.metadata`` (PEP 658).
"""
from __future__ import annotations

import hashlib
import hmac
import io
import logging

from webob import Response

from storage_backends.errors import (
    BlobTooLarge, DigestExists, FileExists, ProjectExists, UnknownClassifier,
)
from storage_backends.records import (
    ADMIN, MAINTAINER, OWNER, NewFile, ReleaseMetadata, StoredBlob, legacy_file_path,
)

from .context import RequestContext
from .core_metadata import wheel_metadata
from .distfiles import check_content, check_filename, check_pyversion
from .forms import UploadedFile
from .http_errors import BadRequest, Forbidden
from .metadata import metadata_from_form, validate_release

log = logging.getLogger(__name__)
WRITE_ROLES = (OWNER, MAINTAINER, ADMIN)
RESERVED_NAMES = {"requirements.txt", "rrequirements.txt"}
ARMOR = b"-----BEGIN PGP SIGNATURE-----"
DISTUTILS_BLAKE2_LENGTH = 128
CLIENT_DIGESTS = (("md5_digest", "md5", "MD5"), ("sha256_digest", "sha256", "SHA256"),
                  ("blake2_256_digest", "blake2_256", "BLAKE2b-256"))


def file_upload(ctx: RequestContext) -> Response:
    ctx.require_login("You must be identified to edit package information")
    form = ctx.form
    protocol = form.text("protocol_version") or form.text("protcol_version") or "1"
    if protocol != "1":
        raise BadRequest(f"Unsupported file upload protocol ({protocol})")
    name, version = form.text("name"), form.text("version")
    if not name or not version:
        raise BadRequest("Name and version are required")
    if name.lower() in RESERVED_NAMES:
        raise Forbidden(f"Package name '{name}' invalid")
    project = ctx.store.find_project(name)
    if project is not None:
        name = project.name
        ctx.require_role(name, *WRITE_ROLES,
                         message=f"You are not allowed to edit '{name}' package information")
    content, filetype, pyversion = _file_fields(form)
    filename = content.filename
    check_filename(name, filename, filetype)
    if content.content_type and content.content_type.lower().startswith("image/"):
        raise BadRequest("invalid distribution file: an image is not a distribution")
    signature = _signature(form)
    if ctx.store.get_file(filename) is not None:
        raise BadRequest(_exists_message(filename, name, version))
    check_content(filename, filetype, content.file)
    _check_distutils_blake2(form, content.file)
    core_metadata = wheel_metadata(filename, content.file)

    path = legacy_file_path(pyversion, name, filename)
    blob = _stream_to_blobs(ctx, content.file, ctx.settings.max_upload_size, path)
    signature_blob = metadata_blob = None
    try:
        if signature is not None:
            signature_blob = _stream_to_blobs(ctx, signature.file, ctx.settings.max_signature_size,
                                              path + ".asc")
        if core_metadata is not None:
            metadata_blob = ctx.blobs.put_stream(io.BytesIO(core_metadata),
                                                 target=path + ".metadata", sync=False)
        _check_client_digests(form, blob)
        new_release = _new_release_metadata(ctx, name, version, project is None)
        new_file = NewFile(name=name, version=version, filename=filename, python_version=pyversion,
                           packagetype=filetype, path=path, size=blob.size, md5_digest=blob.md5,
                           sha256_digest=blob.sha256, blake2_256_digest=blob.blake2_256,
                           comment_text=form.text("comment"), has_signature=signature is not None,
                           metadata_sha256=metadata_blob.sha256 if metadata_blob else None)
        _add_file(ctx, new_file, new_release, (blob, signature_blob, metadata_blob))
    except BaseException as err:
        for pending in (blob, signature_blob, metadata_blob):
            if pending is not None:
                ctx.blobs.discard(pending)
        if isinstance(err, FileExists):
            raise BadRequest(_exists_message(filename, name, version)) from None
        if isinstance(err, DigestExists):
            raise BadRequest(f"Duplicate file upload detected: the same content was uploaded "
                             f"as {err.existing}") from None
        raise
    ctx.blobs.publish(blob, path)
    if signature_blob is not None:
        ctx.blobs.publish(signature_blob, path + ".asc")
    if metadata_blob is not None:
        ctx.blobs.publish(metadata_blob, path + ".metadata")
    return Response("OK\n", content_type="text/plain", charset="utf-8")


def _file_fields(form) -> tuple[UploadedFile, str, str]:
    content, filetype = form.get("content"), form.text("filetype")
    if content is None or not filetype:
        raise BadRequest("Both content and filetype are required")
    if not isinstance(content, UploadedFile):
        raise BadRequest("invalid upload: content must be a file")
    pyversion = "source" if filetype == "sdist" else form.text("pyversion")
    if not pyversion:
        raise BadRequest("Python version is required for binary distribution uploads")
    check_pyversion(pyversion)
    return content, filetype, pyversion


def _signature(form):
    """The detached signature part, checked; None when there is none."""
    part = form.get("gpg_signature")
    if part is None or part == "":
        return None
    if not isinstance(part, UploadedFile):
        raise BadRequest("invalid signature: gpg_signature must be a file")
    head = part.file.read(len(ARMOR))
    part.file.seek(0)
    if not head:
        return None
    if head != ARMOR:
        raise BadRequest("signature is not ASCII-armored")
    return part


def _stream_to_blobs(ctx: RequestContext, stream, limit: int, target: str) -> StoredBlob:
    try:
        return ctx.blobs.put_stream(stream, limit=limit, target=target, sync=False)
    except BlobTooLarge:
        raise BadRequest(f"distribution file too large (the limit is {limit} bytes)") from None


def _check_client_digests(form, blob: StoredBlob) -> None:
    """Every digest the client sent must match what was received."""
    for field, attribute, label in CLIENT_DIGESTS:
        sent = form.text(field).lower()
        if field == "blake2_256_digest" and len(sent) == DISTUTILS_BLAKE2_LENGTH:
            continue   # checked by _check_distutils_blake2
        if sent and not hmac.compare_digest(sent.encode(), getattr(blob, attribute).encode()):
            raise BadRequest(f"{label} digest mismatch")


def _check_distutils_blake2(form, file) -> None:
    """Python 3's distutils sends a full BLAKE2b-512 digest as ``blake2_256_digest``.

    That is a client bug every index has to live with: check the 128-digit
    value as what it really is instead of refusing the upload.
    """
    sent = form.text("blake2_256_digest").lower()
    if len(sent) != DISTUTILS_BLAKE2_LENGTH:
        return
    digest = hashlib.blake2b()
    while chunk := file.read(1 << 20):
        digest.update(chunk)
    file.seek(0)
    if not hmac.compare_digest(sent.encode(), digest.hexdigest().encode()):
        raise BadRequest("BLAKE2b-256 digest mismatch")


def _new_release_metadata(ctx: RequestContext, name: str, version: str,
                          new_project: bool) -> ReleaseMetadata | None:
    """The upload's own metadata, checked, when its release does not exist yet."""
    if not new_project and ctx.store.get_release(name, version) is not None:
        return None
    metadata = metadata_from_form(ctx.form)
    validate_release(name, version, metadata, new_project=new_project, new_release=True)
    return metadata


def _add_file(ctx: RequestContext, new_file: NewFile, new_release: ReleaseMetadata | None,
              blobs: tuple[StoredBlob | None, ...]) -> None:
    """One commit: the file record, and the release (and project) it registers if new. The
    bytes were written without waiting for their fsync, which runs beside the transaction;
    it is waited for just before the commit, so no record is committed before its bytes
    are durable."""
    try:
        ctx.store.add_file(ctx.actor, new_file, new_release=new_release,
                           before_commit=lambda: ctx.blobs.make_durable(*blobs))
    except UnknownClassifier as err:
        raise BadRequest(f'Invalid classifier "{err.classifier}"') from None
    except ProjectExists as err:
        raise Forbidden(f"Package name conflicts with existing package '{err.existing}'") from None


def _exists_message(filename: str, name: str, version: str) -> str:
    return (f'A file named "{filename}" already exists for {name}-{version}. '
            "To fix problems with that file you should create a new release.")
