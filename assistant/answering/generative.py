"""Generated answers from any LangChain chat model, verified sentence by sentence.

The LLM is an option beside the extractive default (``settings.llm_provider``):
an OpenAI-compatible server through ``langchain-openai`` (OpenAI, vLLM, llama.cpp's
server, LM Studio, Ollama's /v1 endpoint) or Ollama's native API through
``langchain-ollama``. Both are optional dependencies, imported only when configured.

The model sees the retrieved passages numbered [1]..[k] inside a data block and is told
to cite each sentence; what it writes is then checked by ``verification.Verifier`` and
only supported sentences are shown. Whenever the model cannot be used (server down,
wrong key, timeout, nothing survives verification) the extractive answer the service
already made is returned, with a notice saying why.
"""
from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable

from ..prompts import Prompts, load_prompts
from ..types import Answer, Citation, Retrieved, Verification
from .citations import citation_for, markers_in, renumber
from .verification import Verifier, normalise_markers, strip_markers

log = logging.getLogger(__name__)

#: Prompt files the generator needs (``prompts/<name>.txt``) and the variables each must use.
#: Loaded only when a provider other than "extractive" is configured.
GENERATIVE_PROMPTS: dict[str, set[str]] = {
    "answer_system": {"max_sentences"},
    "answer": {"passages", "question"},
    "condense": {"history", "question"},
}

#: What the model is told to reply when the passages do not answer the question.
NOT_IN_PASSAGES = "NOT IN PASSAGES"
#: Earlier turns shown to the condensing prompt (more adds noise, not context).
CONDENSE_TURNS = 3
#: A condensed query longer than this is the model rambling, not a query.
CONDENSE_MAX_CHARS = 300


class GeneratorConfigError(ValueError):
    """The LLM settings cannot work (missing model name, provider package not installed)."""


# --------------------------------------------------------------------------- factories
def make_chat_model(settings) -> BaseChatModel:
    """The configured chat model: bounded output, a timeout, one retry, deterministic sampling."""
    provider = settings.llm_provider
    if not settings.llm_model:
        raise GeneratorConfigError(f"llm_provider={provider} needs a model name (ASSISTANT_LLM_MODEL or --llm-model)")
    if provider == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError:
            raise GeneratorConfigError("llm_provider=openai needs langchain-openai: pip install -e '.[llm]' in the checkout (or pip install langchain-openai)") from None
        api_key = settings.llm_api_key or os.environ.get("OPENAI_API_KEY")
        if not api_key:
            if not settings.llm_base_url:
                raise GeneratorConfigError("llm_provider=openai without a base URL needs an API key (ASSISTANT_LLM_API_KEY or OPENAI_API_KEY)")
            api_key = "not-needed"  # local servers (llama.cpp, vLLM, LM Studio) accept any key
        # ChatOpenAI sends only ``max_completion_tokens``, which llama.cpp, older vLLM and
        # other OpenAI-compatible servers ignore, so the bound is repeated as ``max_tokens``
        # in the request body. OpenAI's own API rejects ``max_tokens`` for its reasoning
        # models, so it is not repeated there.
        extra_body = None
        if settings.llm_base_url and "api.openai.com" not in settings.llm_base_url:
            extra_body = {"max_tokens": settings.llm_max_tokens}
        return ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=api_key,
            timeout=settings.llm_timeout,
            max_retries=1,
            max_tokens=settings.llm_max_tokens,
            temperature=0,
            extra_body=extra_body,
        )
    if provider == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError:
            raise GeneratorConfigError("llm_provider=ollama needs langchain-ollama: pip install -e '.[llm]' in the checkout (or pip install langchain-ollama)") from None
        return ChatOllama(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            num_predict=settings.llm_max_tokens,
            temperature=0,
            client_kwargs={"timeout": settings.llm_timeout},
        )
    raise GeneratorConfigError(f"unknown llm_provider {provider!r}")


def load_generative_prompts(folder: Path | None = None) -> Prompts:
    """The LLM prompt files, validated (a missing or unknown variable is an error naming the file)."""
    return load_prompts(folder, required=GENERATIVE_PROMPTS)


