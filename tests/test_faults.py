"""Faults while serving: kill -9 mid-stream, the index made read-only or deleted, the Chroma server going away.

Real processes where the fault needs one (``assistant serve`` on a free loopback port,
``chroma run``), real embedding model, real Chroma. Expected everywhere: a clear status
(health 503 naming the problem, or a JSON 503 with ``Retry-After``), never a 500, never a
hung request, and recovery without restarting the app.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import httpx
import pytest

from assistant.api import create_app
from assistant.service import Assistant
from assistant.settings import Settings
from web_fixtures import free_port  # noqa: E402 (tests/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "source" / "ccpt-regional-sustainability-brief.txt"
ASSISTANT = Path(sys.executable).with_name("assistant")
CHROMA = Path(sys.executable).with_name("chroma")
QUESTION = "What did leaders learn from CCPT?"
SECRET_Q = "How did the quokka-lantern consortium build trust with employers?"


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"process exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                r.read()
            return
        except urllib.error.HTTPError:
            return  # answering, even with an error status
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} not up within {timeout} s")


def _readable_reader(folder: Path) -> Path:
    """A copy of the trained reader that an unprivileged user can read (root's cache is private)."""
    from assistant.reader import load
    from assistant.settings import Settings

    reader = load(Settings())
    models = folder / "models"
    if not (models / reader.folder.name).exists():
        shutil.copytree(reader.folder, models / reader.folder.name)
    return models


def start_serve(source: Path, index: Path, log: Path, *, user: int | None = None, **env) -> tuple[subprocess.Popen, str]:
    port = free_port()
    full_env = {
        **os.environ, "ASSISTANT_SOURCE_DIR": str(source), "ASSISTANT_INDEX_DIR": str(index), "ASSISTANT_RATE_LIMIT": "100000/minute",
        "ASSISTANT_FEEDBACK_LOG": str(log.parent / "feedback.jsonl"), "TOKENIZERS_PARALLELISM": "false", **env,
    }  # fmt: skip
    full_env.pop("ASSISTANT_CHROMA_URL", None)
    cmd = [str(ASSISTANT), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if user is not None:
        full_env["HOME"] = str(log.parent)
        full_env["ASSISTANT_MODELS_DIR"] = str(_readable_reader(log.parent))
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
    proc = subprocess.Popen(cmd, env=full_env, stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/api/health", proc)
    except BaseException:
        stop(proc)  # never leave a server behind a failed start
        raise
    return proc, url


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def copied(brief_index, tmp_path):
    """A private copy of the session's source and index (each fault test breaks its own)."""
    source, index = brief_index
    shutil.copytree(source, tmp_path / "source")
    shutil.copytree(index, tmp_path / "index")
    return tmp_path / "source", tmp_path / "index"


def essential(answer: dict) -> tuple:
    return answer["answer"], [(c["chunk_id"], c["quote"]) for c in answer["citations"]], answer["refused"], answer["index_version"]


# ----------------------------------------------------------------------------- kill -9 mid-stream
def test_kill_9_mid_stream_then_restart_gives_the_same_answer(copied, tmp_path):
    source, index = copied
    log = tmp_path / "serve.log"
    files_before = sorted((p.relative_to(index).as_posix(), p.stat().st_size) for p in index.rglob("*") if p.is_file() and "sqlite" not in p.name)
    pointer_before = (index / "CURRENT.json").read_text()
    proc, url = start_serve(source, index, log)
    try:
        first = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=120)
        assert first.status_code == 200
        with httpx.stream("POST", f"{url}/api/ask/stream", json={"question": SECRET_Q}, timeout=120) as r:
            assert r.status_code == 200
            for line in r.iter_lines():
                if line.startswith("event:"):
                    os.killpg(proc.pid, signal.SIGKILL)  # mid-stream: after the first event
                    break
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
    finally:
        stop(proc)
    assert (index / "CURRENT.json").read_text() == pointer_before
    assert json.loads(pointer_before)["version"] in {p.name for p in (index / "builds").iterdir()}
    proc, url = start_serve(source, index, log)
    try:
        health = httpx.get(f"{url}/api/health", timeout=30).json()
        assert health["status"] == "ok" and health["index_version"] == first.json()["index_version"]
        again = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=120)
        assert again.status_code == 200
        assert essential(again.json()) == essential(first.json())
    finally:
        stop(proc)
    files_after = sorted((p.relative_to(index).as_posix(), p.stat().st_size) for p in index.rglob("*") if p.is_file() and "sqlite" not in p.name)
    assert files_after == files_before  # nothing rebuilt, nothing lost
    # At the default log level the server logged neither question.
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "quokka-lantern" not in text and QUESTION not in text


# ----------------------------------------------------------------------------- index deleted / read-only
def call(app, method: str, path: str, **kw) -> httpx.Response:
    async def go():
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=300) as c:
            return await c.request(method, path, **kw)

    return asyncio.run(go())


