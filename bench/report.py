"""The results table: every figure, and as a ratio to its reference measured in the same run.

References: the hello-world app for request rates (the ceiling of a Python WSGI
app), the best peer (pypiserver, devpi-server) for downloads, uploads, memory and
start-up, nginx for the 100 MB download as well, and twine uploading to the hello app
(the client's own ceiling) for uploads as well.
"""
from __future__ import annotations

SERVERS = ("ours-sqlite", "ours-postgresql", "ours-mariadb", "pypiserver", "devpi", "hello",
           "nginx")
OURS = "ours-sqlite"
PEERS = ("pypiserver", "devpi")
# metric -> (title, unit, reference, higher is better)
METRICS = {
    "hello": ("GET `/` (fixed 2 KB page)", "req/s", "hello", True),
    "simple_project": ("GET `/simple/<random name>/`", "req/s", "hello", True),
    "simple_project_vs_hello": ("GET `/simple/<random name>/`, in turns with hello", "req/s",
                                "paired", True),
    "simple_project_json": ("GET `/simple/<random name>/` (PEP 691 JSON)", "req/s", "hello", True),
    "simple_project_304": ("GET `/simple/<name>/` revalidation (304)", "req/s", "hello", True),
    "simple_root": ("GET `/simple/` (cached)", "req/s", "hello", True),
    "simple_root_first": ("GET `/simple/` first after start", "ms", "peer", False),
    "simple_root_304": ("GET `/simple/` revalidation (304)", "req/s", "hello", True),
    "json": ("GET `/pypi/<random name>/json`", "req/s", "hello", True),
    "xmlrpc_list_packages_with_serial": ("XML-RPC list_packages_with_serial", "req/s", "hello", True),
    "xmlrpc_changelog_since_serial": ("XML-RPC changelog_since_serial(last - 100)", "req/s",
                                      "hello", True),
    "download_1mb": ("download 1 MB file (4 connections)", "MB/s", "peer", True),
    "download_100mb": ("download 100 MB file (1 connection)", "MB/s", "peer", True),
    "upload_sequential": ("twine upload, one process", "files/s", "peer", True),
    "upload_parallel_4": ("twine upload, 4 processes", "files/s", "peer", True),
    "peak_rss_mb": ("peak RSS of the server, reads", "MB", "peer", False),
    "peak_rss_mb_uploads": ("peak RSS of the server, after uploads", "MB", "peer", False),
    "peak_rss_mb_children": ("peak RSS of its child processes (ours: password worker)", "MB",
                             "peer", False),
    "start_s": ("start-up (spawn to first answer)", "s", "peer", False),
}

# metric -> (server, label): a second reference beside the first. Twine uploading to the hello
# app (which answers without reading anything) is the client's own ceiling.
SECOND_REFERENCES = {"download_100mb": ("nginx", "nginx"),
                     "upload_sequential": ("hello", "twine to hello"),
                     "upload_parallel_4": ("hello", "twine to hello")}


def figure(metric: str, figures: dict | None) -> float | None:
    if not figures or figures.get("bad"):
        return None
    unit = METRICS[metric][1]
    if unit == "MB/s":
        return figures.get("mb_s")
    if unit == "ms":
        return figures.get("p50_ms")
    return figures.get("rate")


def reference(metric: str, block: dict) -> tuple[str, float] | None:
    """The figure ours is compared with, and where it comes from."""
    _, _, kind, higher = METRICS[metric]
    if kind == "paired":
        return None
    if kind == "hello":
        hello = block.get("hello", {}).get("hello")
        return ("hello", hello["rate"]) if hello else None
    candidates = [(peer, figure(metric, block.get(peer, {}).get(metric))) for peer in PEERS]
    candidates = [(peer, v) for peer, v in candidates if v]
    if not candidates:
        return None
    return (max if higher else min)(candidates, key=lambda c: c[1])


def _cell(metric: str, figures: dict | None) -> str:
    if figures and figures.get("requests") == 0:
        return "no answer within the run"
    number = figure(metric, figures)
    if number is None:
        return "failed" if figures and figures.get("bad") else ""
    text = f"{number:,.0f}" if number >= 100 else f"{number:.3g}"
    if figures.get("upper_bound"):
        text = f"< {text} (stopped after {figures['seconds']:.0f} s)"
    if figures.get("p50_ms") is not None and METRICS[metric][1] not in ("ms",):
        text += f" (p50 {figures['p50_ms']:.2f} ms)"
    return text


