"""Accounts: ``register_form``, ``user_form``, ``user`` (register, confirm, update) and
``delete_user``.

Registration stores the account with a one-time key and mails the link
``<base url>?:action=user&otk=<key>``; following it confirms the account (the
intended 2010 behaviour, not its bug of accepting any key). Until then every
write action refuses the account (``web_guard.require_confirmed``).
"""
from __future__ import annotations

import secrets
import string
from datetime import timedelta

from webob import Response

from storage_backends.errors import EmailExists, UserExists, UserOwnsProjects
from storage_backends.records import ADMIN

from . import account_fields as fields
from . import sessions
from .context import RequestContext
from .http_errors import BadRequest, Forbidden, LoginRequired
from .mail import send_mail
from .pages import message, render
from .passwords import hash_password
from .web_sessions import home_page

OTK_LIFETIME = timedelta(days=7)
_OTK_ALPHABET = string.ascii_letters + string.digits


def register_form(ctx: RequestContext) -> Response:
    if ctx.user is not None:
        return user_form(ctx)
    return render(ctx, "register.html", title="Manual user registration", profile=None,
                  nav_current="register_form")


def user_form(ctx: RequestContext) -> Response:
    if ctx.user is None:
        raise LoginRequired("You must authenticate")
    return render(ctx, "register.html", title="User profile", profile=ctx.store.get_user(ctx.user))


def user(ctx: RequestContext) -> Response:
    if "otk" in ctx.form:
        return _confirm(ctx)
    if ctx.user is None:
        return _register(ctx)
    return _update(ctx)


def _confirm(ctx: RequestContext) -> Response:
    otk = ctx.form.text("otk")
    name = ctx.store.confirm_registration(otk, sessions.now() - OTK_LIFETIME) \
        if otk and len(otk) <= 64 else None
    if name is None:
        return message(ctx, "Error", "One Time Key invalid (or expired).", status=400)
    return message(ctx, "Registration complete",
                   f"You are now registered as {name}. You may log in now.")


def _register(ctx: RequestContext) -> Response:
    form = ctx.form
    email = fields.check_email(form.text("email")) if form.text("email") else ""
    gpg_keyid = fields.check_gpg_keyid(form.text("gpg_keyid"))
    name = form.text("name")
    if not name:
        raise BadRequest("name is required")
    if not email:
        raise BadRequest("email is required")
    password = fields.check_new_password(_raw(form, "password"), _raw(form, "confirm"), name)
    fields.check_user_name(name)
    if ctx.store.get_user(name) is not None:
        raise BadRequest(f'user "{name}" already exists')
    if "agree_shown" in form and "agree" not in form:
        raise BadRequest("You need to confirm the usage agreement.")
    otk = "".join(secrets.choice(_OTK_ALPHABET) for _ in range(32))
    try:
        ctx.store.register_user(name, email, hash_password(password), otk, sessions.now(),
                                gpg_keyid=gpg_keyid)
    except UserExists:
        raise BadRequest(f'user "{name}" already exists') from None
    except EmailExists as err:
        raise BadRequest(f"You have already registered as user {err.existing}") from None
    send_registration_mail(ctx, name, email, otk)
    return message(ctx, "Registration OK", "You should receive a confirmation email shortly.")


def send_registration_mail(ctx: RequestContext, name: str, email: str, otk: str) -> None:
    link = f"{ctx.settings.base_url}?:action=user&otk={otk}"
    send_mail(ctx.settings, email, "Complete your PyPI registration",
              f"To complete your registration of the user \"{name}\" with the Python\n"
              f"Package Index, please visit the following URL:\n\n  {link}\n\n"
              f"The link is valid for {OTK_LIFETIME.days} days.\n")


def _update(ctx: RequestContext) -> Response:
    sessions.check_csrf(ctx)
    form = ctx.form
    email = form.text("email")
    if not email:
        raise BadRequest("Clearing the email address is not allowed")
    fields.check_email(email)
    gpg_keyid = fields.check_gpg_keyid(form.text("gpg_keyid"))
    password = _raw(form, "password")
    if password or _raw(form, "confirm"):
        fields.check_new_password(password, _raw(form, "confirm"), ctx.user)
    ctx.store.update_user(ctx.user, email, gpg_keyid)
    if password:
        ctx.store.set_password_hash(ctx.user, hash_password(password))
        keep = sessions.stored_key(ctx.session_token) if ctx.session_token else None
        ctx.store.delete_user_sessions(ctx.user, keep=keep)
    return message(ctx, "Details updated OK", "Your details were updated.")


def delete_user(ctx: RequestContext) -> Response:
    if ctx.user is None:
        raise LoginRequired("You must authenticate")
    target = ctx.form.text("name") or ctx.user
    if target != ctx.user and not ctx.store.has_role(ctx.user, None, ADMIN):
        raise Forbidden("Only administrators may delete other accounts")
    if ctx.store.get_user(target) is None:
        raise BadRequest(f"user {target!r} doesn't exist")
    if "submit_ok" not in ctx.form:
        return render(ctx, "dialog.html", title=f"Confirm deletion of the account {target}",
                      warning=f"The account {target} will be deleted, with its roles on every "
                              "package. This cannot be undone.",
                      action="delete_user", hidden=[("name", target)])
    sessions.check_csrf(ctx)
    try:
        ctx.store.delete_user(ctx.actor, target)
    except UserOwnsProjects as err:
        raise BadRequest(f"{target} is the only Owner of {', '.join(err.projects)}: add another "
                         "Owner or remove those packages first") from None
    if target == ctx.user:
        ctx.user, ctx.session_token, ctx.logged_in = None, None, False
    return home_page(ctx, f"The account {target} was deleted.")


def _raw(form, name: str) -> str:
    """A password field as typed (not stripped: spaces are part of a password)."""
    value = form.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"{name}: expected a text field, got a file")
    return value

