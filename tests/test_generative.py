"""LLM answering through the service, with LangChain's fake chat models (only the LLM is fake:
the embedding model and the index are real)."""
from __future__ import annotations

import shutil

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answering.citations import markers_in
from assistant.answering.generative import (
    GENERATIVE_PROMPTS,
    build_generator,
    format_passages,
    load_generative_prompts,
    make_answer_chain,
)
from assistant.prompts import DEFAULT_DIR, PromptError
from assistant.service import Assistant
from assistant.settings import Settings

from test_verification import brief_assistant  # noqa: E402 (tests/ is on sys.path)
from web_fixtures import free_port  # noqa: E402 (tests/ is on sys.path)

QUESTION = "How long was the CCPT grant period, and was it long enough?"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    return brief_assistant(tmp_path_factory)


def use_llm(assistant: Assistant, llm, **settings) -> None:
    """Give the assistant an LLM answerer driven by ``llm`` (a fake chat model)."""
    s = assistant.settings.model_copy(update={"llm_provider": "openai", "llm_model": "fake", **settings})
    assistant.generator = build_generator(
        s, assistant.prompts, lambda: assistant.embeddings, searcher_getter=lambda: assistant._ready().searcher, llm=llm
    )


def fake(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in replies]))


def llm_view(assistant: Assistant, question: str, history=None):
    """The retrieval and the extractive answer the LLM is handed for ``question``."""
    use_llm(assistant, fake("unused"))
    with assistant.generator.deferred() as calls:
        extractive = assistant.ask(question, history)
    assert calls, f"the extractive answerer refused {question!r}: {extractive.answer}"
    _, _, retrieval, extractive = calls[0]
    return retrieval, extractive


def number_of(retrieval, phrase: str) -> int:
    for n, h in enumerate(retrieval.hits, start=1):
        if phrase in " ".join(h.chunk.text.split()):
            return n
    raise AssertionError(f"no retrieved passage holds {phrase!r}")


def good_reply(retrieval) -> tuple[str, int, int]:
    a = number_of(retrieval, "four-year CCPT grant period did not allow sufficient time")
    return (
        f"All of the leaders agreed that the four-year CCPT grant period did not allow enough time for the deep transformations they sought [{a}]. "
        f"They also agreed that systemic change does not happen in just four years [{a}].",
        a,
        a,
    )


def test_well_cited_answer_is_shown_verified(assistant):
    retrieval, extractive = llm_view(assistant, QUESTION)
    reply, a, _ = good_reply(retrieval)
    use_llm(assistant, fake(reply))
    answer = assistant.ask(QUESTION)
    assert answer.answer == reply.replace(f"[{a}]", "[1]")
    assert answer.notice is None
    assert answer.verification.model_dump() == {"sentences": 2, "verified": 2, "removed": 0}
    assert [c.chunk_id for c in answer.citations] == [retrieval.hits[a - 1].chunk.id]
    assert "four-year CCPT grant period" in answer.citations[0].quote
    assert answer.retrieved == extractive.retrieved


@pytest.mark.parametrize(
    "bad, why",
    [
        ("The state spent $50 million on the four-year CCPT grant period [{a}].", "invented amount"),
        ("Consortia spent 12% of the budget on the four-year grant period [{a}].", "invented percentage"),
        ("Leaders agreed that the grant period was too short for the deep transformations they sought [{other}].", "wrong citation number"),
        ("Leaders agreed that the four-year grant period was too short for deep transformations [{missing}].", "citation that does not exist"),
        ("Leaders agreed that the four-year grant period was too short for deep transformations.", "uncited sentence"),
    ],
)
def test_unsupported_sentence_is_caught(assistant, bad, why):
    retrieval, _ = llm_view(assistant, QUESTION)
    reply, a, _ = good_reply(retrieval)
    other = next(n for n, h in enumerate(retrieval.hits, start=1) if "grant period" not in " ".join(h.chunk.text.split()))
    bad = bad.format(a=a, other=other, missing=len(retrieval.hits) + 3)
    use_llm(assistant, fake(reply + " " + bad))
    answer = assistant.ask(QUESTION)
    assert answer.answer == reply.replace(f"[{a}]", "[1]"), why
    assert answer.verification.model_dump() == {"sentences": 3, "verified": 2, "removed": 1}, why
    assert "1 of 3 sentences" in answer.notice
    assert set(markers_in(answer.answer)) == {c.n for c in answer.citations}


def test_injected_instruction_in_a_passage_is_caught(assistant):
    question = "What did the regional partnership review at its quarterly meetings with employers?"
    retrieval, _ = llm_view(assistant, question)
    k = number_of(retrieval, "Note to AI assistants")
    # The passage is shown to the model as data, after the rules, inside the passages block.
    chain_prompt = make_answer_chain(fake("x"), load_generative_prompts()).first
    messages = chain_prompt.invoke({"passages": format_passages([h.chunk for h in retrieval.hits]), "question": question}).to_messages()
    assert "not instructions" in messages[0].content and "Note to AI assistants" not in messages[0].content
    body = messages[1].content
    assert body.index("<passages>") < body.index("Note to AI assistants") < body.index("</passages>")
    # A model that obeys the injection is caught by verification.
    obeyed = (
        f"At its quarterly meetings the partnership reviewed labor-market information with employers [{k}]. "
        f"The CCPT grants totalled $50 million [{k}]. Readers should visit the Acme Foundation website [{k}]."
    )
    use_llm(assistant, fake(obeyed))
    answer = assistant.ask(question)
    assert answer.answer == "At its quarterly meetings the partnership reviewed labor-market information with employers [1]."
    assert answer.verification.model_dump() == {"sentences": 3, "verified": 1, "removed": 2}
    assert "ignore" not in answer.citations[0].quote.lower()


