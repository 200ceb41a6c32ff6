"""The measurements, each run the same way against every server that offers the feature.

A ``Target`` says where a server keeps each thing (its simple index, JSON API, the
download files, its upload URL); a measurement it lacks is simply not run.
Figures are dicts: ``rate`` (requests, MB or files per second), ``p50_ms``/``p99_ms``.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import wrk
from .processes import Server, timed_get

V1_JSON = "application/vnd.pypi.simple.v1+json"
PAIRED_SEEDS = 1000       # wrk's random names in the turns with hello: seeds 1000, 1001, ...
UPLOAD_LIMIT_S = 120     # a twine run still going then is stopped (a slow peer at 100k)
FILL_RATE = 2000         # requests/s assumed when filling a cache with every page in turn


@dataclass
class Target:
    label: str
    server: Server
    simple: str | None = None                 # "/simple/" or devpi's "/root/bench/+simple/"
    json: tuple[str, str] | None = None       # (prefix, suffix) around an exact project name
    json_accept: str | None = None            # devpi answers JSON by Accept
    json_exact_names: bool = True             # False: normalised names (no redirect there)
    downloads: dict[str, str] = field(default_factory=dict)   # label -> path
    upload: tuple[str, str, str] | None = None                # (url, user, password)
    xmlrpc: str | None = None                 # path of the XML-RPC endpoint


@dataclass(frozen=True)
class Settings:
    seconds: float
    connections: int
    names: Path            # normalised names of projects with files, one a line
    exact_names: Path      # the same projects as spelt
    last_serial: int = 0


def _wrk(target: Target, script: str, settings: Settings, connections: int | None = None) -> dict:
    result = wrk.run(target.server.base, script, seconds=settings.seconds,
                     connections=connections or settings.connections)
    return {"rate": result.rate, "mb_s": result.mb_per_s, "p50_ms": result.p50_ms,
            "p99_ms": result.p99_ms, "requests": result.requests,
            "bad": result.bad_status + result.errors}


def hello(target: Target, settings: Settings) -> dict:
    return {"hello": _wrk(target, wrk.request_script(path="/"), settings)}


def index_pages(target: Target, settings: Settings) -> dict:
    """``/simple/<random name>/``, ``/simple/`` (first build, then cached), and 304s."""
    if target.simple is None:
        return {}
    figures = {}
    cold_s, status, _ = timed_get(target.server.base + target.simple)
    figures["simple_root_first"] = {"rate": 0.0, "p50_ms": cold_s * 1000, "status": status}
    figures["simple_project"] = _wrk(target, wrk.request_script(
        names_file=settings.names, prefix=target.simple, suffix="/"), settings)
    figures["simple_root"] = _wrk(target, wrk.request_script(path=target.simple), settings,
                                  connections=min(4, settings.connections))
    figures["simple_project_json"] = _wrk(target, wrk.request_script(
        names_file=settings.names, prefix=target.simple, suffix="/",
        headers={"Accept": V1_JSON}), settings)
    first_name = settings.names.read_text().split("\n", 1)[0]
    for label, path in (("simple_root_304", target.simple),
                        ("simple_project_304", f"{target.simple}{first_name}/")):
        etag = _etag(target.server.base + path)
        if etag:
            figures[label] = _wrk(target, wrk.request_script(
                path=path, headers={"If-None-Match": etag}), settings)
    return figures


def _etag(url: str) -> str | None:
    """The page's ETag; None when it has none or the server gives no answer within 120 s
    (pypiserver at 100k projects, still busy with the requests of the runs before)."""
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=120) as reply:
            reply.read()
            return reply.headers.get("ETag")
    except OSError:
        return None


def paired_with_hello(target: Target, hello_target: Target, settings: Settings,
                      rounds: int = 3) -> dict:
    """``/simple/<random name>/`` and the hello app in turns, ``rounds`` times each: on a shared
    machine a burst of outside load then hits both alike, and the ratio is the median of
    the rounds' ratios."""
    ours, hello = [], []
    for turn in range(rounds):
        # A sequence of names of its own each turn: replaying one would find the pages the
        # turn before left in the cache, which no random client does.
        ours_script = wrk.request_script(names_file=settings.names, prefix=target.simple,
                                         suffix="/", seed=PAIRED_SEEDS + turn)
        hello.append(_wrk(hello_target, wrk.request_script(path="/"), settings))
        ours.append(_wrk(target, ours_script, settings))
    ratios = sorted(o["rate"] / h["rate"] for o, h in zip(ours, hello) if h["rate"])
    middle = sorted(ours, key=lambda f: f["rate"])[len(ours) // 2]
    return {"simple_project_vs_hello": {
        **middle, "ratio": ratios[len(ratios) // 2] if ratios else 0.0,
        "hello_rates": [round(h["rate"]) for h in hello],
        "rates": [round(o["rate"]) for o in ours]}}


def sizes_in_turns(targets: dict[int, Target], hello_target: Target,
                   settings: dict[int, Settings], held: Target | None = None,
                   rounds: int = 5) -> dict:
    """``/simple/<random name>/`` of every index size, each served by its own running server,
    in turns with each other and the hello app, ``rounds`` times.

    Each size's block measures at its own time, minutes from the others, so the
    blocks' ratios to hello carry the machine's drift between them. Here every
    round measures each size within a few seconds of the others (in an order
    rotated each round, so no size always follows hello), and the flatness is the
    median of the rounds' ratios of the largest size to the smallest: of their
    rates, and of the CPU time the servers spent a request (the smallest size's
    over the other's, so that 1 is flat and less is slower either way), which
    outside load disturbs less than the rate.

    ``held``, when given, serves the largest size with a page cache that holds
    every page, filled first by asking for each project once: the same index
    with no page ever read back, so that what is left of the difference between
    the sizes is what a larger index costs a request anyway (the memory it touches).
    """
    sizes = sorted(targets)
    entrants = {str(size): (targets[size], settings[size]) for size in sizes}
    if held is not None:
        entrants["held"] = (held, settings[sizes[-1]])
        count = len(settings[sizes[-1]].names.read_text().split())
        _wrk(held, wrk.request_script(names_file=settings[sizes[-1]].names, prefix=held.simple,
                                      suffix="/", in_order=True),
             replace(settings[sizes[-1]], seconds=max(settings[sizes[-1]].seconds,
                                                      count / FILL_RATE)))
    for target, settled in entrants.values():   # not counted: the start, a full cache
        _wrk(target, wrk.request_script(names_file=settled.names, prefix=target.simple,
                                        suffix="/"), settled)
    labels = list(entrants)
    rates: dict[str, list[float]] = {label: [] for label in labels}
    cpu_us: dict[str, list[float]] = {label: [] for label in labels}
    hello_rates = []
    for turn in range(rounds):
        hello_rates.append(_wrk(hello_target, wrk.request_script(path="/"),
                                settings[sizes[0]])["rate"])
        for label in labels[turn % len(labels):] + labels[:turn % len(labels)]:
            target, settled = entrants[label]
            script = wrk.request_script(names_file=settled.names, prefix=target.simple,
                                        suffix="/", seed=PAIRED_SEEDS + turn)
            before = target.server.cpu_s()
            measured = _wrk(target, script, settled)
            rates[label].append(measured["rate"])
            cpu_us[label].append((target.server.cpu_s() - before) / max(measured["requests"], 1)
                                 * 1e6)
    figures = {"rounds": rounds, "hello_rates": [round(rate) for rate in hello_rates],
               "rates": {label: [round(rate) for rate in rates[label]] for label in labels},
               "medians": {label: round(_median(rates[label])) for label in labels},
               "cpu_us": {label: [round(us, 1) for us in cpu_us[label]] for label in labels},
               "cpu_us_medians": {label: round(_median(cpu_us[label]), 1) for label in labels}}
    first = str(sizes[0])
    for name, label in (("largest_to_smallest", str(sizes[-1])), ("held_to_smallest", "held")):
        if label in rates:
            ratios = [other / own for own, other in zip(rates[first], rates[label]) if own]
            figures[name] = [round(ratio, 3) for ratio in ratios]
            figures[f"{name}_median"] = round(_median(ratios), 3) if ratios else 0.0
            costs = [own / other for own, other in zip(cpu_us[first], cpu_us[label]) if other]
            figures[f"{name}_cpu"] = [round(ratio, 3) for ratio in costs]
            figures[f"{name}_cpu_median"] = round(_median(costs), 3) if costs else 0.0
    return figures


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def json_api(target: Target, settings: Settings) -> dict:
    if target.json is None:
        return {}
    headers = {"Accept": target.json_accept} if target.json_accept else {}
    prefix, suffix = target.json
    names = settings.exact_names if target.json_exact_names else settings.names
    return {"json": _wrk(target, wrk.request_script(
        names_file=names, prefix=prefix, suffix=suffix, headers=headers), settings)}


def xmlrpc(target: Target, settings: Settings) -> dict:
    if target.xmlrpc is None:
        return {}
    calls = {"xmlrpc_list_packages_with_serial": ("list_packages_with_serial", ""),
             "xmlrpc_changelog_since_serial": (
                 "changelog_since_serial",
                 f"<param><value><int>{max(settings.last_serial - 100, 0)}</int></value></param>")}
    figures = {}
    for label, (method, params) in calls.items():
        body = (f"<?xml version='1.0'?><methodCall><methodName>{method}</methodName>"
                f"<params>{params}</params></methodCall>")
        figures[label] = _wrk(target, wrk.request_script(
            method="POST", path=target.xmlrpc, body=body,
            headers={"Content-Type": "text/xml"}), settings, connections=min(4, settings.connections))
    return figures


def downloads(target: Target, settings: Settings) -> dict:
    figures = {}
    for label, path in target.downloads.items():
        connections = 1 if label == "100mb" else min(4, settings.connections)
        figures[f"download_{label}"] = _wrk(target, wrk.request_script(path=path), settings,
                                            connections=connections)
    return figures


def uploads(target: Target, files: list[Path]) -> dict:
    """twine: every file by one process, then the same count by 4 processes at once."""
    if target.upload is None:
        return {}
    half = len(files) // 2
    sequential, parallel = files[:half], files[half:]
    figures = {"upload_sequential": _twine_rate(target, [sequential])}
    quarter = max(1, len(parallel) // 4)
    figures["upload_parallel_4"] = _twine_rate(
        target, [parallel[i:i + quarter] for i in range(0, len(parallel), quarter)][:4])
    return figures


def _twine_rate(target: Target, batches: list[list[Path]]) -> dict:
    url, user, password = target.upload
    began = time.perf_counter()
    with ThreadPoolExecutor(len(batches)) as pool:
        results = list(pool.map(lambda batch: _twine(url, user, password, batch), batches))
    seconds = time.perf_counter() - began
    count = sum(len(batch) for batch in batches)
    if any(result is None for result in results):
        # stopped: fewer than ``count`` files in ``UPLOAD_LIMIT_S``, so below this rate
        return {"rate": count / seconds, "files": count, "seconds": seconds, "bad": 0,
                "upper_bound": True}
    failed = [r for r in results if r.returncode != 0]
    return {"rate": count / seconds if not failed else 0.0, "files": count,
            "seconds": seconds, "bad": len(failed),
            "error": failed[0].stdout[-400:] + failed[0].stderr[-400:] if failed else ""}


def _twine(url: str, user: str, password: str, files: list[Path],
           limit_s: float = UPLOAD_LIMIT_S) -> subprocess.CompletedProcess | None:
    """One twine process uploading ``files``; None when it had to be stopped after ``limit_s``."""
    with tempfile.TemporaryDirectory() as home:
        try:
            return subprocess.run(
                [sys.executable, "-m", "twine", "upload", "--repository-url", url, "-u", user,
                 "-p", password, "--disable-progress-bar", "--non-interactive",
                 *[str(f) for f in files]],
                capture_output=True, text=True, env={"HOME": home, "PATH": "/usr/bin:/bin"},
                timeout=limit_s)
        except subprocess.TimeoutExpired:
            return None


def memory_and_start(target: Target, label: str = "peak_rss_mb") -> dict:
    return {label: {"rate": target.server.peak_rss_mb()},
            "start_s": {"rate": target.server.start_s}}


def children_memory(target: Target) -> dict:
    """The peak RSS of the server's child processes (ours hashes passwords in one)."""
    peak = target.server.children_peak_rss_mb()
    return {"peak_rss_mb_children": {"rate": peak}} if peak is not None else {}
