"""Every legacy action name, in one table, mapped to its handler.

The names are the union of the 2010 and the final legacy whitelists. Actions
whose page family is not built yet answer 501 naming what is missing, so a
client can tell "not yet" from "never".
"""
from __future__ import annotations

from typing import Callable

from webob import Response

from . import register, upload
from . import static_pages
from .context import RequestContext
from .http_errors import NotImplementedYet

Handler = Callable[[RequestContext], Response]


def not_implemented(feature: str) -> Handler:
    def handler(ctx: RequestContext) -> Response:
        raise NotImplementedYet(f"Not implemented yet: {feature}")
    handler.not_implemented = feature
    return handler


_WEB_UI = not_implemented("this page of the web UI")
_ACCOUNTS = not_implemented("accounts in the web UI")
_JSON_API = not_implemented("the JSON and DOAP exports")
_OPENID = not_implemented("OpenID sign-in")

ACTIONS: dict[str, Handler] = {
    # distutils register and upload, twine upload
    "file_upload": upload.file_upload,
    "submit": register.submit,
    "verify": register.verify,
    "list_classifiers": register.list_classifiers,
    "submit_pkg_info": _WEB_UI,
    "doc_upload": _WEB_UI,
    "doc_destroy": _WEB_UI,
    # browsing
    "home": _WEB_UI, "index": _WEB_UI, "search": _WEB_UI, "browse": _WEB_UI,
    "display": _WEB_UI, "display_pkginfo": _WEB_UI, "files": _WEB_UI, "show_md5": _WEB_UI,
    "rss": _WEB_UI, "packages_rss": _WEB_UI, "rss_regen": _WEB_UI, "lasthour": _WEB_UI,
    "about": static_pages.about, "json": _JSON_API, "doap": _JSON_API,
    # maintaining
    "submit_form": _WEB_UI, "pkg_edit": _WEB_UI, "remove_pkg": _WEB_UI,
    "role_form": _WEB_UI, "role": _WEB_UI,
    # accounts
    "register_form": _ACCOUNTS, "user_form": _ACCOUNTS, "user": _ACCOUNTS,
    "forgotten_password_form": _ACCOUNTS, "forgotten_password": _ACCOUNTS,
    "password_reset": _ACCOUNTS, "pw_reset": _ACCOUNTS, "pw_reset_change": _ACCOUNTS,
    "login": _ACCOUNTS, "login_form": _ACCOUNTS, "logout": _ACCOUNTS,
    "clear_auth": _ACCOUNTS, "delete_user": _ACCOUNTS, "addkey": _ACCOUNTS, "delkey": _ACCOUNTS,
    "openid": _OPENID, "claim": _OPENID, "openid_return": _OPENID, "dropid": _OPENID,
    # retired features kept routable
    "rate": not_implemented("ratings (retired in 2011)"),
    "comment": not_implemented("comments (retired in 2011)"),
    "addcomment": not_implemented("comments (retired in 2011)"),
    "delcomment": not_implemented("comments (retired in 2011)"),
    "purge": not_implemented("CDN purging"),
    "gae_file": not_implemented("the App Engine file transfer"),
}
