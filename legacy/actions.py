"""Every legacy action name, in one table, mapped to its handler.

The names are the union of the 2010 and the final legacy whitelists. Actions
whose page family is not built yet answer 501 naming what is missing, so a
client can tell "not yet" from "never".
"""
from __future__ import annotations

from typing import Callable

from webob import Response

from . import json_api, register
from . import display, feeds, listing_pages, static_pages
from . import web_accounts, web_docs, web_files, web_password, web_pkg_edit, web_roles
from . import web_sessions, web_submit
from .context import RequestContext
from .http_errors import NotImplementedYet
from .web_guard import write_action

Handler = Callable[[RequestContext], Response]


def not_implemented(feature: str) -> Handler:
    def handler(ctx: RequestContext) -> Response:
        raise NotImplementedYet(f"Not implemented yet: {feature}")
    handler.not_implemented = feature
    return handler


_SSH_KEYS = not_implemented("SSH keys (the SSH upload channel is not offered)")
_OPENID = not_implemented("OpenID sign-in")

ACTIONS: dict[str, Handler] = {
    # distutils register and upload, twine upload
    "file_upload": write_action(web_submit.file_upload),
    "submit": write_action(register.submit),
    "verify": register.verify,
    "list_classifiers": register.list_classifiers,
    "submit_pkg_info": register.submit_pkg_info,
    "doc_upload": web_docs.doc_upload,
    "doc_destroy": web_docs.doc_destroy,
    # browsing
    "home": listing_pages.home, "index": listing_pages.index, "search": listing_pages.search,
    "browse": listing_pages.browse, "display": display.display,
    "display_pkginfo": display.display_pkginfo, "files": display.files, "show_md5": display.show_md5,
    "rss": feeds.rss, "packages_rss": feeds.packages_rss, "rss_regen": feeds.rss_regen,
    "lasthour": feeds.lasthour,
    "about": static_pages.about, "json": json_api.project_json, "doap": display.doap,
    # maintaining
    "submit_form": web_submit.submit_form, "pkg_edit": web_pkg_edit.pkg_edit,
    "remove_pkg": web_pkg_edit.remove_pkg, "role_form": web_roles.role_form, "role": web_roles.role,
    # accounts
    "register_form": web_accounts.register_form, "user_form": web_accounts.user_form,
    "user": web_accounts.user, "delete_user": web_accounts.delete_user,
    "forgotten_password_form": web_password.forgotten_password_form,
    "forgotten_password": web_password.forgotten_password,
    "password_reset": web_password.password_reset, "pw_reset": web_password.pw_reset,
    "pw_reset_change": web_password.pw_reset_change,
    "login": web_sessions.login, "login_form": web_sessions.login_form,
    "logout": web_sessions.logout, "clear_auth": web_sessions.clear_auth,
    "addkey": _SSH_KEYS, "delkey": _SSH_KEYS,
    "openid": _OPENID, "claim": _OPENID, "openid_return": _OPENID, "dropid": _OPENID,
    # retired features kept routable
    "rate": not_implemented("ratings (retired in 2011)"),
    "comment": not_implemented("comments (retired in 2011)"),
    "addcomment": not_implemented("comments (retired in 2011)"),
    "delcomment": not_implemented("comments (retired in 2011)"),
    "purge": not_implemented("CDN purging"),
    "gae_file": not_implemented("the App Engine file transfer"),
}

# The maintainers' form of the files page (the page itself is display.files).
display.FILES_FORMS.append(web_files.remove_files)
