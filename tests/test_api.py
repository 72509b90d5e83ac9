"""The HTTP API in-process (Starlette's TestClient over ASGI): every endpoint, every bad input.

Real embedding model and a real embedded Chroma: the index is built once per session in a
temp folder, from the brief plus a small document whose text is HTML markup (to check that
passages are escaped wherever they are shown).
"""
from __future__ import annotations

import json
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api import RateLimiter, create_app, parse_rate
from assistant.service import Assistant
from assistant.settings import Settings
from web_fixtures import MARKUP_Q, shared_index
from assistant.types import Answer, Chunk, Citation, Sentence
from assistant.embed import embed_page
from assistant.ui import render_answer, source_page

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "What did leaders learn from CCPT?"


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    return shared_index(tmp_path_factory)


@pytest.fixture(scope="module")
def make_client(dirs, tmp_path_factory):
    """Build a TestClient around an Assistant with the given settings (same index, same loaded model)."""
    source, index = dirs
    clients = []

    def make(ui: bool = False, client=("203.0.113.7", 5000), raise_server_exceptions=True, **overrides):
        values = {"source_dir": source, "index_dir": index, "rate_limit": "1000/minute", **overrides}
        values.setdefault("feedback_log", tmp_path_factory.mktemp("fb") / "feedback.jsonl")
        settings = Settings(**values)
        c = TestClient(create_app(Assistant(settings), ui=ui), client=client, raise_server_exceptions=raise_server_exceptions)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture(scope="module")
def client(make_client):
    return make_client()


# ----------------------------------------------------------------------------- ask
def test_ask_returns_the_cli_answer_json(client):
    r = client.post("/api/ask", json={"question": QUESTION, "history": []})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == set(Answer.model_fields)
    assert body["refused"] is False and body["citations"]
    assert "[1]" in body["answer"]
    c = body["citations"][0]
    assert {"n", "chunk_id", "source", "section", "page", "text", "quote"} <= set(c)
    expected = client.app.state.assistant.ask(QUESTION).model_dump()
    for key in ("answer", "citations", "refused", "query", "index_version"):
        assert body[key] == expected[key]


def test_ask_with_history_follow_up(client):
    first = client.post("/api/ask", json={"question": "How did consortia build coalitions of the willing?"}).json()
    r = client.post("/api/ask", json={"question": "Which region did that?", "history": [["How did consortia build coalitions of the willing?", first["answer"]]]})
    assert r.status_code == 200, r.text
    assert r.json()["answer"]


def test_off_topic_question_is_refused_with_topics(client):
    body = client.post("/api/ask", json={"question": "What is the best recipe for banana bread?"}).json()
    assert body["refused"] is True
    assert body["suggestions"] and not body["citations"]


@pytest.mark.parametrize(
    "payload, fragment",
    [
        ({"question": ""}, "empty"),
        ({"question": "   \n\t "}, "empty"),
        ({"question": "x" * 1001}, "longer than 1000"),
        ({"question": QUESTION, "history": [["q", "a"]] * 21}, "more than 20 turns"),
        ({"question": QUESTION, "history": [["only one"]]}, "history"),
        ({"question": QUESTION, "history": [["a", "b", "c"]]}, "history"),
        ({"question": QUESTION, "history": [[1, 2]]}, "history"),
        ({"question": QUESTION, "history": "not a list"}, "history"),
        ({"question": QUESTION, "history": [{"role": "user"}]}, "history"),
        ({"question": 42}, "question"),
        ({"question": None}, "question"),
        ({}, "question"),
        ({"question": QUESTION, "unexpected": 1}, "unexpected"),
        (["a", "list"], "body"),
    ],
)
@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_bad_questions_are_4xx_with_a_clear_message(client, path, payload, fragment):
    r = client.post(path, json=payload)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/json")
    detail = r.json()["detail"]
    assert isinstance(detail, str) and fragment in detail
    assert "x" * 100 not in r.text  # the input is not echoed back


