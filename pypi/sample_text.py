"""Made-up words, names, versions and metadata for the sample index (``pypi.sample``).

Words are built from syllables, so nothing here names a real person or project.
Every function takes the caller's ``random.Random`` and uses no other state.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime

from storage_backends.records import ReleaseMetadata

SYLLABLES = (
    "ba", "ko", "ri", "ten", "sol", "vi", "mar", "del", "qua", "zen", "lu", "fer", "nox", "pi",
    "dra", "gon", "tal", "mi", "sen", "or", "ex", "ly", "cor", "an", "ti", "pra", "vel", "um",
    "ra", "bis", "jo", "kel", "ost", "wen", "ya", "hu", "chi", "lo", "ne", "sta", "tor", "ga",
    "fi", "rem", "cas", "bo", "du", "ix", "sky", "pol", "mun", "tra", "zo", "ber", "lin", "quo",
)
PREFIXES = ("py", "django-", "flask-", "pytest-", "sphinxcontrib-", "collective.", "zope.",
            "plone.", "types-", "odoo-addon-", "ckanext-", "mkdocs-")
SUFFIXES = ("py", "-utils", "-client", "-tools", "_lib", ".core", "-sdk", "-cli", "2", "3")
LICENSES = ("MIT", "BSD", "Apache 2.0", "GPL", "GPLv3", "LGPL", "MPL-2.0", "ZPL 2.1", "UNKNOWN")
LICENSE_CLASSIFIERS = {
    "MIT": "License :: OSI Approved :: MIT License",
    "BSD": "License :: OSI Approved :: BSD License",
    "Apache 2.0": "License :: OSI Approved :: Apache Software License",
    "GPL": "License :: OSI Approved :: GNU General Public License (GPL)",
    "GPLv3": "License :: OSI Approved :: GNU General Public License v3 (GPLv3)",
    "LGPL": "License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)",
    "MPL-2.0": "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)",
    "ZPL 2.1": "License :: OSI Approved :: Zope Public License",
}
TOPICS = (
    "Topic :: Software Development :: Libraries :: Python Modules",
    "Topic :: Internet :: WWW/HTTP", "Topic :: Internet :: WWW/HTTP :: Dynamic Content",
    "Topic :: Scientific/Engineering", "Topic :: System :: Systems Administration",
    "Topic :: Utilities", "Topic :: Text Processing :: Markup", "Topic :: Database",
    "Topic :: Software Development :: Testing", "Topic :: Multimedia :: Sound/Audio",
    "Framework :: Django", "Framework :: Flask", "Framework :: Pytest", "Framework :: Plone",
    "Environment :: Console", "Environment :: Web Environment", "Natural Language :: English",
    "Operating System :: OS Independent", "Operating System :: POSIX :: Linux",
    "Intended Audience :: Developers", "Intended Audience :: Science/Research",
    "Intended Audience :: System Administrators",
)
STATUSES = ("Development Status :: 2 - Pre-Alpha", "Development Status :: 3 - Alpha",
            "Development Status :: 4 - Beta", "Development Status :: 5 - Production/Stable",
            "Development Status :: 6 - Mature", "Development Status :: 7 - Inactive")
PYTHONS = ("2.4", "2.5", "2.6", "2.7", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10",
           "3.11", "3.12")
LEGACY_SUFFIXES = ("-beta", "-alpha", "dev", "-rc1", "g", "b", "-final", "-SNAPSHOT", "_1", "pre",
                   "-dev-r42", ".x")
EXTRAS = ("test", "docs", "dev", "all")


def every_classifier() -> set[str]:
    """Every classifier the sample can use (``initdb`` loads them all)."""
    return (set(LICENSE_CLASSIFIERS.values()) | set(TOPICS) | set(STATUSES)
            | {"Programming Language :: Python", "Programming Language :: Python :: 3"}
            | {f"Programming Language :: Python :: {v}" for v in PYTHONS})


def syllable(rng: random.Random) -> str:
    return rng.choice(SYLLABLES)


def _between(rng: random.Random, low: int, high: int) -> int:
    """``randint``'s range, cheaper (millions of calls per load)."""
    return low + int(rng.random() * (high - low + 1))


def word(rng: random.Random, low: int = 2, high: int = 3) -> str:
    return "".join(rng.choices(SYLLABLES, k=_between(rng, low, high)))


