"""The App Engine SDK modules this backend uses, imported once, quietly.

The SDK is Python 2-era code: importing it raises deprecation warnings of
its own dependencies (ruamel.yaml's ``typ='unsafe'``, ``cgi``), which the test
suite turns into errors. They say nothing about our code, so they are
silenced here, for these imports only.
"""
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from google.appengine.ext import ndb, testbed  # noqa: F401

__all__ = ["ndb", "testbed"]