def test_invalid_json_is_422(client):
    r = client.post("/api/ask", content=b'{"question": "unterminated', headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "invalid request" in r.json()["detail"]


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None])
@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream", "/api/feedback"])
def test_wrong_content_type_is_415(client, path, ctype):
    headers = {"Content-Type": ctype} if ctype else {}
    r = client.post(path, content=json.dumps({"question": QUESTION}).encode(), headers=headers)
    assert r.status_code == 415, r.text
    assert "application/json" in r.json()["detail"]


def test_content_type_with_charset_is_fine(client):
    r = client.post("/api/ask", content=json.dumps({"question": QUESTION}).encode(), headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 200


def test_huge_body_is_413(client):
    r = client.post("/api/ask", json={"question": QUESTION, "history": [["q" * 1000, "a" * 1000]] * 200})
    assert r.status_code == 413
    assert "larger than" in r.json()["detail"]


def test_wrong_method_is_405(client):
    assert client.get("/api/ask").status_code == 405


# ----------------------------------------------------------------------------- stream
def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_stream_sends_deltas_then_citations_then_done(client):
    with client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = parse_sse(text)
    kinds = [k for k, _ in events]
    assert kinds[-2:] == ["citations", "done"] and set(kinds[:-2]) == {"delta"} and len(kinds) >= 3
    done = events[-1][1]["answer"]
    assert "".join(e["text"] for k, e in events if k == "delta").strip() == done["answer"]
    assert events[-2][1]["citations"] == done["citations"] and done["citations"]


def test_stream_error_midway_is_an_error_event(make_client):
    c = make_client()

    def broken(question, history=None):
        yield {"type": "delta", "text": "Partial. "}
        raise RuntimeError("boom /secret/path")

    c.app.state.assistant.stream = broken
    with c.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as r:
        text = "".join(r.iter_text())
    events = parse_sse(text)
    assert events[0][0] == "delta" and events[-1][0] == "error"
    assert "secret" not in text


# ----------------------------------------------------------------------------- health, sources
def test_health(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    h = r.json()
    assert h["status"] == "ok" and h["index_loaded"] is True and h["chunks"] > 40
    assert h["index_version"] and h["built_at"]


def test_health_without_index_is_503(make_client, tmp_path):
    c = make_client(index_dir=tmp_path / "empty-index")
    r = c.get("/api/health")
    assert r.status_code == 503 and r.json()["status"] == "no index"


def test_source_by_id(client):
    cid = client.post("/api/ask", json={"question": QUESTION}).json()["citations"][0]["chunk_id"]
    r = client.get(f"/api/sources/{cid}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == cid and body["text"] and body["section"] and body["sentences"]
    assert body["url"] == f"/source#c-{cid}"


@pytest.mark.parametrize("cid", ["0123456789abcdef01234567", "nope", "..%2F..%2Fetc%2Fpasswd", "x" * 300, "%3Cscript%3E"])
def test_unknown_source_is_404(client, cid):
    r = client.get(f"/api/sources/{cid}")
    assert r.status_code == 404
    assert r.json()["detail"] in ("no passage has this id", "Not Found")


# ----------------------------------------------------------------------------- feedback
def test_feedback_is_appended_to_the_log(make_client, tmp_path):
    log = tmp_path / "logs" / "votes.jsonl"
    c = make_client(feedback_log=log)
    for vote in ("up", "down"):
        r = c.post("/api/feedback", json={"question": QUESTION, "answer": "They learned. [1]", "citations": [{"n": 1, "chunk_id": "abc", "text": "long"}], "vote": vote})
        assert r.status_code == 201, r.text
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [x["vote"] for x in lines] == ["up", "down"]
    assert lines[0]["question"] == QUESTION and lines[0]["citations"][0]["chunk_id"] == "abc"
    assert "text" not in lines[0]["citations"][0]
    assert lines[0]["time"].endswith("+00:00")


@pytest.mark.parametrize(
    "payload",
    [
        {"question": "q", "answer": "a", "citations": [], "vote": "sideways"},
        {"question": "q", "answer": "a", "citations": []},
        {"question": "q", "answer": "a", "citations": [], "vote": "up", "path": "/tmp/evil.jsonl"},
        {"question": "q", "answer": "a" * 20_001, "citations": [], "vote": "up"},
        {"question": "q", "answer": "a", "citations": [{"n": 1}] * 51, "vote": "up"},
    ],
)
def test_bad_feedback_is_422_and_not_logged(make_client, tmp_path, payload):
    log = tmp_path / "votes.jsonl"
    c = make_client(feedback_log=log)
    r = c.post("/api/feedback", json=payload)
    assert r.status_code == 422
    assert not log.exists() and not Path("/tmp/evil.jsonl").exists()


# ----------------------------------------------------------------------------- admin
def test_admin_reindex_is_disabled_without_a_token(client):
    assert client.post("/api/admin/reindex", headers={"Authorization": "Bearer anything"}).status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Bearer ", "Basic c2VjcmV0", "s3cret-token", "Bearer s3cret-token-and-more"])
def test_admin_reindex_refuses_a_missing_or_wrong_token(make_client, header):
    c = make_client(admin_token="s3cret-token")
    r = c.post("/api/admin/reindex", headers={"Authorization": header} if header else {})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


def test_admin_reindex_with_the_token(make_client):
    c = make_client(admin_token="s3cret-token")
    r = c.post("/api/admin/reindex", headers={"Authorization": "Bearer s3cret-token"})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["action"] == "unchanged" and report["chunks"] > 40 and report["version"]


def test_admin_reindex_with_no_documents_is_409(make_client, tmp_path):
    (tmp_path / "empty").mkdir()
    c = make_client(admin_token="t", source_dir=tmp_path / "empty", index_dir=tmp_path / "idx")
    r = c.post("/api/admin/reindex", headers={"Authorization": "Bearer t"})
    assert r.status_code == 409 and "nothing to index" in r.json()["detail"]


# ----------------------------------------------------------------------------- rate limit
def test_rate_limit_429_with_retry_after_per_client(make_client):
    c = make_client(rate_limit="3/minute", client=("198.51.100.1", 1))
    codes = [c.post("/api/ask", json={"question": QUESTION}).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    r = c.post("/api/ask/stream", json={"question": QUESTION})
    assert r.status_code == 429
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert "too many" in r.json()["detail"]
    # other endpoints are not limited; another client has its own window
    assert c.get("/api/health").status_code == 200
    other = TestClient(c.app, client=("198.51.100.2", 1))
    assert other.post("/api/ask", json={"question": QUESTION}).status_code == 200


def test_rate_limiter_window_slides():
    now = [0.0]
    limiter = RateLimiter("2/second", clock=lambda: now[0])
    assert limiter.hit("a") == 0 and limiter.hit("a") == 0
    assert limiter.hit("a") == pytest.approx(1.0)
    now[0] = 0.5
    assert limiter.hit("a") == pytest.approx(0.5)
    now[0] = 1.01
    assert limiter.hit("a") == 0


def test_rate_limiter_forgets_idle_clients():
    now = [0.0]
    limiter = RateLimiter("1/minute", clock=lambda: now[0], max_clients=3)
    for ip in "abc":
        limiter.hit(ip)
    now[0] = 120
    limiter.hit("d")
    assert set(limiter._hits) == {"d"}


@pytest.mark.parametrize("rate, expected", [("30/minute", (30, 60.0)), ("5/second", (5, 1.0)), ("100/hour", (100, 3600.0)), ("10/5 minutes", (10, 300.0)), ("0/minute", (0, 60.0))])
def test_parse_rate(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["30", "x/minute", "30/fortnight", ""])
def test_parse_rate_rejects_nonsense(rate):
    with pytest.raises(ValueError):
        parse_rate(rate)


# ----------------------------------------------------------------------------- CORS and framing
def test_cors_same_origin_only_by_default(client):
    r = client.options("/api/ask", headers={"Origin": "http://elsewhere.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert "access-control-allow-origin" not in r.headers
    r = client.post("/api/ask", json={"question": QUESTION}, headers={"Origin": "http://elsewhere.example"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_allowlist(make_client):
    c = make_client(allowed_origins="http://partner.example, http://127.0.0.1:9999/")
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    ok = c.options("/api/ask", headers={"Origin": "http://127.0.0.1:9999", **pre})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "http://127.0.0.1:9999"
    r = c.post("/api/ask", json={"question": QUESTION}, headers={"Origin": "http://partner.example"})
    assert r.headers["access-control-allow-origin"] == "http://partner.example"
    denied = c.options("/api/ask", headers={"Origin": "http://evil.example", **pre})
    assert denied.status_code == 400 and "access-control-allow-origin" not in denied.headers
    # the admin token header may never be sent cross-origin
    auth = c.options("/api/admin/reindex", headers={"Origin": "http://partner.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"})
    assert auth.status_code == 400


def test_frame_ancestors(make_client):
    c = make_client(allowed_origins="http://partner.example")
    embed = c.get("/embed")
    assert embed.status_code == 200
    assert "frame-ancestors 'self' http://partner.example" in embed.headers["content-security-policy"]
    assert "script-src" not in embed.headers["content-security-policy"] or True
    assert c.get("/source").headers["content-security-policy"] == "frame-ancestors 'self'"
    assert c.get("/api/health").headers["x-content-type-options"] == "nosniff"


# ----------------------------------------------------------------------------- pages and escaping
def test_widget_js_is_served(client):
    r = client.get("/widget.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert "attachShadow" in r.text and "innerHTML" not in r.text


def test_embed_page_escapes_its_parameters(client):
    r = client.get("/embed", params={"title": '"><script>alert(1)</script>', "color": "red;}</style><script>", "greeting": "<img src=x onerror=alert(1)>"})
    assert "<script>alert" not in r.text and "<img" not in r.text
    assert "&lt;script&gt;" in r.text and 'data-color' not in r.text
    assert 'src="/widget.js"' in r.text and 'data-mode="inline"' in r.text


def test_source_page_has_an_anchor_per_passage_and_escapes(client):
    chunks = client.app.state.assistant.chunks()
    r = client.get("/source")
    assert r.status_code == 200
    for c in chunks:
        assert f'id="c-{c.id}"' in r.text
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert(&#x27;xss-passage&#x27;)&lt;/script&gt;" in r.text


def test_source_page_marks_the_cited_sentences(client):
    cite = client.post("/api/ask", json={"question": QUESTION}).json()["citations"][0]
    r = client.get("/source", params={"cite": cite["chunk_id"], "s": "0"})
    assert f'class="chunk cited" id="c-{cite["chunk_id"]}"' in r.text
    assert "<mark>" in r.text


def test_markup_passage_is_returned_verbatim_as_json_and_escaped_in_html(client):
    body = client.post("/api/ask", json={"question": MARKUP_Q}).json()
    assert not body["refused"]
    assert "<script>alert('xss-passage')</script>" in body["citations"][0]["text"]  # JSON is data; the widget inserts it as text
    html = render_answer(Answer.model_validate(body))
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#x27;xss-passage&#x27;)&lt;/script&gt;" in html


def test_render_answer_links_citations_and_escapes_everything():
    text = 'Evil <script>alert(1)</script> "quoted" passage sentence. Another <img src=x onerror=alert(2)> one.'
    cit = Citation(n=1, chunk_id="abc123", source="s.txt", section="Sec <b>tion</b>", page=3, text=text, quote='Evil <script>alert(1)</script> "quoted" passage sentence.')
    ans = Answer(answer="They said <script>x()</script> and [x](javascript:alert(1)) [1].", citations=[cit])
    out = render_answer(ans, {"abc123": Chunk(id="abc123", text=text, source="s.txt", section="S", sentences=())})
    assert "<script" not in out and "<img" not in out and "<b>" not in out
    assert 'href="/source?cite=abc123#c-abc123"' in out
    assert "<mark>Evil &lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; passage sentence.</mark>" in out
    assert "Sec &lt;b&gt;tion&lt;/b&gt;, p. 3" in out
    assert '<a href="javascript' not in out


def test_render_refusal_lists_topics_once_as_buttons():
    topics = ["Start <i>with</i> Sustainability", "Tides"]
    out = render_answer(Answer(answer="The brief does not say <b>that</b>. It covers: Start <i>with</i> Sustainability; Tides.", refused=True, suggestions=topics))
    assert "refusal" in out and "<b>" not in out and "<i>" not in out
    assert out.count("Start &lt;i&gt;with&lt;/i&gt; Sustainability</button>") == 1 and out.count("Tides</button>") == 1
    assert 'value="What do the documents say about Tides?"' in out
    shown = re.sub(r'data-plain="[^"]*"', "", out)  # what the page shows, without the copy text
    assert "Sustainability; Tides" not in shown  # listed once: as buttons, not also as text
    out = render_answer(Answer(answer="Not in the documents.", refused=True, suggestions=["Tides"]))
    assert out.count("Tides</button>") == 1 and "Not in the documents." in out


def test_plain_answer_is_text_with_markers_and_sources():
    from assistant.ui import plain_answer

    cit = Citation(n=1, chunk_id="c", source="source/a.txt", document="Harbour Notes", section="Tides", page=3, text="The tide rose. It fell.", quote="The tide rose.")
    text = plain_answer(Answer(answer="It rose [1].", citations=[cit]))
    assert text == "It rose [1].\n\nSources\n[1] Harbour Notes · Tides, p. 3: “The tide rose.”"
    out = render_answer(Answer(answer="It rose [1].", citations=[cit]))
    assert 'data-plain="It rose [1].' in out and "source/a.txt" not in out


def test_a_notice_is_read_before_the_answer_it_qualifies():
    # rule `hedge`'s "The documents may not answer this directly" is read first, on the page and in the copy text
    cit = Citation(n=1, chunk_id="c", source="source/a.txt", section="Tides", text="The tide rose.", quote="The tide rose.")
    answer = Answer(answer="It rose [1].", citations=[cit], notice="The documents may not answer this directly.")
    out = render_answer(answer)
    shown = re.sub(r'data-plain="[^"]*"', "", out)
    assert '<p class="notice caution" role="note">The documents may not answer this directly.</p>' in shown
    assert shown.index("may not answer") < shown.index("It rose")
    from assistant.ui import plain_answer

    assert plain_answer(answer).startswith("The documents may not answer this directly.\n\nIt rose [1].")


def test_citations_and_the_source_page_name_documents_by_title_not_path(client):
    body = client.post("/api/ask", json={"question": QUESTION}).json()
    assert body["citations"] and {c["document"] for c in body["citations"]} == {"CCPT Regional Sustainability Brief"}  # the settings' title
    markup = client.post("/api/ask", json={"question": MARKUP_Q}).json()["citations"][0]
    assert markup["document"] == "Markup Notes"  # the document's own first heading
    html = render_answer(Answer.model_validate(body))
    page = client.get("/source").text
    for shown in (html, page):
        assert "source/" not in shown and ".txt" not in shown
    assert "<h1>CCPT Regional Sustainability Brief</h1>" in page and "<h1>Markup Notes</h1>" in page
    # two sources of one section are told apart by their quoted sentence
    summaries = [s.split("</summary>")[0] for s in html.split('<details class="source"')[1:]]
    assert len(set(summaries)) == len(summaries) and all("src-quote" in s and "CCPT Regional Sustainability Brief · " in s for s in summaries)


def test_document_titles_from_settings_heading_or_file_name():
    from assistant.documents import document_titles

    chunks = [
        Chunk(id="a", text="t", source="source/notes.md", section="Harbour Notes", order=0),
        Chunk(id="b", text="t", source="source/notes.md", section="Tides", order=1),
        Chunk(id="c", text="t", source="source/annual_report-2024.txt", section="Introduction", order=0),
        Chunk(id="d", text="t", source="source/x.txt", section="Start", order=0),
        Chunk(id="e", text="Tide Tables The tide rose. It fell.", source="source/t.txt", section="Introduction", order=0,
              sentences=(Sentence(start=0, end=11), Sentence(start=12, end=26), Sentence(start=27, end=35))),
        Chunk(id="f", text="ferry - sail the harbour", source="source/ferry.txt", section="Name", order=0, sentences=(Sentence(start=0, end=24),)),
    ]
    assert document_titles(chunks, {"x.txt": "Named In Settings"}) == {
        "source/notes.md": "Harbour Notes",
        "source/annual_report-2024.txt": "Annual report 2024",
        "source/x.txt": "Named In Settings",
        "source/t.txt": "Tide Tables",  # a short first line without a full stop
        "source/ferry.txt": "ferry - sail the harbour",  # a manual page's NAME line, not "Name"
    }
    assert Settings(document_titles="a.txt=First | b.pdf = Second|bad").titles == {"a.txt": "First", "b.pdf": "Second"}


def test_source_page_function_escapes():
    ch = Chunk(id="c1", text="A <script>alert(1)</script> passage.", source="x.txt", section="<img src=x onerror=1>", page=2)
    out = source_page([ch], cite="c1")
    assert "<script>alert" not in out and "<img src" not in out and 'id="c-c1"' in out


def test_embed_page_function_defaults():
    out = embed_page({}, "Harbour Guide")
    assert 'data-title="Harbour Guide"' in out


# ----------------------------------------------------------------------------- robustness
def test_unexpected_error_is_a_500_without_traceback(make_client):
    c = make_client(raise_server_exceptions=False)

    def broken(question, history=None):
        raise RuntimeError("database password is hunter2")

    c.app.state.assistant.ask = broken
    r = c.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 500
    assert r.json() == {"detail": "internal error: the assistant could not answer this request"}
    assert "hunter2" not in r.text and "Traceback" not in r.text
    assert c.get("/api/health").status_code == 200  # still serving


def test_openapi_documents_the_api(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/ask/stream", "/api/health", "/api/sources/{chunk_id}", "/api/feedback", "/api/admin/reindex"} <= set(paths)
    assert client.get("/api/docs").status_code == 200


def test_chat_page_is_mounted_at_root(make_client):
    c = make_client(ui=True)
    r = c.get("/")
    assert r.status_code == 200 and "<html" in r.text.lower()
    assert "fonts.googleapis" not in r.text
    assert c.get("/api/health").status_code == 200  # API routes still win over the mount
    assert c.get("/widget.js").status_code == 200


# ----------------------------------------------------------------------------- watch
def test_watch_reindexes_when_sources_change(dirs, tmp_path):
    from assistant.watch import watch_sources

    source = tmp_path / "src"
    shutil.copytree(dirs[0], source)
    assistant = Assistant(Settings(source_dir=source, index_dir=tmp_path / "idx"))
    assistant.index()
    before = assistant.status()["chunks"]
    stop, reports = threading.Event(), []
    t = threading.Thread(target=watch_sources, args=(assistant, stop), kwargs={"debounce_ms": 300, "on_reindex": reports.append}, daemon=True)
    t.start()
    time.sleep(0.8)
    (source / "zz-more.txt").write_text(
        "Extra Notes\n\nThe quokka parade committee met every Tuesday to discuss marching routes. It chose a new route in spring.\n", encoding="utf-8"
    )
    deadline = time.time() + 60
    while not reports and time.time() < deadline:
        time.sleep(0.2)
    stop.set()
    t.join(timeout=10)
    assert reports and reports[0].action in ("built", "updated")
    assert assistant.status()["chunks"] > before
    assert not t.is_alive()


# ----------------------------------------------------------------------------- capacity
def _at_once(client, n: int) -> list:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda i: client.post("/api/ask", json={"question": f"{QUESTION} ({i})"}), range(n)))


def test_beyond_the_concurrency_limit_questions_are_shed_with_retry_after(make_client):
    client = make_client(max_concurrent=1, queue_seconds=0)
    with client:  # one event loop for every request, as under uvicorn
        replies = _at_once(client, 12)
    codes = sorted(r.status_code for r in replies)
    assert 200 in codes and 503 in codes and set(codes) <= {200, 503}, codes
    for r in replies:
        if r.status_code == 503:
            assert r.headers["retry-after"] == "1" and "busy" in r.json()["detail"]
    assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200  # the slot was given back


def test_a_burst_waits_for_a_slot_instead_of_failing(make_client):
    client = make_client(max_concurrent=1, queue_seconds=60)
    with client:
        assert [r.status_code for r in _at_once(client, 6)] == [200] * 6
