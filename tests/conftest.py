"""Shared fixtures: one real index of the brief (real embedding model, real Chroma) per test session."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

if os.environ.get("CI"):
    # CI gates a landing: the property and fuzz tests draw the same examples on every run there
    # (locally they stay random, to keep finding new cases).
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, database=None)  # no replay of an old local failure
    _hypothesis_settings.load_profile("ci")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "source" / "ccpt-regional-sustainability-brief.txt"


@pytest.fixture(scope="session")
def brief_index(tmp_path_factory) -> tuple[Path, Path]:
    """(source dir, index dir) with the brief indexed once for the whole session."""
    from assistant.service import Assistant
    from assistant.settings import Settings

    base = tmp_path_factory.mktemp("brief")
    source = base / "source"
    source.mkdir()
    shutil.copy(BRIEF, source / BRIEF.name)
    index = base / "index"
    Assistant(Settings(source_dir=source, index_dir=index)).index()
    return source, index


@pytest.fixture(scope="session")
def assistant(brief_index):
    from assistant.service import Assistant
    from assistant.settings import Settings

    source, index = brief_index
    return Assistant(Settings(source_dir=source, index_dir=index))


@pytest.fixture(scope="session")
def written_pipeline(tmp_path_factory):
    """``build(file_name, text)``: the real pipeline (the served reader, real Chroma) over one document written for a test."""
    from assistant.service import Assistant
    from assistant.settings import Settings

    def build(file_name: str, text: str):
        base = tmp_path_factory.mktemp(Path(file_name).stem)
        (base / "source").mkdir()
        (base / "source" / file_name).write_text(text, encoding="utf-8")
        assistant = Assistant(Settings(source_dir=base / "source", index_dir=base / "index"))
        assistant.index()
        return assistant._ready().pipeline

    return build
