"""Sending the account mails: through ``[smtp] hostname`` when set, else into a directory.

Without an SMTP server (the embedded default, tests, a laptop) each mail is
written as one RFC 822 file into ``[smtp] maildir``, where a person or a test
can read the confirmation link. The file is written under a temporary name
and renamed, so a reader never sees half a mail.
"""
from __future__ import annotations

import os
import secrets
import smtplib
import time
from email.message import EmailMessage
from pathlib import Path


def send_mail(settings, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = settings.admin_email
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if settings.smtp_hostname:
        _send_smtp(settings, message)
    else:
        _write_file(Path(settings.mail_directory), message)


def _send_smtp(settings, message: EmailMessage) -> None:
    host, _, port = settings.smtp_hostname.partition(":")
    with smtplib.SMTP(host, int(port or 25), timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_login:
            smtp.login(settings.smtp_login, settings.smtp_password or "")
        smtp.send_message(message, from_addr=settings.admin_email)


def _write_file(directory: Path, message: EmailMessage) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns()}-{secrets.token_hex(4)}.eml"
    temporary = directory / f".{name}.tmp"
    temporary.write_bytes(bytes(message))
    os.replace(temporary, directory / name)
