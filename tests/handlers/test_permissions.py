"""Who may change what: every state-changing operation against every kind of caller.

``OPERATIONS`` is the table: one row per operation of the web actions
(``legacy/actions.py``), distutils/twine (``submit``, ``file_upload``,
``doc_upload``) and XML-RPC (whose only write, ``post_cheesecake_for_release``,
is refused to all). Each row says which callers may do it (following the
permission matrix of spec/users-and-roles.md) and the status the others get.
One test runs per row and caller: it checks the status, and that the state
changed exactly when allowed (for a refusal: nothing the store holds changed).

The world: project ``demo`` (releases 1.0 with an sdist, and 1.1) owned by
alice, with bob as Maintainer; carol and dave hold no role; root is Admin.
Tool operations send HTTP Basic; web forms a session with its CSRF token.
"""
from __future__ import annotations

import io
import xmlrpc.client
import zipfile
from dataclasses import dataclass
from typing import Callable

import pytest
import webtest
from argon2 import PasswordHasher

from legacy import passwords, sessions, web_password
from storage_backends.records import MAINTAINER, OWNER, Actor, ReleaseMetadata
from tests.conftest import PASSWORD, basic_auth

from .uploading import upload_sdist
from .web_helpers import mails

CALLERS = {"anonymous": None, "user": "carol", "Maintainer": "bob", "Owner": "alice",
           "Admin": "root"}
ALL = frozenset(CALLERS)
SIGNED_IN = ALL - {"anonymous"}
MAINTAINERS = frozenset({"Maintainer", "Owner", "Admin"})
OWNERS = frozenset({"Owner", "Admin"})


@dataclass(frozen=True)
class Operation:
    name: str
    send: Callable                  # (caller, app) -> response
    changed: Callable               # (app, caller, response) -> whether it took effect
    allowed: frozenset
    allowed_status: int = 200
    denied_status: int | dict = 403  # a status, or {caller: status}; anonymous gets 401 unless given
    prepare: Callable | None = None  # (app) -> None, before the caller's request

    def expected_denial(self, caller: str) -> int:
        if isinstance(self.denied_status, dict):
            return self.denied_status[caller]
        return 401 if caller == "anonymous" else self.denied_status


class Caller:
    """Sends requests as one user: HTTP Basic for tools, a session with CSRF for forms."""

    def __init__(self, app, user: str | None):
        self.app, self.user = app, user
        self.web = webtest.TestApp(app)
        self.token = None
        if user:
            self.token = sessions.new_token()
            app.store.create_session(sessions.stored_key(self.token), user, sessions.now())

    def tool(self, path="/pypi", params=None, **kwargs):
        headers = basic_auth(self.user) if self.user else {}
        return self.web.post(path, params=params, headers=headers, status="*", **kwargs)

    def form(self, **params):
        cookie = {"Cookie": f"{sessions.COOKIE}={self.token}"} if self.token else {}
        if self.token:
            params["CSRFToken"] = sessions.csrf_for(self.token)
        return self.web.post("/pypi", params=params, headers=cookie, status="*")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", "docs")
    return buffer.getvalue()


def _upload(caller, name, version):
    return upload_sdist(caller.web, name, version, user=caller.user)


def _release(app, version):
    return app.store.get_release("demo", version)


def _project(app, name="demo"):
    return app.store.get_project(name)


def _upload_docs(app):
    Caller(app, "alice").tool(params={":action": "doc_upload", "name": "demo"},
                              upload_files=[("content", "docs.zip", _zip())])
    assert _project(app).has_docs


def _register_erin(app):
    app.store.register_user("erin", "erin@example.org", app.store.get_user("carol").password,
                            "k" * 32, sessions.now())


def _cheesecake(caller):
    body = xmlrpc.client.dumps(("demo", "1.0", {}, PASSWORD), "post_cheesecake_for_release")
    headers = {"Content-Type": "text/xml", **(basic_auth(caller.user) if caller.user else {})}
    response = caller.web.post("/pypi", body, headers=headers, status="*")
    with pytest.raises(xmlrpc.client.Fault):
        xmlrpc.client.loads(response.body)
    return response


RETIRED = ("rate", "comment", "addcomment", "delcomment", "addkey", "delkey", "claim", "dropid",
           "purge", "gae_file")


