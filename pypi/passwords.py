"""Password hashing, for the CLI and HTTP Basic: see ``legacy.passwords``."""
from legacy.passwords import check_password, hash_password

__all__ = ["check_password", "hash_password"]
