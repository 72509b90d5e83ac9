"""The reader's encoder through ONNX Runtime: the same vectors as sentence-transformers, and no torch on the question path."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.embeddings import SentenceEmbeddings, load_reader_embeddings
from assistant.onnx_encoder import SMALL_BATCH, OnnxEmbeddings, OnnxUnavailable, check_pipeline, export, is_current, onnx_dir

ROOT = Path(__file__).resolve().parent.parent

# Written for this test: short and long, punctuation, accents, numbers, an empty string, and one
# far past the model's 64 tokens (truncated the same way on both sides).
TEXTS = [
    "Where do the orchard cooperatives keep their winter ledgers?",
    "ok",
    "",
    "Café owners in Zürich – “naïve” pricing, 3.5% fees and $1,200 deposits (see p. 14).",
    "The river authority's second report, released in spring, recommends that every district appoint a "
    "liaison who meets monthly with growers, schools and employers to agree on shared targets, publish the "
    "results, and revisit the plan whenever the harvest or the labour market shifts substantially. " * 3,
    "Why?",
]


@pytest.fixture(scope="module")
def model_path(assistant) -> Path:
    return assistant.reader.model_path


@pytest.fixture(scope="module")
def encoders(model_path):
    return OnnxEmbeddings(model_path), SentenceEmbeddings(str(model_path))


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_onnx_vectors_are_the_sentence_transformers_vectors(encoders):
    onnx, torch_model = encoders
    got, want = onnx.embed_many(TEXTS), torch_model.embed_many(TEXTS)
    assert got.shape == want.shape == (len(TEXTS), onnx.dimension) and got.dtype == np.float32
    assert _cosines(got, want).min() > 1 - 1e-4
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_bulk_encoding_keeps_the_input_order(encoders):
    onnx, torch_model = encoders
    many = [f"{t} ({i})" for i, t in enumerate(TEXTS * 4)]  # more than SMALL_BATCH: the bulk session, length-sorted batches
    assert len(many) > SMALL_BATCH
    got = onnx.embed_many(many)
    assert _cosines(got, torch_model.embed_many(many)).min() > 1 - 1e-4
    one_by_one = np.stack([onnx.embed_many([t])[0] for t in many])
    assert _cosines(got, one_by_one).min() > 1 - 1e-5
    assert onnx.embed_documents(many[:2]) == got[:2].tolist()
    assert np.array_equal(onnx.embed_many(many, progress=True), got)  # the bar (assistant index on a terminal) changes nothing


def test_a_question_runs_on_one_thread_and_bulk_on_every_core(encoders):
    onnx, _ = encoders
    onnx.embed_many(TEXTS * 3)
    assert onnx._small.get_session_options().intra_op_num_threads == 1
    assert onnx._bulk.get_session_options().intra_op_num_threads == (os.cpu_count() or 1)


def test_the_export_is_written_beside_the_model_and_redone_for_new_weights(model_path, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(model_path, copy, ignore=shutil.ignore_patterns("onnx"))
    assert not is_current(copy)
    folder = export(copy)
    assert folder == onnx_dir(copy) and is_current(copy)
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["encoder.json", "model.onnx"]
    assert not [p for p in folder.iterdir() if p.name.startswith((".model-", ".encoder.json-"))]  # no temporary files left
    meta = json.loads((folder / "encoder.json").read_text())
    assert meta["max_seq_length"] == 64 and meta["pooling"] == "mean" and meta["normalize"] is True
    weights = copy / "model.safetensors"
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 1_000_000_000))
    assert not is_current(copy)  # retrained weights: the old graph is not used


def test_a_model_that_is_not_mean_pooled_is_served_by_sentence_transformers(model_path, tmp_path, capsys):
    copy = tmp_path / "cls-model"
    shutil.copytree(model_path, copy, ignore=shutil.ignore_patterns("onnx"))
    pooling = copy / "1_Pooling" / "config.json"
    pooling.write_text(json.dumps({**json.loads(pooling.read_text()), "pooling_mode": "cls"}))
    with pytest.raises(OnnxUnavailable, match="pooling"):
        check_pipeline(copy)
    embeddings = load_reader_embeddings(str(copy))
    assert isinstance(embeddings, SentenceEmbeddings)
    assert "sentence-transformers" in capsys.readouterr().err
    assert not onnx_dir(copy).exists()


def test_asking_from_a_new_process_imports_no_torch_and_draws_no_loading_bar(brief_index, assistant):
    assistant.embeddings  # the export exists (made when the index was built)
    source, index = brief_index
    env = {**os.environ, "ASSISTANT_SOURCE_DIR": str(source), "ASSISTANT_INDEX_DIR": str(index)}
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "assistant", "ask", "Which county office leads the NCCPA?"],
        env=env, capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Sonoma" in run.stdout and "[1]" in run.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
    assert "onnxruntime" in imported and "chromadb" in imported  # the listing is real
    for heavy in ("torch", "sentence_transformers", "transformers", "gradio", "sklearn", "langchain_chroma"):
        assert heavy not in imported, f"{heavy} was imported on the question path"
    assert "Loading weights" not in run.stderr