def _retired(caller):
    """Every action kept routable but not offered answers 501 to everyone."""
    responses = [caller.form(**{":action": action, "name": "demo", "version": "1.0"})
                 for action in RETIRED]
    assert {r.status_int for r in responses} == {501}, [r.status for r in responses]
    return responses[-1]


def _login_form(caller):
    page = caller.web.get("/pypi?:action=login_form")
    nonce = page.html.find("input", {"name": "nonce"})["value"]
    return caller.web.post("/pypi", params={":action": "login_form", "nonce": nonce,
                                            "username": caller.user or "", "password": PASSWORD},
                           status="*")


def _new_session(app, response) -> bool:
    """The response handed out a session cookie that the store knows."""
    for header in response.headers.getall("Set-Cookie"):
        token = header.partition(f"{sessions.COOKIE}=")[2].split(";")[0]
        if token and app.store.session_user(sessions.stored_key(token), sessions.now()):
            return True
    return False


RESET_KEY = "r" * 40


def _reset_key_for_dave(app):
    app.store.create_reset_key("dave", web_password.key_hash(RESET_KEY), sessions.now())


def _password_is(app, user, password) -> bool:
    return user is not None and passwords.check_password(password, app.store.get_user(user).password)[0]


NEW_PASSWORD = "an0ther Secret"


