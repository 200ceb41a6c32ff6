"""Fixtures shared by the handler and client tests: an app on a fresh SQLite store."""
from __future__ import annotations

import base64

import pytest
import webtest

from pypi.app import PypiApp
from pypi.backends import open_backends
from pypi.config import Config
from pypi.passwords import hash_password
from storage_backends.records import ADMIN, Actor

PASSWORD = "correct horse battery"


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(database_url=f"sqlite:///{tmp_path / 'pypi.db'}",
                  files_dir=tmp_path / "packages", docs_dir=tmp_path / "docs",
                  max_upload_size=1 << 20)


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One argon2 hash for every test user: hashing is deliberately slow."""
    return hash_password(PASSWORD)


@pytest.fixture
def app(config, password_hash):
    store, blobs = open_backends(config, create=True)
    store.add_classifiers(["Programming Language :: Python :: 3", "Topic :: Utilities",
                           "Topic :: Software Development :: Libraries"])
    for name in ("alice", "bob", "root"):
        store.create_user(name, f"{name}@example.org", password_hash)
    store.add_role(Actor("root"), ADMIN, "root", None)
    application = PypiApp(config, store, blobs)
    yield application
    application.close()


@pytest.fixture
def web(app) -> webtest.TestApp:
    return webtest.TestApp(app)


def basic_auth(user: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


# Reliability figures (docs/reliability.md): tests record how many requests, inputs and rows
# they tried as user properties; the summary adds them up, also across xdist workers.
FIGURES = {"fuzz_requests": "generated fuzz requests", "hostile_inputs": "hostile inputs tried",
           "permission_rows": "permission rows checked"}


@pytest.fixture
def record_figure(request):
    """``record_figure(name, count)`` adds to a figure of ``FIGURES`` (a user property, as
    ``record_property`` makes, without its clash with ``--junitxml``'s default family)."""
    def record(name: str, count: int) -> None:
        assert name in FIGURES, name
        request.node.user_properties.append((name, count))
    return record


def pytest_terminal_summary(terminalreporter):
    totals = dict.fromkeys(FIGURES, 0)
    reports = [r for kind in terminalreporter.stats.values() for r in kind]
    for report in reports:   # a teardown report carries every property of its test
        if getattr(report, "when", None) == "teardown" and report.passed:
            for name, value in report.user_properties:
                if name in totals:
                    totals[name] += value
    shown = [f"{FIGURES[name]}: {total:,}" for name, total in totals.items() if total]
    if shown:
        terminalreporter.write_line("reliability figures: " + "; ".join(shown))
