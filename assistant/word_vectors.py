"""Vectors of single words, kept on disk per embedding model.

Synonym matching in the extractive answerer needs a vector for every content word of the
documents. A word's vector depends on the model alone, never on the build, so it is computed
once and kept beside the index: at 1000x the brief, embedding the vocabulary was 112 s of a
234 s start, and every later start paid it again. A cache that cannot be written (a read-only
index folder) is simply not kept.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


class WordVectors:
    """``embed(words)`` through a per-model cache file in ``folder``."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray], folder: Path, model_name: str):
        self._embed = embed
        slug = hashlib.sha256(model_name.encode()).hexdigest()[:16]
        self.path = Path(folder) / f"word-vectors-{slug}.npz"
        self._known: dict[str, np.ndarray] | None = None
        self._lock = threading.Lock()

    def __call__(self, words: list[str]) -> np.ndarray:
        with self._lock:
            known = self._load()
            missing = sorted({w for w in words if w not in known})
            if missing:
                vectors = np.asarray(self._embed(missing), dtype=np.float32)
                known.update(zip(missing, vectors))
                self._save(known)
            if not words:
                return np.zeros((0, 1), dtype=np.float32)
            return np.stack([known[w] for w in words])

    def _load(self) -> dict[str, np.ndarray]:
        if self._known is None:
            self._known = {}
            try:
                with np.load(self.path, allow_pickle=False) as data:
                    self._known = dict(zip(data["words"].tolist(), data["vectors"]))
            except FileNotFoundError:
                pass
            except (OSError, ValueError, KeyError) as exc:  # a damaged cache is recomputed, never trusted
                log.warning("ignoring the word-vector cache %s (%s)", self.path, exc)
        return self._known

    def _save(self, known: dict[str, np.ndarray]) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            words = list(known)
            with open(tmp, "wb") as f:
                np.savez(f, words=np.array(words, dtype=str), vectors=np.stack([known[w] for w in words]))
            os.replace(tmp, self.path)
        except OSError as exc:
            log.info("word-vector cache not kept (%s)", exc)
            with contextlib.suppress(OSError):
                tmp.unlink()
