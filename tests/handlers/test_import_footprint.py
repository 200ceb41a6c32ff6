"""A server that serves the index does not load what only other pages need.

readme_renderer (with docutils, Pygments, Pillow), Jinja2, alembic (with Mako)
and cryptography together are about 50 MB of a process that may never render a
description, a web page, a migration or a signature; they are imported on first use.
"""
from __future__ import annotations

import subprocess
import sys

from legacy.descriptions import render_description
from tests.handlers.uploading import upload_sdist

NOT_FOR_THE_INDEX = ("readme_renderer", "docutils", "pygments", "PIL", "jinja2", "alembic",
                     "mako", "cryptography")
SERVE_THE_INDEX = """
import sys
from webob import Request
from pypi.cli import load_config
from pypi.app import PypiApp
from pypi.backends import open_backends
config = load_config(sys.argv[1])
store, blobs = open_backends(config, create=True)
app = PypiApp(config, store, blobs)
for path, accept in (("/simple/", "text/html"), ("/simple/demo/", "text/html"),
                     ("/simple/", "application/vnd.pypi.simple.v1+json"), ("/serial", "*/*")):
    response = Request.blank(path, headers={"Accept": accept}).get_response(app)
    assert response.status_int in (200, 404), (path, response.status)
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[2:]))
print(" ".join(loaded))
"""


def test_serving_the_index_loads_none_of_the_page_renderers(tmp_path):
    config_file = tmp_path / "config.ini"
    config_file.write_text(f"[database]\nurl = sqlite:///{tmp_path / 'pypi.db'}\n"
                           f"files_dir = {tmp_path / 'packages'}\n")
    subprocess.run([sys.executable, "-m", "pypi", "initdb", "--config", str(config_file)],
                   check=True, capture_output=True)
    loaded = subprocess.run([sys.executable, "-c", SERVE_THE_INDEX, str(config_file),
                             *NOT_FOR_THE_INDEX],
                            check=True, capture_output=True, text=True).stdout.split()
    assert loaded == []


def test_the_modules_left_out_still_load_when_needed(web):
    upload_sdist(web, status=200)
    assert "<html" in web.get("/pypi/demo/1.0", status=200).text     # Jinja2
    assert "<em>" in render_description("*shown*", None)              # readme_renderer
    assert "<h1" in render_description("# Title", "text/markdown")
