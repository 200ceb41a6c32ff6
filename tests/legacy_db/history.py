"""Rows written the way the legacy server wrote them, one operation at a time.

Replaying operations (create a project, register a release, upload a file,
hide a release, ...) keeps the rows consistent with each other the way a real
legacy database is: autohide hides the other releases when a new one is
registered, ``_pypi_ordering`` is recomputed on every new release and never on
removal, every operation writes its journal rows with increasing ids, and a
removal leaves only its journal behind. Nothing here touches a database.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from .loose_version import legacy_orderings

# what the legacy "kind" numbers of release_dependencies mean
DEPENDENCY_KINDS = {"requires": 1, "provides": 2, "obsoletes": 3, "requires_dist": 4,
                    "provides_dist": 5, "obsoletes_dist": 6, "requires_external": 7,
                    "project_url": 8}
RELEASE_TEXT_FIELDS = ("author", "author_email", "maintainer", "maintainer_email", "home_page",
                       "license", "summary", "description", "description_html", "keywords",
                       "platform", "download_url", "requires_python")


class Who(NamedTuple):
    """The acting user and client address a journal row records (None for the command line)."""
    name: str | None
    address: str | None


@dataclass(frozen=True)
class StoredFile:
    project: str
    version: str
    filename: str
    python_version: str
    packagetype: str
    relative_path: str          # under the files directory, legacy layout
    data: bytes
    md5: str
    signature: bytes | None     # the .asc beside it, if any
    upload_time: datetime


def safe_name(name: str) -> str:
    """setuptools' safe name, lower-cased: what legacy stored as ``normalized_name``."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", name).lower()


def sha1_hex(password: str) -> str:
    return hashlib.sha1(password.encode("utf-8")).hexdigest()


