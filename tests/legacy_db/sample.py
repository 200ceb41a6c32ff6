"""The legacy index the fixture loads: who did what, in order, 2008-2012.

Five live projects with mixed-case and punctuated names, versions PEP 440
does not know or spells differently (``0.1dev``, ``1.0-beta``, ``r2009``,
``2.0-rc1-final``), one project with twelve releases, hidden releases from
autohide and by hand, a removed release and a removed project that only the
journal remembers, unsalted SHA-1 passwords, a site-wide Admin, an unconfirmed
account, and the side tables (sessions, OpenID, SSH keys, ratings, cheesecake
scores, mirrors, timestamps) filled as a long-running legacy index had them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .archives import SIGNATURE, distutils_sdist, installable_sdist, setuptools_egg
from .history import LegacyHistory, Who

PASSWORDS = {"alice": "alicepw", "bob": "bobpw", "root": "rootpw", "carol": "carolpw",
             "Dave.Old": "davepw"}
EMAILS = {"alice": "alice@example.org", "bob": "Bob@Example.org", "root": "root@example.org",
          "carol": "carol@example.org", "Dave.Old": "dave@example.net"}
ADMIN = "root"
UNCONFIRMED = "carol"
UNCONFIRMED_OTK = "Xq3ZkP9aLm2Rt7Wv5Nc8Hy4Gd6Bs1Fe0"
INSTALLABLE = ("Foo_Bar", "1.0", "foo_bar")      # project, version, module pip installs
REMOVED_PROJECT = "Dead.Project"
REMOVED_RELEASE = ("py.test", "0.9.2")
COOKIES = {"0f1e2d3c4b5a69788796a5b4c3d2e1f0": "alice", "a1b2c3d4e5f60718293a4b5c6d7e8f90": "root"}

ALICE = Who("alice", "192.0.2.10")
BOB = Who("bob", "192.0.2.20")
ROOT = Who("root", "192.0.2.1")
COMMAND_LINE = Who(None, None)   # admin scripts journal with no user and no address

# (id, classifier); ids have gaps, as ids given out one by one over years do
CLASSIFIERS = (
    (5, "Development Status :: 3 - Alpha"),
    (6, "Development Status :: 4 - Beta"),
    (7, "Development Status :: 5 - Production/Stable"),
    (22, "Environment :: Web Environment"),
    (40, "Framework :: Twisted"),
    (41, "Framework :: Zope3"),
    (32, "Intended Audience :: Developers"),
    (55, "License :: OSI Approved"),
    (68, "License :: OSI Approved :: MIT License"),
    (80, "License :: OSI Approved :: Zope Public License"),
    (160, "Operating System :: OS Independent"),
    (214, "Programming Language :: Python"),
    (215, "Programming Language :: Python :: 2"),
    (216, "Programming Language :: Python :: 2.6"),
    (535, "Programming Language :: Python :: 3"),
    (319, "Topic :: Internet"),
    (320, "Topic :: Internet :: WWW/HTTP"),
    (321, "Topic :: Internet :: WWW/HTTP :: Dynamic Content"),
    (322, "Topic :: Internet :: WWW/HTTP :: Dynamic Content :: CGI Tools/Libraries"),
    (400, "Topic :: Software Development"),
    (401, "Topic :: Software Development :: Libraries"),
    (402, "Topic :: Software Development :: Libraries :: Python Modules"),
    (410, "Topic :: Software Development :: Testing"),
)

ZOPE_DESCRIPTION = """\
Zope.Interface
==============

Interfaces for Python: a way to say what an object provides.

See the `documentation`_ and the `change log <http://docs.example.org/zope.interface/changes.html>`_.

.. _documentation: http://docs.example.org/zope.interface/

Features
--------

