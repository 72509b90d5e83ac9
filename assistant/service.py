"""The one facade the CLI, the HTTP API and the web chat call: ask, stream, index, status.

The service owns the loaded model and the open index. It checks which build is live
before each question (a file read), so a rebuild made by another process or by
``reindex`` is picked up without a restart, and a question in flight finishes on the
index it started with.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from . import reader as readers
from .answering.decide import Decider, NoAnswer
from .answering.pipeline import Pipeline
from .answering.rerank import Reranker
from .documents import SUPPORTED_SUFFIXES, display_name, unsupported_files
from .embeddings import load_embeddings, load_reader_embeddings
from .index import IndexInfo, IndexStore, OpenIndex, chunker_recipe
from .ingest import ingest
from .prompts import Prompts, load_prompts
from .retrieval import HybridSearcher
from .settings import TRAINED, Settings
from .types import Answer, Chunk


class QuestionError(ValueError):
    """A question the service will not take (empty, too long, malformed history)."""


def _require_utf8(text: str, what: str) -> None:
    """Lone surrogates (valid JSON escapes such as \\ud800) would crash the tokenizer: refuse them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise QuestionError(f"{what} contains invalid characters (unpaired UTF-16 surrogates)") from None


class NoDocumentsError(RuntimeError):
    """There is nothing to index."""


@dataclass
class IndexReport:
    """What ``Assistant.index`` did. ``action``: "built" (from scratch), "updated" (only the changes) or "unchanged"."""

    action: str
    version: str
    files: int
    chunks: int
    sentences: int
    seconds: float
    errors: list[str] = field(default_factory=list)
    reason: str = ""  # why a build started from scratch (no index yet, --rebuild, embedding model or chunker changed)
    file_changes: dict[str, list[str]] = field(default_factory=dict)  # added/changed/removed/renamed/unchanged -> file names
    chunk_changes: dict[str, int] = field(default_factory=dict)  # added/changed/removed/unchanged/reused -> passage counts
    embedded: int = 0  # passages + sentences that went through the embedding model
    unsupported: list[str] = field(default_factory=list)  # files in the source folder of a type that is not read

    def summary(self) -> list[str]:
        """Human-readable lines: what changed, then the totals and the time."""
        lines = []
        f, c = self.file_changes, self.chunk_changes
        if f:
            parts = [f"{len(f.get(k, []))} {k}" for k in ("added", "changed", "removed", "renamed", "unchanged")]
            lines.append("files: " + ", ".join(parts))
            for k in ("added", "changed", "removed", "renamed"):
                lines.extend(f"  {k}: {name}" for name in f.get(k, []))
        if c:
            parts = [f"{c.get(k, 0)} {k}" for k in ("added", "changed", "removed", "unchanged")]
            extra = f" ({c['reused']} re-used stored vectors)" if c.get("reused") else ""
            lines.append("passages: " + ", ".join(parts) + extra)
        if self.unsupported:
            lines.append(f"not read (a type it does not read; it reads {', '.join(SUPPORTED_SUFFIXES)}): {', '.join(self.unsupported)}")
        verb = {"built": "Built index", "updated": "Updated index", "unchanged": "Index unchanged"}.get(self.action, self.action)
        why = f" ({self.reason})" if self.reason and self.action == "built" else ""
        lines.append(
            f"{verb}{why} {self.version}: {self.files} file(s), {self.chunks} passages, {self.sentences} sentences, "
            f"{self.embedded} texts embedded, in {self.seconds:.2f} s"
        )
        return lines


@dataclass
class _Loaded:
    index: OpenIndex
    searcher: HybridSearcher
    pipeline: Pipeline


