"""Role maintenance: ``role_form`` and ``role`` (add or remove Owners and Maintainers).

Failed rights checks answer 401 here, as legacy's role form did (403 in the
other maintenance actions). Only Owner and Maintainer can be granted through
the web; Admin rows are made with ``pypi adduser --admin``.
"""
from __future__ import annotations

from webob import Response

from storage_backends.errors import NoSuchRole, RoleExists
from storage_backends.records import ADMIN, MAINTAINER, OWNER

from .context import RequestContext
from .http_errors import BadRequest, LoginRequired, NotFound
from .pages import render
from .sessions import check_csrf
from .web_guard import require_confirmed
from .web_sessions import home_page

GRANTABLE = (OWNER, MAINTAINER)


def role_form(ctx: RequestContext, note: str | None = None) -> Response:
    package = ctx.form.text("package_name")
    _require_owner(ctx, package)
    if package and ctx.store.get_project(package) is None:
        raise NotFound(f"No package named {package!r}")
    roles = ctx.store.roles_for_project(package) if package else []
    keys = {r.user_name: _gpg(ctx, r.user_name) for r in roles}
    packages = [] if package else [p.name for p in ctx.store.list_projects()]
    return render(ctx, "role_form.html", title="Role maintenance", package_name=package,
                  packages=packages, roles=roles, keys=keys,
                  role_names=GRANTABLE + ((ADMIN,) if _is_admin(ctx) else ()),
                  messages=[note] if note else [], nav_current="role_form",
                  package=(package, None) if package else None)


def role(ctx: RequestContext) -> Response:
    values = {}
    for name in ("package_name", "user_name", "role_name", ":operation"):
        values[name] = ctx.form.text(name)
        if not values[name]:
            raise BadRequest(f"{name} is required")
    package, user_name, role_name = values["package_name"], values["user_name"], values["role_name"]
    _require_owner(ctx, package)
    check_csrf(ctx)
    require_confirmed(ctx)
    if ctx.store.get_project(package) is None:
        raise NotFound(f"No package named {package!r}")
    if role_name not in GRANTABLE:
        raise BadRequest("role_name not Owner or Maintainer")
    if ctx.store.get_user(user_name) is None:
        raise BadRequest("user doesn't exist")
    if values[":operation"] == "Add Role":
        if ctx.store.has_role(user_name, package, role_name):
            raise BadRequest("user has that role already")
        try:
            ctx.store.add_role(ctx.actor, role_name, user_name, package)
        except RoleExists:
            raise BadRequest("user has that role already") from None
        return role_form(ctx, note="Role Added OK")
    held = {(r.role_name, r.user_name) for r in ctx.store.roles_for_project(package)}
    if (role_name, user_name) not in held:
        raise BadRequest("user doesn't have that role")
    if user_name == ctx.user and not any(r == OWNER and u != ctx.user for r, u in held):
        raise BadRequest("You can't remove yourself as the last owner; remove the package instead")
    try:
        ctx.store.remove_role(ctx.actor, role_name, user_name, package)
    except NoSuchRole:
        raise BadRequest("user doesn't have that role") from None
    if user_name == ctx.user:
        return home_page(ctx, f"You are no longer {role_name} of {package}.")
    return role_form(ctx, note="Role Removed OK")


def _require_owner(ctx: RequestContext, package: str) -> None:
    if ctx.user is None:
        raise LoginRequired("You must login to access this feature")
    allowed = ctx.store.has_role(ctx.user, package, OWNER, ADMIN) if package else _is_admin(ctx)
    if not allowed:
        raise LoginRequired("You do not have permission to change the roles of this package"
                            if package else "Only administrators may list every package here")


def _is_admin(ctx: RequestContext) -> bool:
    return ctx.user is not None and ctx.store.has_role(ctx.user, None, ADMIN)


def _gpg(ctx: RequestContext, user_name: str) -> str | None:
    user = ctx.store.get_user(user_name)
    return user.gpg_keyid if user else None
