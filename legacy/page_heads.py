"""A kept page's head: its header lines as one string, Content-Type first and the ETag second.

``page_cache.make_page`` writes heads in this form; a page read back from a
file or the pack (``page_files``, ``page_pack``) is used only when the ETag in
its head is the one the page has now.
"""
from __future__ import annotations


def etag_in_head(head: str) -> str:
    """The ETag a page's head gives (its second line, ``ETag: <value>``)."""
    return head.split("\n", 2)[1].partition(": ")[2]


def head_with_etag(head_bytes: bytes, etag: str) -> str | None:
    """The head when it is UTF-8 and its ETag is ``etag``, else None."""
    try:
        head = head_bytes.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = head.split("\n", 2)
    return head if len(lines) >= 2 and lines[1] == "ETag: " + etag else None
