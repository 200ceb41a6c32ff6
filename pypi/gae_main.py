"""The App Engine entry point: the WSGI app wrapped for the SDK's bundled services.

``wrap_wsgi_app`` sets up, per request, the environment ndb needs to reach
the datastore (the legacy bundled-services API). The configuration comes
from ``$PYPI_CONFIG`` (app.yaml), normally with ``[database] backend = gae``;
off App Engine the same module serves the file-stub datastore, which is how
it is tested. The app is built on first import because App Engine imports
this module once per instance; nothing else in the project does work at
import time.
"""
from __future__ import annotations

from google.appengine.api import wrap_wsgi_app

from .app import make_app
from .cli import load_config

app = wrap_wsgi_app(make_app(load_config(None)))