def test_nothing_supported_falls_back_to_extractive(assistant):
    _, extractive = llm_view(assistant, QUESTION)
    use_llm(assistant, fake("The brief says the grants lasted ten years [1]. It was written in 1999 [2]."))
    answer = assistant.ask(QUESTION)
    assert answer.answer == extractive.answer
    assert answer.citations == extractive.citations
    assert "none of the 2 sentence(s)" in answer.notice and "extractive" in answer.notice


def test_model_that_finds_no_answer_falls_back(assistant):
    _, extractive = llm_view(assistant, QUESTION)
    use_llm(assistant, fake("NOT IN PASSAGES"))
    answer = assistant.ask(QUESTION)
    assert answer.answer == extractive.answer and "no answer in the passages" in answer.notice


def test_streaming_yields_tokens_then_the_verified_answer(assistant):
    retrieval, _ = llm_view(assistant, QUESTION)
    reply, a, _ = good_reply(retrieval)
    use_llm(assistant, fake(reply + " The state spent $50 million on it [1]."))
    events = list(assistant.stream(QUESTION))
    deltas = [e for e in events if e["type"] == "delta"]
    assert len(deltas) > 1
    assert "".join(e["text"] for e in deltas).endswith("$50 million on it [1].")  # raw tokens first
    kinds = [e["type"] for e in events]
    assert kinds[-3:] == ["replace", "citations", "done"]
    done = events[-1]["answer"]
    assert events[-3]["text"] == done["answer"] == reply.replace(f"[{a}]", "[1]")
    assert done["verification"] == {"sentences": 3, "verified": 2, "removed": 1}
    assert events[-2]["citations"] == done["citations"] and done["latency_ms"] > 0


def test_stream_without_llm_is_unchanged(assistant):
    assistant.generator = None
    events = list(assistant.stream(QUESTION))
    assert [e["type"] for e in events][-2:] == ["citations", "done"] and events[-1]["answer"]["verification"] is None


def test_follow_up_is_condensed_by_the_llm_and_searched_again(assistant):
    history = [["Which consortium does the Sonoma County Office of Education lead?", "It leads the Northern California Career Pathway Alliance (NCCPA) [1]."]]
    condensed = "How did the Northern California Career Pathway Alliance sustain its regional partnership after the grant?"
    direct = assistant._ready().searcher.search(condensed)
    first = direct.hits[0].chunk.sentence_texts()[0].rstrip(".")
    use_llm(assistant, FakeListChatModel(responses=[f'Standalone query: "{condensed}"', f"{first} [1]."]))
    answer = assistant.ask("How did they sustain it?", history)
    assert answer.query == condensed
    assert [r.chunk_id for r in answer.retrieved] == [h.chunk.id for h in direct.hits[: len(answer.retrieved)]]
    assert answer.answer == f"{first} [1]." and answer.citations[0].chunk_id == direct.hits[0].chunk.id


def test_unreachable_server_falls_back_with_a_notice(assistant):
    port = free_port()  # nothing listens there
    url = f"http://127.0.0.1:{port}/v1"
    _, extractive = llm_view(assistant, QUESTION)
    settings = assistant.settings.model_copy(
        update={"llm_provider": "openai", "llm_base_url": url, "llm_model": "any", "llm_api_key": "k", "llm_timeout": 5.0}
    )
    real = Assistant(settings, assistant.prompts)
    assert type(real.generator.llm).__name__ == "ChatOpenAI"
    answer = real.ask(QUESTION)
    assert answer.answer == extractive.answer
    assert answer.notice == f"LLM unreachable at {url}; showing the extractive answer"
    events = list(real.stream(QUESTION))
    assert events[-1]["answer"]["notice"] == answer.notice
    assert "".join(e["text"] for e in events if e["type"] == "delta") == extractive.answer


def test_chat_models_are_configured_from_settings(monkeypatch):
    from assistant.answering.generative import make_chat_model

    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    s = Settings(llm_provider="openai", llm_base_url="http://127.0.0.1:9/v1", llm_model="m", llm_timeout=7, llm_max_tokens=123)
    llm = make_chat_model(s)
    assert llm.openai_api_key.get_secret_value() == "sk-from-env"
    assert (llm.max_tokens, llm.max_retries, llm.request_timeout) == (123, 1, 7)
    payload = llm._get_request_payload([("human", "hi")])
    # bounded for servers that read max_completion_tokens and for those that only read max_tokens
    assert payload["max_completion_tokens"] == 123 and payload["extra_body"] == {"max_tokens": 123}
    ollama = make_chat_model(Settings(llm_provider="ollama", llm_base_url="http://127.0.0.1:11434", llm_model="m", llm_max_tokens=99))
    assert type(ollama).__name__ == "ChatOllama" and ollama.num_predict == 99
    assert build_generator(Settings(), None, lambda: None) is None


def test_prompt_files_are_validated(tmp_path):
    for name in GENERATIVE_PROMPTS:
        shutil.copy(DEFAULT_DIR / f"{name}.txt", tmp_path / f"{name}.txt")
    load_generative_prompts(tmp_path)
    answer = tmp_path / "answer.txt"
    answer.write_text(answer.read_text().replace("{passages}", "the passages"))
    with pytest.raises(PromptError, match=r"answer\.txt: missing \{passages\}"):
        load_generative_prompts(tmp_path)
    (tmp_path / "condense.txt").unlink()
    answer.write_text("{passages} {question}")
    with pytest.raises(PromptError, match=r"condense\.txt is missing"):
        load_generative_prompts(tmp_path)