def assert_clean(r: httpx.Response) -> None:
    assert r.status_code < 500 or r.status_code == 503, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    if r.status_code == 503:
        assert r.json()["detail"]


def test_index_deleted_while_serving_then_recovers_after_assistant_index(copied, tmp_path):
    source, index = copied
    a = Assistant(Settings(source_dir=source, index_dir=index, rate_limit="100000/minute", feedback_log=tmp_path / "f.jsonl"))
    app = create_app(a, ui=False)
    before = call(app, "POST", "/api/ask", json={"question": QUESTION})
    assert before.status_code == 200
    shutil.rmtree(index)
    health = call(app, "GET", "/api/health")
    assert health.status_code == 503 and health.json()["status"] == "no index"
    during = call(app, "POST", "/api/ask", json={"question": QUESTION})
    assert_clean(during)  # either rebuilt on demand (200) or a clear 503
    subprocess.run([str(ASSISTANT), "index"], env={**os.environ, "ASSISTANT_SOURCE_DIR": str(source), "ASSISTANT_INDEX_DIR": str(index)},
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    health = call(app, "GET", "/api/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    after = call(app, "POST", "/api/ask", json={"question": QUESTION})
    assert after.status_code == 200
    assert essential(after.json())[:3] == essential(before.json())[:3]


def _nobody() -> int:
    return 65534


@pytest.mark.skipif(not shutil.which("setpriv"), reason="needs setpriv to drop root (root ignores read-only permissions)")
def test_index_read_only_while_serving_keeps_answering_and_recovers(brief_index, tmp_path_factory):
    """The server runs as an unprivileged user; its index is made read-only under it, then writable again."""
    source0, index0 = brief_index
    base = Path(tempfile.mkdtemp(prefix="assistant-ro-"))  # pytest's temp root is 0700: the other user could not enter it
    os.chmod(base, 0o777)
    shutil.copytree(source0, base / "source")
    shutil.copytree(index0, base / "index")
    user = _nobody() if os.geteuid() == 0 else None
    if user is not None:
        subprocess.run(["chown", "-R", f"{user}:{user}", str(base)], check=True)
    log = base / "serve.log"
    proc, url = start_serve(base / "source", base / "index", log, user=user)
    try:
        first = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=120)
        assert first.status_code == 200
        if user is not None:
            subprocess.run(["chown", "-R", "0:0", str(base / "index")], check=True)
        subprocess.run(["chmod", "-R", "a-w", str(base / "index")], check=True)
        health = httpx.get(f"{url}/api/health", timeout=30)
        assert health.status_code in (200, 503)
        r = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=120)
        assert_clean(r)
        if r.status_code == 200:
            assert essential(r.json()) == essential(first.json())
        if user is not None:
            # a new process on the read-only index (Chroma must write to open it): a clear error, no traceback
            cli = subprocess.run(
                ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", str(ASSISTANT), "ask", QUESTION],
                env={**os.environ, "HOME": str(base), "ASSISTANT_SOURCE_DIR": str(base / "source"), "ASSISTANT_INDEX_DIR": str(base / "index"),
                     "ASSISTANT_MODELS_DIR": str(_readable_reader(base))},
                capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert cli.returncode != 0 and "error:" in cli.stderr + cli.stdout and "Traceback" not in cli.stderr, cli.stderr[-2000:]
            assert "not writable" in cli.stderr + cli.stdout and "--rebuild" not in cli.stderr + cli.stdout  # the cause, not a wrong cure
        # a source edit cannot be indexed by the server while read-only: a clear answer, not a crash
        (base / "source" / "extra.md").write_text("# Extra\n\nThe Zorblat council met twice a year to review the pathways.\n", encoding="utf-8")
        subprocess.run(["chmod", "-R", "a+rwX", str(base / "index")], check=True)
        subprocess.run([str(ASSISTANT), "index"], env={**os.environ, "ASSISTANT_SOURCE_DIR": str(base / "source"), "ASSISTANT_INDEX_DIR": str(base / "index")},
                       check=True, capture_output=True, timeout=300)  # fmt: skip
        if user is not None:
            subprocess.run(["chown", "-R", f"{user}:{user}", str(base)], check=True)
        later = httpx.post(f"{url}/api/ask", json={"question": "How often did the Zorblat council meet?"}, timeout=120)
        assert later.status_code == 200, later.text
        assert "Zorblat" in later.json()["answer"]
        assert proc.poll() is None
    finally:
        stop(proc)
        subprocess.run(["chmod", "-R", "a+rwX", str(base)], check=False)
        shutil.rmtree(base, ignore_errors=True)


# ----------------------------------------------------------------------------- Chroma server stopped
def start_chroma(data: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc, timeout=60)
    return proc


@pytest.mark.skipif(not CHROMA.exists(), reason="the chroma CLI is not installed next to this Python")
def test_chroma_server_stopped_then_restarted_503_then_recovers(tmp_path, brief_index):
    source, _ = brief_index
    port = free_port()
    data = tmp_path / "chroma"
    chroma = start_chroma(data, port)
    try:
        settings = Settings(source_dir=source, index_dir=tmp_path / "local", chroma_url=f"http://127.0.0.1:{port}",
                            rate_limit="100000/minute", feedback_log=tmp_path / "f.jsonl")  # fmt: skip
        a = Assistant(settings)
        a.index()
        app = create_app(a, ui=False)
        before = call(app, "POST", "/api/ask", json={"question": QUESTION})
        assert before.status_code == 200

        stop(chroma)
        for path, kw in (("/api/ask", {"json": {"question": QUESTION}}), ("/api/ask/stream", {"json": {"question": QUESTION}})):
            started = time.monotonic()
            r = call(app, "POST", path, **kw)
            assert time.monotonic() - started < 30, "fails fast rather than hanging"
            assert r.status_code == 503, (path, r.status_code, r.text)
            assert "retry-after" in r.headers and r.json()["detail"]
        health = call(app, "GET", "/api/health")
        assert health.status_code == 503, health.text

        chroma = start_chroma(data, port)
        after = call(app, "POST", "/api/ask", json={"question": QUESTION})
        assert after.status_code == 200, after.text
        assert essential(after.json()) == essential(before.json())
        assert call(app, "GET", "/api/health").status_code == 200
    finally:
        stop(chroma)


# ----------------------------------------------------------------------------- a 1000x-sized index
def test_an_index_of_more_than_32k_passages_opens(tmp_path):
    """Written straight into Chroma with 4-d vectors (embedding 33k passages would take an hour here): opening needs no model."""
    import chromadb
    import numpy as np

    from assistant.index import IndexInfo, IndexStore, _chroma_settings

    n, version = 33_000, "20260101000000000-0000beef"
    folder = tmp_path / "index" / "builds" / version
    client = chromadb.PersistentClient(path=str(folder), settings=_chroma_settings())
    chunks = client.create_collection("brief-chunks", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    client.create_collection("brief-sentences", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    rng = np.random.default_rng(0)
    for s in range(0, n, 5000):
        ids = [f"c{i:07d}" for i in range(s, min(s + 5000, n))]
        chunks.add(ids=ids, documents=[f"Passage {i} about regional partnerships." for i in range(s, s + len(ids))],
                   metadatas=[{"source": "source/big.md", "section": "S", "order": i, "sentences": "[]"} for i in range(s, s + len(ids))],
                   embeddings=rng.random((len(ids), 4), dtype=np.float32))  # fmt: skip
    del chunks, client
    info = IndexInfo(version=version, path=f"builds/{version}", built_at="", embedding_model="m", chunker="c", chunks=n, sentences=0, sources={})
    opened = IndexStore(tmp_path / "index").open(info, None)
    assert len(opened.chunks) == n