def make_answer_chain(llm: BaseChatModel, prompts: Prompts, *, max_sentences: int = 4) -> Runnable:
    """passages + question -> the model's cited answer text."""
    prompt = ChatPromptTemplate.from_messages(
        [("system", prompts.templates["answer_system"]), ("human", prompts.templates["answer"])]
    ).partial(max_sentences=str(max_sentences))
    return (prompt | llm | StrOutputParser()).with_config(run_name="answer")


def make_condense_chain(llm: BaseChatModel, prompts: Prompts) -> Runnable:
    """history + follow-up question -> a standalone search query."""
    prompt = ChatPromptTemplate.from_messages([("human", prompts.templates["condense"])])
    return (prompt | llm | StrOutputParser()).with_config(run_name="condense")


def format_passages(chunks) -> str:
    """Passages numbered for citation; text that could close the data block is defused."""
    out = []
    for n, chunk in enumerate(chunks, start=1):
        where = chunk.section + (f", page {chunk.page}" if chunk.page is not None else "")
        text = " ".join(chunk.text.split())
        text = re.sub(r"</?\s*passages?\s*>", "", text, flags=re.I)
        out.append(f"[{n}] ({where})\n{text}")
    return "\n\n".join(out)


def format_history(history: list[tuple[str, str]]) -> str:
    lines = []
    for user, answer in history[-CONDENSE_TURNS:]:
        lines.append(f"User: {' '.join(user.split())}")
        if answer:
            lines.append(f"Assistant: {strip_markers(' '.join(answer.split()))[:400]}")
    return "\n".join(lines)


def clean_query(text: str) -> str | None:
    """The first line of a condensing reply, without labels and quotes; None if unusable."""
    for line in text.strip().splitlines():
        line = re.sub(r"^\s*(standalone )?(search )?query\s*:\s*", "", line.strip(), flags=re.I).strip(" \"'“”`")
        if line:
            return line if len(line) <= CONDENSE_MAX_CHARS else None
    return None


# --------------------------------------------------------------------------- failures
def describe_failure(exc: BaseException, where: str, timeout: float) -> str:
    """A notice for the user: why the LLM could not be used."""
    name = type(exc).__name__
    chain = [exc]
    while chain[-1].__cause__ is not None and len(chain) < 5:
        chain.append(chain[-1].__cause__)
    names = {type(e).__name__ for e in chain}
    text = " ".join(str(e) for e in chain).lower()
    suffix = "; showing the extractive answer"
    if names & {"APITimeoutError", "TimeoutException", "ReadTimeout", "ConnectTimeout", "TimeoutError"} or "timed out" in text:
        return f"LLM at {where} did not answer within {timeout:g} s{suffix}"
    if names & {"APIConnectionError", "ConnectError", "ConnectionError", "ConnectionRefusedError", "RemoteProtocolError"} or "connect" in text:
        return f"LLM unreachable at {where}{suffix}"
    status = getattr(exc, "status_code", None)
    if names & {"AuthenticationError", "PermissionDeniedError"} or status in (401, 403):
        return f"LLM at {where} rejected the API key (set ASSISTANT_LLM_API_KEY or OPENAI_API_KEY){suffix}"
    if names & {"NotFoundError"} or status == 404:
        return f"LLM at {where} does not serve that model ({str(exc)[:120]}){suffix}"
    return f"LLM call to {where} failed ({name}: {str(exc)[:160]}){suffix}"


