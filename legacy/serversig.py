"""PEP 381 signatures: ``/serversig/<name>/`` and ``/serverkey``.

The signature is DSA over the SHA-1 digest of the exact bytes ``/simple/<name>/``
serves as HTML, DER-encoded as ``SEQUENCE {r, s}`` (what cryptography's
``sign`` returns). The bytes come from the same function the simple handler
serves them from (``simple.project_html``), so the two cannot drift apart.

The private key is read from ``Config.private_key_path`` (``pypi genkey``
writes it to ``[webui] key_dir``; legacy's ``[webui] privkey`` path wins when
set) on each request: no key cached in the process, so a key written while
the server runs is used at once, by every process. Without a key both URLs
are a 404 that says how to make one: signing is an optional feature, and a
mirror client reads a 404 as "this index does not sign".

PEP 464 retired these URLs on pypi.python.org in 2015; a 2010-style mirror
client (pep381client) still needs them.

cryptography is imported on the first signature or key asked for (about
10 MB that a server nobody mirrors from never needs).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from webob import Response

from . import simple
from .context import RequestContext
from .http_errors import NotFound

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import dsa

NO_KEY = ("this index does not sign its simple pages: no server key at {path} "
          "(an administrator creates one with `pypi genkey`)")


def load_private_key(path: Path) -> dsa.DSAPrivateKey | None:
    """The DSA key in the PEM file at ``path``, or None when there is no file.

    A file that is not a DSA key raises: that is the operator's mistake, a 500
    logged with its traceback, not something a client can fix.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import dsa

    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        return None
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, dsa.DSAPrivateKey):
        raise ValueError(f"{path} holds a {type(key).__name__}, not a DSA private key")
    return key


def sign_page(key: dsa.DSAPrivateKey, page: bytes) -> bytes:
    """PEP 381: DSA over SHA-1 of the page, DER ``SEQUENCE {r INTEGER, s INTEGER}``."""
    from cryptography.hazmat.primitives import hashes

    return key.sign(page, hashes.SHA1())


def public_key_pem(key: dsa.DSAPrivateKey) -> bytes:
    """The public half as a PEM ``SubjectPublicKeyInfo``, the form legacy published."""
    from cryptography.hazmat.primitives import serialization

    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def _server_key(ctx: RequestContext) -> dsa.DSAPrivateKey:
    path = ctx.settings.private_key_path
    key = load_private_key(path)
    if key is None:
        raise NotFound(NO_KEY.format(path=path.name))
    return key


def serverkey(ctx: RequestContext) -> Response:
    return Response(public_key_pem(_server_key(ctx)), content_type="text/plain", charset="utf-8")


def serversig(ctx: RequestContext) -> Response:
    """The signature of ``/simple/<name>/``, with that page's 404s and serial.

    Legacy redirected a non-canonical name to the *simple* URL, which hands a
    signature-fetching client an HTML page; we redirect to the canonical
    signature URL instead.
    """
    prefix = "/serversig"
    listing = simple.project_listing(ctx, ctx.path_args["name"], prefix)
    signature = sign_page(_server_key(ctx), simple.project_html(listing))
    response = Response(signature, content_type="application/octet-stream")
    response.headers[simple.SERIAL_HEADER] = str(listing.last_serial)
    return response

