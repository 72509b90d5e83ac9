"""Rerank: the trained head scores each candidate sentence's chance of answering the question."""
from __future__ import annotations

import numpy as np

from .candidates import FEATURES, Candidate
from .heads import LinearHead


class Reranker:
    def __init__(self, head: LinearHead):
        if head.names != FEATURES:
            raise ValueError("the reranker was trained on other features: run `assistant train` again")
        self.head = head

    def rank(self, cands: list[Candidate]) -> list[Candidate]:
        """The candidates, best first, each with its ``score``."""
        if not cands:
            return []
        probs = self.head.probability(np.vstack([c.features for c in cands]))
        for c, p in zip(cands, probs):
            c.score = float(p)
        return sorted(cands, key=lambda c: -c.score)
