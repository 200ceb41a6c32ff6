"""The ceiling for a Python WSGI app: waitress answering every request with a fixed 2 KB page.

    python bench/hello.py --port 8081 [--threads 4]
"""
from __future__ import annotations

import argparse

import waitress

PAGE = (b"<!DOCTYPE html>\n<html><head><title>hello</title></head><body>\n"
        + b"<p>hello, world</p>\n" * 120)[:2048]
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(PAGE)))]


def app(environ, start_response):
    start_response("200 OK", list(HEADERS))
    return [PAGE]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    waitress.serve(app, host="127.0.0.1", port=args.port, threads=args.threads, ident="hello")


if __name__ == "__main__":
    main()
