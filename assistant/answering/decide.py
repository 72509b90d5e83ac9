"""Decide: answer, or say the documents don't say. A calibrated head on the ranked evidence.

Trained on labelled answerable and unanswerable questions (``assistant train``); its threshold
was chosen by cross-validation. Misuse is declined before, by the named rule in ``plan``.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..text import content_terms
from ..tuning import TUNING
from .candidates import FEATURES, Candidate
from .heads import LinearHead
from .plan import Plan

DECIDE_FEATURES = (
    "top", "second", "mean_top5", "top_cos", "top_cos_typed", "top_lex", "top_lex_typed", "unknown_terms", "terms", "follow_up",
    "wants_number",  # the question asks for a quantity or a date
    "number_offered",  # ... and one of the best sentences holds one (a sentence without a number cannot say "how many")
)  # fmt: skip
# A quantity in English: digits or a number word.
_QUANTITY = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|thousand|"
    r"million|billion|dozen|half|quarter|percent|several|once|twice|first|second|third|decade|annual|yearly|monthly)\b", re.I
)
_COS, _COS_TYPED = FEATURES.index("cos"), FEATURES.index("cos_typed")
_LEX, _LEX_TYPED = FEATURES.index("lex"), FEATURES.index("lex_typed")


def question_features(plan: Plan, ranked: list[Candidate], known: Callable[[str], bool]) -> np.ndarray:
    """What the decider reads of a question and its ranked candidates."""
    terms = set(content_terms(plan.question)) or set(content_terms(plan.query))  # "why?" is read with its turn
    top = ranked[0] if ranked else None
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
        ],
        dtype=np.float32,
    )


@dataclass(frozen=True)
class Decision:
    answer: bool
    confidence: float  # the head's probability that the documents answer the question
    reason: str = ""  # why not, in a few words, when declining


class Decider:
    def __init__(self, head: LinearHead):
        if head.names != DECIDE_FEATURES:
            raise ValueError("the decider was trained on other features: run `assistant train` again")
        self.head = head

    def decide(self, plan: Plan, ranked: list[Candidate], known: Callable[[str], bool]) -> Decision:
        if plan.misuse:
            return Decision(False, 0.0, "misuse")
        if not ranked:
            return Decision(False, 0.0, "nothing indexed")
        p = float(self.head.probability(question_features(plan, ranked, known))[0])
        return Decision(p >= self.head.threshold, p, "" if p >= self.head.threshold else "not covered")
