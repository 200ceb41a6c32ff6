"""What one `/simple/<random name>/` costs inside the server, held in memory or read back.

    .venv/bin/python -m bench.page_costs --config CFG [--requests 20000] [--rounds 3]

Calls the WSGI app in this process (no HTTP, no threads) for names drawn
uniformly from the index's projects with files, and prints the CPU time per
request, the median of ``--rounds`` rounds, in three settings of the page cache:

- *held*: a cache large enough for every page, after one pass over all names,
  so every page is answered from memory (the 1k case of the suite);
- *default*: the configuration's ``page_cache_mb`` (the suite's setting);
- *read back*: no cache, so every page comes from the pack or its file.

The figures are the reference for one another: what a page read back costs over
one held, and how much of the difference between index sizes is left when every
page is held (the CPU caches, not the code). Run it on each sample, e.g. the
suite's `~/.cache/pypi-bench/sample-sqlite-s1-p100000/config.ini`.
"""
from __future__ import annotations

import argparse
import dataclasses
import gc
import random
import statistics
import time

from pypi.app import PypiApp
from pypi.backends import open_backends
from pypi.config import Config

EVERY_PAGE_MB = 1 << 16     # "held": more than any sample's pages


def _environ(name: str) -> dict:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": f"/simple/{name}/", "SCRIPT_NAME": "",
            "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http"}


def _start_response(status: str, headers: list, exc_info=None) -> None:
    if not status.startswith("200"):
        raise RuntimeError(f"{status} from the index: not a sample with pages?")


def _request(app: PypiApp, name: str) -> None:
    for _ in app(_environ(name), _start_response):
        pass


def _wait_for_serials(store) -> None:
    """Wait until the store holds every project's serial, as a server does a second after start
    (that read runs on a thread of its own, which this loop of calls would starve)."""
    serials = getattr(store, "_project_serials", None)
    held = serials() if serials is not None else None
    if held is not None:
        held.wait_loaded(120)


def costs(config: Config, page_cache_mb: int, requests: int, rounds: int,
          warm_all: bool) -> list[float]:
    """µs of CPU per request in each round, after a warm-up as long as one round."""
    config = dataclasses.replace(config, page_cache_mb=page_cache_mb)
    store, blobs = open_backends(config)
    try:
        store.begin_serving()
        _wait_for_serials(store)
        app = PypiApp(config, store, blobs)
        names = [project.normalized_name for project in store.list_project_names()
                 if store.index_listing(project.name)[1]]
        draw = random.Random(1)
        for name in names if warm_all else []:
            _request(app, name)
        for _ in range(requests):
            _request(app, draw.choice(names))
        gc.collect()
        figures = []
        for _ in range(rounds):
            sequence = [draw.choice(names) for _ in range(requests)]
            began = time.process_time()
            for name in sequence:
                _request(app, name)
            figures.append((time.process_time() - began) / requests * 1e6)
        return figures
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--requests", type=int, default=20000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    config = Config.from_ini(args.config)
    settings = [("held", EVERY_PAGE_MB, True), ("default", config.page_cache_mb, False),
                ("read back", 0, False)]
    medians = {}
    for label, page_cache_mb, warm_all in settings:
        rounds = costs(config, page_cache_mb, args.requests, args.rounds, warm_all)
        medians[label] = statistics.median(rounds)
        shown = ", ".join(f"{figure:.1f}" for figure in rounds)
        print(f"{label:10s} page_cache_mb={page_cache_mb:<6d} {medians[label]:6.1f} µs a request "
              f"({medians[label] / medians['held']:.2f} × held; rounds {shown})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
