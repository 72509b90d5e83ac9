"""Answering as one pipeline: read -> retrieve -> rerank -> decide -> compose -> cite.

Each step is one call on one small interface, in this order, once per question:

    plan      = read(question, history)                  plan.py (typos: spelling.py)
    retrieval = searcher.search(plan.query)              ../retrieval.py
    cands     = candidates.build(plan, retrieval, ...)   candidates.py
    ranked    = reranker.rank(cands)                     rerank.py
    decision  = decider.decide(plan, ranked)             decide.py
    answer    = compose (choose, arrange, to_answer)     compose.py, citations.py
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from ..documents import INTRODUCTION
from ..index import OpenIndex
from ..prompts import Prompts
from ..retrieval import Hit, HybridSearcher, Retrieval
from ..text import content_terms, word_count
from ..tuning import TUNING
from ..types import Answer, Chunk, Retrieved
from . import candidates as candidates_step
from .acronyms import Acronyms, aside_name, name_first
from .compose import arrange, choose, to_answer
from .decide import Decider, Decision, NoAnswer, count_first, title_terms
from .definitions import Definitions
from .overview import asks_about_all, opening
from .plan import FORM_WORDS, Plan, is_the_item, pointed_at, read
from .rerank import Reranker
from .scope import named_document, naming_terms
from .spelling import Spelling


class Vocabulary:
    """Document frequencies of the index's terms: rare shared words weigh more, unknown ones mark foreign questions."""

    def __init__(self, texts: list[str]):
        self.df = Counter(t for text in texts for t in set(content_terms(text)))
        self.n = max(len(texts), 1)

    @classmethod
    def of_terms(cls, terms: list[frozenset[str]]) -> "Vocabulary":
        """From each text's content words, read once by the caller for other uses too."""
        vocabulary = cls([])
        vocabulary.df = Counter(t for held in terms for t in held)
        vocabulary.n = max(len(terms), 1)
        return vocabulary

    def idf(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(term, 0)))

    def known(self, term: str) -> bool:
        return term in self.df


@dataclass
class Read:
    """What the first steps produced, for answering and for training the heads."""

    plan: Plan
    retrieval: Retrieval
    candidates: list[candidates_step.Candidate]
    no_answer: float = 0.0  # the query's similarity to "the documents do not say this" (``decide.NoAnswer``)


_OWN_REPLIES = ("refusal", "misuse", "small_talk")  # the replies that hold no words of the documents


