"""The HTTP API, the web chat and the embeddable widget, as one FastAPI app.

``create_app(assistant)`` receives the service it serves (no import-time globals), so
tests build an app around an ``Assistant`` of their own. The service is synchronous
(model inference, Chroma reads): every call runs in the threadpool so the event loop
keeps serving other requests, health checks and the Gradio queue meanwhile.

Security choices, in one place:

* CORS: only the origins in ``settings.allowed_origins`` may call the API from another
  site (default: none, i.e. same origin only); ``Authorization`` is never allowed
  cross-origin, so the admin endpoint cannot be driven from a browser on another site.
* ``Content-Security-Policy: frame-ancestors``: ``/embed`` may be framed by the allowed
  origins, every other page only by ourselves.
* Per-client (IP) sliding-window rate limit on questions (``settings.rate_limit``),
  429 with ``Retry-After``.
* Request bodies over ``MAX_BODY_BYTES`` are refused (413) before they are read; the
  feedback log path comes only from settings.
* Errors are JSON ``{"detail": ...}``; an unexpected exception is logged and answered
  with a 500 that carries no traceback.
"""
from __future__ import annotations

import asyncio
import dataclasses
import hmac
import json
import logging
import math
import re
import threading
import time
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from .index import IndexError_
from .service import Assistant, NoDocumentsError, QuestionError
from .settings import Settings
from .types import Answer

log = logging.getLogger("assistant.api")

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY_BYTES = 256 * 1024
CHUNK_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_WINDOWS = {"second": 1, "sec": 1, "s": 1, "minute": 60, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400, "d": 86400}


# ---------------------------------------------------------------------- rate limiting
def parse_rate(rate: str) -> tuple[int, float]:
    """``"30/minute"`` -> (30, 60.0). Also accepts ``"5/10 seconds"``-style multiples (``5/10s``)."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?\s*", rate.lower())
    if not match or (match.group(3) not in _WINDOWS and match.group(3) + "s" not in _WINDOWS):
        raise ValueError(f"rate limit {rate!r} is not COUNT/second|minute|hour")
    unit = _WINDOWS.get(match.group(3)) or _WINDOWS[match.group(3) + "s"]
    return int(match.group(1)), float(int(match.group(2) or 1) * unit)


class RateLimiter:
    """A sliding window of request times per client, in memory (one process)."""

    def __init__(self, rate: str, *, clock=time.monotonic, max_clients: int = 10_000):
        self.limit, self.window = parse_rate(rate)
        self.clock = clock
        self.max_clients = max_clients
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, client: str) -> float:
        """Record a request; 0 when allowed, else the seconds to wait before the next one is."""
        if self.limit <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            hits = self._hits.get(client)
            if hits is None:
                if len(self._hits) >= self.max_clients:
                    self._prune(now)
                hits = self._hits[client] = deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(hits[0] + self.window - now, 0.001)
            hits.append(now)
            return 0.0

    def _prune(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]
        while len(self._hits) >= self.max_clients:  # still full of active clients: forget the oldest
            self._hits.pop(next(iter(self._hits)))


def client_key(request: Request) -> str:
    # The socket peer: X-Forwarded-For is not trusted (anyone can send it). Behind a
    # proxy, run uvicorn with --proxy-headers/--forwarded-allow-ips so this is the client.
    return request.client.host if request.client else "unknown"


# ---------------------------------------------------------------------- feedback log
class FeedbackLog:
    """Appends one JSON line per vote to a file named by settings (never by a request)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, record: dict) -> dict:
        line = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), **record}
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(line, ensure_ascii=False)
            # JSON leaves these raw, but many line readers (str.splitlines, JavaScript) break lines at them
            text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(text + "\n")
        return line


# ---------------------------------------------------------------------- request bodies
class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"question": "What does the report recommend?", "history": []}]})

    question: str = Field(description="The question (not empty; at most ASSISTANT_MAX_QUESTION_CHARS characters).")
    history: list[tuple[str | None, str | None]] = Field(
        default_factory=list, description="Earlier turns, oldest first, as [question, answer] pairs (at most ASSISTANT_MAX_HISTORY_TURNS)."
    )