* interface declarations
* adapters & utilities
"""
ZOPE_HTML = """\
<p>Interfaces for Python: a way to say what an object provides.</p>
<p>See the <a class="reference external" href="http://docs.example.org/zope.interface/">\
documentation</a> and the <a class="reference external" \
href="http://docs.example.org/zope.interface/changes.html">change log</a>.</p>
<div class="section" id="features">
<h2>Features</h2>
<ul class="simple">
<li>interface declarations</li>
<li>adapters &amp; utilities</li>
</ul>
</div>
"""
ZOPE_URLS = ("http://docs.example.org/zope.interface/",
             "http://docs.example.org/zope.interface/changes.html")
# a description docutils rejected: legacy kept it escaped inside <PRE>
TWISTED_BROKEN = "Twisted\n=====\n\nEvent-driven networking for Python <2.7 `unclosed link\n"
TWISTED_BROKEN_HTML = ("<PRE>Twisted\n=====\n\nEvent-driven networking for Python &lt;2.7 "
                       "`unclosed link\n</PRE>")
ZOPE_CLASSIFIERS = ("Development Status :: 5 - Production/Stable", "Framework :: Zope3",
                    "License :: OSI Approved :: Zope Public License",
                    "Programming Language :: Python", "Programming Language :: Python :: 2.6",
                    "Topic :: Software Development :: Libraries :: Python Modules")
# every dependency kind; project_url holds "Label, URL"
ZOPE_DEPENDENCIES = (("requires", "setuptools"), ("provides", "zope.interface"),
                     ("obsoletes", "Zope.Interface.Old (<3.0)"),
                     ("requires_dist", "zope.event (>=3.4)"), ("provides_dist", "zope.interface"),
                     ("obsoletes_dist", "ZopeInterface"), ("requires_external", "libc6 (>=2.7)"),
                     ("project_url", "Bug Tracker, http://bugs.example.org/zope.interface"))
ZOPE_VERSIONS = ("3.3.0", "3.4.0", "3.4.1", "3.5.0", "3.5.1", "3.5.2", "3.5.3", "3.6.0",
                 "3.6.1", "3.6.2", "3.6.3", "3.6.4")


@dataclass(frozen=True)
class SampleFacts:
    """What the history leaves for tests that the rows alone do not say plainly."""
    passwords: dict[str, str]
    emails: dict[str, str]
    admin: str
    unconfirmed_user: str
    unconfirmed_otk: str
    installable: tuple[str, str, str]
    removed_project: str
    removed_release: tuple[str, str]
    cookies: dict[str, str]


def classifier_rows() -> list[dict]:
    """trove_classifiers rows with l2..l5: ancestor ids by depth, own id at own depth, else 0."""
    ids = {classifier: ident for ident, classifier in CLASSIFIERS}
    rows = []
    for ident, classifier in CLASSIFIERS:
        levels = classifier.split(" :: ")
        row = dict(id=ident, classifier=classifier)
        for depth in range(2, 6):
            row[f"l{depth}"] = ids[" :: ".join(levels[:depth])] if depth <= len(levels) else 0
        rows.append(row)
    return rows


def build_history() -> tuple[LegacyHistory, SampleFacts]:
    history = LegacyHistory(datetime(2008, 1, 15, 9, 30, 0))
    _accounts(history)
    history.rows["trove_classifiers"] = classifier_rows()
    _cheesecake(history)
    _projects(history)
    _side_tables(history)
    history.rows["browse_tally"] = _browse_tally(history)
    facts = SampleFacts(PASSWORDS, EMAILS, ADMIN, UNCONFIRMED, UNCONFIRMED_OTK, INSTALLABLE,
                        REMOVED_PROJECT, REMOVED_RELEASE, COOKIES)
    return history, facts


def _accounts(history: LegacyHistory) -> None:
    logins = {"alice": datetime(2012, 5, 2, 8, 1, 0), "bob": datetime(2011, 11, 30, 17, 45, 12),
              "root": datetime(2012, 5, 3, 10, 0, 0)}
    for name, password in PASSWORDS.items():
        history.add_user(name, password, EMAILS[name],
                         gpg_keyid="0123ABCD" if name == "alice" else None,
                         last_login=logins.get(name))
    # site-wide Admin: a role row without a project, written straight into the database
    history.rows["roles"].append(dict(role_name="Admin", user_name=ADMIN, package_name=None))
    history.rows["rego_otk"].append(dict(name=UNCONFIRMED, otk=UNCONFIRMED_OTK,
                                         date=datetime(2012, 5, 1, 12, 0, 0)))


def _cheesecake(history: LegacyHistory) -> None:
    for ident, absolute, relative in ((1, 120, 60), (2, 250, 83), (3, 90, 45)):
        history.rows["cheesecake_main_indices"].append(
            dict(id=ident, absolute=absolute, relative=relative))
    history.rows["cheesecake_subindices"] += [
        dict(main_index_id=1, name="unpack", value=25, details="package unpacks fine"),
        dict(main_index_id=1, name="install", value=50, details="installs with setup.py"),
        dict(main_index_id=2, name="docstrings", value=200, details="80% of objects documented"),
        dict(main_index_id=3, name="pylint", value=90, details="score 6.1/10"),
    ]


def _zope_release(history: LegacyHistory, version: str, **extra) -> None:
    history.new_release(ALICE, "Zope.Interface", version, author="Zope Corporation",
                        author_email="zope-dev@example.org", home_page="http://zope.example.org/",
                        license="ZPL 2.1", summary=f"Interfaces for Python ({version})",
                        keywords="zope interface components", platform="UNKNOWN",
                        download_url="UNKNOWN", **extra)


def _projects(history: LegacyHistory) -> None:
    history.create_project(ALICE, "Zope.Interface", stable_version="3.4.1")
    history.add_role(ALICE, "Maintainer", "bob", "Zope.Interface")
    for version in ZOPE_VERSIONS[:3]:
        _zope_release(history, version)
    history.add_file(ALICE, "Zope.Interface", "3.3.0", "zope.interface-3.3.0.tar.gz",
                     distutils_sdist("zope.interface-3.3.0.tar.gz", "zope.interface", "3.3.0",
                                     "zope_interface"), downloads=5412)

    history.create_project(BOB, "Foo_Bar", autohide=False, hosting_mode="pypi-explicit")
    history.new_release(BOB, "Foo_Bar", "0.1dev", author="Jürgen Müller",
                        author_email="juergen@example.org", summary="Foo, Bar & friends",
                        license="MIT", platform="any", keywords="foo,bar")
    history.add_file(BOB, "Foo_Bar", "0.1dev", "Foo_Bar-0.1dev.zip",
                     distutils_sdist("Foo_Bar-0.1dev.zip", "Foo_Bar", "0.1dev", "foo_bar"),
                     comment_text="first snapshot", downloads=17)
    history.new_release(BOB, "Foo_Bar", "0.1", author="Jürgen Müller", summary="Foo, Bar & friends")

    history.create_project(ALICE, "MixedCase-Pkg")
    history.new_release(ALICE, "MixedCase-Pkg", "r2009", summary="Versions named by year",
                        home_page="http://svn.example.org/mixedcase/", platform="Linux, Windows")
    history.add_file(ALICE, "MixedCase-Pkg", "r2009", "MixedCase-Pkg-r2009.tar.gz",
                     distutils_sdist("MixedCase-Pkg-r2009.tar.gz", "MixedCase-Pkg", "r2009",
                                     "mixedcase"))

    history.create_project(BOB, "Twisted", bugtrack_url="http://bugs.example.org/twisted/")
    history.new_release(BOB, "Twisted", "8.2.0", author="Glyph Lefkowitz",
                        summary="An asynchronous networking framework", license="MIT",
                        description=TWISTED_BROKEN, description_html=TWISTED_BROKEN_HTML,
                        classifiers=("Framework :: Twisted", "Operating System :: OS Independent"),
                        cheesecake_installability_id=1, cheesecake_documentation_id=2,
                        cheesecake_code_kwalitee_id=3)
    history.add_file(BOB, "Twisted", "8.2.0", "Twisted-8.2.0-py2.5-win32.egg",
                     setuptools_egg("Twisted", "8.2.0", "twisted"), python_version="2.5",
                     packagetype="bdist_egg", comment_text="Windows egg", downloads=20311)
    history.add_role(COMMAND_LINE, "Maintainer", "Dave.Old", "Twisted")

    for version in ZOPE_VERSIONS[3:7]:
        _zope_release(history, version)
    history.new_release(BOB, "Foo_Bar", "1.0-beta", author="Jürgen Müller",
                        summary="Foo, Bar & friends", description_from_readme=False)
    history.set_hidden(BOB, "Foo_Bar", "0.1dev", True)

    history.create_project(ALICE, "py.test", comments=False)
    history.add_role(ALICE, "Maintainer", "bob", "py.test")
    for version in ("0.9.2", "1.0.0b1", "1.0.0"):
        history.new_release(ALICE, "py.test", version, summary="Testing made simple",
                            home_page="http://pytest.example.org/", license="MIT")
    history.add_file(ALICE, "py.test", "0.9.2", "py.test-0.9.2.tar.gz",
                     distutils_sdist("py.test-0.9.2.tar.gz", "py.test", "0.9.2", "pytest_old"))

    history.new_release(BOB, "Twisted", "10.0.0", summary="An asynchronous networking framework")
    history.new_release(BOB, "Twisted", "10.1.0", summary="An asynchronous networking framework",
                        classifiers=("Framework :: Twisted", "License :: OSI Approved :: MIT License",
                                     "Topic :: Internet :: WWW/HTTP :: Dynamic Content :: "
                                     "CGI Tools/Libraries"),
                        dependencies=(("requires", "Zope.Interface"),
                                      ("requires_dist", "zope.interface (>=3.6)")))
    history.add_file(BOB, "Twisted", "10.1.0", "Twisted-10.1.0.tar.bz2",
                     distutils_sdist("Twisted-10.1.0.tar.bz2", "Twisted", "10.1.0", "twisted"),
                     downloads=88123)
    # a maintenance release registered last: autohide hides the newer 10.x
    history.new_release(BOB, "Twisted", "8.2.1", summary="An asynchronous networking framework",
                        classifiers=("Framework :: Twisted",))

    history.create_project(BOB, REMOVED_PROJECT)
    history.new_release(BOB, REMOVED_PROJECT, "0.1", summary="Soon gone")
    history.add_file(BOB, REMOVED_PROJECT, "0.1", "Dead.Project-0.1.tar.gz",
                     distutils_sdist("Dead.Project-0.1.tar.gz", REMOVED_PROJECT, "0.1", "dead"))
    history.remove_project(BOB, REMOVED_PROJECT)

    for version in ZOPE_VERSIONS[7:-1]:
        _zope_release(history, version)
    _zope_release(history, "3.6.4", classifiers=ZOPE_CLASSIFIERS, dependencies=ZOPE_DEPENDENCIES)
    history.update_release(ALICE, "Zope.Interface", "3.6.4", description=ZOPE_DESCRIPTION,
                           requires_python=">=2.4")
    # rendered and scanned for links whenever the description changed
    history.release("Zope.Interface", "3.6.4")["description_html"] = ZOPE_HTML
    history.rows["description_urls"] += [
        dict(name="Zope.Interface", version="3.6.4", url=url, id=history.next_id("description_urls"))
        for url in ZOPE_URLS]
    sdist = "zope.interface-3.6.4.tar.gz"
    history.add_file(ALICE, "Zope.Interface", "3.6.4", sdist,
                     distutils_sdist(sdist, "zope.interface", "3.6.4", "zope_interface"),
                     downloads=1203)
    history.add_file(ALICE, "Zope.Interface", "3.6.4", "zope.interface-3.6.4-py2.6-linux-i686.egg",
                     setuptools_egg("zope.interface", "3.6.4", "zope_interface"),
                     python_version="2.6", packagetype="bdist_egg")
    history.journal(ALICE, "Zope.Interface", None, "docupdate")
    history.tick()

    history.new_release(ALICE, "py.test", "2.0-rc1-final", summary="Testing made simple",
                        description_from_readme=True,
                        classifiers=("Development Status :: 3 - Alpha",
                                     "Intended Audience :: Developers",
                                     "Topic :: Software Development :: Testing"))
    history.add_file(BOB, "py.test", "2.0-rc1-final", "py.test-2.0-rc1-final.tar.gz",
                     distutils_sdist("py.test-2.0-rc1-final.tar.gz", "py.test", "2.0-rc1-final",
                                     "pytest_new"))
    history.remove_release(ALICE, *REMOVED_RELEASE)

    name, version, module = INSTALLABLE
    history.new_release(BOB, name, version, author="Jürgen Müller", summary="Foo, Bar & friends",
                        license="MIT", home_page="http://foobar.example.org/",
                        classifiers=("Development Status :: 4 - Beta",
                                     "License :: OSI Approved :: MIT License",
                                     "Programming Language :: Python :: 3",
                                     "Topic :: Software Development :: Libraries"),
                        dependencies=(("project_url", "Repository, http://hg.example.org/foo_bar"),
                                      ("provides", "foo_bar")))
    filename, data = installable_sdist(name, version, module)
    history.add_file(BOB, name, version, filename, data, downloads=3,
                     signature=SIGNATURE.encode())
    # the rename rewrote the project's journal names; only this row remembers the old one
    history.journal(ROOT, "MixedCase-Pkg", None, "rename from Mixedcase_Pkg")
    history.tick()


def _side_tables(history: LegacyHistory) -> None:
    rows = history.rows
    rows["cookies"] += [dict(cookie=cookie, name=user, last_seen=datetime(2012, 5, 3, 9, 59, 0))
                        for cookie, user in COOKIES.items()]
    rows["csrf_tokens"].append(dict(name="alice", token="c2VjcmV0LWNzcmYtdG9rZW4",
                                    end_date=datetime(2012, 5, 4, 9, 59, 0)))
    rows["sshkeys"].append(dict(id=1, name="alice",
                                key="ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 alice@laptop"))
    rows["openids"].append(dict(id="https://openid.example.org/alice", name="alice"))
    rows["openid_sessions"].append(dict(id=1, url="https://openid.example.org/server",
                                        assoc_handle="{HMAC-SHA1}{4c0e4d2a}{abcdef==}",
                                        expires=datetime(2012, 5, 10, 0, 0, 0),
                                        mac_key="bWFjLWtleQ=="))
    rows["openid_nonces"].append(dict(created=datetime(2012, 5, 3, 9, 0, 0), nonce="n0nce-1"))
    rows["ratings"].append(dict(id=1, name="Twisted", version="8.2.0", user_name="alice",
                                date=datetime(2009, 3, 1, 10, 0, 0), rating=5))
    rows["comments"] += [
        dict(id=1, rating=1, user_name="alice", date=datetime(2009, 3, 1, 10, 0, 0),
             message="Works well.", in_reply_to=None),
        dict(id=2, rating=1, user_name="bob", date=datetime(2009, 3, 2, 8, 0, 0),
             message="Thanks!", in_reply_to=1)]
    rows["comments_journal"] += [
        dict(name="Twisted", version="8.2.0", id=1, submitted_by="alice",
             date=datetime(2009, 3, 1, 10, 0, 0), action="add_rating 'Works well.'"),
        dict(name="Twisted", version="8.2.0", id=2, submitted_by="bob",
             date=datetime(2009, 3, 2, 8, 0, 0), action="add 1 'Thanks!'")]
    rows["mirrors"] += [
        dict(ip="mirror1.example.org", user_name="root", index_url=None, last_modified_url=None,
             local_stats_url=None, stats_url=None, mirrors_url=None),
        dict(ip="192.0.2.50", user_name="alice", index_url="http://192.0.2.50/simple/",
             last_modified_url="http://192.0.2.50/last-modified",
             local_stats_url="http://192.0.2.50/local-stats/",
             stats_url="http://192.0.2.50/stats/", mirrors_url="http://192.0.2.50/mirrors")]
    rows["timestamps"] += [dict(name="http", value=datetime(2012, 5, 3, 0, 0, 0)),
                           dict(name="ftp", value=datetime(1970, 1, 1, 0, 0, 0)),
                           dict(name="browse_tally", value=datetime(2012, 5, 3, 9, 50, 0))]
    rows["dual"].append(dict(dummy=1))


def _browse_tally(history: LegacyHistory) -> list[dict]:
    """Per depth-2 classifier, the number of visible releases carrying it or a descendant."""
    l2_of = {row["id"]: row["l2"] for row in history.rows["trove_classifiers"]}
    visible = {(r["name"], r["version"]) for r in history.rows["releases"] if not r["_pypi_hidden"]}
    releases_per_l2: dict[int, set] = {}
    for row in history.rows["release_classifiers"]:
        if (row["name"], row["version"]) in visible:
            releases_per_l2.setdefault(l2_of[row["trove_id"]], set()).add(
                (row["name"], row["version"]))
    return [dict(trove_id=l2, tally=len(found)) for l2, found in sorted(releases_per_l2.items())]
