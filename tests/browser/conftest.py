"""Headless Chromium (the Debian package) driven by Playwright against the real server.

Never ``playwright install``: the browser is ``/usr/bin/chromium``. Without it (or
without the playwright package) the tests skip with the reason, unless
``PYPI_TEST_REQUIRE_SERVICES=1`` (CI), where that is a failure.
"""
from __future__ import annotations

import os
import shutil

import pytest

# The real server on every backend, exactly as the other client tests get it.
from tests.clients.conftest import server  # noqa: F401

CHROMIUM = os.environ.get("PYPI_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _unavailable(reason: str):
    if os.environ.get("PYPI_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(f"browser tests are required here: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        _unavailable(f"the playwright package is not installed: {err}")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _unavailable(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


