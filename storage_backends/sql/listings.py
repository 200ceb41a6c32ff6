"""The web UI's listings in the SQL store: latest releases, newest projects, classifier tallies."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, false, or_, select

from ..errors import UnknownClassifier
from ..listings import classifier_paths, tally
from ..records import Project, Release
from .projects import project_record
from .tables import journals, packages, release_classifiers, releases, trove_classifiers

NEW_RELEASE = "new release"


class ListingsMixin:

    def latest_releases(self, limit: int = 40) -> list[tuple[Release, datetime]]:
        """Walks the journal newest first along its primary key, a page at a time, so
        the cost follows the releases shown, not the size of the journal (a join
        would let the database start from the releases instead)."""
        page = (select(journals.c.id, journals.c.name, journals.c.version,
                       journals.c.submitted_date)
                .where(journals.c.action == NEW_RELEASE, journals.c.version.is_not(None))
                .order_by(journals.c.id.desc()).limit(limit * 4))
        found: list[tuple[Release, datetime]] = []
        seen: set[tuple[str, str]] = set()
        with self._read() as conn:
            before = None
            while len(found) < limit:
                rows = conn.execute(page if before is None
                                    else page.where(journals.c.id < before)).all()
                for row in rows:
                    if (row.name, row.version) in seen or len(found) == limit:
                        continue
                    seen.add((row.name, row.version))
                    loaded = self._load_releases(conn, row.name, row.version)
                    if loaded and not loaded[0].hidden:    # removed or hidden since: skipped
                        found.append((loaded[0], row.submitted_date))
                if len(rows) < limit * 4:
                    break
                before = rows[-1].id
        return found

    def newest_projects(self, limit: int = 40) -> list[Project]:
        query = (select(packages).where(packages.c.created.is_not(None))
                 .order_by(packages.c.created.desc(), packages.c.name).limit(limit))
        with self._read() as conn:
            return [project_record(row) for row in conn.execute(query)]

    def classifier_ids(self) -> dict[str, int]:
        with self._read() as conn:
            return dict(conn.execute(select(trove_classifiers.c.classifier,
                                            trove_classifiers.c.id)).all())

    def classifier_tally(self, selected: list[str] | tuple[str, ...]) -> dict[str, int]:
        visible = or_(releases.c._pypi_hidden == false(), releases.c._pypi_hidden.is_(None))
        query = (select(release_classifiers.c.name, release_classifiers.c.version,
                        trove_classifiers.c.classifier)
                 .join(trove_classifiers, trove_classifiers.c.id == release_classifiers.c.trove_id)
                 .join(releases, and_(releases.c.name == release_classifiers.c.name,
                                      releases.c.version == release_classifiers.c.version))
                 .where(visible))
        with self._read() as conn:
            known = set(conn.execute(select(trove_classifiers.c.classifier)).scalars())
            for classifier in selected:
                if classifier not in known:
                    raise UnknownClassifier(classifier)
            carried: dict[tuple[str, str], set[str]] = {}
            for row in conn.execute(query):
                carried.setdefault((row.name, row.version), set()).update(classifier_paths(row.classifier))
        return tally(list(carried.values()), selected, known)