# --------------------------------------------------------------------------- the generator
class Generator:
    """Writes an answer with an LLM from the retrieved passages and keeps only what they support.

    ``answer`` and ``stream`` receive the retrieval and the extractive answer the service
    made; they never raise for an LLM failure, they fall back to the extractive answer.
    """

    def __init__(
        self,
        llm: BaseChatModel,
        prompts: Prompts,
        embeddings_getter: Callable[[], object],
        *,
        searcher_getter: Callable[[], object] | None = None,
        where: str = "the configured server",
        timeout: float = 30.0,
        max_sentences: int = 4,
        verify: bool = True,
        unsupported: Literal["remove", "mark"] = "remove",
        observer: Callable[[Verification | None, Answer], None] | None = None,
    ):
        self.llm = llm
        self.prompts = prompts
        self.embeddings_getter = embeddings_getter
        self.searcher_getter = searcher_getter
        self.where = where
        self.timeout = timeout
        self.verify = verify
        self.unsupported = unsupported
        #: Called with the draft's verification (None when off) and the answer returned; for benchmarks.
        self.observer = observer
        self.answer_chain = make_answer_chain(llm, prompts, max_sentences=max_sentences)
        self.condense_chain = make_condense_chain(llm, prompts)
        self._local = threading.local()

    @contextmanager
    def deferred(self) -> Iterator[list[tuple]]:
        """Within this block (in this thread) ``answer`` only records its arguments and returns
        the extractive answer: ``Assistant.stream`` runs ``ask`` as usual, then streams the call."""
        calls: list[tuple] = []
        self._local.pending = calls
        try:
            yield calls
        finally:
            self._local.pending = None

    # ------------------------------------------------------------------ steps
    def _condense(self, question: str, history: list[tuple[str, str]], retrieval):
        """(question for the prompt, retrieval): a follow-up rewritten by the LLM and searched again."""
        if not history:
            return question, retrieval
        raw = self.condense_chain.invoke({"history": format_history(history), "question": question})
        query = clean_query(raw)
        if not query or query.lower() == question.lower():
            return question, retrieval
        if self.searcher_getter is not None:
            try:
                new = self.searcher_getter().search(query)
            except Exception:  # the index is being swapped: keep the retrieval we have
                log.exception("re-running retrieval for the condensed query failed")
                return query, retrieval
            if new.hits:
                new.hits = new.hits[: max(len(retrieval.hits), 1)]  # as many passages as the service kept
                return query, new
        return query, retrieval

    @staticmethod
    def _base(extractive: Answer, retrieval) -> Answer:
        if retrieval.query == extractive.query:
            return extractive
        retrieved = [
            Retrieved(chunk_id=h.chunk.id, text=h.chunk.text, score=h.score, source=h.chunk.source, section=h.chunk.section, page=h.chunk.page)
            for h in retrieval.hits
        ]
        return extractive.model_copy(update={"retrieved": retrieved, "query": retrieval.query})

    def _finish(self, raw: str, retrieval, extractive: Answer) -> Answer:
        """Verify the model's text and build the answer shown (or the extractive fallback)."""
        passages = {n: h.chunk for n, h in enumerate(retrieval.hits, start=1)}
        base = self._base(extractive, retrieval)
        raw = (raw or "").strip()
        if not raw or NOT_IN_PASSAGES.lower() in raw.lower()[: len(NOT_IN_PASSAGES) + 20]:
            why = "returned an empty answer" if not raw else "found no answer in the passages"
            answer = self._fallback(extractive, f"the LLM {why}; showing the extractive answer")
            self._observe(None, answer)
            return answer
        if not self.verify:
            text, citations = self._unverified(raw, passages)
            answer = base.model_copy(update={"answer": text, "citations": citations, "verification": None})  # keeps rule `hedge`'s notice
            self._observe(None, answer)
            return answer
        result = Verifier(self.embeddings_getter(), unsupported=self.unsupported).verify(raw, passages)
        v = result.verification
        for check in result.removed:
            log.info("unsupported sentence (%s): %s", check.reason, check.text)
        if v.verified == 0:
            answer = self._fallback(
                extractive, f"none of the {v.sentences} sentence(s) the LLM wrote was supported by the passage it cited; showing the extractive answer"
            )
            self._observe(v, answer)
            return answer
        notice = None
        if v.removed:
            notice = f"{v.removed} of {v.sentences} sentences the LLM wrote were removed: their cited passages do not support them"
        elif self.unsupported == "mark" and v.verified < v.sentences:
            notice = f"{v.sentences - v.verified} of {v.sentences} sentences are marked (unverified): their cited passages do not support them"
        notice = " ".join(n for n in (base.notice, notice) if n) or None  # after rule `hedge`'s, when the extractive answer carried one
        answer = base.model_copy(update={"answer": result.text, "citations": result.citations, "verification": v, "notice": notice})
        self._observe(v, answer)
        return answer

    @staticmethod
    def _unverified(raw: str, passages) -> tuple[str, list[Citation]]:
        """Verification off: the model's text with citations for every marker that points at a passage."""
        text = normalise_markers(raw)
        citations = [citation_for(n, passages[n]) for n in markers_in(text) if n in passages]
        return renumber(text, citations)

    def _observe(self, v: Verification | None, answer: Answer) -> None:
        if self.observer is not None:
            self.observer(v, answer)

    @staticmethod
    def _fallback(extractive: Answer, notice: str) -> Answer:
        """The extractive answer, with why the LLM's was not used (after its own notice, such as rule `hedge`'s)."""
        return extractive.model_copy(update={"notice": " ".join(n for n in (extractive.notice, notice) if n)})

    def _failure(self, exc: Exception, extractive: Answer) -> Answer:
        notice = describe_failure(exc, self.where, self.timeout)
        log.warning("%s (%s: %s)", notice, type(exc).__name__, exc)
        answer = self._fallback(extractive, notice)
        self._observe(None, answer)
        return answer

    # ------------------------------------------------------------------ public
    def answer(self, question: str, history, retrieval, extractive: Answer) -> Answer:
        """The verified LLM answer, or ``extractive`` with a notice saying why not."""
        pending = getattr(self._local, "pending", None)
        if pending is not None:
            pending.append((question, history, retrieval, extractive))
            return extractive
        try:
            prompt_question, retrieval = self._condense(question, list(history or []), retrieval)
            raw = self.answer_chain.invoke({"passages": format_passages([h.chunk for h in retrieval.hits]), "question": prompt_question})
        except Exception as exc:  # any failure of the LLM leaves the user with the extractive answer
            return self._failure(exc, extractive)
        return self._finish(raw, retrieval, extractive)

    def stream(self, question: str, history, retrieval, extractive: Answer) -> Iterator[dict]:
        """The service's stream events: raw model tokens as ``delta``, then ``replace`` when
        verification changed the text, ``citations``, and ``done`` with the verified answer."""
        streamed: list[str] = []
        try:
            prompt_question, retrieval = self._condense(question, list(history or []), retrieval)
            inputs = {"passages": format_passages([h.chunk for h in retrieval.hits]), "question": prompt_question}
            for piece in self.answer_chain.stream(inputs):
                if piece:
                    streamed.append(piece)
                    yield {"type": "delta", "text": piece}
        except Exception as exc:
            answer = self._failure(exc, extractive)
        else:
            answer = self._finish("".join(streamed), retrieval, extractive)
        shown = "".join(streamed)
        if not streamed:
            yield {"type": "delta", "text": answer.answer}
        elif answer.answer != shown:
            yield {"type": "replace", "text": answer.answer}
        yield {"type": "citations", "citations": [c.model_dump() for c in answer.citations]}
        yield {"type": "done", "answer": answer.model_dump()}


def build_generator(
    settings,
    prompts: Prompts | None,
    embeddings_getter: Callable[[], object],
    *,
    searcher_getter: Callable[[], object] | None = None,
    llm: BaseChatModel | None = None,
    prompts_dir: Path | None = None,
) -> Generator | None:
    """The LLM answerer the settings ask for; None for the extractive default.

    ``prompts`` (the service's refusal templates) is accepted for symmetry; the LLM
    prompts are loaded and validated here, so only a configured LLM requires them.
    ``llm`` replaces the configured chat model (tests pass LangChain's fake chat models).
    """
    if settings.llm_provider == "extractive" and llm is None:
        return None
    gen_prompts = load_generative_prompts(prompts_dir)
    model = llm if llm is not None else make_chat_model(settings)
    where = settings.llm_base_url or ("https://api.openai.com/v1" if settings.llm_provider == "openai" else "http://localhost:11434")
    return Generator(
        model,
        gen_prompts,
        embeddings_getter,
        searcher_getter=searcher_getter,
        where=where,
        timeout=settings.llm_timeout,
        max_sentences=max(2, settings.answer_max_words // 22),
        verify=getattr(settings, "llm_verify", True),
        unsupported=getattr(settings, "llm_unsupported", "remove"),
    )