class Pipeline:
    """Answers questions from one open index with the trained reader."""

    def __init__(
        self,
        index: OpenIndex,
        searcher: HybridSearcher,
        embeddings,
        *,
        reranker: Reranker | None,
        decider: Decider | None,
        prompts: Prompts | None,
        max_words: int = 90,
        top_k: int = 6,
        disabled: frozenset[str] = frozenset(),
        no_answer: NoAnswer | None = None,
    ):
        if decider is not None and no_answer is None:  # it would read every question as 0 and decide on a feature it never saw so
            raise ValueError("the decider reads the no-answer encoder: pass no_answer (decide.NoAnswer over the reader's no_answer model)")
        self.index = index
        self.no_answer = no_answer  # the decider reads the question's nearness to "no answer here" through it
        self.searcher = searcher
        self.embeddings = embeddings
        self.reranker = reranker
        self.decider = decider
        self.prompts = prompts
        self.max_words = max_words
        self.top_k = top_k
        self.disabled = disabled
        texts = [f"{c.section} {c.text}" for c in index.chunks]
        terms = [frozenset(content_terms(t)) for t in texts]  # each passage's content words, read once for both below
        self.vocabulary = Vocabulary.of_terms(terms)
        self.spelling = Spelling(texts)
        self.titles = title_terms(index.chunks)
        self.naming = naming_terms(index.chunks, terms, self.titles)  # rule `named_document`
        self.acronyms = Acronyms(t for c in index.chunks for t in c.sentence_texts())
        self.definitions = Definitions(index.chunks)  # rule `definition`
        self._at = {(c.source, c.order): c for c in index.chunks}
        self._openings: dict[str | None, list[tuple[Chunk, int]]] = {}  # rule `overview`: each document's opening

    # ------------------------------------------------------------------ the steps before the heads
    def gather(self, question: str, history: list[tuple[str, str]] | None = None, scoped: bool = False) -> Read:
        """The question read and its candidates. ``scoped``: a question that names one document of the library is
        searched in that document alone (rule `named_document`); the heads were trained on reads without it, whose
        features a scoped read computes the same way."""
        if history and self.prompts is not None:
            # a turn the assistant declined says nothing of the documents: its list of topics is not what a "why?"
            # after it asks about (the question it declined is)
            history = [(u, "" if self.prompts.rendered(a, _OWN_REPLIES) else a) for u, a in history]
        plan = read(question, history, self.disabled, self.spelling.correct)
        within = named_document(plan.question, self.naming) if scoped and plan.uses("named_document") else None
        # The words just typed are read on their own only when they say something ("why?" does not, nor does "an
        # example?", which asks for a form of answer: each is read with the turn it leans on, as the query is).
        says = set(content_terms(plan.question)) - FORM_WORDS
        typed = plan.question if plan.query != plan.question and says else plan.query
        name = self.acronyms.name(plan.acronym) if plan.acronym else None
        if plan.acronym and plan.asks_name and not name:  # what they stand for, where no brackets tie a name to them
            name = self.acronyms.loose_name(plan.acronym)
        if name:  # rule `acronym`: the initials are searched with the name the documents give them
            plan = replace(plan, query=f"{plan.query} {name}")
            typed = f"{typed} {name}"
        if plan.uses("short_name"):  # a name is searched with the short name the documents go on to use for it
            alias = aside_name(plan.item) if plan.item else None
            if alias:  # "the second one" of "... light (or Ash Light, run by ...)": "tell me more about Ash Light"
                plan = replace(plan, query=pointed_at(plan.question, alias))
                typed = plan.query  # what was typed, with the name it points at
            short = " ".join(self.acronyms.initials_of(plan.query))
            if short:  # "the Regional Water Board" is searched with "RWB" too
                plan = replace(plan, query=f"{plan.query} {short}")
                typed = f"{typed} {short}"
        texts = [plan.query] + ([typed] if typed != plan.query else [])
        said = list(plan.previous_sentences[: TUNING.said_sentences])  # a follow-up's plan alone carries them
        vectors = self.embeddings.embed_many(texts + said)
        said_vectors = np.asarray(vectors[len(texts) :], dtype=np.float32) if said else None
        vectors = vectors[: len(texts)]
        retrieval = self.searcher.search(plan.query, vectors[0], within)
        if plan.follow_up and typed != plan.query and TUNING.typed_passages:
            # a follow-up is searched with the turn it leans on; the best passages for the words just typed join them, so
            # that a question with a topic of its own ("and what does the harbour charge for parking?") is not drowned by
            # the last answer's words
            held = {h.chunk.id for h in retrieval.hits}
            fresh = [h for h in self.searcher.search(typed, vectors[-1], within).hits if h.chunk.id not in held]
            retrieval.hits = retrieval.hits + fresh[: TUNING.typed_passages]
        if plan.defines and plan.uses("definition"):  # "What is a widget?": the passages that say "A widget is ..." join
            held = {h.chunk.id for h in retrieval.hits}
            defining = list(dict.fromkeys(c.id for c, _ in self.definitions.of(plan.defines) if c.id not in held and within in (None, c.source)))
            retrieval.hits = retrieval.hits + [
                Hit(self.index.by_id[cid], 0.0, 0.0, len(retrieval.hits) + k) for k, cid in enumerate(defining[: TUNING.defining_passages])
            ]
        unit_vectors = self.index.sentence_vectors([h.chunk.id for h in retrieval.hits])
        unit_vectors = {k: np.asarray(v, dtype=np.float32) for k, v in unit_vectors.items()}
        cands = candidates_step.build(plan, retrieval.hits, unit_vectors, vectors[0], vectors[-1], self.vocabulary.idf, typed, said_vectors)
        return Read(plan, retrieval, cands, self.no_answer.similarity(plan.query) if self.no_answer is not None else 0.0)

    # ------------------------------------------------------------------ the whole pipeline
    def answer(self, question: str, history: list[tuple[str, str]] | None = None) -> Answer:
        if self.reranker is None or self.decider is None:
            raise RuntimeError("the pipeline has no trained heads: run `assistant train`")
        got = self.gather(question, history, scoped=True)
        ranked = self.reranker.rank(got.candidates)
        retrieved = self._retrieved(got.retrieval, ranked)
        base = dict(query=got.plan.query, index_version=self.index.info.version)
        if got.plan.overview and not got.plan.misuse:  # rule `overview`: the document's opening says what it is about
            chosen = self._opening(got.plan, ranked)
            if chosen:
                pieces = arrange(got.plan, chosen, self.max_words, following=self.following, preceding=self.preceding)
                return to_answer(pieces, retrieved, **base)
        decision = self.decider.decide(got.plan, ranked, self.vocabulary.known, self.titles, got.no_answer)
        if got.plan.follow_up and got.plan.asks_cause and not got.plan.previous_answer and not content_terms(got.plan.question):
            decision = Decision(False, decision.confidence, "not covered")  # "why?" after a turn declined: nothing to explain
        if got.plan.acronym and not got.plan.misuse:  # rule `acronym`: the sentence that spells the initials out answers
            # asked what they stand for, a sentence that gives words in capitals whose initials they are answers too
            loose = self.acronyms.loose_name(got.plan.acronym) if got.plan.asks_name else None
            named = name_first(ranked, got.plan.acronym, loose)
            if named is not ranked:
                ranked, decision = named, Decision(True, decision.confidence, rule="acronym")
            elif got.plan.asks_name and not (self.acronyms.name(got.plan.acronym) or self.acronyms.may_name(got.plan.acronym)):
                decision = Decision(False, decision.confidence, "not covered")  # the documents never say what they stand for
        if decision.rule == "count" and got.plan.counted:  # rule `count`: the sentence that gives the count leads
            ranked = count_first(ranked, got.plan.counted)
        if not decision.answer:
            return self._decline(decision, retrieved, base)
        if got.plan.item and got.plan.uses("listed_item"):  # "tell me more about the second one": not the list again,
            ranked = [c for c in ranked if not c.said or is_the_item(c.text, got.plan.item)] or ranked  # but the item itself
        chosen = choose(got.plan, ranked, self.max_words)
        pieces = arrange(got.plan, chosen, self.max_words, following=self.following, preceding=self.preceding, ranked=ranked)
        answer = to_answer(pieces, retrieved, **base)
        if got.plan.uses("hedge") and decision.confidence < TUNING.hedge_below and not decision.rule and self.prompts is not None:
            answer = answer.model_copy(update={"notice": self.prompts.render("hedge")})  # rule `hedge`: below even odds
        return answer

    def _opening(self, plan: Plan, ranked: list[candidates_step.Candidate]) -> list[candidates_step.Candidate]:
        """The opening sentences of the document a question about a whole document means: the one whose title it
        names, else the one its best-ranked sentence is in; asked about all of them ("What are these documents
        about?") in a library of several, each document's first opening sentence, within the answer's word limit."""
        asked = set(content_terms(plan.question))
        named = max(self.titles, key=lambda s: len(asked & self.titles[s]), default=None)
        if named is None or not asked & self.titles[named]:
            if len(self.titles) > 1 and asks_about_all(plan.question):
                return self._openings_of_all()
            named = ranked[0].chunk.source if ranked else named
        return [self._as_candidate(c, n) for c, n in self._opening_of(named)]

    def _openings_of_all(self) -> list[candidates_step.Candidate]:
        """Each document's first opening sentence, in the order of their files, while the answer stays within its limit."""
        chosen, total = [], 0
        for source in sorted(self.titles):
            first = self._opening_of(source)[:1]
            words = sum(word_count(c.sentence_texts()[n]) for c, n in first)
            if first and chosen and total + words > self.max_words:
                break
            chosen += first
            total += words
        return [self._as_candidate(c, n) for c, n in chosen]

    def _opening_of(self, source: str | None) -> list[tuple[Chunk, int]]:
        if source not in self._openings:  # read once per document: the index does not change under a pipeline
            chunks = sorted((c for c in self.index.chunks if c.source == source), key=lambda c: c.order)
            self._openings[source] = opening(chunks, self.max_words)
        return self._openings[source]

    @staticmethod
    def _as_candidate(chunk: Chunk, n: int) -> candidates_step.Candidate:
        return candidates_step.Candidate(chunk, n, chunk.sentence_texts()[n], np.zeros(1), Hit(chunk, 0.0, 0.0))  # composed as it stands: no score

    def preceding(self, chunk: Chunk) -> Chunk | None:
        """The passage before ``chunk`` in its document."""
        return self._at.get((chunk.source, chunk.order - 1))

    def following(self, chunk: Chunk) -> Chunk | None:
        """The passage after ``chunk`` in its document."""
        return self._at.get((chunk.source, chunk.order + 1))

    def _retrieved(self, retrieval: Retrieval, ranked) -> list[Retrieved]:
        """Passages best first by their best sentence (the reranker's view), the fused order breaking ties."""
        best: dict[str, float] = {}
        for c in ranked:
            best.setdefault(c.chunk.id, c.score)
        hits = sorted(retrieval.hits, key=lambda h: (-best.get(h.chunk.id, -1.0), h.rank))[: self.top_k]
        return [
            Retrieved(
                chunk_id=h.chunk.id, text=h.chunk.text, score=round(best.get(h.chunk.id, 0.0), 4),
                source=h.chunk.source, section=h.chunk.section, page=h.chunk.page,
            )  # fmt: skip
            for h in hits
        ]

    def topics(self, retrieved: list[Retrieved], general: bool) -> list[str]:
        """A few sections the documents do cover: those near the question first, unless it was off topic."""
        sections: dict[str, None] = {}
        pool = [c.section for c in self.index.chunks]
        if not general:
            pool = [r.section for r in retrieved] + pool
        for s in pool:
            if s and s != INTRODUCTION:
                sections.setdefault(s)
                if len(sections) == 4:
                    break
        return list(sections)

    def _decline(self, decision: Decision, retrieved: list[Retrieved], base: dict) -> Answer:
        general = decision.reason in ("misuse", "nothing indexed", "small talk")
        topics = self.topics(retrieved, general)
        topic_text = "; ".join(topics) if topics else "nothing yet"
        if self.prompts is None:
            text = "The documents do not answer that."
        elif decision.reason == "misuse":
            text = self.prompts.render("misuse", topics=topic_text)
        elif decision.reason == "small talk":
            text = self.prompts.render("small_talk", topics=topic_text)
        else:
            text = self.prompts.render("refusal", detail="", topics=topic_text)
        return Answer(answer=text, refused=True, suggestions=topics, retrieved=retrieved, **base)
