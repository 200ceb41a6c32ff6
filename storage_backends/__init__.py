"""Storage for the package index: the interface, its records and its backends.

Nothing in this package knows about HTTP; handlers reach it only through
``storage_backends.interface``.
"""
