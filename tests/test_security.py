"""Security properties of the web server, in-process, with the Gradio chat mounted (the whole app).

* the admin endpoint needs the token (and compares it in constant time);
* CORS and ``frame-ancestors`` honour ``ASSISTANT_ALLOWED_ORIGINS`` and nothing else;
* no request path reaches a file outside ``source/`` and the app's static files
  (raw ASGI requests, so ``..`` segments reach the app un-normalised);
* at the default log level nothing logged holds a question or the admin token;
* the feedback log is the file named in settings, whatever the request says.
"""
from __future__ import annotations

import asyncio
import inspect
import json
import logging
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from assistant import api
from assistant.api import create_app
from assistant.service import Assistant

TOKEN = "s3cr3t-admin-token-4f9a1c"
SECRET_MARK = "TOP-SECRET-MARKER-7d1e"
QUESTION = "What did leaders learn from CCPT about the pineapple-quartz protocol?"


@pytest.fixture(scope="module")
def env(assistant, tmp_path_factory):
    base = tmp_path_factory.mktemp("sec")
    secret = base / "secret.txt"
    secret.write_text(SECRET_MARK, encoding="utf-8")
    feedback = base / "logs" / "feedback.jsonl"
    settings = assistant.settings.model_copy(
        update={"admin_token": TOKEN, "allowed_origins": "https://partner.example", "rate_limit": "100000/minute", "feedback_log": feedback}
    )
    a = Assistant(settings, assistant.prompts)
    a._loaded = assistant._ready()
    app = create_app(a, ui=True)
    with TestClient(app, client=("203.0.113.50", 1234)) as client:
        yield {"app": app, "client": client, "secret": secret, "feedback": feedback, "assistant": a}


# ----------------------------------------------------------------------------- admin
def test_admin_requires_the_token(env):
    c = env["client"]
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                    {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": f"Bearer {TOKEN[:-1]}"}, {"Authorization": TOKEN},
                    {"X-Admin-Token": TOKEN}):  # fmt: skip
        r = c.post("/api/admin/reindex", headers=headers)
        assert r.status_code == 401, (headers, r.status_code)
        assert TOKEN not in r.text
    assert c.post(f"/api/admin/reindex?token={TOKEN}").status_code == 401
    ok = c.post("/api/admin/reindex", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and ok.json()["action"] in ("unchanged", "updated")
    assert c.get("/api/admin/reindex", headers={"Authorization": f"Bearer {TOKEN}"}).status_code in (404, 405)  # GET falls through to the chat mount


def test_admin_token_is_compared_in_constant_time():
    src = inspect.getsource(api)
    assert "hmac.compare_digest" in src
    assert "== token" not in src and "token ==" not in src


def test_admin_token_cannot_be_sent_cross_origin(env):
    r = env["client"].options(
        "/api/admin/reindex",
        headers={"Origin": "https://partner.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"},
    )
    assert "authorization" not in r.headers.get("access-control-allow-headers", "").lower()


# ----------------------------------------------------------------------------- CORS and framing
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("https://partner.example", True),
        ("https://partner.example.evil.com", False),
        ("https://evil-partner.example", False),
        ("http://partner.example", False),  # scheme matters
        ("https://partner.example:8443", False),
        ("null", False),
        ("https://PARTNER.example.attacker.net", False),
    ],
)
def test_cors_honours_the_allowlist(env, origin, allowed):
    c = env["client"]
    pre = c.options("/api/ask", headers={"Origin": origin, **PREFLIGHT})
    got = pre.headers.get("access-control-allow-origin")
    assert (got == origin) if allowed else (got is None), (origin, got)
    r = c.get("/api/health", headers={"Origin": origin})
    got = r.headers.get("access-control-allow-origin")
    assert (got == origin) if allowed else (got is None)
    assert got != "*"
    assert r.headers.get("access-control-allow-credentials") != "true"


@pytest.mark.parametrize("path", ["/embed", "/embed/", "/embed?title=x"])
def test_embed_may_be_framed_only_by_the_allowlist(env, path):
    csp = env["client"].get(path).headers["content-security-policy"]
    ancestors = csp.split("frame-ancestors", 1)[1].split(";")[0].split()
    assert ancestors == ["'self'", "https://partner.example"]


@pytest.mark.parametrize("path", ["/source", "/api/health", "/widget.js", "/api/docs", "/"])
def test_other_pages_may_be_framed_only_by_ourselves(env, path):
    r = env["client"].get(path)
    csp = r.headers.get("content-security-policy", "")
    assert "frame-ancestors 'self'" in csp and "partner.example" not in csp, (path, csp)


# ----------------------------------------------------------------------------- path traversal
def raw_get(app, raw: str) -> tuple[int, bytes]:
    """One GET straight into the ASGI app with an un-normalised path."""
    path, _, query = raw.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": unquote(path), "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(b"host", b"testserver")], "client": ("203.0.113.51", 1), "server": ("testserver", 80),
    }  # fmt: skip
    status, body = 0, bytearray()

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    asyncio.run(app(scope, receive, send))
    return status, bytes(body)


