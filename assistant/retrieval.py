"""Hybrid retrieval: dense passages, dense sentences and BM25, fused by reciprocal rank.

Three rankers see different things: the passage vector the gist, the best sentence
vector a single precise statement (most answers are one sentence), BM25 the rare
names and numbers. Reciprocal rank fusion needs no score calibration between them.
BM25 is bm25s (sparse-matrix BM25, Okapi/ATIRE scoring) rather than LangChain's
BM25Retriever (langchain-community is being sunset, and that retriever hides the scores
fusion needs) or rank-bm25 (which scores every passage in a Python loop: 61 ms per
question over 44k passages, against 0.1 ms here). The whole thing is still exposed as a
LangChain ``BaseRetriever`` for chains.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.vectorstores.utils import maximal_marginal_relevance
from pydantic import ConfigDict

from .index import OpenIndex
from .text import content_terms, words
from .types import Chunk, opening_chunks

RRF_K = 20
FOLLOW_UP_OWN_WEIGHT = 1.0  # weight in the fusion of a follow-up's own words searched alone
PART_PASSAGES = 2  # passages closest to one part of a compound question that join its candidates
_FOLLOW_UP_WORDS = {
    "that", "this", "those", "these", "it", "its", "they", "them", "their", "he", "she", "his", "her", "him",
    "there", "else", "also", "other", "others", "another", "same", "such", "former", "latter", "which", "one",
}  # fmt: skip


@lru_cache(maxsize=1)
def _side_pool() -> ThreadPoolExecutor:
    """Threads that embed a question's extra words while the question itself is embedded."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="extra-vectors")


def needs_history(question: str) -> bool:
    """Does the question lean on earlier turns ("Who said that?", "Which one of those...")?"""
    toks = words(question)
    if not toks:
        return False
    if any(t in _FOLLOW_UP_WORDS for t in toks):
        return True
    return len(content_terms(question)) <= 2


_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5, "1st": 0, "2nd": 1, "3rd": 2, "4th": 3, "5th": 4, "last": -1}
_LISTED = re.compile(r"\b(first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|last)\s+(?:one|item|entry|consortium|group|point|lesson|example)\b", re.I)


def listed_item(question: str, answer: str) -> str | None:
    """"The third one you listed": the third item of the list in the previous answer (items parted by
    semicolons, else by commas), or None when the question points at no item or the answer lists none."""
    m = _LISTED.search(question)
    if not m:
        return None
    body = answer.split(":", 1)[-1]
    items = [i.strip(" .") for i in re.split(r";\s*(?:and\s+)?", body)]
    if len(items) < 2:
        items = [i.strip(" .") for i in re.split(r",\s*(?:and\s+)?|\s+and\s+", body)]
    k = _ORDINALS[m.group(1).lower()]
    return items[k] if len(items) >= 2 and k < len(items) else None


def condense(question: str, history: list[tuple[str, str]]) -> str:
    """A standalone search query: the question plus the last turn it refers to (the item of it,
    for "the second one you listed")."""
    if not history or not needs_history(question):
        return question
    user, answer = history[-1]
    answer = re.sub(r"\[\d+(?:,\s*\d+)*\]", "", answer or "")
    item = listed_item(question, answer)
    if item:
        return f"{question} {user} {item}"
    return f"{question} {user} {answer[:400]}".strip()


def _fuse(rankings: list[list[str]], weights: list[float]) -> dict[str, float]:
    """Weighted reciprocal-rank fusion: each id's sum of weight / (RRF_K + rank)."""
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, cid in enumerate(ranking):
            fused[cid] = fused.get(cid, 0.0) + weight / (RRF_K + rank + 1)
    return fused


@dataclass
class Hit:
    chunk: Chunk
    score: float  # fused score, higher is better
    dense: float  # cosine similarity of the passage to the question


@dataclass
class Retrieval:
    question: str
    query: str
    question_vector: np.ndarray
    query_vector: np.ndarray
    hits: list[Hit] = field(default_factory=list)
    extra_vectors: np.ndarray | None = None
    variant_vectors: list[np.ndarray] = field(default_factory=list)
    part_vectors: list[np.ndarray] = field(default_factory=list)


