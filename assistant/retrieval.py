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

from dataclasses import dataclass, field

import numpy as np

from .index import OpenIndex
from .text import content_terms
from .tuning import TUNING, Tuning
from .types import Chunk


def _fuse(rankings: list[list[str]], weights: list[float], k: int) -> dict[str, float]:
    """Weighted reciprocal-rank fusion: each id's sum of weight / (k + rank)."""
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, cid in enumerate(ranking):
            fused[cid] = fused.get(cid, 0.0) + weight / (k + rank + 1)
    return fused


@dataclass
class Hit:
    chunk: Chunk
    score: float  # fused score, higher is better
    dense: float  # cosine similarity of the passage to the query
    rank: int = 0  # place in the fused ranking, 0 first


@dataclass
class Retrieval:
    query: str
    query_vector: np.ndarray
    hits: list[Hit] = field(default_factory=list)


class HybridSearcher:
    """Searches one open index; rebuilt when the index changes."""

    def __init__(self, index: OpenIndex, embeddings, *, top_k: int = 6, mmr: bool = False, tuning: Tuning = TUNING):
        self.index = index
        self.embeddings = embeddings
        self.top_k = top_k
        self.tuning = tuning
        self.pool = max(top_k, tuning.pool)  # passages whose sentences the reranker reads
        self.mmr = mmr
        corpus = [content_terms(f"{c.section} {c.text}") or ["_"] for c in index.chunks]
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
        ranking: list[str] = []
        for unit_id, _ in self.index.sentence_search(vector.tolist(), k * 3):
            cid = unit_id.partition(":")[0]  # units are stored as "<chunk id>:<unit key>"
            if cid in self.index.by_id and cid not in ranking:
                ranking.append(cid)
        return ranking

    def search(self, query: str, vector: np.ndarray | None = None, within: str | None = None) -> Retrieval:
        """The passages for ``query`` best first: dense passages, dense sentences and BM25, fused by rank; only
        those of the document ``within`` (a ``Chunk.source``) when it is given."""
        if vector is None:
            vector = self.embeddings.embed_many([query])[0]
        retrieval = Retrieval(query=query, query_vector=vector)
        if not self.index.chunks:
            return retrieval
        depth = self.tuning.fusion_depth
        # within one document, each ranker reads the whole library and keeps that document's passages
        read = depth if within is None else len(self.index.chunks)
        dense = self.index.dense_search(vector.tolist(), read)
        rankings = [[cid for cid, _ in dense], self._sentence_ranking(vector, read), self._bm25_ranking(query, read)]
        if within is not None:
            rankings = [[cid for cid in r if self.index.by_id[cid].source == within][:depth] for r in rankings]
        dense_sim = dict(dense)
        fused = _fuse(rankings, [1.0, 1.0, self.tuning.bm25_weight], self.tuning.rrf_k)
        ordered = sorted(fused, key=lambda cid: -fused[cid])
        if self.mmr and len(ordered) > self.top_k:
            ordered = self._diversify(vector, ordered[: self.top_k * 3])
        retrieval.hits = [
            Hit(self.index.by_id[cid], round(fused[cid], 6), float(dense_sim.get(cid, 0.0)), rank)
            for rank, cid in enumerate(ordered[: self.pool])
        ]
        return retrieval

    def _diversify(self, vector: np.ndarray, ids: list[str]) -> list[str]:
        from langchain_core.vectorstores.utils import maximal_marginal_relevance

        res = self.index.chunks_collection.get(ids=ids, include=["embeddings"])
        by_id = dict(zip(res["ids"], res["embeddings"]))
        matrix = [by_id[i] for i in ids]
        picked = maximal_marginal_relevance(np.array(vector), matrix, lambda_mult=0.7, k=self.top_k)
        return [ids[i] for i in picked]


def __getattr__(name: str):
    """``BriefRetriever`` is defined on first use: LangChain's retriever module costs half a second to import."""
    if name == "BriefRetriever":
        globals()[name] = cls = _brief_retriever()
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _brief_retriever():
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever
    from pydantic import ConfigDict

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

    return BriefRetriever
