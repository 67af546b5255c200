"""ASGI middleware that refuses request bodies over a size limit with 413, counting streamed bytes too."""

from __future__ import annotations

from fastapi.responses import JSONResponse


class BodyLimit:
    """Wrap `app`: a request whose body is over `limit` bytes (declared or streamed) gets 413 instead."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await _too_large(self.limit)(scope, receive, send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge
            return message

        try:
            return await self.app(scope, limited, send)
        except _BodyTooLarge:
            return await _too_large(self.limit)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse({"error": "body_too_large", "message": f"request body over {limit} bytes"}, status_code=413)