class Assistant:
    def __init__(self, settings: Settings, prompts: Prompts | None = None):
        self.settings = settings
        self.prompts = prompts or load_prompts()
        self.store = IndexStore(settings.index_dir, settings.collection, settings.chroma_url)
        self._loaded: _Loaded | None = None
        self._load_lock = threading.Lock()
        self._reader: readers.Reader | None = None
        self._titles: tuple[str, dict[str, str]] | None = None  # (index version, source -> title)
        self.generator = None  # an LLM answerer when settings.llm_provider is not "extractive" (see answering/generative.py)
        if settings.llm_provider != "extractive":
            from .answering.generative import build_generator

            self.generator = build_generator(settings, self.prompts, lambda: self.embeddings, searcher_getter=lambda: self._ready().searcher)

    # ------------------------------------------------------------------ model and index
    @property
    def reader(self) -> readers.Reader:
        """The reader trained here (trained now, once, when it is missing: a few minutes)."""
        if self._reader is None:
            try:
                self._reader = readers.load(self.settings)
            except readers.ReaderMissing:
                from .training.train import train

                self._reader = train(self.settings, say=self._say)
        return self._reader

    @staticmethod
    def _say(message: str) -> None:
        import sys

        print(message, file=sys.stderr, flush=True)

    def _model_name(self) -> str:
        """The embedding model as index recipes name it (a new trained reader re-embeds the documents)."""
        return self.reader.name if self.settings.embedding_model == TRAINED else self.settings.embedding_model

    @property
    def embeddings(self):
        if self.settings.embedding_model == TRAINED:
            return load_reader_embeddings(str(self.reader.model_path))  # ONNX Runtime: no torch on the question path
        return load_embeddings(self.settings.embedding_model)

    def _recipe(self) -> tuple[str, str]:
        return self._model_name(), chunker_recipe(self.settings.chunk_max_words, self.settings.chunk_min_words)

    def index(self, *, rebuild: bool = False, progress: bool = False) -> IndexReport:
        """Bring the index in line with ``source/``: embed only new passages, drop removed ones, switch atomically.

        ``rebuild`` starts from scratch (so does a change of embedding model or chunker).
        When no file changed, nothing is parsed and the embedding model is not loaded.
        """
        from .ingest import scan

        started = time.perf_counter()
        model, chunker = self._recipe()
        recipe = {"embedding_model": model, "chunker": chunker}
        source_dir = self.settings.source_dir
        unsupported = [display_name(p, source_dir) for p in unsupported_files(source_dir)]
        if not rebuild:
            current = self.store.current()
            if current is not None and current.recipe == recipe and scan(source_dir) == current.sources:
                names = sorted(current.sources)
                return IndexReport(
                    "unchanged", current.version, len(names), current.chunks, current.sentences, time.perf_counter() - started,
                    file_changes={"unchanged": names}, chunk_changes={"unchanged": current.chunks}, unsupported=unsupported,
                )  # fmt: skip
        found = ingest(source_dir, max_words=self.settings.chunk_max_words, min_words=self.settings.chunk_min_words)
        if not found.chunks:
            reason = "; ".join(found.errors) if found.errors else (
                f"no {', '.join(SUPPORTED_SUFFIXES)} files in {source_dir.resolve()} "
                "(point --source-dir or ASSISTANT_SOURCE_DIR at the folder of your documents)"
            )
            raise NoDocumentsError(f"nothing to index: {reason}")
        with self.store.lock():
            result = self.store.sync(
                found.chunks, lambda: self.embeddings, embedding_model=model, chunker=chunker, sources=found.sources, rebuild=rebuild, progress=progress
            )
        info = result.info
        return IndexReport(
            result.action, info.version, len(found.sources), info.chunks, info.sentences, time.perf_counter() - started, found.errors,
            reason=result.reason, file_changes=result.files, chunk_changes=result.chunks, embedded=result.embedded,
            unsupported=unsupported,
        )  # fmt: skip

    def ensure_index(self, *, progress: bool = False) -> IndexInfo:
        """The live index, built first when there is none or it was built another way (then from scratch)."""
        current = self.store.current()
        model, chunker = self._recipe()
        if current is None or current.recipe != {"embedding_model": model, "chunker": chunker}:
            self.index(progress=progress)
            current = self.store.current()
        assert current is not None
        return current

    def _ready(self) -> _Loaded:
        info = self.store.current()
        loaded = self._loaded
        if loaded is not None and info is not None and loaded.index.info.version == info.version:
            return loaded
        with self._load_lock:
            info = self.ensure_index()
            if self._loaded is None or self._loaded.index.info.version != info.version:
                opened = self.store.open(info, self.embeddings)
                searcher = HybridSearcher(opened, self.embeddings, top_k=self.settings.top_k, mmr=self.settings.mmr)
                reader = self.reader
                pipeline = Pipeline(
                    opened, searcher, self.embeddings, reranker=Reranker(reader.reranker), decider=Decider(reader.decider), prompts=self.prompts,
                    max_words=self.settings.answer_max_words, top_k=self.settings.top_k, disabled=self.settings.disabled,
                    no_answer=NoAnswer(load_reader_embeddings(str(reader.no_answer_path)), readers.RECIPE["no_answer"]),
                )  # fmt: skip
                self._loaded = _Loaded(opened, searcher, pipeline)
            return self._loaded

    def warm_up(self) -> None:
        """Load the model and the index now rather than on the first question."""
        self.ask("What are these documents about?")

    # ------------------------------------------------------------------ questions
    def _check(self, question: str, history) -> list[tuple[str, str]]:
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("the question is empty")
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(f"the question is longer than {self.settings.max_question_chars} characters")
        _require_utf8(question, "the question")
        turns: list[tuple[str, str]] = []
        for turn in history or []:
            if not isinstance(turn, (list, tuple)) or len(turn) != 2 or not all(isinstance(t, str) or t is None for t in turn):
                raise QuestionError("history must be a list of [user message, assistant message] pairs")
            for t in turn:
                _require_utf8(t or "", "the history")
            turns.append((turn[0] or "", turn[1] or ""))
        if len(turns) > self.settings.max_history_turns:
            raise QuestionError(f"history has more than {self.settings.max_history_turns} turns")
        return turns

    def ask(self, question: str, history=None) -> Answer:
        """The answer to ``question`` after ``history``: one call of the answering pipeline (and the LLM, when configured)."""
        started = time.perf_counter()
        turns = self._check(question, history)
        loaded = self._ready()
        answer = loaded.pipeline.answer(question, turns)
        generator = self.generator
        if generator is not None and not answer.refused:
            # An LLM rewrites the grounded extractive answer's evidence into prose; it is verified
            # sentence by sentence and falls back to ``answer`` when it fails.
            retrieval = loaded.searcher.search(answer.query)
            answer = generator.answer(question, turns, retrieval, extractive=answer)
        answer.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        return self._titled(answer, loaded)

    def stream(self, question: str, history=None) -> Iterator[dict]:
        """Events: ``delta`` (answer text, sentence by sentence), ``citations``, ``done`` (the whole answer).

        With an LLM configured, ``delta`` carries the model's tokens as they come; when
        verification changes the text a ``replace`` event carries the text to show instead.
        """
        generator = self.generator
        if generator is not None:
            started = time.perf_counter()
            with generator.deferred() as calls:  # ask as usual, but leave the LLM call to us
                answer = self.ask(question, history)
            if calls:
                for event in generator.stream(*calls[0]):
                    if event["type"] == "done":
                        event["answer"]["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
                    for c in event.get("citations") or (event.get("answer") or {}).get("citations") or []:
                        c["document"] = self.document_title(c["source"])
                    yield event
                return
        else:
            answer = self.ask(question, history)
        import re

        for piece in re.split(r"(?<=\])\s+|(?<=[.!?”])\s+(?=[A-Z“])", answer.answer):
            if piece:
                yield {"type": "delta", "text": piece + " "}
        yield {"type": "citations", "citations": [c.model_dump() for c in answer.citations]}
        yield {"type": "done", "answer": answer.model_dump()}

    # ------------------------------------------------------------------ lookups
    def passage(self, chunk_id: str) -> Chunk | None:
        return self._ready().index.by_id.get(chunk_id)

    def chunks(self) -> list[Chunk]:
        return list(self._ready().index.chunks)

    def document_titles(self, loaded: _Loaded | None = None) -> dict[str, str]:
        """Each document's title (``Chunk.source`` -> title), read from the live index's passages once per version."""
        loaded = loaded or self._ready()
        cached = self._titles
        if cached is None or cached[0] != loaded.index.info.version:
            from .documents import document_titles

            cached = self._titles = (loaded.index.info.version, document_titles(loaded.index.chunks, self.settings.titles))
        return cached[1]

    def document_title(self, source: str) -> str:
        from .documents import humanize_file_name

        return self.document_titles().get(source) or humanize_file_name(source)

    def _titled(self, answer: Answer, loaded: _Loaded) -> Answer:
        if answer.citations:
            titles = self.document_titles(loaded)
            for c in answer.citations:
                c.document = titles.get(c.source) or c.document
        return answer

    def status(self) -> dict:
        info = self.store.current()
        loaded = self._loaded
        return {
            "index_loaded": loaded is not None,
            "index_version": info.version if info else None,
            "built_at": info.built_at if info else None,
            "chunks": info.chunks if info else 0,
            "sources": sorted(info.sources) if info else [],
            "embedding_model": self.settings.embedding_model,
            "llm_provider": self.settings.llm_provider,
        }
