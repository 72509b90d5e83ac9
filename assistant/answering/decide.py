"""Decide: answer, or say the documents don't say. A calibrated head on the ranked evidence.

Trained on labelled answerable and unanswerable questions (``assistant train``); its threshold
was chosen by cross-validation. Misuse is declined before, by the named rule in ``plan``.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..documents import document_titles
from ..text import content_terms, stem, words
from ..tuning import TUNING
from ..types import Chunk
from .candidates import FEATURES, Candidate
from .heads import LinearHead
from .plan import Plan

DECIDE_FEATURES = (
    "top", "second", "mean_top5", "top_cos", "top_cos_typed", "top_lex", "top_lex_typed", "unknown_terms", "terms", "follow_up",
    "wants_number",  # the question asks for a quantity or a date
    "number_offered",  # ... and one of the best sentences holds one (a sentence without a number cannot say "how many")
    # share of the question's words, its document's title words aside (all, when it names only those), one of the best sentences holds
    "beyond_title",
    "no_answer",  # the question's similarity to "the documents do not say this" under the no-answer encoder (``NoAnswer``)
)  # fmt: skip
# Numbers written as words, which both patterns below read.
_CARDINALS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
    "nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen"
)
# A quantity in English: digits or a number word.
_QUANTITY = re.compile(
    r"\d|\b(?:" + _CARDINALS + r"|half|quarter|percent|several|once|twice|first|second|third|decade|annual|yearly|monthly)\b", re.I
)
# A number of things in a sentence: "four blue ferries", "12 piers" (rule `count`). Not "several", "many".
_COUNT = re.compile(r"\b(?:\d[\d,.]*|" + _CARDINALS + r")((?:\s+[\w-]+){1,3})", re.I)
_COS, _COS_TYPED = FEATURES.index("cos"), FEATURES.index("cos_typed")
_LEX, _LEX_TYPED = FEATURES.index("lex"), FEATURES.index("lex_typed")


def title_terms(chunks: list[Chunk]) -> dict[str, frozenset[str]]:
    """Each document's title words and file-name words (``Chunk.source`` -> terms): what a question names to say which
    document it is about ("Is the MPL 2.0 approved by ...?"), not what it asks. A sentence that only repeats them
    ("... the Mozilla Public License, v. 2.0.") has not answered anything."""
    return {
        source: frozenset(content_terms(f"{title} {Path(source).stem.replace('-', ' ').replace('_', ' ')}"))
        for source, title in document_titles(chunks).items()
    }


def gives_count(text: str, counted: str) -> bool:
    """Does ``text`` give a number of the thing ``counted`` (a stemmed word): a number and, within the three words
    after it, that word ("the harbour runs four blue ferries" for "ferry")?"""
    return any(counted in {stem(w) for w in words(m.group(1))} for m in _COUNT.finditer(text))


def question_features(
    plan: Plan, ranked: list[Candidate], known: Callable[[str], bool], titles: Mapping[str, frozenset[str]] | None = None, no_answer: float = 0.0
) -> np.ndarray:
    """What the decider reads of a question and its ranked candidates (``titles``: ``title_terms`` of the documents)."""
    terms = set(content_terms(plan.question)) or set(content_terms(plan.query))  # "why?" is read with its turn
    top = ranked[0] if ranked else None
    beyond = 0.0
    for c in ranked[:5]:
        # a question that names only its document's title words asks about the document's subject ("What is the Harbour Guide?")
        asked = terms - (titles or {}).get(c.chunk.source, frozenset()) or terms
        if asked:
            beyond = max(beyond, len(asked & set(content_terms(c.text))) / len(asked))
    return np.array(
        [
            top.score if top else 0.0,
            ranked[1].score if len(ranked) > 1 else 0.0,
            float(np.mean([c.score for c in ranked[:5]])) if ranked else 0.0,
            top.features[_COS] if top else 0.0,
            max((c.features[_COS_TYPED] for c in ranked[:5]), default=0.0),
            max((c.features[_LEX] for c in ranked[:5]), default=0.0),
            max((c.features[_LEX_TYPED] for c in ranked[:5]), default=0.0),
            sum(1 for t in terms if not known(t)) / len(terms) if terms else 0.0,
            min(len(terms), 12) / 12,
            float(plan.follow_up),
            float(plan.wants_number),
            float(plan.wants_number and any(_QUANTITY.search(c.text) for c in ranked[: TUNING.decide_quantity_sentences])),
            beyond,
            no_answer,
        ],
        dtype=np.float32,
    )


def counting_sentence(ranked: list[Candidate], counted: str) -> Candidate | None:
    """The best of the decider's best sentences that gives a number of ``counted`` (rule `count`), or None."""
    return next((c for c in ranked[: TUNING.decide_quantity_sentences] if gives_count(c.text, counted)), None)


def count_first(ranked: list[Candidate], counted: str) -> list[Candidate]:
    """``ranked`` with the sentence rule `count` answered by (``counting_sentence``) moved first, at the best one's
    score: it is what the question asks. ``ranked`` itself when none does."""
    found = counting_sentence(ranked, counted)
    if found is None:
        return ranked
    found.score = max(found.score, ranked[0].score)
    return [found] + [o for o in ranked if o is not found]


class NoAnswer:
    """How near a question is to "the documents do not say this", read by the no-answer encoder (``RECIPE["no_answer"]``):
    trained on the labelled questions to put near misses nearer that sentence than their best sentences, and answerable
    questions nearer their evidence. The encoder retrieval and the reranker read stays as it was trained."""

    def __init__(self, embeddings, sentence: str):
        self.embeddings = embeddings
        self.vector = np.asarray(embeddings.embed_many([sentence])[0], dtype=np.float32)

    def similarity(self, query: str) -> float:
        return float(np.dot(np.asarray(self.embeddings.embed_many([query])[0], dtype=np.float32), self.vector))


@dataclass(frozen=True)
class Decision:
    answer: bool
    confidence: float  # the head's probability that the documents answer the question
    reason: str = ""  # why not, in a few words, when declining
    rule: str = ""  # the named rule that answered where the head would not (`count`, `acronym`): it found what was asked


class Decider:
    def __init__(self, head: LinearHead):
        if head.names != DECIDE_FEATURES:
            raise ValueError("the decider was trained on other features: run `assistant train` again")
        self.head = head

    def decide(
        self, plan: Plan, ranked: list[Candidate], known: Callable[[str], bool], titles: Mapping[str, frozenset[str]] | None = None, no_answer: float = 0.0
    ) -> Decision:
        if plan.misuse:
            return Decision(False, 0.0, "misuse")
        if plan.small_talk:
            return Decision(False, 0.0, "small talk")
        if not ranked:
            return Decision(False, 0.0, "nothing indexed")
        p = float(self.head.probability(question_features(plan, ranked, known, titles, no_answer))[0])
        if p < self.head.threshold and plan.counted and counting_sentence(ranked, plan.counted) is not None:
            return Decision(True, p, rule="count")  # "how many ferries?" and one of the best sentences says "four ferries"
        return Decision(p >= self.head.threshold, p, "" if p >= self.head.threshold else "not covered")