class FeedbackCitation(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)  # strict: `"n": false` is not a citation number

    n: int | None = None
    chunk_id: str = Field("", max_length=64)
    section: str = Field("", max_length=300)
    page: int | None = None


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    question: str = Field(max_length=10_000)
    answer: str = Field(max_length=20_000)
    citations: list[FeedbackCitation] = Field(default_factory=list, max_length=50)
    vote: Literal["up", "down"]


class ErrorBody(BaseModel):
    """Every error: a sentence in ``detail``; for 422, the invalid ``errors`` (field and message, never the input)."""

    detail: str
    errors: list[dict[str, str]] | None = None


class Health(BaseModel):
    status: Literal["ok", "no index"]
    index_loaded: bool
    chunks: int
    index_version: str | None
    built_at: str | None
    embedding_model: str
    llm_provider: str


class OriginCheck(BaseModel):
    origin: str | None = Field(description="The calling page's origin (the browser's Origin header); null for a same-origin call.")
    allowed: bool = Field(description="Whether that origin may call the API and frame /embed.")
    setting: str = Field(description="The environment variable that lists the allowed origins.")


async def require_json(request: Request) -> None:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise HTTPException(415, "send the body as JSON with Content-Type: application/json")


# ---------------------------------------------------------------------- ASGI middleware
class BodyLimitAndHeaders:
    """Refuses large bodies (413) and adds security headers; pure ASGI so streams pass through."""

    def __init__(self, app, *, frame_origins: list[str], max_body: int = MAX_BODY_BYTES):
        self.app = app
        self.max_body = max_body
        self.embed_csp = "frame-ancestors " + " ".join(["'self'", *frame_origins])

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            response = JSONResponse({"detail": f"the request body is larger than {self.max_body} bytes"}, status_code=413)
            return await response(scope, receive, send)
        path = scope.get("path", "")
        csp = self.embed_csp if path.rstrip("/") == "/embed" else "frame-ancestors 'self'"
        if path.rstrip("/") == "/embed":
            # The embed page is ours entirely: only our own scripts, no inline script.
            csp = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " + csp

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"strict-origin-when-cross-origin")]
                names = {k.lower() for k, _ in message.get("headers", [])}
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", csp.encode()))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        return await self.app(scope, receive, send_with_headers)


# ---------------------------------------------------------------------- the app
BUSY = "the assistant is busy answering other questions; retry in a moment"


