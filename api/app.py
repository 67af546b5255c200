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
from api.routes import answers, conversations, documents, health, sources
from api.schemas import ErrorOut
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

    def openapi() -> dict:
        if app.openapi_schema is None:
            spec = FastAPI.openapi(app)  # cached on the app, so this edit is made once
            question = spec["components"]["schemas"]["AnswerRequest"]["properties"]["question"]
            question["maxLength"] = settings.limits.max_question_chars  # a setting: the spec states this server's
        return app.openapi_schema

    app.openapi = openapi
    secured = [Depends(require_key)]
    # Every v1 error has the one JSON shape; declaring 422 here also replaces FastAPI's own 422 schema, which the
    # handlers below never send.
    errors = {401: {"model": ErrorOut, "description": "API keys are configured and X-API-Key is missing or wrong."},
              422: {"model": ErrorOut, "description": "Invalid parameters or body, or a body that cannot be read."}}
    for module in (answers, conversations, sources, documents):
        app.include_router(module.router, prefix="/v1", dependencies=secured, responses=errors)
    app.include_router(health.router)
    app.state.included = [("/v1", m.router) for m in (answers, conversations, sources, documents)] + [("", health.router)]
    if settings.api.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.api.cors_origins, allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Content-Type", "X-API-Key"])
    app.add_middleware(BodyLimit, limit=settings.api.max_body_bytes, paths={documents.UPLOAD_PATH: settings.api.max_upload_bytes})
    _error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400:
            # No route raises 400: it is FastAPI or Starlette failing to read a body (invalid UTF-8 in JSON, a broken
            # multipart form). Unreadable input is invalid input, answered like every other: 422, as documented.
            why = f"{exc.detail}: {exc.__cause__}" if exc.__cause__ else str(exc.detail)
            return JSONResponse({"error": "invalid_request", "message": f"the request body could not be read ({why})"[:2000]},
                                status_code=422)
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            # Starlette names only the first route that matched the path; Allow must list every method the path has.
            headers = (headers or {}) | {"Allow": ", ".join(allowed_methods(request))}
        codes = {404: "not_found", 405: "method_not_allowed", 422: "invalid_request"}
        detail = exc.detail if isinstance(exc.detail, dict) else {"error": codes.get(exc.status_code, "http_error"), "message": str(exc.detail)}
        return JSONResponse(detail, status_code=exc.status_code, headers=headers)

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


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path (for a 405's Allow header)."""
    # FastAPI keeps included routers as opaque entries of app.router.routes, so their routes are read from the
    # routers themselves (app.state.included: prefix and router), the app's own routes from app.router.
    path = request.scope["path"]
    table = [("", r) for r in request.app.router.routes] + [
        (prefix, r) for prefix, router in request.app.state.included for r in router.routes]
    methods: set[str] = set()
    for prefix, route in table:
        regex, served = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex and served and path.startswith(prefix) and regex.match(path[len(prefix):]):
            methods |= set(served)
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return sorted(methods, key=lambda m: (order.index(m) if m in order else len(order), m))
