"""PEP 658/714 metadata files: taken from wheels at upload, stored beside them, announced, served."""
from __future__ import annotations

import hashlib
import io
import zipfile

from legacy.core_metadata import MAX_METADATA, wheel_metadata
from tests.distributions import make_wheel, pkg_info
from tests.handlers.uploading import upload, upload_sdist

JSON = "application/vnd.pypi.simple.v1+json"


def _metadata_of(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("demo-1.0.dist-info/METADATA")


def test_wheel_upload_stores_announces_and_serves_metadata(web, app):
    filename, data = make_wheel("demo", "1.0")
    upload(web, filename, data, name="demo", version="1.0", filetype="bdist_wheel",
           pyversion="py3", status=200)
    metadata = _metadata_of(data)
    digest = hashlib.sha256(metadata).hexdigest()
    record = app.store.get_file(filename)
    assert record.metadata_sha256 == digest

    page = web.get("/simple/demo/").text
    assert f'data-dist-info-metadata="sha256={digest}" data-core-metadata="sha256={digest}"' in page
    entry = web.get("/simple/demo/", headers={"Accept": JSON}).json["files"][0]
    assert entry["core-metadata"] == entry["dist-info-metadata"] == {"sha256": digest}

    response = web.get(f"/packages/{record.path}.metadata", status=200)
    assert response.body == metadata
    assert response.content_type == "text/plain"
    assert response.headers["ETag"] == f'"{digest}"'
    assert response.headers["X-PyPI-Last-Serial"] == str(app.store.get_project("demo").last_serial)
    web.get(f"/packages/{record.path}.metadata", headers={"If-None-Match": digest}, status=304)
    assert web.head(f"/packages/{record.path}.metadata").headers["Content-Length"] == str(len(metadata))


def test_sdist_has_no_metadata_file(web, app):
    upload_sdist(web, status=200)
    record = app.store.get_file("demo-1.0.tar.gz")
    assert record.metadata_sha256 is None
    assert "core-metadata" not in web.get("/simple/demo/").text
    web.get(f"/packages/{record.path}.metadata", status=404)


def test_metadata_never_served_without_the_record_saying_so(web, app, config):
    upload_sdist(web, status=200)
    record = app.store.get_file("demo-1.0.tar.gz")
    stray = config.files_dir / (record.path + ".metadata")
    stray.write_text("Name: evil\n")
    web.get(f"/packages/{record.path}.metadata", status=404)


def _wheel(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def test_extraction_is_bounded_and_by_name():
    meta = pkg_info("demo", "1.0").encode()
    assert wheel_metadata("demo-1.0-py3-none-any.whl",
                          _wheel({"demo-1.0.dist-info/METADATA": meta})) == meta
    # another spelling of the directory, as older tools wrote it
    assert wheel_metadata("demo-1.0-py3-none-any.whl",
                          _wheel({"Demo-1.0.dist-info/METADATA": meta})) == meta
    # a nested or foreign dist-info is not this wheel's metadata
    assert wheel_metadata("demo-1.0-py3-none-any.whl",
                          _wheel({"vendored/other-2.0.dist-info/METADATA": meta,
                                  "other-2.0.dist-info/METADATA": meta})) is None
    # a zip bomb: tiny compressed, huge when inflated
    bomb = _wheel({"demo-1.0.dist-info/METADATA": b"A" * (MAX_METADATA + 1)})
    assert len(bomb.getvalue()) < MAX_METADATA // 100
    assert wheel_metadata("demo-1.0-py3-none-any.whl", bomb) is None
    assert wheel_metadata("demo-1.0-py3-none-any.whl", io.BytesIO(b"not a zip")) is None
    assert wheel_metadata("demo-1.0.tar.gz", _wheel({"demo-1.0.dist-info/METADATA": meta})) is None


def test_stream_is_rewound_for_the_upload():
    stream = _wheel({"demo-1.0.dist-info/METADATA": b"Name: demo\n"})
    wheel_metadata("demo-1.0-py3-none-any.whl", stream)
    assert stream.tell() == 0
