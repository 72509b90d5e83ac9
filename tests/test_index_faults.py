"""Interrupted builds (kill -9, an exception such as a full disk) leave the previous index serving; a second build is refused."""
from __future__ import annotations

import errno
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.index import IndexError_, IndexLockedError
from assistant.service import Assistant
from assistant.settings import Settings

MD = """# Harbor Logistics Academy

The Harbor Logistics Academy enrolled two hundred students in port operations courses.
Its graduates earned forklift and customs certificates before finishing high school.

## Employer Council

A council of fourteen shipping employers meets every quarter to review the curriculum.
The council added a course on cold-chain storage after members asked for it.
"""
EXTRA = """# Mesa Cybersecurity Lab

The Mesa consortium opened a cybersecurity lab where forty students earned network certificates.
Each student met an industry mentor every month during the school year.
"""
QUESTION = "How many students did the Harbor Logistics Academy enroll?"


@pytest.fixture
def small(tmp_path):
    src = tmp_path / "source"
    src.mkdir()
    (src / "harbor.md").write_text(MD, encoding="utf-8")
    a = Assistant(Settings(source_dir=src, index_dir=tmp_path / "index"))
    first = a.index()
    assert first.action == "built"
    return tmp_path, src, a, first


def _partials(index_dir: Path) -> list[Path]:
    return [p for p in (index_dir / "builds").iterdir() if p.name.endswith(".partial")]


def test_sigkill_halfway_leaves_the_old_index_serving_and_a_rerun_completes(small):
    tmp, src, a, first = small
    (src / "mesa.md").write_text(EXTRA, encoding="utf-8")
    script = (
        "import sys, time\n"
        "from chromadb.api.models.Collection import Collection\n"
        "orig = Collection.add\n"
        "def add(self, *a, **k):\n"
        "    orig(self, *a, **k)\n"
        "    print('HALF', flush=True)\n"
        "    time.sleep(120)\n"
        "Collection.add = add\n"
        "from assistant.cli import app\n"
        "app(['index', '--source-dir', sys.argv[1], '--index-dir', sys.argv[2]])\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(src), str(tmp / "index")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "HALF"
        assert _partials(tmp / "index")  # halfway: the new build is being written aside
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    # the old index still answers, from a fresh reader as from the running one
    assert json.loads((tmp / "index" / "CURRENT.json").read_text())["version"] == first.version
    for reader in (a, Assistant(Settings(source_dir=src, index_dir=tmp / "index"))):
        answer = reader.ask(QUESTION)
        assert answer.index_version == first.version and not answer.refused
        assert any(c.source == "source/harbor.md" for c in answer.citations)
    # rerun: the lock died with the killed process, the partial build is cleared, the change lands
    rerun = a.index()
    assert rerun.action == "updated" and rerun.file_changes["added"] == ["source/mesa.md"]
    assert rerun.chunk_changes["unchanged"] == first.chunks
    assert not _partials(tmp / "index")
    assert a.ask("What did the Mesa consortium open?").index_version == rerun.version


def test_an_exception_mid_build_such_as_a_full_disk_keeps_the_old_index(small, monkeypatch):
    from chromadb.api.models.Collection import Collection

    tmp, src, a, first = small
    (src / "mesa.md").write_text(EXTRA, encoding="utf-8")
    orig = Collection.add

    def full_disk(self, *args, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Collection, "add", full_disk)
    with pytest.raises(OSError, match="No space left"):
        a.index()
    assert a.store.current().version == first.version
    assert a.ask(QUESTION).index_version == first.version
    monkeypatch.setattr(Collection, "add", orig)
    again = a.index()
    assert again.action == "updated" and again.chunks > first.chunks
    assert not _partials(tmp / "index")
    assert sorted(p.name for p in (tmp / "index" / "builds").iterdir()) == sorted([first.version, again.version])


def test_a_crash_before_the_switch_is_invisible(small, monkeypatch):
    """Everything written, the pointer not yet switched: readers never see the new build, the next run replaces it."""
    tmp, src, a, first = small
    (src / "mesa.md").write_text(EXTRA, encoding="utf-8")

    def crash(info):
        raise KeyboardInterrupt

    monkeypatch.setattr(a.store, "_publish", crash)
    with pytest.raises(KeyboardInterrupt):
        a.index()
    assert a.store.current().version == first.version
    monkeypatch.undo()
    assert a.index().action == "updated"


def test_a_second_concurrent_build_is_refused(small):
    tmp, src, a, first = small
    (src / "mesa.md").write_text(EXTRA, encoding="utf-8")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from assistant.index import IndexStore\n"
            "with IndexStore(Path(sys.argv[1])).lock():\n    print('LOCKED', flush=True); time.sleep(60)\n",
            str(tmp / "index"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "LOCKED"
        with pytest.raises(IndexLockedError, match=rf"another index build \(pid {holder.pid}\) is running on .*wait for it to finish"):
            a.index()
        from typer.testing import CliRunner

        from assistant.cli import app

        result = CliRunner().invoke(app, ["index", "--source-dir", str(src), "--index-dir", str(tmp / "index")])
        assert result.exit_code == 1 and "another index build" in result.output
        assert a.store.current().version == first.version
    finally:
        holder.kill()
        holder.wait()
    assert a.index().action == "updated"  # the lock died with its holder


def test_an_unreadable_pointer_says_what_to_do(small):
    tmp, src, a, first = small
    (tmp / "index" / "CURRENT.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexError_, match="--rebuild"):
        a.store.current()
    assert a.index(rebuild=True).action == "built"


def test_a_deleted_live_build_is_rebuilt(small):
    tmp, src, a, first = small
    shutil.rmtree(tmp / "index" / "builds" / first.version)
    report = Assistant(Settings(source_dir=src, index_dir=tmp / "index")).index()
    assert report.action == "built" and report.reason == "no index yet"
