"""The quality gate: answers on question sets never trained on must stay above recorded floors.

The floors (``eval/floors.json``) sit a little under what the trained reader measured when they
were recorded (BENCHMARKS.md); a change that loses answer accuracy, citation support or
refusals on questions nobody tuned to fails here, and so does one that makes the median answer
longer than 80 words, as a retrieval or correctness bar fails a
LangChain app's CI. What is asserted is what the evaluation checks: the cited evidence and the
refusal, never the wording.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.evaluation import answer_record, asked_mid_conversation, read_jsonl, score

ROOT = Path(__file__).resolve().parent.parent
FLOORS = json.loads((ROOT / "eval" / "floors.json").read_text())
SHARED_DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
OTHER_DOCS = [ROOT / "eval" / "other" / "docs" / "gpl-3.txt", ROOT / "eval" / "other" / "docs" / "zlib-usage.html"]
# A second library of other genres (stop 47): a reStructuredText README, a Markdown README with its changelog, a Perl manual
READMES = [ROOT / "eval" / "other" / "docs" / name for name in ("pytz-readme.rst", "httpcore-readme.md", "pod-simple-subclassing.txt")]


def _measure(assistant, questions: list[dict]) -> dict:
    records = {q["id"]: answer_record(q["id"], assistant.ask(q["question"], q.get("history") or [])) for q in questions}
    return score(questions, records)[0]


CEILINGS = ("false_refusal_rate", "answer_words_p50")  # the figures that must stay under theirs: declining what is answered, long answers


def _check(name: str, metrics: dict) -> None:
    low = {k: (metrics[k], floor) for k, floor in FLOORS[name].items() if k not in CEILINGS and metrics[k] is not None and metrics[k] < floor}
    high = {k: (metrics[k], ceiling) for k, ceiling in FLOORS[name].items() if k in CEILINGS and metrics[k] > ceiling}
    assert not low and not high, f"{name}: below the recorded floors {low} / above the ceiling {high}; all: {metrics}"


@pytest.mark.parametrize("name", ["holdout", "users", "probe12", "probe13"])
def test_the_brief_held_out_sets_stay_above_their_floors(assistant, name):
    _check(name, _measure(assistant, read_jsonl(ROOT / "eval" / f"{name}.jsonl")))


@pytest.mark.parametrize("name", ["users", "probe12", "probe13"])
def test_the_brief_held_out_sets_asked_mid_conversation_stay_above_their_floors(assistant, name):
    """The same questions, each after a turn about the brief (``asked_mid_conversation``): a chat's next question that
    stands on its own must not be read as a follow-up of the last one."""
    _check(f"{name}-mid", _measure(assistant, asked_mid_conversation(read_jsonl(ROOT / "eval" / f"{name}.jsonl"))))


@pytest.mark.skipif(not SHARED_DEV.is_file(), reason="the shared dev set is not beside this checkout")
def test_the_shared_dev_set_stays_above_its_floor(assistant):
    _check("dev", _measure(assistant, read_jsonl(SHARED_DEV)))


def _library(tmp_path_factory, brief_index, docs: list[Path]):
    """The brief and documents of other genres, as a user who added them would have it."""
    from assistant.service import Assistant
    from assistant.settings import Settings

    base = tmp_path_factory.mktemp("library")
    source = base / "source"
    shutil.copytree(brief_index[0], source)
    for doc in docs:
        shutil.copy(doc, source / doc.name)
    assistant = Assistant(Settings(source_dir=source, index_dir=base / "index"))
    assistant.ensure_index()
    return assistant


@pytest.fixture(scope="module")
def library(tmp_path_factory, brief_index):
    return _library(tmp_path_factory, brief_index, OTHER_DOCS)


@pytest.fixture(scope="module")
def readmes(tmp_path_factory, brief_index):
    return _library(tmp_path_factory, brief_index, READMES)


@pytest.mark.parametrize("name", ["gpl3", "zlib"])
def test_documents_never_trained_on_stay_above_their_floors(library, name):
    _check(name, _measure(library, read_jsonl(ROOT / "eval" / "other" / f"{name}.jsonl")))


@pytest.mark.parametrize("name", ["pytz", "httpcore", "podsimple"])
def test_readmes_and_a_manual_never_trained_on_stay_above_their_floors(readmes, name):
    _check(name, _measure(readmes, read_jsonl(ROOT / "eval" / "other" / f"{name}.jsonl")))


def test_a_manual_never_trained_on_stays_above_its_floor(tmp_path, brief_index):
    """The Ninja manual (a third genre: a build tool's manual), asked beside the brief alone."""
    from assistant.service import Assistant
    from assistant.settings import Settings

    source = tmp_path / "source"
    shutil.copytree(brief_index[0], source)
    shutil.copy(ROOT / "eval" / "other" / "docs" / "ninja-manual.html", source)
    assistant = Assistant(Settings(source_dir=source, index_dir=tmp_path / "index"))
    assistant.ensure_index()
    _check("ninja", _measure(assistant, read_jsonl(ROOT / "eval" / "other" / "ninja.jsonl")))