class LegacyHistory:
    def __init__(self, start: datetime):
        self.now = start
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.files: dict[str, StoredFile] = {}
        self._ids: dict[str, int] = defaultdict(int)

    def tick(self, days: int = 0, minutes: int = 7) -> None:
        self.now += timedelta(days=days, minutes=minutes)

    def next_id(self, table: str) -> int:
        self._ids[table] += 1
        return self._ids[table]

    def journal(self, who: Who, name: str, version: str | None, action: str) -> None:
        self.rows["journals"].append(dict(
            name=name, version=version, action=action, submitted_date=self.now,
            submitted_by=who.name, submitted_from=who.address, id=self.next_id("journals")))

    # accounts

    def add_user(self, name: str, password: str, email: str, gpg_keyid: str | None = None,
                 last_login: datetime | None = None) -> None:
        self.rows["users"].append(dict(name=name, password=sha1_hex(password), email=email,
                                       gpg_keyid=gpg_keyid, last_login=last_login))

    # projects

    def package(self, name: str) -> dict:
        return next(row for row in self.rows["packages"] if row["name"] == name)

    def release(self, name: str, version: str) -> dict:
        return next(row for row in self.rows["releases"]
                    if (row["name"], row["version"]) == (name, version))

    def create_project(self, who: Who, name: str, autohide: bool = True, comments: bool = True,
                       hosting_mode: str = "pypi-scrape-crawl", bugtrack_url: str | None = None,
                       stable_version: str | None = None) -> None:
        self.rows["packages"].append(dict(
            name=name, stable_version=stable_version, normalized_name=safe_name(name),
            autohide=autohide, comments=comments, bugtrack_url=bugtrack_url,
            hosting_mode=hosting_mode, created=self.now))
        self.journal(who, name, None, "create")
        self.rows["roles"].append(dict(role_name="Owner", user_name=who.name, package_name=name))
        self.journal(who, name, None, f"add Owner {who.name}")
        self.tick()

    def add_role(self, who: Who, role: str, user: str, project: str) -> None:
        self.rows["roles"].append(dict(role_name=role, user_name=user, package_name=project))
        self.journal(who, project, None, f"add {role} {user}")
        self.tick()

    def new_release(self, who: Who, name: str, version: str, classifiers: tuple[str, ...] = (),
                    dependencies: tuple[tuple[str, str], ...] = (),
                    description_urls: tuple[str, ...] = (), **fields) -> None:
        """Register a new release: autohide, reordering and the ``new release`` row."""
        unknown = set(fields) - set(RELEASE_TEXT_FIELDS) - {
            "description_from_readme", "cheesecake_installability_id",
            "cheesecake_documentation_id", "cheesecake_code_kwalitee_id"}
        if unknown:
            raise TypeError(f"unknown release fields {sorted(unknown)}")
        row = dict.fromkeys(RELEASE_TEXT_FIELDS)
        row.update(description_from_readme=None, cheesecake_installability_id=None,
                   cheesecake_documentation_id=None, cheesecake_code_kwalitee_id=None)
        row.update(fields, name=name, version=version, _pypi_hidden=False, _pypi_ordering=None,
                   created=self.now)
        siblings = [r for r in self.rows["releases"] if r["name"] == name]
        if self.package(name)["autohide"]:
            for sibling in siblings:
                sibling["_pypi_hidden"] = True
        self.rows["releases"].append(row)
        self._reorder(name)
        for kind, specifier in dependencies:
            self.rows["release_dependencies"].append(dict(
                name=name, version=version, kind=DEPENDENCY_KINDS[kind], specifier=specifier))
        for url in description_urls:
            self.rows["description_urls"].append(dict(
                name=name, version=version, url=url, id=self.next_id("description_urls")))
        self._classifier_rows(name, version, classifiers)
        self.journal(who, name, version, "new release")
        self.tick(days=3)

    def _reorder(self, name: str) -> None:
        mine = [r for r in self.rows["releases"] if r["name"] == name]
        orderings = legacy_orderings(r["version"] for r in mine)
        for row in mine:
            row["_pypi_ordering"] = orderings[row["version"]]

    def _classifier_rows(self, name: str, version: str, classifiers: tuple[str, ...]) -> None:
        ids = {row["classifier"]: row["id"] for row in self.rows["trove_classifiers"]}
        for classifier in classifiers:
            self.rows["release_classifiers"].append(
                dict(name=name, version=version, trove_id=ids[classifier]))

    def update_release(self, who: Who, name: str, version: str, **fields) -> None:
        self.release(name, version).update(fields)
        self.journal(who, name, version, "update " + ", ".join(fields))
        self.tick()

    def set_hidden(self, who: Who, name: str, version: str, hidden: bool) -> None:
        self.release(name, version)["_pypi_hidden"] = hidden
        self.journal(who, name, version, "update _pypi_hidden")
        self.tick()

    def add_file(self, who: Who, name: str, version: str, filename: str, data: bytes,
                 python_version: str = "source", packagetype: str = "sdist",
                 comment_text: str | None = None, downloads: int = 0,
                 signature: bytes | None = None) -> None:
        md5 = hashlib.md5(data).hexdigest()
        self.rows["release_files"].append(dict(
            name=name, version=version, python_version=python_version, packagetype=packagetype,
            comment_text=comment_text, filename=filename, md5_digest=md5,
            upload_time=self.now, downloads=downloads))
        self.files[filename] = StoredFile(
            name, version, filename, python_version, packagetype,
            f"{python_version}/{name[0]}/{name}/{filename}", data, md5, signature, self.now)
        self.journal(who, name, version, f"add {python_version} file {filename}")
        self.tick()

    # removals: the rows go, the journal stays

    def _drop_release_rows(self, name: str, version: str) -> None:
        for table in ("release_files", "release_dependencies", "release_classifiers",
                      "description_urls", "release_urls", "releases"):
            self.rows[table] = [r for r in self.rows[table]
                                if (r["name"], r["version"]) != (name, version)]
        self.files = {f: stored for f, stored in self.files.items()
                      if (stored.project, stored.version) != (name, version)}

    def remove_release(self, who: Who, name: str, version: str) -> None:
        self._drop_release_rows(name, version)
        self.journal(who, name, version, "remove")
        self.tick()

    def remove_project(self, who: Who, name: str) -> None:
        for row in [r for r in self.rows["releases"] if r["name"] == name]:
            self._drop_release_rows(name, row["version"])
        self.rows["roles"] = [r for r in self.rows["roles"] if r["package_name"] != name]
        self.rows["packages"] = [r for r in self.rows["packages"] if r["name"] != name]
        self.journal(who, name, None, "remove")
        self.tick()