class HybridSearcher:
    """Searches one open index; rebuilt when the index changes."""

    def __init__(self, index: OpenIndex, embeddings, *, top_k: int = 6, mmr: bool = False, openings: dict[str, list[Chunk]] | None = None):
        self.index = index
        self.embeddings = embeddings
        self.top_k = top_k
        self.pool = max(top_k, 12)  # candidates handed to the sentence scorer, which re-ranks them
        self.mmr = mmr
        openings = opening_chunks(index.chunks) if openings is None else openings
        self._figures: dict[str, list[str]] = {}  # kind of figure -> passages holding one
        self._figure_sets: dict[str, set[str]] = {}  # the same, for membership
        self._openings = [c.id for c in sorted((c for doc in openings.values() for c in doc), key=lambda c: c.order)]
        corpus = [content_terms(f"{c.section} {c.text}") or ["_"] for c in index.chunks]
        self._terms = {t for doc in corpus for t in doc}
        self._bm25 = None
        if corpus:
            import bm25s

            self._bm25 = bm25s.BM25(method="atire", k1=1.5, b=0.75)  # the classic Okapi idf
            self._bm25.index(corpus, show_progress=False)

    def _bm25_ranking(self, query: str, k: int) -> list[str]:
        if self._bm25 is None:
            return []
        terms = content_terms(query)
        if not terms:
            return []
        scores = self._bm25.get_scores(terms)
        order = np.argsort(-scores)[:k]
        return [self.index.chunks[i].id for i in order if scores[i] > 0]

    def _sentence_ranking(self, vector: np.ndarray, k: int) -> list[str]:
        store = self.index._sentences_store._collection
        n = min(k * 3, self.index.info.sentences)
        if n <= 0:
            return []
        res = store.query(query_embeddings=[vector.tolist()], n_results=n, include=[])
        ranking: list[str] = []
        for unit_id in res["ids"][0]:
            cid = unit_id.partition(":")[0]  # units are stored as "<chunk id>:<unit key>"
            if cid in self.index.by_id and cid not in ranking:
                ranking.append(cid)
        return ranking

    def search(
        self,
        question: str,
        history: list[tuple[str, str]] | None = None,
        extra: list[str] | None = None,
        variants: list[str] | None = None,
        openings: bool = False,
        figure: tuple[str, Callable[[str], bool]] | None = None,
        parts: tuple[str, ...] = (),
        typed_topic: bool = True,
    ) -> Retrieval:
        """Retrieve passages; ``extra`` texts (single words) are embedded alongside, on a second core,
        and ``variants`` (sentences like the question) in the question's own batch. ``openings``: the
        question is about a document as a whole, so its opening passages join the candidates.
        ``figure``: (name, test) of the kind of figure asked for; passages holding one join them too.
        ``parts``: the questions of a compound question, embedded in the same batch (their vectors
        score sentences per part; adding their own passages to the fusion measured worse).
        ``typed_topic``: a follow-up's own words may name a topic to search for alone (not in "which
        consortium was that leader from?").

        A forward pass of this model over a few tokens costs about the same whatever the
        batch (it is bound by reading the weights), so the words go to another thread
        rather than into the question's batch: measured 24 vs 28 ms, against 18 for the question alone.
        """
        query = condense(question, history or [])
        texts = [question] + ([query] if query != question else [])
        pending = _side_pool().submit(self.embeddings.embed_many, list(extra)) if extra else None
        # Padding a batch to its longest text costs little when the texts are alike (24 vs 20 ms for
        # two questions), and much for words padded to a question's length (36 ms): hence two batches.
        vectors = self.embeddings.embed_many(texts + list(variants or []) + list(parts))
        qv = vectors[0]
        query_vec = vectors[1] / max(np.linalg.norm(vectors[1]), 1e-9) if query != question else qv
        retrieval = Retrieval(question=question, query=query, question_vector=qv, query_vector=query_vec)
        n_variants = len(variants or [])
        retrieval.variant_vectors = list(vectors[len(texts) : len(texts) + n_variants])
        retrieval.part_vectors = list(vectors[len(texts) + n_variants :])
        retrieval.extra_vectors = pending.result() if pending is not None else None
        if not self.index.chunks:
            return retrieval
        depth = max(self.top_k * 3, 20)
        dense = self.index.dense_search(query_vec.tolist(), depth)
        dense_sim = dict(dense)
        rankings = [
            [cid for cid, _ in dense],
            self._sentence_ranking(query_vec, depth),
            self._bm25_ranking(query, depth),
        ]
        weights = [1.0, 1.0, 0.8]
        if query != question and typed_topic and not _LISTED.search(question) and len(set(content_terms(question)) & self._terms) >= 2:
            # A follow-up searches with the earlier turn; words just typed that name a topic of the
            # documents also search alone, or a long turn about one consortium drowns "... trusting each other?"
            # ("so what did they build?", "who leads the third one?" name none: the earlier turn says what it is about).
            rankings += [self._sentence_ranking(qv, depth), self._bm25_ranking(question, depth)]
            weights += [FOLLOW_UP_OWN_WEIGHT, FOLLOW_UP_OWN_WEIGHT]
        if openings:
            rankings.append(self._openings[:depth])
            weights.append(1.0)
        if figure is not None:
            rankings.append(self._holding(*figure, [cid for cid, _ in dense])[:depth])
            weights.append(1.0)
        fused = _fuse(rankings, weights)
        ordered = sorted(fused, key=lambda cid: -fused[cid])
        if self.mmr and len(ordered) > self.top_k:
            ordered = self._diversify(query_vec, ordered[: self.top_k * 3])
        kept = ordered[: self.pool]
        if openings:  # a question about the whole document reads all of its opening (a few passages)
            have = set(kept)
            kept += [cid for cid in self._openings if cid not in have and cid in fused]
        retrieval.hits = [Hit(self.index.by_id[cid], round(fused[cid], 6), float(dense_sim.get(cid, 0.0))) for cid in kept]
        return retrieval

    def closest_to(self, text: str, vector: np.ndarray, have: list[Hit], k: int = PART_PASSAGES) -> list[Hit]:
        """``have`` and the ``k`` best passages for ``text`` (by its sentences' vectors and its words)
        not yet in it: a compound question's part ("..., and what would they change?") may be answered
        by a passage the whole question did not retrieve."""
        held = {h.chunk.id for h in have}
        depth = len(held) + k
        fused = _fuse([self._sentence_ranking(vector, depth), self._bm25_ranking(text, depth)], [1.0, 0.8])
        more = [cid for cid in sorted(fused, key=lambda cid: -fused[cid]) if cid not in held][:k]
        return list(have) + [Hit(self.index.by_id[cid], 0.0, 0.0) for cid in more]

    def _holding(self, name: str, test: Callable[[str], bool], dense: list[str]) -> list[str]:
        """Passages holding a kind of figure, the densely closest first (found once per index)."""
        ids = self._figures.get(name)
        if ids is None:
            ids = self._figures[name] = [c.id for c in self.index.chunks if test(c.text)]
            self._figure_sets[name] = set(ids)
        held = self._figure_sets[name]
        ranked = [cid for cid in dense if cid in held]
        seen = set(ranked)
        return ranked + [cid for cid in ids if cid not in seen]

    def _diversify(self, vector: np.ndarray, ids: list[str]) -> list[str]:
        res = self.index._chunks_store._collection.get(ids=ids, include=["embeddings"])
        by_id = dict(zip(res["ids"], res["embeddings"]))
        matrix = [by_id[i] for i in ids]
        picked = maximal_marginal_relevance(np.array(vector), matrix, lambda_mult=0.7, k=self.top_k)
        return [ids[i] for i in picked]


class BriefRetriever(BaseRetriever):
    """The hybrid searcher as a LangChain retriever (documents carry section, page and score)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    searcher: HybridSearcher

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(
                page_content=h.chunk.text,
                id=h.chunk.id,
                metadata={"chunk_id": h.chunk.id, "source": h.chunk.source, "section": h.chunk.section, "page": h.chunk.page, "score": h.score},
            )
            for h in self.searcher.search(query).hits
        ]
