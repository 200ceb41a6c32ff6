"""``file_upload`` at /legacy/ and /pypi: every legacy check with the status clients expect."""
from __future__ import annotations

import hashlib

from tests.conftest import basic_auth
from tests.distributions import make_sdist, make_wheel
from tests.handlers.uploading import register, upload, upload_sdist, upload_wheel


def test_first_upload_creates_project_with_uploader_as_owner(web, app):
    response = upload_sdist(web, status=200)
    assert response.text == "OK\n"
    assert app.store.has_role("alice", "demo", "Owner")
    record = app.store.get_file("demo-1.0.tar.gz")
    assert record.path == "source/d/demo/demo-1.0.tar.gz"
    assert app.blobs.exists(record.path)
    actions = [entry.action for entry in app.store.project_journal("demo")]
    assert actions == ["create", "add Owner alice", "new release", "add source file demo-1.0.tar.gz"]


def test_digests_are_computed_and_stored(web, app):
    filename, data = make_wheel("demo", "1.0")
    upload(web, filename, data, name="demo", version="1.0", filetype="bdist_wheel", pyversion="py3",
           md5_digest=hashlib.md5(data).hexdigest(), status=200)
    record = app.store.get_file(filename)
    assert record.md5_digest == hashlib.md5(data).hexdigest()
    assert record.sha256_digest == hashlib.sha256(data).hexdigest()
    assert record.blake2_256_digest == hashlib.blake2b(data, digest_size=32).hexdigest()
    assert record.size == len(data)
    assert record.path == f"py3/d/demo/{filename}"


def test_upload_to_pypi_path_works_too(web):
    filename, data = make_sdist("demo", "1.0")
    params = [(":action", "file_upload"), ("name", "demo"), ("version", "1.0"),
              ("filetype", "sdist"), ("pyversion", ""), ("md5_digest", hashlib.md5(data).hexdigest()),
              ("comment", ""), ("protcol_version", "1")]
    web.post("/pypi", params=params, upload_files=[("content", filename, data)],
             headers=basic_auth("alice"), status=200)


def test_anonymous_upload_is_401_with_pypi_realm(web, app):
    response = upload_sdist(web, user=None, status=401)
    assert response.headers["WWW-Authenticate"] == 'Basic realm="pypi"'
    assert "You must be identified" in response.status
    assert app.store.get_project("demo") is None


def test_wrong_password_is_401(web):
    filename, data = make_sdist("demo", "1.0")
    response = web.post("/legacy/", params={":action": "file_upload", "name": "demo", "version": "1.0",
                                            "filetype": "sdist"},
                        upload_files=[("content", filename, data)],
                        headers=basic_auth("alice", "wrong"), status=401)
    assert response.status == "401 Incorrect password"


def test_user_without_role_on_existing_project_is_403(web, app):
    upload_sdist(web, status=200)
    response = upload_sdist(web, version="1.1", user="bob", status=403)
    assert "not allowed to edit 'demo'" in response.status
    assert app.store.get_release("demo", "1.1") is None


def test_admin_may_upload_to_any_project(web):
    upload_sdist(web, status=200)
    upload_sdist(web, version="1.1", user="root", status=200)


def test_duplicate_filename_is_400_already_exists(web, app):
    upload_sdist(web, status=200)
    serial = app.store.last_serial()
    response = upload_sdist(web, status=400)
    assert "already exists" in response.status
    assert "already exists" in response.text
    assert app.store.last_serial() == serial


def test_same_content_under_another_name_is_400(web):
    filename, data = make_sdist("demo", "1.0")
    upload(web, filename, data, name="demo", version="1.0", status=200)
    response = upload(web, "demo-1.0.tgz", data, name="demo",
                      version="1.0", status=400)
    assert "Duplicate file upload" in response.status


def test_bad_version_is_400_and_creates_nothing(web, app):
    filename, data = make_sdist("demo", "not a version")
    response = upload(web, "demo-1.0.tar.gz", data, name="demo", version="not a version", status=400)
    assert "Invalid version" in response.status
    assert app.store.get_project("demo") is None
    assert app.store.last_serial() == 1   # only the Admin grant of the fixture


def test_mismatched_extension_is_400(web, app):
    filename, data = make_wheel("demo", "1.0")
    response = upload(web, filename, data, name="demo", version="1.0", filetype="sdist", status=400)
    assert "Invalid file type" in response.status
    assert app.store.get_project("demo") is None


def test_digest_mismatch_is_400_and_nothing_is_kept(web, app, config):
    response = upload_sdist(web, md5_digest="0" * 32, status=400)
    assert response.status == "400 MD5 digest mismatch"
    response = upload_sdist(web, sha256_digest="f" * 64, status=400)
    assert "SHA256 digest mismatch" in response.status
    assert app.store.get_file("demo-1.0.tar.gz") is None
    assert list((config.files_dir / ".incoming").iterdir()) == []