OPERATIONS = [
    # distutils and twine
    Operation("register a new project (submit)",
              lambda c, app: c.tool(params={":action": "submit", "name": "fresh", "version": "1.0"}),
              lambda app, c, r: _project(app, "fresh") is not None, SIGNED_IN),
    Operation("register a new release (submit)",
              lambda c, app: c.tool(params={":action": "submit", "name": "demo", "version": "2.0"}),
              lambda app, c, r: _release(app, "2.0") is not None, MAINTAINERS),
    Operation("edit release metadata (submit)",
              lambda c, app: c.tool(params={":action": "submit", "name": "demo", "version": "1.0",
                                            "summary": "changed"}),
              lambda app, c, r: _release(app, "1.0").metadata.summary == "changed", MAINTAINERS),
    Operation("register from PKG-INFO (submit_pkg_info)",
              lambda c, app: c.tool(params={":action": "submit_pkg_info",
                                            "pkginfo": "Name: demo\nVersion: 2.1\n"}),
              lambda app, c, r: _release(app, "2.1") is not None, MAINTAINERS),
    Operation("upload a file (file_upload)", lambda c, app: _upload(c, "demo", "1.1"),
              lambda app, c, r: bool(app.store.list_files("demo", "1.1")), MAINTAINERS),
    Operation("upload to a new project (file_upload)", lambda c, app: _upload(c, "newup", "1.0"),
              lambda app, c, r: _project(app, "newup") is not None, SIGNED_IN),
    Operation("upload documentation (doc_upload)",
              lambda c, app: c.tool(params={":action": "doc_upload", "name": "demo"},
                                    upload_files=[("content", "docs.zip", _zip())]),
              lambda app, c, r: _project(app).has_docs, MAINTAINERS, allowed_status=301),
    # maintaining through the web
    Operation("destroy documentation (doc_destroy)",
              lambda c, app: c.form(**{":action": "doc_destroy", "name": "demo"}),
              lambda app, c, r: not _project(app).has_docs, MAINTAINERS, prepare=_upload_docs),
    Operation("hide a release (pkg_edit)",
              lambda c, app: c.form(**{":action": "pkg_edit", "name": "demo", "hid_1.1": "1"}),
              lambda app, c, r: _release(app, "1.1").hidden, MAINTAINERS),
    Operation("show a hidden release (pkg_edit)",
              lambda c, app: c.form(**{":action": "pkg_edit", "name": "demo", "hid_1.1": "0"}),
              lambda app, c, r: not _release(app, "1.1").hidden, MAINTAINERS,
              prepare=lambda app: app.store.set_release_hidden(Actor("alice"), "demo", "1.1", True)),
    Operation("turn autohide off (pkg_edit)",
              lambda c, app: c.form(**{":action": "pkg_edit", "name": "demo", "submit_autohide": "1"}),
              lambda app, c, r: not _project(app).autohide, MAINTAINERS),
    Operation("remove a release (remove_pkg)",
              lambda c, app: c.form(**{":action": "remove_pkg", "name": "demo", "version": "1.1",
                                       "submit_ok": "1"}),
              lambda app, c, r: _release(app, "1.1") is None, MAINTAINERS),
    Operation("remove the whole project (remove_pkg)",
              lambda c, app: c.form(**{":action": "remove_pkg", "name": "demo", "submit_ok": "1"}),
              lambda app, c, r: _project(app) is None, OWNERS),
    Operation("remove a file (files)",
              lambda c, app: c.form(**{":action": "files", "name": "demo", "version": "1.0",
                                       "submit_remove": "1",
                                       "file-ids": app.store.list_files("demo", "1.0")[0].md5_digest}),
              lambda app, c, r: not app.store.list_files("demo", "1.0"), MAINTAINERS,
              denied_status={"anonymous": 200, "user": 200}),   # legacy ignored the fields
    Operation("add a Maintainer (role)",
              lambda c, app: c.form(**{":action": "role", "package_name": "demo", "user_name": "carol",
                                       "role_name": "Maintainer", ":operation": "Add Role"}),
              lambda app, c, r: app.store.has_role("carol", "demo", MAINTAINER), OWNERS,
              denied_status=401),
    Operation("add an Owner (role)",
              lambda c, app: c.form(**{":action": "role", "package_name": "demo", "user_name": "dave",
                                       "role_name": "Owner", ":operation": "Add Role"}),
              lambda app, c, r: app.store.has_role("dave", "demo", OWNER), OWNERS, denied_status=401),
    Operation("remove a Maintainer (role)",
              lambda c, app: c.form(**{":action": "role", "package_name": "demo", "user_name": "bob",
                                       "role_name": "Maintainer", ":operation": "Remove Role"}),
              lambda app, c, r: not app.store.has_role("bob", "demo", MAINTAINER), OWNERS,
              denied_status=401),
    # accounts
    Operation("change one's email (user)",
              lambda c, app: c.form(**{":action": "user", "email": "new@example.org"}),
              lambda app, c, r: c.user is not None
              and app.store.get_user(c.user).email == "new@example.org",
              SIGNED_IN, denied_status={"anonymous": 400}),   # anonymous: a registration, incomplete
    Operation("change one's password (user)",
              lambda c, app: c.form(**{":action": "user", "email": "x@example.org",
                                       "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
              lambda app, c, r: _password_is(app, c.user, NEW_PASSWORD),
              SIGNED_IN, denied_status={"anonymous": 400}),
    Operation("delete one's own account (delete_user)",
              lambda c, app: c.form(**{":action": "delete_user", "submit_ok": "1"}),
              lambda app, c, r: c.user is not None and app.store.get_user(c.user) is None,
              frozenset({"user", "Maintainer", "Admin"}),
              denied_status={"anonymous": 401, "Owner": 400}),   # the only Owner of demo
    Operation("delete another account (delete_user)",
              lambda c, app: c.form(**{":action": "delete_user", "name": "dave", "submit_ok": "1"}),
              lambda app, c, r: app.store.get_user("dave") is None, frozenset({"Admin"})),
    Operation("request a password reset (password_reset)",
              lambda c, app: c.form(**{":action": "password_reset", "name": "dave"}),
              lambda app, c, r: len(mails(app.config)) == 1, ALL),
    Operation("confirm a registration (user with otk)",
              lambda c, app: c.form(**{":action": "user", "otk": "k" * 32}),
              lambda app, c, r: app.store.registration_key("erin") is None, ALL, prepare=_register_erin),
    Operation("request a password reset by name (forgotten_password)",
              lambda c, app: c.form(**{":action": "forgotten_password", "name": "dave"}),
              lambda app, c, r: len(mails(app.config)) == 1, ALL),
    Operation("reset a password with its key (pw_reset_change)",
              lambda c, app: c.form(**{":action": "pw_reset_change", "otk": RESET_KEY,
                                       "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
              lambda app, c, r: _password_is(app, "dave", NEW_PASSWORD), ALL,
              prepare=_reset_key_for_dave),
    # sessions (submit_form starts one for a Basic-only user the same way as login)
    Operation("log in (login)", lambda c, app: c.tool(params={":action": "login"}),
              lambda app, c, r: _new_session(app, r), SIGNED_IN),
    Operation("log in through the form (login_form)", lambda c, app: _login_form(c),
              lambda app, c, r: _new_session(app, r), SIGNED_IN, allowed_status=303),
    Operation("log out (logout)", lambda c, app: c.form(**{":action": "logout"}),
              lambda app, c, r: c.token is not None and app.store.session_user(
                  sessions.stored_key(c.token), sessions.now()) is None,
              SIGNED_IN, denied_status={"anonymous": 200}),
    # XML-RPC and what is not offered
    Operation("post_cheesecake_for_release (XML-RPC)", lambda c, app: _cheesecake(c),
              lambda app, c, r: False, frozenset(), denied_status=dict.fromkeys(CALLERS, 200)),
    Operation("retired write actions (rate, comment, addkey, purge, ...)", lambda c, app: _retired(c),
              lambda app, c, r: False, frozenset(), denied_status=dict.fromkeys(CALLERS, 501)),
]


def _state(app) -> tuple:
    """What the store holds, for "nothing changed"."""
    store = app.store
    projects = [(p.name, p.autohide, p.has_docs) for p in store.list_projects()]
    releases = [(r.name, r.version, r.hidden, r.metadata) for p in store.list_projects()
                for r in store.list_releases(p.name)]
    files = [f.filename for p in store.list_projects() for f in store.list_files(p.name)]
    roles = [(r.role_name, r.user_name) for p in store.list_projects()
             for r in store.roles_for_project(p.name)]
    users = [(name, u.email, u.password) if (u := store.get_user(name)) else name
             for name in ("alice", "bob", "carol", "dave", "root", "erin")]
    pending = store.registration_key("erin")
    return store.last_serial(), projects, releases, files, roles, users, pending, len(mails(app.config))


@pytest.fixture
def world(app, monkeypatch):
    # Cheap password hashes: one Basic check per caller and test would cost seconds otherwise.
    monkeypatch.setattr(passwords, "HASHER",
                        PasswordHasher(time_cost=1, memory_cost=256, parallelism=1))
    cheap = passwords.hash_password(PASSWORD)
    store = app.store
    for name in ("carol", "dave"):
        store.create_user(name, f"{name}@example.org", cheap)
    for name in ("alice", "bob", "root"):
        store.set_password_hash(name, cheap)
    store.store_release(Actor("alice"), "demo", "1.0", ReleaseMetadata(summary="Demo"))
    store.store_release(Actor("alice"), "demo", "1.1", ReleaseMetadata(summary="Demo"), hidden=False)
    store.add_role(Actor("alice"), MAINTAINER, "bob", "demo")
    response = _upload(Caller(app, "alice"), "demo", "1.0")
    assert response.status_int == 200, response.status
    return app


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_permission(world, operation, caller, record_figure):
    app, user = world, CALLERS[caller]
    if operation.prepare:
        operation.prepare(app)
    sender = Caller(app, user)
    before = _state(app)
    response = operation.send(sender, app)
    record_figure("permission_rows", 1)
    if caller in operation.allowed:
        assert response.status_int == operation.allowed_status, response.status
        assert operation.changed(app, sender, response), f"allowed to {caller}, but nothing changed"
    else:
        assert response.status_int == operation.expected_denial(caller), response.status
        assert not operation.changed(app, sender, response)
        assert _state(app) == before, f"refused to {caller}, yet the store changed"


def test_the_table_covers_every_write_action():
    """A new action in legacy/actions.py must be placed in the table (or named read-only here)."""
    from legacy.actions import ACTIONS
    read_only = {"verify", "list_classifiers", "home", "index", "search", "browse", "display",
                 "display_pkginfo", "show_md5", "rss", "packages_rss", "rss_regen", "lasthour",
                 "about", "json", "doap", "submit_form", "role_form", "register_form", "user_form",
                 "forgotten_password_form", "pw_reset", "clear_auth", "openid", "openid_return"}
    in_table = {"submit", "submit_pkg_info", "file_upload", "doc_upload", "doc_destroy", "pkg_edit",
                "remove_pkg", "files", "role", "user", "delete_user", "password_reset",
                "forgotten_password", "pw_reset_change", "login", "login_form", "logout", *RETIRED}
    assert set(ACTIONS) - read_only - in_table == set()
