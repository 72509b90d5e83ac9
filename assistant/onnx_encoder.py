"""The reader's sentence encoder through ONNX Runtime: questions are embedded without torch.

Why not sentence-transformers' own ``backend="onnx"``: it needs ``optimum``, and importing
``sentence_transformers`` imports torch and transformers, which is most of what a whole
``assistant ask`` used to cost (about 9 of 12 s here). The reader is a BERT encoder followed by
mean pooling and L2 normalisation (its ``modules.json``); those two steps are a few lines of
numpy, so questions go through ``tokenizers`` + ``onnxruntime`` + numpy only.

The ONNX graph is exported once from the saved model with torch (a few seconds; at the first
load after training) into ``<model>/onnx/``, written atomically under a file lock, beside a
small ``encoder.json`` that records what the numpy side must repeat (maximum tokens, pooling)
and which weights it came from (size and mtime: a retrained model is exported again). The
reader's key and files are untouched: a model folder without ``onnx/`` simply exports again.

Threads: a question is a few tokens, and one thread encodes it as fast as two on an idle machine
and far faster on a busy one (see ``SentenceEmbeddings.embed_many``), so the session for small
batches runs one intra-op thread; batches of more than ``SMALL_BATCH`` texts (indexing) use a
second session, made on first use, with one thread per core. ``intra_op_num_threads`` is fixed
when a session is made, hence two sessions rather than switching a process-wide setting.

Indexing goes through the same graph: its vectors equal sentence-transformers' to about 3e-7,
so an index built either way answers identically (every eval set: the same answers, citations
and retrieval). int8 dynamic quantisation was measured and is not used: 3 ms faster a question
and 0.5 s faster to load, but cosine 0.91-0.97 to these vectors, and the answers changed.
"""
from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
import warnings
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

SMALL_BATCH = 8  # at most this many texts run on the one-thread session
BATCH_SIZE = 64  # texts per ONNX run in bulk (as SentenceEmbeddings)
FORMAT = 1  # bump when the exported graph or encoder.json changes meaning


class OnnxUnavailable(RuntimeError):
    """This model cannot be served through ONNX (not mean pooling + normalise, or the export failed)."""


def onnx_dir(model_dir: Path) -> Path:
    return Path(model_dir) / "onnx"


def _weights(model_dir: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (model_dir / name).is_file():
            return model_dir / name
    raise OnnxUnavailable(f"no weights in {model_dir}")


def _stamp(model_dir: Path) -> dict:
    """Which weights an export came from (cheap to check on every load, unlike a hash of 90 MB)."""
    w = _weights(model_dir)
    st = w.stat()
    return {"weights": w.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns, "format": FORMAT}


def check_pipeline(model_dir: Path) -> None:
    """Only a sentence-transformers folder that is Transformer -> mean Pooling -> Normalize is repeated here."""
    modules = json.loads((model_dir / "modules.json").read_text())
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    if kinds != ["Transformer", "Pooling", "Normalize"]:
        raise OnnxUnavailable(f"{model_dir}: modules {kinds}, expected Transformer, Pooling, Normalize")
    pooling = json.loads((model_dir / modules[1]["path"] / "config.json").read_text())
    if pooling.get("pooling_mode", "mean" if pooling.get("pooling_mode_mean_tokens") else None) != "mean":
        raise OnnxUnavailable(f"{model_dir}: pooling {pooling}, expected mean")


def is_current(model_dir: Path) -> bool:
    folder = onnx_dir(model_dir)
    try:
        meta = json.loads((folder / "encoder.json").read_text())
    except (OSError, ValueError):
        return False
    return (folder / "model.onnx").is_file() and meta.get("stamp") == _stamp(model_dir)


def export(model_dir: Path, say=None) -> Path:
    """Write ``<model_dir>/onnx/`` from the torch model (once; concurrent callers wait for the first)."""
    model_dir = Path(model_dir)
    check_pipeline(model_dir)
    folder = onnx_dir(model_dir)
    try:
        folder.mkdir(exist_ok=True)
        lock = open(folder / ".lock", "w")
    except OSError as exc:  # a reader folder we may not write (another account's cache)
        raise OnnxUnavailable(f"cannot write the ONNX export into {folder}: {exc}") from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_current(model_dir):
            return folder
        if say:
            say(f"exporting the encoder to ONNX in {folder} (once, a few seconds)")
        try:
            max_tokens = _export_graph(model_dir, folder)
        except OnnxUnavailable:
            raise
        except Exception as exc:  # torch's exporter raises many kinds
            raise OnnxUnavailable(f"cannot export {model_dir} to ONNX: {exc}") from exc
        meta = {"max_seq_length": max_tokens, "pooling": "mean", "normalize": True, "stamp": _stamp(model_dir)}
        _write_atomic(folder / "encoder.json", json.dumps(meta, indent=1).encode())
    return folder


def _export_graph(model_dir: Path, folder: Path) -> int:
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    bert = st[0].auto_model.eval()

    class LastHidden(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    sample = st.tokenizer(["an example sentence", "a second, longer example sentence"], padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".model-", suffix=".onnx")
    os.close(fd)
    try:
        # The tracer warns that two shape checks in transformers' attention code become constants: with an
        # attention mask always given and as long as the input, they are constant (tests/test_onnx_encoder.py).
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                LastHidden(bert).eval(), tuple(sample[n] for n in names), tmp, input_names=names, output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]}, opset_version=17, dynamo=False,
            )  # fmt: skip
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / "model.onnx")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return int(st.max_seq_length)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


class OnnxEmbeddings(Embeddings):
    """Normalised mean-pooled vectors from ``<model_dir>/onnx/`` (the same vectors as sentence-transformers, to float noise)."""

    def __init__(self, model_dir: Path, *, say=None):
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        model_dir = Path(model_dir)
        if not is_current(model_dir):
            export(model_dir, say=say)
        folder = onnx_dir(model_dir)
        meta = json.loads((folder / "encoder.json").read_text())
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=int(meta["max_seq_length"]))
        self.tokenizer.no_padding()  # padded here, per batch, to its longest text
        self.name = str(model_dir)
        self.path = folder / "model.onnx"
        self._small = self._session(1)
        self._bulk = None
        self._bulk_lock = threading.Lock()
        self.dimension = int(self._small.get_outputs()[0].shape[-1])  # static: only batch and tokens are dynamic

    def _session(self, threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        return ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])

    def _bulk_session(self):
        with self._bulk_lock:
            if self._bulk is None:
                self._bulk = self._session(os.cpu_count() or 1)
        return self._bulk

    def _encode(self, session, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        types = np.zeros((len(texts), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            n = len(e.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = e.ids, e.attention_mask, e.type_ids
        (hidden,) = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def embed_many(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Numpy matrix of normalised vectors; a few texts on one thread, more on every core, in length-sorted batches.

        ``progress`` draws a bar on stderr over the batches (``assistant index`` on a terminal).
        """
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) <= SMALL_BATCH:
            return self._encode(self._small, texts)
        session = self._bulk_session()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        starts = range(0, len(order), BATCH_SIZE)
        if progress:
            from rich.console import Console
            from rich.progress import track

            starts = track(starts, description=f"Embedding {len(texts)} texts", console=Console(stderr=True), transient=True)
        parts = [self._encode(session, [texts[i] for i in order[start : start + BATCH_SIZE]]) for start in starts]
        out = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
        out[order] = np.concatenate(parts)
        return out

    def embed_documents(self, texts: list[str], progress: bool = False) -> list[list[float]]:
        """Bulk encoding (indexing)."""
        return self.embed_many(texts, progress=progress).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_many([text])[0].tolist()