def sentence(rng: random.Random, low: int, high: int) -> str:
    count = _between(rng, low, high)
    lengths = rng.choices((1, 2, 2, 3), k=count)
    syllables = iter(rng.choices(SYLLABLES, k=sum(lengths)))
    words = ["".join(next(syllables) for _ in range(n)) for n in lengths]
    return " ".join(words).capitalize()


def project_name(rng: random.Random) -> str:
    """Shapes seen on the index: ``word``, ``word-word``, ``Word.Word``, ``CamelCase``, ..."""
    shape = rng.choices(range(9), weights=(24, 24, 9, 8, 9, 9, 7, 5, 5))[0]
    a, b = word(rng), word(rng)
    if shape == 0:
        return a
    if shape == 1:
        return f"{a}-{b}"
    if shape == 2:
        return f"{a}_{b}"
    if shape == 3:
        return f"{a.capitalize()}.{b.capitalize()}" if rng.random() < 0.5 else f"{a}.{b}"
    if shape == 4:
        return a.capitalize() + b.capitalize()
    if shape == 5:
        return rng.choice(PREFIXES) + a
    if shape == 6:
        return a + rng.choice(SUFFIXES)
    if shape == 7:
        return f"{a}-{b}-{word(rng)}"
    return f"{a.upper()}_{b.capitalize()}-{word(rng)}"


def user_name(rng: random.Random) -> str:
    """Account names: letters, digits, ``_`` and ``.`` (never ``-``, as registration demands)."""
    shape = rng.randrange(5)
    a = word(rng)
    if shape == 0:
        return a
    if shape == 1:
        return f"{a}{rng.randrange(10, 100)}"
    if shape == 2:
        return f"{a}_{word(rng)}"
    if shape == 3:
        return f"{a.capitalize()}{word(rng).capitalize()}"
    return f"{a}.{word(rng, 1, 2)}"


def person(rng: random.Random) -> str:
    return f"{word(rng).capitalize()} {word(rng).capitalize()}"


def address(rng: random.Random) -> str:
    """An address from the documentation ranges."""
    if rng.random() < 0.1:
        return f"2001:db8::{rng.randrange(1, 0xffff):x}"
    net = rng.choice(("192.0.2", "198.51.100", "203.0.113"))
    return f"{net}.{rng.randrange(1, 255)}"


@dataclass(frozen=True)
class Profile:
    """What stays the same across a project's releases."""
    name: str
    author: str | None
    author_email: str | None
    home_page: str | None
    license: str | None
    topics: tuple[str, ...]
    keywords: str | None
    markup: str        # "rst", "md" or "plain"
    summary: str
    description: str   # each release adds a line of changes


def _host(name: str) -> str:
    return re.sub(r"[._]+", "-", name.lower())


def project_profile(rng: random.Random, name: str, owner: str) -> Profile:
    author = person(rng) if rng.random() < 0.85 else None
    email = (f"{author.split()[0].lower()}@example.{rng.choice(('org', 'com', 'net'))}"
             if author and rng.random() < 0.8 else None)
    home = rng.choice((f"https://{_host(name)}.example.org/",
                       f"https://code.example.com/{owner.lower()}/{name}", None))
    markup, summary = rng.choice(("rst", "rst", "md", "plain")), sentence(rng, 3, 9)
    return Profile(name, author, email, home, rng.choice(LICENSES + (None,)),
                   tuple(rng.sample(TOPICS, rng.randint(0, 4))),
                   " ".join(word(rng, 1, 2) for _ in range(rng.randint(1, 5)))
                   if rng.random() < 0.6 else None,
                   markup, summary, description(rng, name, summary, markup))


def description(rng: random.Random, name: str, summary: str, markup: str) -> str:
    """A few paragraphs, usually short, sometimes long (some projects paste their docs)."""
    paragraphs = [" ".join(sentence(rng, 5, 14) + "." for _ in range(rng.randint(1, 5)))
                  for _ in range(min(int(rng.paretovariate(1.5)), 30))]
    if markup == "rst":
        head = f"{name}\n{'=' * len(name)}\n\n{summary}\n\nUsage\n-----\n\n::\n\n    import {name}\n"
    elif markup == "md":
        head = f"# {name}\n\n{summary}\n\n## Usage\n\n```python\nimport {name}\n```\n"
    else:
        head = summary + "\n"
    return head + "\n" + "\n\n".join(paragraphs) + "\n"


