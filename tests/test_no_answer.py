"""The no-answer encoder: a copy of the fine-tuned encoder taught to put a question the documents do not answer nearer
"The documents do not say this." than its best sentence, which the decider reads (``decide.NoAnswer``)."""
from __future__ import annotations

import numpy as np

from assistant.reader import RECIPE

NO = RECIPE["no_answer"]
ASKED = "When does the last ferry leave the harbour?"
NEAR_MISS = "How much does the harbour master earn each year?"
ROWS = [  # the triplets a fold's fine-tuning gets: question, evidence, hard negative; then the no-answer encoder's
    (ASKED, "The last ferry leaves the harbour at ten at night.", "The harbour office opens at nine."),
    ("Where are tickets sold?", "Tickets are sold at the kiosk by pier two.", "The kiosk was painted blue last spring."),
    ("Who runs the harbour?", "The harbour is run by the Isle Dun Harbour Trust.", "The trust meets every month."),
    (ASKED, "The last ferry leaves the harbour at ten at night.", NO),
    (NEAR_MISS, NO, "The harbour master lives in the white house by the pier."),
]


def _cos(model, a: str, b: str) -> float:
    va, vb = model.encode([a, b], normalize_embeddings=True)
    return float(np.dot(va, vb))


def test_the_no_answer_encoder_is_trained_beside_the_reader_and_moves_a_near_miss_towards_no_answer(tmp_path):
    from sentence_transformers import SentenceTransformer

    from assistant.embeddings import resolve_model_path
    from assistant.training.train import fine_tune

    rows = ROWS[:3] + ROWS[3:] * 40  # enough steps past the warm-up for the copy to move
    path = fine_tune(resolve_model_path(RECIPE["base"]), rows, [], tmp_path, lambda m: None, threads=1)
    assert path == tmp_path / "model" and (tmp_path / "no_answer").is_dir()
    reader = SentenceTransformer(str(path), device="cpu")
    no_answer = SentenceTransformer(str(tmp_path / "no_answer"), device="cpu")
    assert _cos(no_answer, NEAR_MISS, NO) > _cos(reader, NEAR_MISS, NO)  # the near miss moved towards "no answer here"
    assert _cos(reader, ASKED, ROWS[0][1]) != _cos(no_answer, ASKED, ROWS[0][1])  # the copy moved; the reader's model did not take the second epoch


def test_the_pipeline_reads_each_question_s_nearness_to_no_answer(written_pipeline):
    pipeline = written_pipeline("harbour.md", "# Ferries\n\nThe last ferry leaves the harbour at ten at night. Tickets are sold at the kiosk by pier two.\n")
    assert pipeline.no_answer is not None
    asked, near = pipeline.gather(ASKED), pipeline.gather(NEAR_MISS)
    assert -1.0 <= asked.no_answer <= 1.0 and asked.no_answer != near.no_answer


def test_a_pipeline_with_a_decider_needs_the_no_answer_encoder(written_pipeline):
    import pytest

    from assistant.answering.pipeline import Pipeline

    p = written_pipeline("harbour.md", "# Ferries\n\nThe last ferry leaves the harbour at ten at night.\n")
    with pytest.raises(ValueError, match="no-answer encoder"):
        Pipeline(p.index, p.searcher, p.embeddings, reranker=p.reranker, decider=p.decider, prompts=None)
    Pipeline(p.index, p.searcher, p.embeddings, reranker=None, decider=None, prompts=None)  # reading alone, as training does, needs none
