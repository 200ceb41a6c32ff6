"""Forgotten passwords: ``forgotten_password_form``, ``forgotten_password``,
``password_reset``, ``pw_reset``, ``pw_reset_change``.

Every request path mails a one-time link ``?:action=pw_reset&otk=<key>``
valid for six hours (HEAD's flow); the store keeps only the key's SHA-256,
and using it ends every session of the account. Legacy 2010 instead set a
new password at once and mailed it in clear text, so anyone knowing an
address could change a password: we do not copy that. distutils'
``password_reset`` with only ``email`` still gets 200, or 400 "email address
unknown to me". A user whose registration is pending gets the registration
mail again instead, as in legacy.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from webob import Response

from storage_backends.errors import InvalidKey

from . import account_fields as fields
from .context import RequestContext
from .http_errors import BadRequest, MethodNotAllowed
from .mail import send_mail
from .pages import message, render
from .passwords import hash_password
from .sessions import now
from .web_accounts import _raw, send_registration_mail

RESET_LIFETIME = timedelta(hours=6)
MAX_KEY = 128


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def forgotten_password_form(ctx: RequestContext, status: int = 200,
                            note: str | None = None) -> Response:
    return render(ctx, "password_reset.html", title="Request password reset", status=status,
                  messages=[note] if note else [])


def forgotten_password(ctx: RequestContext) -> Response:
    """HEAD's request by user name (the form's second box)."""
    return password_reset(ctx)


def password_reset(ctx: RequestContext) -> Response:
    email, name = ctx.form.text("email"), ctx.form.text("name")
    if email:
        user = ctx.store.get_user_by_email(email) if len(email) <= fields.MAX_EMAIL else None
        if user is None:
            raise BadRequest("email address unknown to me")
    elif name:
        user = ctx.store.get_user(name) if len(name) <= fields.MAX_NAME else None
        if user is None:
            raise BadRequest("user name unknown to me")
    else:
        return forgotten_password_form(ctx, status=400,
                                       note="You must supply a username or password!")
    pending = ctx.store.registration_key(user.name)
    if pending is not None:
        send_registration_mail(ctx, user.name, user.email, pending.key)
        return message(ctx, "Resending registration key",
                       "Your registration is not complete yet; the confirmation email was sent "
                       "again.")
    key = secrets.token_urlsafe(32)
    ctx.store.create_reset_key(user.name, key_hash(key), now())
    link = f"{ctx.settings.base_url}?:action=pw_reset&otk={key}"
    send_mail(ctx.settings, user.email, "PyPI password change request",
              f"Someone, perhaps you, has requested that the password be changed for your\n"
              f"username, \"{user.name}\". If you wish to proceed with the change, please\n"
              f"follow the link below:\n\n  {link}\n\n"
              f"The link is valid for {int(RESET_LIFETIME.total_seconds() // 3600)} hours. "
              "You should ignore this email if you did not ask for it.\n")
    return message(ctx, "Email sent to confirm password change",
                   "Follow the link in the email to choose a new password.")


def pw_reset(ctx: RequestContext) -> Response:
    key = _valid_key(ctx)
    return render(ctx, "password_reset_change.html", title="Choose a new password", otk=key)


def pw_reset_change(ctx: RequestContext) -> Response:
    if ctx.request.method != "POST":
        raise MethodNotAllowed("Use the form to change the password")
    key = _valid_key(ctx)
    name = ctx.store.reset_key_user(key_hash(key), now() - RESET_LIFETIME)
    try:
        password = fields.check_new_password(_raw(ctx.form, "password"),
                                             _raw(ctx.form, "confirm"), name)
    except BadRequest as err:
        return render(ctx, "password_reset_change.html", title="Choose a new password",
                      otk=key, status=400, messages=[err.message])
    try:
        ctx.store.reset_password(key_hash(key), now() - RESET_LIFETIME, hash_password(password))
    except InvalidKey:
        raise BadRequest("invalid password reset token") from None
    if ctx.user == name:
        ctx.user, ctx.session_token, ctx.logged_in = None, None, False
    return message(ctx, "Password has been reset", "You may log in with the new password now.")


def _valid_key(ctx: RequestContext) -> str:
    key = ctx.form.text("otk")
    if not key or len(key) > MAX_KEY or \
            ctx.store.reset_key_user(key_hash(key), now() - RESET_LIFETIME) is None:
        raise BadRequest("invalid password reset token")
    return key
