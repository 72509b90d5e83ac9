"""The same incremental sync against a real Chroma server (`chroma run`, started here on 127.0.0.1)."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.index import IndexLockedError
from assistant.service import Assistant
from assistant.settings import Settings
from web_fixtures import free_port  # noqa: E402 (tests/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "source" / "ccpt-regional-sustainability-brief.txt"
CHROMA = Path(sys.executable).with_name("chroma")
OLD_PANEL = "must interview with a cross-sector hiring "
NEW_PANEL = "must interview with a student and parent advisory "
HIRING_Q = "What change to hiring practices happened in one of the regions?"
MD = """# Harbor Logistics Academy

The Harbor Logistics Academy enrolled two hundred students in port operations courses.
Its graduates earned forklift and customs certificates before finishing high school.

## Employer Council

A council of fourteen shipping employers meets every quarter to review the curriculum.
The council added a course on cold-chain storage after members asked for it.
"""


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed next to this Python")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-data")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).read()
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail("chroma run did not start")
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _server_versions(a: Assistant) -> set[str]:
    client = a.store._client(None)
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    prefix = f"{a.settings.collection}-"
    return {n[len(prefix) : -len("-chunks")] for n in names if n.startswith(prefix) and n.endswith("-chunks")}


def test_incremental_sync_and_answers_on_a_chroma_server(chroma_url, tmp_path):
    src = tmp_path / "source"
    src.mkdir()
    shutil.copy(BRIEF, src / BRIEF.name)
    settings = dict(source_dir=src, chroma_url=chroma_url, collection="srv")
    a = Assistant(Settings(index_dir=tmp_path / "app1", **settings))
    full = a.index()
    assert full.action == "built" and full.chunk_changes["added"] == full.chunks
    assert not (tmp_path / "app1" / "CURRENT.json").exists()  # the pointer lives on the server

    # another app server (its own local folder) shares the index through the server
    other = Assistant(Settings(index_dir=tmp_path / "app2", **settings))
    assert other.store.current().version == full.version
    assert other.index().action == "unchanged"
    before = other.ask(HIRING_Q)
    assert before.index_version == full.version

    text = (src / BRIEF.name).read_text(encoding="utf-8")
    (src / BRIEF.name).write_text(text.replace(OLD_PANEL, NEW_PANEL), encoding="utf-8")
    edited = a.index()
    assert edited.action == "updated"
    assert edited.chunk_changes == {"added": 0, "changed": 1, "removed": 0, "unchanged": full.chunks - 1, "reused": 0}
    assert edited.embedded == 2
    after = other.ask(HIRING_Q)  # the other app server switches on its next question
    assert after.index_version == edited.version
    cited = " ".join(c.text for c in after.citations)
    assert "student and parent advisory panel" in cited and "cross-sector hiring panel" not in cited

    (src / "harbor.md").write_text(MD, encoding="utf-8")
    added = a.index()
    n_md = added.chunks - full.chunks
    assert added.chunk_changes == {"added": n_md, "changed": 0, "removed": 0, "unchanged": full.chunks, "reused": 0}
    (src / "harbor.md").rename(src / "port.md")
    renamed = a.index()
    assert renamed.file_changes["renamed"] == ["source/harbor.md -> source/port.md"]
    assert renamed.embedded == 0 and renamed.chunk_changes["reused"] == n_md
    (src / "port.md").unlink()
    removed = a.index()
    assert removed.chunk_changes == {"added": 0, "changed": 0, "removed": n_md, "unchanged": full.chunks, "reused": 0}
    assert {c.source for c in other.chunks()} == {"source/" + BRIEF.name}
    # old versions are pruned on the server: the live one and the one it replaced remain
    assert _server_versions(a) == {removed.version, renamed.version}
    assert a.index().action == "unchanged"


def test_server_lock_refuses_a_live_build_and_breaks_a_dead_ones(chroma_url, tmp_path):
    src = tmp_path / "source"
    src.mkdir()
    (src / "harbor.md").write_text(MD, encoding="utf-8")
    a = Assistant(Settings(index_dir=tmp_path / "app", source_dir=src, chroma_url=chroma_url, collection="locky"))
    client = a.store._client(None)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        # a build running on the same host (a live process) holds the server lock
        client.create_collection("locky-lock", metadata={"host": socket.gethostname(), "pid": sleeper.pid, "started": time.time()})
        with pytest.raises(IndexLockedError, match=f"pid {sleeper.pid}"):
            a.index()
        assert a.store.current() is None
    finally:
        sleeper.kill()
        sleeper.wait()
    # its process is gone (killed): the stale lock is broken and the build runs
    report = a.index()
    assert report.action == "built"
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    assert "locky-lock" not in names
