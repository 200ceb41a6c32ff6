"""Throughput and latency against index size, from a ``bench.suite`` results file.

    .venv/bin/python -m bench.plot bench-results.json docs/benchmarks.png
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .report import figure

LINES = (  # (server, metric, label, style)
    ("hello", "hello", "hello-world WSGI app (ceiling)", "k*:"),
    ("ours-sqlite", "simple_project", "this server: /simple/<name>/", "C0o-"),
    ("ours-sqlite", "simple_project_vs_hello", "this server: /simple/<name>/, in turns with hello",
     "C2o-"),
    ("ours-sqlite", "simple_root", "this server: /simple/ (cached)", "C0s--"),
    ("ours-sqlite", "simple_root_304", "this server: /simple/ 304", "C0^:"),
    ("ours-sqlite", "json", "this server: JSON API", "C0d-."),
    ("pypiserver", "simple_project", "pypiserver: /simple/<name>/", "C1o-"),
    ("pypiserver", "simple_root", "pypiserver: /simple/", "C1s--"),
)


def _series(results: dict, server: str, metric: str, key: str):
    sizes, values = [], []
    for size in sorted(results["runs"], key=int):
        figures = results["runs"][size].get(server, {}).get(metric)
        if not figures or figures.get("bad"):
            continue
        number = figure("simple_project", figures) if metric == "hello" else figure(metric, figures)
        if key == "p50_ms":
            number = figures.get("p50_ms")
        if number:
            sizes.append(int(size))
            values.append(number)
    return sizes, values


def plot(results: dict, target: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (rate_axes, latency_axes) = plt.subplots(1, 2, figsize=(12, 4.8))
    for server, metric, label, style in LINES:
        for axes, key in ((rate_axes, "rate"), (latency_axes, "p50_ms")):
            sizes, values = _series(results, server, metric, key)
            if sizes:
                axes.plot(sizes, values, style, label=label)
    for axes, title, unit in ((rate_axes, "Throughput", "requests/s"),
                              (latency_axes, "Latency (median)", "ms")):
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("projects in the index")
        axes.set_ylabel(unit)
        axes.set_title(title)
        axes.grid(True, which="both", alpha=0.3)
    rate_axes.legend(fontsize=8, loc="lower left")
    meta = results["meta"]
    fig.suptitle(f"pypi-legacy vs references, {meta['machine']}, wrk {meta['connections']} "
                 f"connections, {meta['seconds_per_run']} s per point", fontsize=10)
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=110)
    print(f"plot written to {target}")


if __name__ == "__main__":
    plot(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
