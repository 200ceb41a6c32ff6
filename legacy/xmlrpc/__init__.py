"""Legacy PyPI's XML-RPC API (``spec/xmlrpc.md``).

``protocol`` reads and writes the XML, ``signatures`` checks arguments,
``methods`` holds the method table, and ``packages``, ``changes`` and
``search`` the handlers by family; ``endpoint.handle`` is the request handler.
"""
from .endpoint import handle

__all__ = ["handle"]