def test_filename_must_start_with_project_name(web):
    filename, data = make_sdist("other", "1.0")
    response = upload(web, filename, data, name="demo", version="1.0", status=400)
    assert 'must start with "demo"' in response.status


def test_wheel_without_metadata_is_rejected(web):
    response = upload(web, "demo-1.0-py3-none-any.whl", b"PK\x05\x06" + b"\0" * 18, name="demo",
                      version="1.0", filetype="bdist_wheel", pyversion="py3", status=400)
    assert "not a valid bdist_wheel archive" in response.status


def test_too_large_file_is_400(web, config):
    data = b"x" * (config.max_upload_size + 1)
    response = upload(web, "demo-1.0.tar.gz", data, name="demo", version="1.0", status=400)
    assert "too large" in response.status


def test_pyversion_cannot_escape_the_files_root(web):
    filename, data = make_wheel("demo", "1.0")
    response = upload(web, filename, data, name="demo", version="1.0", filetype="bdist_wheel",
                      pyversion="../../etc", status=400)
    assert "Invalid pyversion" in response.status


def test_filename_with_path_is_rejected(web):
    filename, data = make_sdist("demo", "1.0")
    response = upload(web, "../demo-1.0.tar.gz", data, name="demo", version="1.0", status=400)
    assert "400" in response.status


def test_name_conflicting_by_normalisation_uploads_to_the_existing_project(web, app):
    upload_sdist(web, name="Demo_Pkg", status=200)
    upload_sdist(web, name="demo-pkg", version="2.0", status=200)
    assert app.store.get_release("Demo_Pkg", "2.0") is not None
    assert app.store.get_project("demo-pkg") is None


def test_upload_of_new_release_autoregisters_it_with_metadata(web, app):
    upload_wheel(web, version="2.0", requires_python=">=3.8", summary="Two",
                 classifiers="Topic :: Utilities", status=200)
    release = app.store.get_release("demo", "2.0")
    assert release.metadata.summary == "Two"
    assert release.metadata.requires_python == ">=3.8"
    assert release.metadata.classifiers == ("Topic :: Utilities",)


def test_unknown_classifier_is_400(web, app):
    response = upload_sdist(web, classifiers="Not :: A :: Classifier", status=400)
    assert 'Invalid classifier "Not :: A :: Classifier"' in response.status
    assert app.store.get_project("demo") is None


def test_signature_is_stored_beside_the_file(web, app):
    filename, data = make_sdist("demo", "1.0")
    signature = b"-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n"
    web.post("/legacy/", params={":action": "file_upload", "name": "demo", "version": "1.0",
                                 "filetype": "sdist", "metadata_version": "1.0"},
             upload_files=[("content", filename, data), ("gpg_signature", filename + ".asc", signature)],
             headers=basic_auth("alice"), status=200)
    record = app.store.get_file(filename)
    assert record.has_signature
    assert web.get(f"/packages/{record.path}.asc").body == signature


def test_register_then_upload_keeps_registered_metadata(web, app):
    register(web, summary="Registered", status=200)
    upload_sdist(web, status=200)
    assert app.store.get_release("demo", "1.0").metadata.summary == "Registered"


def test_rejected_duplicate_content_registers_no_release(web, app):
    filename, data = make_sdist("demo", "1.0")
    upload(web, filename, data, name="demo", version="1.0", status=200)
    serial = app.store.last_serial()
    upload(web, "demo-2.0.tar.gz", data, name="demo", version="2.0", status=400)
    assert app.store.get_release("demo", "2.0") is None
    assert app.store.last_serial() == serial


def test_the_record_commits_only_after_the_bytes_are_durable(web, app, monkeypatch):
    """The fsync of the bytes runs beside the transaction; the commit waits for it."""
    seen = []
    durable = type(app.blobs).make_durable

    def watched(blobs, *pending):
        seen.append((app.store.get_file("demo-1.0.tar.gz"), [b for b in pending if b]))
        durable(blobs, *pending)
    monkeypatch.setattr(type(app.blobs), "make_durable", watched)
    upload_sdist(web, status=200)
    record_then, pending = seen[0]                # then publish makes sure once more
    assert record_then is None                    # not committed while waiting
    record = app.store.get_file("demo-1.0.tar.gz")
    assert [b.sha256 for b in pending] == [record.sha256_digest]


def test_a_failed_fsync_commits_nothing_and_keeps_nothing(web, app, config, monkeypatch):
    def fail(blobs, *pending):
        raise OSError(5, "Input/output error")
    monkeypatch.setattr(type(app.blobs), "make_durable", fail)
    before = app.store.last_serial()
    upload_sdist(web, status=500)
    assert app.store.get_project("demo") is None and app.store.last_serial() == before
    assert list((config.files_dir / ".incoming").iterdir()) == []