def table(block: dict, size: int) -> str:
    present = [s for s in SERVERS if s in block]
    head = ["measurement", "unit", *present, "ours / reference"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for metric, (title, unit, _, higher) in METRICS.items():
        cells = [_cell(metric, block.get(s, {}).get(metric)) for s in present]
        if not any(cells):
            continue
        ratio = ""
        ours = figure(metric, block.get(OURS, {}).get(metric))
        ref = reference(metric, block)
        paired = block.get(OURS, {}).get(metric, {}).get("ratio")
        if paired:
            ratio = f"{paired:.2f} × hello (median of {len(block[OURS][metric]['rates'])} turns)"
        ratios = []
        if ours is not None and ref and ref[1]:
            ratios.append(f"{ours / ref[1]:.2f} × {ref[0]}")
        second = SECOND_REFERENCES.get(metric)
        if ours is not None and second and figure(metric, block.get(second[0], {}).get(metric)):
            ratios.append(f"{ours / figure(metric, block[second[0]][metric]):.2f} × {second[1]}")
        if ratios:
            ratio = "; ".join(ratios)
        rows.append("| " + " | ".join([title, unit, *cells, ratio]) + " |")
    text = f"### {size:,} projects\n\n" + "\n".join(rows) + "\n"
    for server in present:
        check = block[server].get("two_servers")
        if check:
            text += (f"\nTwo `pypi serve` processes on one database ({server}): {check['rounds']} "
                     f"writes, alternating, each followed by {check['reads'] // check['rounds']} reads "
                     f"from both: {check['mismatches']} differing answers.\n")
    return text


def flatness(runs: dict, metric: str, server: str = OURS) -> str:
    """The metric across index sizes, as a ratio of the largest to the smallest."""
    sizes = sorted(runs, key=int)
    values = [figure(metric, runs[s].get(server, {}).get(metric)) for s in sizes]
    if len(values) < 2 or not values[0] or not values[-1] or any(v is None for v in values):
        return ""
    return f"{metric}: " + ", ".join(f"{int(s):,}: {v:,.1f}" for s, v in zip(sizes, values)) + \
        f" (largest / smallest {values[-1] / values[0]:.2f})"



def sizes_in_turns(figures: dict) -> str:
    """The turns across index sizes as a few lines of text (and of ``docs/benchmarks.md``)."""
    sizes = sorted((label for label in figures["rates"] if label.isdigit()), key=int)
    lines = [f"`/simple/<random name>/` with every size served at once, in turns "
             f"({figures['rounds']} rounds; hello {_joined(figures['hello_rates'])} req/s):"]
    shown = [(size, f"{int(size):,} projects") for size in sizes]
    if "held" in figures["rates"]:
        shown.append(("held", f"{int(sizes[-1]):,} projects, every page held in memory "
                              f"(peak RSS {figures.get('held_peak_rss_mb', 0):,} MB)"))
    for label, what in shown:
        cpu = figures.get("cpu_us", {}).get(label, [])
        lines.append(f"- {what}: median {figures['medians'][label]:,} req/s "
                     f"(rounds {_joined(figures['rates'][label])})"
                     + (f", {figures['cpu_us_medians'][label]:.0f} µs of server CPU a request "
                        f"(rounds {', '.join(f'{us:.0f}' for us in cpu)})" if cpu else ""))
    for name, what in (("largest_to_smallest", f"{int(sizes[-1]):,}"),
                       ("held_to_smallest", f"{int(sizes[-1]):,} held")):
        if name in figures:
            line = (f"- {what} / {int(sizes[0]):,} projects, rate each round: "
                    + ", ".join(f"{ratio:.2f}" for ratio in figures[name])
                    + f"; median **{figures[name + '_median']:.2f}**")
            if f"{name}_cpu" in figures:
                line += ("; CPU a request, smallest over largest: "
                         + ", ".join(f"{ratio:.2f}" for ratio in figures[f"{name}_cpu"])
                         + f"; median **{figures[name + '_cpu_median']:.2f}**")
            lines.append(line)
    return "\n".join(lines)


def _joined(rates: list[int]) -> str:
    return ", ".join(f"{rate:,}" for rate in rates)
