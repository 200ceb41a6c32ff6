"""Small endpoints mirrors poll: ``/serial`` and ``/daytime``."""
from __future__ import annotations

from datetime import datetime, timezone

from webob import Response

from .context import RequestContext


def serial(ctx: RequestContext) -> Response:
    return Response(str(ctx.store.last_serial()), content_type="text/plain", charset="utf-8")


def daytime(ctx: RequestContext) -> Response:
    now = datetime.now(timezone.utc).strftime("%Y%m%dT%H:%M:%S")
    return Response(now + "\n", content_type="text/plain", charset="utf-8")