def release_metadata(rng: random.Random, profile: Profile, version: str, when: datetime,
                     dependencies: list[str]) -> ReleaseMetadata:
    """Metadata as a tool of the release's year wrote it."""
    modern = when.year >= 2016
    era_pythons = [v for v in PYTHONS if (v < "3" and when.year < 2020) or
                   (v >= "3" and 2010 + int(v.split(".")[1]) // 2 <= when.year)] or ["2.7"]
    pythons = sorted(rng.sample(era_pythons, min(len(era_pythons), rng.randint(1, 4))),
                     key=lambda v: tuple(int(p) for p in v.split(".")))
    classifiers = {rng.choice(STATUSES), *profile.topics,
                   *(f"Programming Language :: Python :: {v}" for v in pythons)}
    if profile.license in LICENSE_CLASSIFIERS and rng.random() < 0.8:
        classifiers.add(LICENSE_CLASSIFIERS[profile.license])
    requires = tuple(_requirement(rng, d) for d in dependencies if rng.random() < 0.6) if modern else ()
    extras = tuple(sorted({r.split("extra == '")[1][:-1] for r in requires if "extra ==" in r}))
    urls = tuple(f"{label}, https://{_host(profile.name)}.example.org/{label.lower()}"
                 for label in ("Documentation", "Source", "Tracker") if modern and rng.random() < 0.4)
    markup = profile.markup if modern else "rst"      # legacy PyPI rendered only rst
    return ReleaseMetadata(
        metadata_version=("2.1" if rng.random() < 0.7 else "2.2") if modern else
        rng.choice(("1.0", "1.1", "1.2")),
        summary=profile.summary if rng.random() < 0.9 else sentence(rng, 3, 9),
        description=f"{profile.description}\nChanges in {version}: {sentence(rng, 4, 12)}.\n",
        description_content_type={"rst": "text/x-rst", "md": "text/markdown",
                                  "plain": "text/plain"}[markup] if modern else None,
        author=profile.author, author_email=profile.author_email, home_page=profile.home_page,
        license=profile.license, keywords=profile.keywords,
        platform=None if modern else rng.choice(("any", "UNKNOWN", None)),
        requires_python=f">={pythons[0]}" if modern and pythons[0] >= "3" else None,
        classifiers=tuple(sorted(classifiers)), requires_dist=requires,
        provides_extra=extras, project_urls=urls)


def _requirement(rng: random.Random, dependency: str) -> str:
    shape = rng.randrange(4)
    if shape == 0:
        return dependency
    if shape == 1:
        return f"{dependency}>={rng.randint(0, 2)}.{rng.randint(0, 9)}"
    if shape == 2:
        return f"{dependency}<{rng.randint(2, 9)}; python_version < \"3.8\""
    return f"{dependency}; extra == '{rng.choice(EXTRAS)}'"


class VersionState:
    """The next version of a project in one numbering habit, always increasing."""

    def __init__(self, rng: random.Random, scheme: str):
        self.rng, self.scheme = rng, scheme
        self.parts = [rng.choice((0, 0, 1)), rng.choice((0, 1, 1)), 0]
        self.year, self.month, self.serial = rng.randint(2008, 2020), 1, rng.randint(10, 3000)

    def next(self) -> str:
        rng = self.rng
        if self.scheme == "svn":
            self.serial += rng.randint(1, 300)
            return f"r{self.serial}" if rng.random() < 0.8 else f"0.{self.serial}"
        if self.scheme == "calver":
            self.month += rng.randint(1, 4)
            if self.month > 12:
                self.year, self.month = self.year + 1, self.month - 12
            return f"{self.year}.{self.month}" + (f".{rng.randint(1, 9)}" if rng.random() < 0.3 else "")
        level = rng.choices((0, 1, 2), weights=(1, 5, 14))[0]
        self.parts[level] += 1
        for lower in range(level + 1, 3):
            self.parts[lower] = 0
        base = ".".join(map(str, self.parts if self.scheme != "two-part" or level == 2 else
                            self.parts[:2]))
        if self.scheme == "legacy" and rng.random() < 0.6:
            return base + rng.choice(LEGACY_SUFFIXES)
        roll = rng.random()
        if roll < 0.08:
            return base + rng.choice(("a1", "b1", "rc1", "a2", "b2", "rc2"))
        if roll < 0.11:
            return f"{base}.dev{rng.randint(0, 5)}"
        if roll < 0.13:
            return f"{base}.post1"
        return base
