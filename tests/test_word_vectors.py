"""The on-disk cache of word vectors used for synonym matching (real model, real files)."""
import numpy as np
import pytest

from assistant.embeddings import load_embeddings
from assistant.settings import DEFAULT_EMBEDDING_MODEL
from assistant.word_vectors import WordVectors


@pytest.fixture(scope="module")
def model():
    return load_embeddings(DEFAULT_EMBEDDING_MODEL)


class Counting:
    """The real encoder, counting the words it is asked to embed."""

    def __init__(self, model):
        self.model, self.words = model, []

    def __call__(self, words):
        self.words.extend(words)
        return self.model.embed_many(words)


def test_vectors_are_the_models_and_are_embedded_once_across_processes(model, tmp_path):
    first = Counting(model)
    vectors = WordVectors(first, tmp_path, DEFAULT_EMBEDDING_MODEL)(["employer", "trust", "employer"])
    assert np.allclose(vectors, model.embed_many(["employer", "trust", "employer"]), atol=1e-5)
    assert sorted(first.words) == ["employer", "trust"]

    later = Counting(model)  # a new process: same folder, same model
    again = WordVectors(later, tmp_path, DEFAULT_EMBEDDING_MODEL)(["trust", "pathway"])
    assert later.words == ["pathway"]
    assert np.allclose(again, model.embed_many(["trust", "pathway"]), atol=1e-5)


def test_another_model_does_not_share_the_cache(model, tmp_path):
    WordVectors(Counting(model), tmp_path, DEFAULT_EMBEDDING_MODEL)(["trust"])
    other = Counting(model)
    WordVectors(other, tmp_path, "/models/another-model")(["trust"])
    assert other.words == ["trust"]


def test_a_damaged_cache_is_recomputed(model, tmp_path):
    words = WordVectors(Counting(model), tmp_path, DEFAULT_EMBEDDING_MODEL)
    words(["trust"])
    words.path.write_bytes(b"not a numpy file")
    fresh = Counting(model)
    assert np.allclose(WordVectors(fresh, tmp_path, DEFAULT_EMBEDDING_MODEL)(["trust"]), model.embed_many(["trust"]), atol=1e-5)
    assert fresh.words == ["trust"]


def test_a_folder_that_cannot_be_written_still_gives_vectors(model, tmp_path):
    blocked = tmp_path / "index"
    blocked.write_text("a file where the index folder should be")  # mkdir and writes fail, as on a read-only disk
    vectors = WordVectors(Counting(model), blocked, DEFAULT_EMBEDDING_MODEL)(["trust"])
    assert vectors.shape == (1, model.dimension)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]
