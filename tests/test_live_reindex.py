"""A live server keeps answering while the index is rebuilt and swapped under it.

Real uvicorn server on 127.0.0.1, real model, real Chroma: one thread asks in a loop while the
brief is edited and the admin endpoint rebuilds the index. No request may fail, and answers must
switch to the new index version and the edited sentence.
"""
import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from assistant.api import create_app
from assistant.service import Assistant
from assistant.settings import Settings
from web_fixtures import free_port  # noqa: E402 (tests/ is on sys.path)

BRIEF = Path(__file__).resolve().parent.parent / "source" / "ccpt-regional-sustainability-brief.txt"
QUESTION = "How long was the CCPT grant period for the consortia?"


@pytest.fixture()
def live_server(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(BRIEF, source / BRIEF.name)
    port = free_port()
    settings = Settings(source_dir=source, index_dir=tmp_path / "index", admin_token="s3cret", rate_limit="100000/minute")
    assistant = Assistant(settings)
    assistant.index()
    assistant.warm_up()
    server = uvicorn.Server(uvicorn.Config(create_app(assistant, ui=False), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base, source / BRIEF.name
    server.should_exit = True
    thread.join(timeout=10)


def test_reindex_swaps_the_index_without_failing_a_request(live_server):
    base, brief = live_server
    before = httpx.get(f"{base}/api/health").json()["index_version"]
    results: list[tuple[int, str | None, str]] = []
    stop = threading.Event()

    def ask_in_a_loop():
        with httpx.Client(timeout=60) as client:
            while not stop.is_set():
                r = client.post(f"{base}/api/ask", json={"question": QUESTION, "history": []})
                body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
                results.append((r.status_code, body.get("index_version"), body.get("answer", "")))

    asker = threading.Thread(target=ask_in_a_loop)
    asker.start()
    try:
        time.sleep(1.0)
        text = brief.read_text(encoding="utf-8")
        assert "within the four-year grant" in text  # one line of the raw PDF text
        brief.write_text(text.replace("within the four-year grant", "within the seven-year grant", 1), encoding="utf-8")
        r = httpx.post(f"{base}/api/admin/reindex", headers={"Authorization": "Bearer s3cret"}, timeout=300)
        assert r.status_code == 200, r.text
        after = httpx.get(f"{base}/api/health").json()["index_version"]
        assert after != before
        time.sleep(1.5)  # let the loop ask a few more questions on the new index
    finally:
        stop.set()
        asker.join(timeout=120)

    statuses = [s for s, _, _ in results]
    assert statuses and all(s == 200 for s in statuses), statuses
    versions = [v for _, v, _ in results]
    assert versions[0] == before and versions[-1] == after
    assert set(versions) == {before, after}
    last = results[-1][2]
    assert "seven-year" in last and "within the four-year" not in last
