"""Maintaining packages in the web UI: roles, release management, removal, file forms.

Each action is tried by every kind of caller: anonymous, a logged-in user
without a role, a Maintainer, an Owner and an Admin.
"""
from __future__ import annotations

import pytest

from storage_backends.records import MAINTAINER, Actor
from tests.conftest import basic_auth
from tests.distributions import make_sdist
from tests.handlers.uploading import register, upload_sdist
from tests.handlers.web_helpers import csrf, login


@pytest.fixture
def demo(web, app):
    """``demo`` 1.0 and 1.1 owned by alice; bob is its Maintainer; carol has no role."""
    register(web, "demo", "1.0", status=200)
    register(web, "demo", "1.1", status=200)
    app.store.create_user("carol", "carol@example.org", app.store.get_user("alice").password)
    app.store.add_role(Actor("alice"), MAINTAINER, "bob", "demo")
    return "demo"


def _session(web, user):
    web.reset()
    if user:
        login(web, user)
    return csrf(web) if user else ""


ROLE = {":action": "role", "package_name": "demo", "user_name": "carol",
        "role_name": "Maintainer", ":operation": "Add Role"}


@pytest.mark.parametrize("user, status", [
    (None, 401), ("carol", 401), ("bob", 401), ("alice", 200), ("root", 200)])
def test_role_rights(web, app, demo, user, status):
    token = _session(web, user)
    web.get("/pypi", params={":action": "role_form", "package_name": "demo"}, status=status)
    web.post("/pypi", params={**ROLE, "CSRFToken": token}, status=status)
    assert app.store.has_role("carol", "demo", MAINTAINER) == (status == 200)
    if status == 200:
        entry = app.store.project_journal("demo")[-1]
        assert (entry.action, entry.submitted_by) == ("add Maintainer carol", user)


def test_role_form_without_package_is_admin_only(web, demo):
    _session(web, "alice")
    web.get("/pypi?:action=role_form", status=401)
    _session(web, "root")
    assert "<option>demo</option>" in web.get("/pypi?:action=role_form")


def test_role_checks(web, app, demo):
    token = _session(web, "alice")
    web.post("/pypi", params=ROLE, status=403)                          # no CSRF token
    for field in ("user_name", "role_name", ":operation", "package_name"):
        response = web.post("/pypi", params={**ROLE, field: "", "CSRFToken": token}, status=400)
        assert f"{field} is required" in response.status
    web.post("/pypi", params={**ROLE, "role_name": "Admin", "CSRFToken": token}, status=400)
    web.post("/pypi", params={**ROLE, "user_name": "ghost", "CSRFToken": token}, status=400)
    web.post("/pypi", params={**ROLE, "user_name": "bob", "CSRFToken": token}, status=400)
    remove = {**ROLE, ":operation": "Remove Role", "CSRFToken": token}
    web.post("/pypi", params=remove, status=400)                        # carol has none
    last = web.post("/pypi", params={**remove, "user_name": "alice", "role_name": "Owner"},
                    status=400)
    assert "last owner" in last.status
    web.post("/pypi", params={**remove, "user_name": "bob"}, status=200)
    assert app.store.project_journal("demo")[-1].action == "remove Maintainer bob"


def test_owner_may_remove_themselves_when_another_owner_exists(web, app, demo):
    token = _session(web, "alice")
    web.post("/pypi", params={**ROLE, "user_name": "bob", "role_name": "Owner",
                              "CSRFToken": token})
    web.post("/pypi", params={**ROLE, ":operation": "Remove Role", "user_name": "alice",
                              "role_name": "Owner", "CSRFToken": token}, status=200)
    assert not app.store.has_role("alice", "demo", "Owner")


@pytest.mark.parametrize("user, status", [
    (None, 401), ("carol", 403), ("bob", 200), ("alice", 200), ("root", 200)])
def test_pkg_edit_hide_and_autohide(web, app, demo, user, status):
    token = _session(web, user)
    web.get("/pypi", params={":action": "pkg_edit", "name": "demo"}, status=status)
    web.post("/pypi", params={":action": "pkg_edit", "name": "demo", "hid_1.1": "1",
                              "CSRFToken": token}, status=status)
    web.post("/pypi", params={":action": "pkg_edit", "name": "demo", "submit_autohide": "1",
                              "CSRFToken": token}, status=status)
    assert app.store.get_release("demo", "1.1").hidden == (status == 200)
    assert app.store.get_project("demo").autohide == (status != 200)
    if status == 200:
        assert app.store.project_journal("demo")[-1].action == "update _pypi_hidden"


def test_pkg_edit_bad_input(web, app, demo):
    token = _session(web, "alice")
    web.post("/pypi", params={":action": "pkg_edit", "name": "demo", "hid_1.1": "1"}, status=403)
    web.post("/pypi", params={":action": "pkg_edit", "name": "demo", "hid_1.1": "maybe",
                              "CSRFToken": token}, status=400)
    web.post("/pypi", params={":action": "pkg_edit", "name": "demo", "hid_9.9": "1",
                              "CSRFToken": token}, status=400)
    web.get("/pypi", params={":action": "pkg_edit", "name": ""}, status=400)
    web.get("/pypi", params={":action": "pkg_edit", "name": "requirements.txt"}, status=403)
    web.get("/pypi", params={":action": "pkg_edit", "name": "ghost"}, status=404)
    assert not app.store.get_release("demo", "1.1").hidden


