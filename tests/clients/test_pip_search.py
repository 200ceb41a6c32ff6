"""``pip search`` (pip 23.x, the interpreter's own) against the real server's XML-RPC ``search``.

pip calls ``search({'name': terms, 'summary': terms}, 'or')`` and prints one
line a project in the order of the hits, so the ranking of
``legacy.xmlrpc.search`` is what the user sees. The protocol and the ranking
do not depend on the database (the conformance suite checks the matching on
each), so this runs on SQLite only.
"""
from __future__ import annotations

import re

import pytest

from tests.distributions import make_sdist

from .conftest import run
from .test_twine_pip import twine_upload

pytestmark = pytest.mark.clients
PROJECTS = {                       # name: summary
    "spamspam": "Two portions",
    "spam": "Tinned meat",
    "ham": "Goes well with spam",
    "aspam": "Ends in spam",
    "eggs": "Unrelated",
}


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)
def test_pip_search_ranks_exact_then_prefix_then_others(server, venv, client_home, tmp_path):
    files = []
    for name, summary in PROJECTS.items():
        filename, data = make_sdist(name, "1.0", summary=summary)
        (tmp_path / filename).write_bytes(data)
        files.append(tmp_path / filename)
    result = twine_upload(server, client_home, *files)
    assert result.returncode == 0, result.stdout + result.stderr

    pip = [venv / "bin" / "python", "-m", "pip"]
    result = run([*pip, "search", "--index", server.index_url, "spam"], client_home)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [re.match(r"(\S+) \((\S+)\)\s+- (.*)", line).groups()
             for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert lines == [("spam", "1.0", "Tinned meat"), ("spamspam", "1.0", "Two portions"),
                     ("aspam", "1.0", "Ends in spam"), ("ham", "1.0", "Goes well with spam")]

    result = run([*pip, "search", "--index", server.index_url, "nothing-like-it"], client_home)
    assert result.returncode == 23 and result.stdout.strip() == ""     # NO_MATCHES_FOUND
