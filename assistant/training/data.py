"""Training examples from labelled questions and from the structure of the documents.

A labelled question names the spans of a document that answer it; the sentences holding
those spans are its positives. Documents also teach without labels: a section's heading is
a query its sentences answer (self-supervision that exists for any document with headings).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..documents import INTRODUCTION
from ..evaluation import bigrams
from ..ingest import ingest
from ..types import Chunk

def holds_evidence(sentence: str, span: str) -> bool:
    """The sentence carries the span (most of the span is in it, or it lies inside the span)."""
    s, e = bigrams(sentence), bigrams(span)
    if not s or not e:
        return False
    shared = len(s & e)
    return shared >= 2 and (shared / len(e) >= 0.5 or shared / len(s) >= 0.5)


@dataclass
class Labelled:
    id: str
    question: str
    history: list[tuple[str, str]]
    answerable: bool
    source: str  # display name of its document, "corpus/<file>"
    evidence: list[str]
    positives: set[tuple[str, int]] = field(default_factory=set)  # (chunk id, sentence number)

    def fold(self, folds: int) -> int:
        """Which of ``folds`` folds it falls in (by its id: stable across runs and machines)."""
        return hashlib.sha256(self.id.encode()).digest()[0] % folds


@dataclass
class Corpus:
    chunks: list[Chunk]
    sources: dict[str, str]
    questions: list[Labelled]
    default_source: str

    def sentences(self, source: str | None = None) -> list[tuple[Chunk, int, str]]:
        return [(c, i, t) for c in self.chunks if source is None or c.source == source for i, t in enumerate(c.sentence_texts())]


def load(training_dir: Path, *, max_words: int, min_words: int) -> Corpus:
    """The training documents chunked as the index chunks them, and the labelled questions located in them."""
    found = ingest(training_dir / "corpus", max_words=max_words, min_words=min_words)
    if found.errors:
        raise ValueError("training corpus: " + "; ".join(found.errors))
    sources = found.sources
    briefs = [s for s in sources if s.endswith(".txt")]
    default = briefs[0] if briefs else next(iter(sources))
    questions: list[Labelled] = []
    for path in sorted((training_dir / "questions").glob("*.jsonl")):
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
                source = f"corpus/{q['source']}" if q.get("source") else default
                history = [(u or "", a or "") for u, a in q.get("history") or []]
                questions.append(Labelled(f"{path.stem}:{q['id']}", q["question"], history, bool(q["answerable"]), source, list(q.get("evidence") or [])))
            except (KeyError, ValueError, TypeError) as exc:
                raise ValueError(f"{path}:{line_no}: not a labelled question ({exc})") from None
    by_source: dict[str, list[tuple[Chunk, int, str]]] = {}
    for c in found.chunks:
        by_source.setdefault(c.source, []).extend((c, i, t) for i, t in enumerate(c.sentence_texts()))
    for q in questions:
        if q.source not in by_source:
            raise ValueError(f"{q.id}: its document {q.source} is not in {training_dir / 'corpus'}")
        if q.answerable:
            q.positives = {(c.id, i) for c, i, t in by_source[q.source] for span in q.evidence if holds_evidence(t, span)}
    return Corpus(found.chunks, sources, questions, default)


def heading_pairs(corpus: Corpus, per_section: int) -> list[tuple[str, str]]:
    """(section heading, a sentence of that section): the first ``per_section`` substantial sentences of each."""
    pairs: list[tuple[str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for c in corpus.chunks:
        if c.section == INTRODUCTION or len(c.section.split()) < 2:
            continue
        key = (c.source, c.section)
        for t in c.sentence_texts():
            if seen.get(key, 0) >= per_section:
                break
            if len(t.split()) >= 8:
                pairs.append((c.section, t))
                seen[key] = seen.get(key, 0) + 1
    return pairs
