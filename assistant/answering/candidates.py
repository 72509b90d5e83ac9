"""The sentences that might answer a question, and what the reranker reads of each.

One function builds them for serving and for training (``assistant train`` calls it on held-out
folds), so the reranker is fitted on exactly the features it will see. Every feature is about
the relation of a question to a sentence in any English text: similarity under the trained
reader, shared rare words, the passage's retrieval rank, where the sentence sits, whether the
conversation already said it.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..retrieval import Hit
from ..text import content_terms, fold, words
from ..types import Chunk
from .plan import Plan

_CAUSAL = re.compile(r"\b(because|since|due to|so that|as a result|in order to|reason|led to|leads to|caused?|therefore|thus)\b", re.I)
_DIGIT = re.compile(r"\d")
# words in quotation marks ("What does 'must' mean?", the licence's '"Contributor" means ...'), curly quotes folded
_QUOTED = re.compile(r"\"([^\"\n]{1,60})\"|(?<!\w)'([^'\n]{1,60})'(?!\w)")

FEATURES = (
    "cos",  # similarity of the query to the sentence (best of its windows), trained reader
    "cos_gap",  # best candidate's similarity minus this one's
    "cos_rank",  # 1 / (1 + rank of this similarity among the candidates)
    "cos_typed",  # similarity of the words just typed (differs from cos in a follow-up)
    "lex",  # idf-weighted share of the query's terms in the sentence
    "lex_typed",  # the same for the words just typed
    "lex_passage",  # the same for the whole passage
    "passage_rank",  # 1 / (1 + the passage's place in the fused retrieval)
    "passage_dense",  # similarity of the query to the passage
    "context_cos",  # best similarity of the neighbouring sentences
    "length",  # log of the sentence's words
    "first",  # first sentence of its passage
    "quoted",  # part of a quotation
    "digits",  # holds a number
    "causal_asked",  # a why question and a sentence that gives a cause
    "said_before",  # already in the previous answer, in its words (1) or others (their similarity): a follow-up wants something new
    "follows_said",  # comes right after a sentence of the previous answer (by how much more that one was said than this one)
    "mentions",  # quotes what the question quotes: it speaks of the words themselves ('What does "must" mean?')
)

_SAID = FEATURES.index("said_before")


@dataclass
class Candidate:
    chunk: Chunk
    index: int  # sentence number in the chunk
    text: str
    vector: np.ndarray
    hit: Hit
    features: np.ndarray = field(default_factory=lambda: np.zeros(len(FEATURES)))
    score: float = 0.0  # the reranker's probability that it answers

    @property
    def key(self) -> tuple[str, int]:
        return self.chunk.id, self.index

    @property
    def said(self) -> bool:
        """The previous answer gave this sentence in its own words."""
        return bool(self.features[_SAID] >= 1.0 - 1e-4)  # 1 in its words (a cosine of a vector with itself: 0.99999 on some CPUs)

    @property
    def speaker(self) -> str | None:
        return self.chunk.sentences[self.index].speaker


def _coverage(terms: list[str], present: set[str], idf: Callable[[str], float]) -> float:
    if not terms:
        return 0.0
    total = sum(idf(t) for t in set(terms))
    return sum(idf(t) for t in set(terms) if t in present) / total if total else 0.0


def quotations(text: str) -> set[str]:
    """What ``text`` puts in quotation marks, folded ("'Must'" and "“must”" are one)."""
    return {" ".join((m.group(1) or m.group(2)).split()) for m in _QUOTED.finditer(fold(text))} - {""}


def _overlap(a: str, b: str) -> float:
    """Share of the shorter text's words found in the other (to find a previous answer's sentences)."""
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def build(
    plan: Plan,
    hits: list[Hit],
    unit_vectors: dict[str, np.ndarray],
    query_vector: np.ndarray,
    typed_vector: np.ndarray,
    idf: Callable[[str], float],
    typed: str | None = None,
    said_vectors: np.ndarray | None = None,
) -> list[Candidate]:
    """Every sentence of the retrieved passages, with its features (``FEATURES``). ``typed``: the words just
    typed as the "typed" features read them (the question, or the query when the question says nothing alone).
    ``said_vectors``: the previous answer's sentences embedded (a follow-up; None when there are none): a sentence it said in other words was
    said too."""
    cands: list[Candidate] = []
    sims: dict[tuple[str, int], float] = {}
    typed_sims: dict[tuple[str, int], float] = {}
    q_terms, typed_terms = content_terms(plan.query), content_terms(typed if typed is not None else plan.question)
    asked_quoted = quotations(plan.question)
    for hit in hits:
        chunk = hit.chunk
        by_sentence: dict[int, list[np.ndarray]] = {}
        for key, n, _text in chunk.units():
            v = unit_vectors.get(f"{chunk.id}:{key}")
            if v is not None:
                by_sentence.setdefault(n, []).append(np.asarray(v, dtype=np.float32))
        for i, text in enumerate(chunk.sentence_texts()):
            vecs = by_sentence.get(i)
            if not vecs:
                continue
            matrix = np.vstack(vecs)
            sims[(chunk.id, i)] = float(np.max(matrix @ query_vector))
            typed_sims[(chunk.id, i)] = float(np.max(matrix @ typed_vector))
            cands.append(Candidate(chunk, i, text, vecs[0], hit))
    if not cands:
        return cands
    first_place: dict[float, int] = {}  # equal similarities share a rank
    for rank, value in enumerate(sorted(sims.values(), reverse=True)):
        first_place.setdefault(value, rank)
    best = max(sims.values())
    rank_of = {key: first_place[value] for key, value in sims.items()}
    said_text = plan.previous_sentences
    said: dict[tuple[str, int], float] = {}  # how closely the previous answer said each sentence: 1 in its words
    for c in cands:
        value = 1.0 if said_text and max(_overlap(c.text, s) for s in said_text) >= 0.8 else 0.0
        if said_vectors is not None:
            value = max(value, float(np.max(said_vectors @ c.vector)))
        said[c.key] = value
    passage_terms: dict[str, set[str]] = {}
    for c in cands:
        terms = set(content_terms(c.text))
        if c.chunk.id not in passage_terms:
            passage_terms[c.chunk.id] = set(content_terms(c.chunk.text))
        neighbours = [sims.get((c.chunk.id, c.index + d)) for d in (-1, 1)]
        follows = max(said.get((c.chunk.id, c.index - 1), 0.0), said.get((c.chunk.id, c.index - 2), 0.0))
        c.features = np.array(
            [
                sims[c.key],
                best - sims[c.key],
                1.0 / (1 + rank_of[c.key]),
                typed_sims[c.key],
                _coverage(q_terms, terms, idf),
                _coverage(typed_terms, terms, idf),
                _coverage(q_terms, passage_terms[c.chunk.id], idf),
                1.0 / (1 + c.hit.rank),
                c.hit.dense,
                max([s for s in neighbours if s is not None], default=0.0),
                math.log(1 + len(c.text.split())),
                float(c.index == 0),
                float(c.speaker is not None),
                float(bool(_DIGIT.search(c.text))),
                float(plan.asks_cause and bool(_CAUSAL.search(c.text))),
                said[c.key],
                max(follows - said[c.key], 0.0),
                float(bool(asked_quoted) and bool(asked_quoted & quotations(c.text))),
            ],
            dtype=np.float32,
        )
    return cands
