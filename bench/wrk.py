"""Running wrk (Debian package ``wrk``) and reading its results.

Each run gets a generated Lua script: its ``request`` picks the path (a fixed
one, or a random name from a file, the same sequence for every server), and
its ``done`` prints one JSON line with the counts and latency percentiles, so
nothing depends on wrk's human-readable output.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

DONE = r'''
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "errors": %d, "non_2xx_3xx": %d,' ..
    ' "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
'''


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    bytes: int
    errors: int            # socket errors and timeouts
    bad_status: int        # answers other than 2xx/3xx
    p50_ms: float
    p90_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.bytes / self.seconds / 1e6 if self.seconds else 0.0


def available() -> bool:
    return shutil.which("wrk") is not None


def lua_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def request_script(*, method: str = "GET", path: str = "/", headers: dict | None = None,
                   body: str | None = None, names_file: Path | None = None,
                   prefix: str = "", suffix: str = "", seed: int = 42,
                   in_order: bool = False) -> str:
    """Lua for one kind of request: ``path``, or ``prefix + <random name> + suffix`` (with
    ``in_order``, the names one after the other from the first, over and over)."""
    lines = [f"wrk.method = {lua_quote(method)}"]
    for name, value in (headers or {}).items():
        lines.append(f"wrk.headers[{lua_quote(name)}] = {lua_quote(value)}")
    if body is not None:
        lines.append(f"wrk.body = {lua_quote(body)}")
    if names_file is None:
        lines.append(f"request = function() return wrk.format(nil, {lua_quote(path)}) end")
    else:
        lines += [
            "local names = {}",
            f"for line in io.lines({lua_quote(str(names_file))}) do names[#names + 1] = line end",
            f"math.randomseed({seed})",
            "local taken = 0",
            "request = function()",
            "  taken = taken + 1",
            "  local name = " + ("names[(taken - 1) % #names + 1]" if in_order
                                 else "names[math.random(#names)]"),
            f"  return wrk.format(nil, {lua_quote(prefix)} .. name .. {lua_quote(suffix)})",
            "end",
        ]
    return "\n".join(lines) + "\n" + DONE


def run(base_url: str, script: str, *, seconds: float, connections: int,
        threads: int = 1, timeout_s: int = 30) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        completed = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
             f"--timeout={timeout_s}s", "-s", handle.name, base_url],
            capture_output=True, text=True, timeout=seconds + timeout_s + 30)
    finally:
        Path(handle.name).unlink(missing_ok=True)
    for line in completed.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            data = json.loads(line[len("WRK_JSON "):])
            return Result(data["requests"], data["duration_us"] / 1e6, data["bytes"],
                          data["errors"], data["non_2xx_3xx"], data["p50_us"] / 1000,
                          data["p90_us"] / 1000, data["p99_us"] / 1000)
    raise RuntimeError(f"wrk printed no result: {completed.stdout}\n{completed.stderr}")
