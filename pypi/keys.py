"""``pypi genkey``: the DSA key pair that signs simple pages (PEP 381 ``/serversig``).

DSA with 2048-bit parameters, as legacy's key-generation script made it; the
signature format (DSA over SHA-1) is fixed by PEP 381, so a stronger scheme
would not be verifiable by the clients that exist. The private key is written
with mode 0600 from the start (never world-readable, not even briefly), and an
existing key is kept unless ``--force``: replacing it invalidates every
signature mirrors have cached.
"""
from __future__ import annotations

import os
from pathlib import Path

KEY_SIZE = 2048


class KeyExists(Exception):
    """A key file is already there and ``force`` was not given."""


def generate_key_pair(private_path: Path, public_path: Path, force: bool = False) -> None:
    """Write a new private key (PEM, PKCS#8, mode 0600) and its public key (PEM)."""
    # Here, not at the top: every `pypi` command (serve too) imports this module.
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import dsa

    if not force:
        for path in (private_path, public_path):
            if path.exists():
                raise KeyExists(f"{path} exists; pass --force to replace the key pair")
    key = dsa.generate_private_key(key_size=KEY_SIZE)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    _write(private_path, private_pem, 0o600)
    _write(public_path, public_pem, 0o644)


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write to a temporary file created with ``mode``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)        # the umask may have removed bits we asked for
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
