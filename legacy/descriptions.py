"""Release descriptions as safe HTML, rendered when shown (as legacy's final state did).

readme_renderer picks reStructuredText, Markdown or plain text from the
``description_content_type`` (reStructuredText when absent, legacy's only
format); its reST settings disable the raw and file-inclusion directives and
it sanitises every result with nh3, so a description can carry no script.
reST that does not render falls back to the escaped plain text, as legacy did.

readme_renderer is imported on the first description shown: with docutils,
Pygments and Pillow it is about 20 MB of a server process that may only ever
serve the index.
"""
from __future__ import annotations

import io
from email.message import Message


def render_description(text: str | None, content_type: str | None) -> str:
    """Sanitised HTML for a description; empty for none."""
    if not text or not text.strip() or text.strip() == "UNKNOWN":
        return ""
    import readme_renderer.markdown
    import readme_renderer.rst
    import readme_renderer.txt

    kind, params = _content_type(content_type)
    if kind == "text/markdown":
        html = readme_renderer.markdown.render(text, variant=params.get("variant", "GFM"))
    elif kind == "text/plain":
        html = readme_renderer.txt.render(text)
    else:
        html = readme_renderer.rst.render(text, stream=io.StringIO())
    return html if html is not None else readme_renderer.txt.render(text)


def _content_type(value: str | None) -> tuple[str, dict[str, str]]:
    if not value:
        return "text/x-rst", {}
    message = Message()
    message["Content-Type"] = value
    return message.get_content_type(), {k.lower(): v for k, v in message.get_params()[1:]}
