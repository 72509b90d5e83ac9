"""A fitted linear head: standardise, weigh, squash. What the reranker and the decider are.

Fitted by scikit-learn's LogisticRegression in ``assistant train`` and stored as plain numbers
in the reader's ``heads.json``, so answering needs no scikit-learn and no pickle.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LinearHead:
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float = 0.5  # the decision point, chosen by cross-validation

    def probability(self, rows: np.ndarray) -> np.ndarray:
        z = ((np.atleast_2d(rows) - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def to_json(self) -> dict:
        return {
            "names": list(self.names), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
            "coef": self.coef.tolist(), "intercept": float(self.intercept), "threshold": float(self.threshold),
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict) -> LinearHead:
        return cls(
            tuple(data["names"]), np.array(data["mean"], dtype=np.float32), np.array(data["scale"], dtype=np.float32),
            np.array(data["coef"], dtype=np.float32), float(data["intercept"]), float(data.get("threshold", 0.5)),
        )  # fmt: skip