def traversal_paths(secret: Path, index_file: Path, feedback: Path) -> list[str]:
    targets = ["/etc/passwd", str(secret), str(index_file), str(feedback), str(Path(api.__file__).resolve().parents[1] / "pyproject.toml")]
    rel = "../" * 12
    paths = []
    for t in targets:
        t_rel = t.lstrip("/")
        paths += [
            f"/api/sources/{rel}{t_rel}",
            f"/api/sources/..%2f..%2f..%2f..%2f..%2f..%2f..%2f{t_rel.replace('/', '%2f')}",
            f"/api/sources/%2e%2e%2f%2e%2e%2f{t_rel}",
            f"/source?cite={rel}{t_rel}",
            f"/widget.js/{rel}{t_rel}",
            f"/static/{rel}{t_rel}",
            f"/{rel}{t_rel}",
            f"/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/{t_rel}",
            f"/file={t}",
            f"/gradio_api/file={t}",
            f"/gradio_api/file={rel}{t_rel}",
            f"/gradio_api/file=%2F{t_rel.replace('/', '%2F')}",
            f"/assets/{rel}{t_rel}",
            f"/gradio_api/static/{rel}{t_rel}",
            f"/static/..%2f..%2f..%2f..%2f..%2f..%2f{t_rel.replace('/', '%2f')}",
            f"/gradio_api/proxy={t}",
            f"/proxy=file://{t}",
            f"/gradio_api/proxy=file://{t}",
        ]
    return paths


def test_no_request_path_reads_a_file_outside_source(env, brief_index):
    _, index = brief_index
    index_file = next(index.rglob("chroma.sqlite3"))
    env["feedback"].parent.mkdir(parents=True, exist_ok=True)
    env["feedback"].write_text(json.dumps({"question": SECRET_MARK}) + "\n", encoding="utf-8")
    leaks = []
    for raw in traversal_paths(env["secret"], index_file, env["feedback"]):
        status, body = raw_get(env["app"], raw)
        if status == 200 and (SECRET_MARK.encode() in body or b"root:x:0:0" in body or b"SQLite format 3" in body or b"[project]" in body):
            leaks.append(raw)
    assert not leaks, f"files outside source/ were served: {leaks}"


def test_sources_endpoint_only_takes_chunk_ids(env):
    for raw in ["/api/sources/..", "/api/sources/%2e%2e", "/api/sources/a.b", "/api/sources/" + "a" * 65]:
        status, _ = raw_get(env["app"], raw)
        assert status == 404, raw


# ----------------------------------------------------------------------------- logs
def test_no_questions_or_token_in_logs_at_the_default_level(env, caplog):
    """What `assistant serve` logs (uvicorn at info, our loggers at their default): no question text, no token."""
    c = env["client"]
    caplog.set_level(logging.INFO)  # at least as verbose as serve's default
    c.post("/api/ask", json={"question": QUESTION})
    c.post("/api/ask/stream", json={"question": QUESTION})
    c.post("/api/ask", json={"question": QUESTION, "history": "bad"})  # a 422
    c.post("/api/feedback", json={"question": QUESTION, "answer": "a", "vote": "up"})
    c.post("/api/admin/reindex", headers={"Authorization": "Bearer wrong-" + TOKEN})
    c.post("/api/admin/reindex", headers={"Authorization": f"Bearer {TOKEN}"})
    boom = env["assistant"]
    original = boom.ask

    def fail(question, history=None):
        raise RuntimeError("backend exploded")

    boom.ask = fail
    try:
        quiet = TestClient(env["app"], raise_server_exceptions=False)
        assert quiet.post("/api/ask", json={"question": QUESTION}).status_code == 500
    finally:
        boom.ask = original
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "pineapple-quartz" not in text
    assert TOKEN not in text


# ----------------------------------------------------------------------------- feedback log
def test_feedback_log_path_cannot_be_chosen_by_the_request(env, tmp_path):
    c = env["client"]
    target = tmp_path / "chosen.jsonl"
    vote = {"question": "q", "answer": "a", "vote": "up"}
    for body in (
        {**vote, "path": str(target)},
        {**vote, "feedback_log": str(target)},
        {**vote, "file": str(target)},
        {**vote, "citations": [{"n": 1, "chunk_id": "../../" + str(target), "section": "x"}]},
    ):
        r = c.post("/api/feedback", json=body)
        assert r.status_code in (201, 422), r.text
    c.post(f"/api/feedback?feedback_log={target}&path={target}", json=vote, headers={"X-Feedback-Log": str(target)})
    assert not target.exists()
    assert not list(tmp_path.iterdir())


def test_feedback_cannot_forge_lines(env):
    c = env["client"]
    log = env["feedback"]
    before = log.read_text(encoding="utf-8").count("\n") if log.exists() else 0
    forged = 'q"}\n{"vote": "down", "question": "forged"}\n'
    assert c.post("/api/feedback", json={"question": forged, "answer": "\r\n\u2028a", "vote": "up"}).status_code == 201
    lines = log.read_text(encoding="utf-8").split("\n")[:-1]  # JSON Lines: records end with "\n"
    assert len(lines) == before + 1
    assert json.loads(lines[-1])["question"] == forged
    assert c.post("/api/feedback", json={"question": "q", "answer": "a", "vote": "sideways"}).status_code == 422
    assert c.post("/api/feedback", json={"question": "q" * 10_001, "answer": "a", "vote": "up"}).status_code == 422


def test_feedback_records_survive_any_line_splitter(env):
    c = env["client"]
    log = env["feedback"]
    assert c.post("/api/feedback", json={"question": "a\u2028b\u2029c\x85d", "answer": "a", "vote": "up"}).status_code == 201
    for line in log.read_text(encoding="utf-8").splitlines():
        json.loads(line)
