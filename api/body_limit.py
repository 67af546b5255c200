"""ASGI middleware that refuses request bodies over a size limit with 413, counting streamed bytes too."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException


class BodyLimit:
    """Wrap `app`: a request whose body is over its limit (declared or streamed) gets 413 instead.

    The limit is `limit`, or `paths[path]` for a request to one of those exact paths (uploads are larger)."""

    def __init__(self, app, limit: int, paths: dict[str, int] | None = None):
        self.app, self.limit, self.paths = app, limit, dict(paths or {})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.paths.get(scope.get("path", "").rstrip("/") or "/", self.limit)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await _too_large(limit)(scope, receive, send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        try:
            return await self.app(scope, limited, send)
        except BodyTooLarge:
            return await _too_large(limit)(scope, receive, send)


class BodyTooLarge(HTTPException):
    """Raised while a body streams in. An HTTPException, so FastAPI's body reader passes it on as it is (any other
    error there becomes a 400), and the app's handler answers it with the JSON error."""

    def __init__(self, limit: int):
        super().__init__(413, detail=_detail(limit))


def _detail(limit: int) -> dict[str, str]:
    return {"error": "body_too_large", "message": f"request body over {limit} bytes"}


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(_detail(limit), status_code=413)
