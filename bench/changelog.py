"""How the mirroring calls scale: changelog pages versus the whole project list.

Claim: ``changelog_since_serial`` (XML-RPC ``changelog_since_serial``, what
bandersnatch polls) costs in proportion to the rows it returns, not to the
size of the index: the same page size takes about the same time on 10,000 and
on 100,000 projects (the journal is read through its primary key, the serial).
``list_projects`` (``list_packages_with_serial``, read once per full sync)
grows with the index, as it must.

    .venv/bin/python bench/changelog.py                       # SQLite, 10k and 100k projects
    .venv/bin/python bench/changelog.py --url postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python bench/changelog.py --sizes 1000,10000 --pages 10,100 --repeat 3

With ``--url`` the database must exist; its rows are deleted first. Without
it, each size gets an SQLite file in a temporary directory, removed at the end.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bulk_load import bulk_load  # noqa: E402
from storage_backends.sql import open_sql_store  # noqa: E402
from storage_backends.sql.tables import SERIAL_ROW_ID, metadata, pypi_serial  # noqa: E402


def timed(call, repeat: int) -> tuple[float, int]:
    """Median wall time of ``call()`` over ``repeat`` runs, and the length of its result."""
    times, rows = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = len(call())
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def empty_database(store) -> None:
    with store.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table is not pypi_serial:
                conn.execute(table.delete())
        conn.execute(pypi_serial.update().where(pypi_serial.c.id == SERIAL_ROW_ID).values(value=0))


def measure(url: str, size: int, pages: list[int], repeat: int) -> dict[str, tuple[float, int]]:
    store = open_sql_store(url, create=True)
    try:
        empty_database(store)
        start = time.perf_counter()
        last = bulk_load(store, size)
        print(f"loaded {size:>7} projects, {last} journal rows in {time.perf_counter() - start:.1f} s",
              flush=True)
        results = {}
        for page in pages:
            # the newest ``page`` rows: what a mirror that is ``page`` changes behind asks for
            results[f"changelog_since_serial(last - {page})"] = timed(
                lambda: store.changelog_since_serial(last - page), repeat)
            # a page from the middle of the journal, bounded by ``limit``
            results[f"changelog_since_serial(mid, limit={page})"] = timed(
                lambda: store.changelog_since_serial(last // 2, limit=page), repeat)
        results["list_projects()"] = timed(store.list_projects, repeat)
        return results
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="SQLAlchemy URL of an existing (scratch) database")
    parser.add_argument("--sizes", default="10000,100000", help="project counts, smallest first")
    parser.add_argument("--pages", default="100,1000,10000", help="changelog rows asked for")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    pages = [int(p) for p in args.pages.split(",")]
    by_size = {}
    with tempfile.TemporaryDirectory(prefix="bench-changelog-") as scratch:
        for size in sizes:
            url = args.url or f"sqlite:///{Path(scratch) / f'{size}.db'}"
            by_size[size] = measure(url, size, pages, args.repeat)
    small, large = sizes[0], sizes[-1]
    header = f"{'call':<40} {'rows':>7} {f'{small} (ms)':>14} {f'{large} (ms)':>14} {'ratio':>7}"
    print("\n" + header + "\n" + "-" * len(header))
    for name, (small_time, rows) in by_size[small].items():
        large_time, large_rows = by_size[large][name]
        rows_text = str(rows) if rows == large_rows else f"{rows}/{large_rows}"
        print(f"{name:<40} {rows_text:>7} {small_time * 1000:>14.2f} {large_time * 1000:>14.2f} "
              f"{large_time / small_time:>7.2f}")
    print(f"\nratio = time on {large} projects / time on {small} projects "
          f"(median of {args.repeat}); an index-independent call stays near 1.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