def create_app(assistant: Assistant, *, ui: bool = True) -> FastAPI:
    """The whole web server around ``assistant``; ``ui=False`` leaves out the Gradio chat (faster tests)."""
    settings = assistant.settings
    limiter = RateLimiter(settings.rate_limit)
    feedback = FeedbackLog(settings.feedback_log)

    app = FastAPI(
        title=settings.product_name,
        description="Grounded, cited answers from the documents in the source folder.",
        version="1",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        responses={422: {"model": ErrorBody, "description": "The request is invalid; `detail` says why."}},
    )
    app.state.assistant = assistant
    app.state.limiter = limiter
    app.state.feedback = feedback

    slots = asyncio.Semaphore(settings.max_concurrent) if settings.max_concurrent else None

    async def capacity():
        # At most max_concurrent questions are answered at once; the next ones wait a little for a
        # slot (a burst is absorbed), and past queue_seconds get 503 + Retry-After rather than
        # waiting on into the client's own timeout.
        if slots is None:
            yield
            return
        if slots.locked():
            if settings.queue_seconds <= 0:
                raise HTTPException(503, BUSY, headers={"Retry-After": "1"})
            try:
                await asyncio.wait_for(slots.acquire(), timeout=settings.queue_seconds)
            except TimeoutError:
                raise HTTPException(503, BUSY, headers={"Retry-After": "1"}) from None
        else:
            await slots.acquire()
        try:
            yield
        finally:
            slots.release()

    async def rate_limited(request: Request) -> None:
        wait = limiter.hit(client_key(request))
        if wait:
            raise HTTPException(429, f"too many questions: at most {settings.rate_limit} per client", headers={"Retry-After": str(math.ceil(wait))})

    # ------------------------------------------------------------------ errors
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        problems = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
            problems.append({"field": where, "message": e.get("msg", "invalid")})  # never echo the input back
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return JSONResponse({"detail": f"invalid request: {summary}", "errors": problems}, status_code=422)

    @app.exception_handler(QuestionError)
    async def _bad_question(request: Request, exc: QuestionError):
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(IndexError_)
    async def _index_unavailable(request: Request, exc: IndexError_):
        # The index or the Chroma server is missing, locked or unreachable: retryable, not a crash.
        log.warning("index unavailable on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse({"detail": f"the index is unavailable: {exc}"}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error: the assistant could not answer this request"}, status_code=500)

    # ------------------------------------------------------------------ API
    @app.post("/api/ask", response_model=Answer, tags=["questions"], dependencies=[Depends(require_json), Depends(rate_limited), Depends(capacity)])
    async def ask(body: AskRequest) -> dict:
        """Answer a question from the brief: the same JSON as `assistant ask --json`."""
        answer = await run_in_threadpool(assistant.ask, body.question, body.history)
        return answer.model_dump()

    @app.post(
        "/api/ask/stream",
        tags=["questions"],
        dependencies=[Depends(require_json), Depends(rate_limited), Depends(capacity)],
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}, "description": "Server-sent events: `delta`..., `citations`, `done` (or `error`)."}},
    )
    async def ask_stream(body: AskRequest):
        """Answer as server-sent events: text `delta`s (sentence by sentence), then `citations`, then `done` with the whole answer."""
        events = assistant.stream(body.question, body.history)
        # The first event needs the whole answer: bad input raises here, before a 200 is sent.
        first = await run_in_threadpool(next, events, None)

        async def sse():
            try:
                if first is not None:
                    yield _sse(first)
                async for event in iterate_in_threadpool(events):
                    yield _sse(event)
            except asyncio.CancelledError:  # the client went away
                raise
            except Exception:
                log.exception("error while streaming an answer")
                yield _sse({"type": "error", "detail": "internal error while answering"})

        return StreamingResponse(sse(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @app.get("/api/health", response_model=Health, tags=["service"], responses={503: {"description": "No index is built."}})
    async def health():
        """Whether the index is loaded, how many passages it has, its version and build time."""
        status = await run_in_threadpool(assistant.status)
        body = {
            "status": "ok" if status["index_version"] else "no index",
            **{k: status[k] for k in ("index_loaded", "chunks", "index_version", "built_at", "embedding_model", "llm_provider")},
        }
        return JSONResponse(body, status_code=200 if status["index_version"] else 503)

    @app.get("/api/sources/{chunk_id}", tags=["sources"], responses={404: {"description": "No passage has this id."}})
    async def source(chunk_id: str):
        """A passage of the brief by its id (as cited in answers), with its section, page and sentence offsets."""
        chunk = await run_in_threadpool(assistant.passage, chunk_id) if CHUNK_ID.match(chunk_id) else None
        if chunk is None:
            raise HTTPException(404, "no passage has this id")
        return {**chunk.model_dump(), "url": f"/source#c-{chunk.id}"}

    @app.post("/api/feedback", status_code=201, tags=["feedback"], dependencies=[Depends(require_json)])
    async def post_feedback(body: FeedbackRequest):
        """Record a thumbs up or down on an answer (appended to the feedback log, ASSISTANT_FEEDBACK_LOG)."""
        await run_in_threadpool(feedback.append, {**body.model_dump(), "via": "api"})
        return {"ok": True}

    @app.post("/api/admin/reindex", tags=["admin"], responses={401: {"description": "Missing or wrong token."}, 404: {"description": "No admin token configured."}})
    async def reindex(request: Request, rebuild: bool = False):
        """Bring the index in line with the source folder (`Authorization: Bearer ASSISTANT_ADMIN_TOKEN`)."""
        token = settings.admin_token
        if not token:
            raise HTTPException(404, "Not Found")
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise HTTPException(401, "a valid admin token is required", headers={"WWW-Authenticate": "Bearer"})
        try:
            report = await run_in_threadpool(lambda: assistant.index(rebuild=rebuild))
        except NoDocumentsError as exc:
            raise HTTPException(409, str(exc)) from None
        except Exception as exc:  # a lock held by another build, an unreadable file...
            if type(exc).__name__.startswith("IndexLocked"):
                raise HTTPException(409, str(exc)) from None
            raise
        return dataclasses.asdict(report)

    # ------------------------------------------------------------------ pages
    from . import ui as web

    @app.get("/widget.js", include_in_schema=False)
    async def widget_js():
        return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8", headers={"Cache-Control": "public, max-age=300"})

    @app.get("/api/origin", tags=["widget"], response_model=OriginCheck)
    async def origin_check(request: Request):
        """Whether the calling page's origin may use the API; readable from any origin, so the widget can tell a webmaster what to set."""
        origin = request.headers.get("origin")
        body = {"origin": origin, "allowed": origin_allowed(origin, request, settings.origins), "setting": ORIGINS_SETTING}
        return JSONResponse(body, headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store", "Vary": "Origin"})

    @app.get("/embed", include_in_schema=False, response_class=HTMLResponse)
    async def embed(request: Request):
        from .embed import blocked_page, embed_page

        # A browser refuses a frame that frame-ancestors forbids and shows only a broken-page icon. When the
        # request says it is for a frame on a page of an origin not allowed, answer a notice that any page may
        # frame instead (text only, nothing to click): the webmaster reads what to change.
        framer = referrer_origin(request.headers.get("referer", ""))
        if request.headers.get("sec-fetch-dest") == "iframe" and framer and not origin_allowed(framer, request, settings.origins):
            csp = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *"
            return HTMLResponse(blocked_page(framer, ORIGINS_SETTING), headers={"Content-Security-Policy": csp})
        return HTMLResponse(embed_page(request.query_params, settings.product_name))

    @app.get("/source", include_in_schema=False, response_class=HTMLResponse)
    async def source_page(cite: str = "", s: str = ""):
        chunks = await run_in_threadpool(assistant.chunks)
        titles = await run_in_threadpool(assistant.document_titles)
        return HTMLResponse(web.source_page(chunks, cite=cite, sentences=s, titles=titles))

    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        max_age=600,
    )
    app.add_middleware(BodyLimitAndHeaders, frame_origins=settings.origins)

    if ui:
        from .chat import mount_chat

        mount_chat(app, assistant, limiter=limiter, feedback=feedback)
    return app


ORIGINS_SETTING = Settings.model_config["env_prefix"] + "ALLOWED_ORIGINS"  # the variable behind Settings.allowed_origins


def referrer_origin(referer: str) -> str | None:
    """``https://site.example/page`` -> ``https://site.example``; None when there is no usable referrer."""
    from urllib.parse import urlsplit

    parts = urlsplit(referer)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def origin_allowed(origin: str | None, request: Request, allowed: list[str]) -> bool:
    """Same-origin (no Origin header, or our own host) or on the allowlist."""
    if not origin:
        return True
    own = request.headers.get("host", "")
    return origin.rstrip("/") in allowed or (bool(own) and origin.split("://", 1)[-1] == own)


def _sse(event: dict) -> str:
    return f"event: {event.get('type', 'message')}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"


def run_server(assistant: Assistant, watch: bool = False) -> None:
    """Serve on settings.host:settings.port until interrupted; ``watch`` re-indexes when the sources change."""
    import uvicorn

    settings = assistant.settings
    app = create_app(assistant)
    stop = threading.Event()
    watcher = None
    if watch:
        from .watch import watch_sources

        watcher = threading.Thread(target=watch_sources, args=(assistant, stop), name="source-watcher", daemon=True)
        watcher.start()
    try:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", proxy_headers=False)
    finally:
        stop.set()
        if watcher is not None:
            watcher.join(timeout=5)