@pytest.mark.parametrize("user, releases_status, whole_status", [
    (None, 401, 401), ("carol", 403, 403), ("bob", 200, 403), ("alice", 200, 200),
    ("root", 200, 200)])
def test_remove_pkg_rights(web, app, demo, user, releases_status, whole_status):
    token = _session(web, user)
    dialog = web.post("/pypi", params={":action": "remove_pkg", "name": "demo",
                                       "version": "1.0"}, status=releases_status)
    if releases_status == 200:
        assert "Confirm removal" in dialog and 'name="submit_ok"' in dialog
    web.post("/pypi", params={":action": "remove_pkg", "name": "demo", "version": "1.0",
                              "submit_ok": "OK", "CSRFToken": token}, status=releases_status)
    assert (app.store.get_release("demo", "1.0") is None) == (releases_status == 200)
    web.post("/pypi", params={":action": "remove_pkg", "name": "demo", "submit_ok": "OK",
                              "CSRFToken": token}, status=whole_status)
    assert (app.store.get_project("demo") is None) == (whole_status == 200)


def test_remove_pkg_cancel_and_csrf(web, app, demo):
    token = _session(web, "alice")
    web.post("/pypi", params={":action": "remove_pkg", "name": "demo", "submit_ok": "OK"},
             status=403)
    web.post("/pypi", params={":action": "remove_pkg", "name": "demo", "submit_cancel": "C",
                              "CSRFToken": token}, status=200)
    web.post("/pypi", params={":action": "remove_pkg", "name": "demo", "version": "7",
                              "submit_ok": "OK", "CSRFToken": token}, status=400)
    assert app.store.get_project("demo") is not None
    assert len(app.store.list_releases("demo")) == 2


def test_remove_release_deletes_file_bytes(web, app, demo):
    upload_sdist(web, "demo", "1.0", status=200)
    [record] = app.store.list_files("demo", "1.0")
    assert app.blobs.exists(record.path)
    token = _session(web, "bob")
    web.post("/pypi", params={":action": "remove_pkg", "name": "demo", "version": "1.0",
                              "submit_ok": "OK", "CSRFToken": token})
    assert not app.blobs.exists(record.path)


def test_upload_through_the_files_form(web, app, demo):
    filename, data = make_sdist("demo", "1.1")
    fields = {":action": "file_upload", "name": "demo", "version": "1.1", "filetype": "sdist",
              "pyversion": "", "comment": "by form"}
    token = _session(web, "bob")
    page = web.get("/pypi", params={":action": "files", "name": "demo", "version": "1.1"})
    assert 'name="CSRFToken"' in page and 'value="file_upload"' in page
    web.post("/pypi", params=fields, upload_files=[("content", filename, data)], status=403)
    response = web.post("/pypi", params={**fields, "CSRFToken": token},
                        upload_files=[("content", filename, data)], status=303)
    assert ":action=files" in response.headers["Location"]
    assert [f.filename for f in app.store.list_files("demo", "1.1")] == [filename]
    _session(web, "carol")
    web.post("/pypi", params={**fields, "CSRFToken": csrf(web)},
             upload_files=[("content", "demo-1.1.zip", data)], status=403)


def test_remove_files_form_checks_the_release(web, app, demo):
    upload_sdist(web, "demo", "1.0", status=200)
    [record] = app.store.list_files("demo", "1.0")
    token = _session(web, "bob")
    form = {":action": "files", "name": "demo", "submit_remove": "Remove",
            "file-ids": record.md5_digest, "CSRFToken": token}
    web.post("/pypi", params={**form, "version": "1.1"}, status=400)    # not this release's
    web.post("/pypi", params={**form, "version": "1.0", "CSRFToken": ""}, status=403)
    assert app.store.get_file(record.filename) is not None
    web.post("/pypi", params={**form, "version": "1.0"}, status=200)
    assert app.store.get_file(record.filename) is None
    assert app.store.project_journal("demo")[-1].action == f"remove file {record.filename}"


def test_submit_form(web, app, demo):
    web.get("/pypi?:action=submit_form", status=401)
    page = web.get("/pypi?:action=submit_form", headers=basic_auth("carol"))
    assert "pypi=" in page.headers["Set-Cookie"]        # a session made on the fly
    web.reset()
    _session(web, "carol")
    web.get("/pypi", params={":action": "submit_form", "name": "demo", "version": "1.0"},
            status=403)
    token = _session(web, "bob")
    page = web.get("/pypi", params={":action": "submit_form", "name": "demo", "version": "1.0"})
    assert 'value="demo"' in page
    web.post("/pypi", params={":action": "submit", "name": "newpkg", "version": "1"}, status=403)
    web.post("/pypi", params={":action": "submit", "name": "newpkg", "version": "1",
                              "summary": "by form", "CSRFToken": token}, status=200)
    assert app.store.get_release("newpkg", "1").metadata.summary == "by form"
    web.post("/pypi", params={":action": "submit", "name": "Demo", "version": "3",
                              "CSRFToken": token}, status=403)     # collides after normalising
    assert app.store.get_project("Demo") is None
