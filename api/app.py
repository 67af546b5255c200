"""The FastAPI application: versioned routes, the web page, and errors that never leak a stack trace."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.body_limit import BodyLimit
from api.conversations import ConversationStore
from api.deps import require_key
from api.routes import answers, conversations, health, sources
from rag.pipeline import Pipeline
from rag.settings import Settings, get_settings

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None, pipeline: Pipeline | None = None) -> FastAPI:
    """Build the app. The index and model load once, at start-up; if they cannot, start-up fails with the reason."""
    settings = get_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.pipeline = pipeline or Pipeline(settings)
        app.state.store = ConversationStore(settings.api.conversations_db)
        yield

    app = FastAPI(
        title="guideqa",
        version="1",
        description="Guideline-grounded answers with numbered citations, and follow-up conversations.",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    secured = [Depends(require_key)]
    for module in (answers, conversations, sources):
        app.include_router(module.router, prefix="/v1", dependencies=secured)
    app.include_router(health.router)
    if settings.api.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.api.cors_origins, allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Content-Type", "X-API-Key"])
    app.add_middleware(BodyLimit, limit=settings.api.max_body_bytes)
    _error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        codes = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed", 422: "invalid_request"}
        detail = exc.detail if isinstance(exc.detail, dict) else {"error": codes.get(exc.status_code, "http_error"), "message": str(exc.detail)}
        return JSONResponse(detail, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return JSONResponse({"error": "invalid_request", "message": "; ".join(problems)[:2000]}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse({"error": "internal", "message": "the server could not answer; the error was logged"}, status_code=500)
