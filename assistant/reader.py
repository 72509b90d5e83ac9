"""The reader trained here: where it is cached, what it is keyed by, how it is loaded.

A reader is a folder ``<models_dir>/reader-<key>/`` holding the fine-tuned sentence-transformers
model (``model/``) and the fitted heads (``heads.json``: the reranker and the decider). Its key
hashes the training data (``training/``), the base model's weights and the recipe, so a change
to any of them trains a new reader and an unchanged one is never trained twice.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import json
import re
from dataclasses import dataclass, fields
from pathlib import Path

from .answering.candidates import FEATURES
from .answering.decide import DECIDE_FEATURES
from .answering.heads import LinearHead
from .chunking import CHUNKER_VERSION
from .documents import find_documents
from .embeddings import resolve_model_path
from .settings import DEFAULT_EMBEDDING_MODEL, Settings
from .tuning import TUNING


RECIPE = {
    "version": 6,
    "base": DEFAULT_EMBEDDING_MODEL,
    "loss": "MultipleNegativesRankingLoss",
    "epochs": 2,
    "batch_size": 32,
    "learning_rate": 5e-5,
    "max_seq_length": 64,
    "folds": 2,
    "headings_per_section": 2,
    "seed": 13,
    # float32 on every CPU, so the reader is the same wherever it is trained: bfloat16 mixed precision, where the CPU computes
    # in it, trained faster (398 s against 507 s at stop 18) and as well, but another reader (at stop 25 one near miss
    # more or less declined on two sealed sets than the float32 reader of a CPU without it)
    "bf16": False,
    # a training batch is embedded in groups of this many sentences of like length, each cut to its longest
    # (``training/unpadded.py``): the same training to float rounding, a step 4.1 s instead of 7.5 s on one core
    "unpadded_bucket": 8,
    # The no-answer encoder: after the fine-tuning, a copy goes on one short epoch (TripletLoss, cosine distance) with each
    # unanswerable training question nearer to this sentence than to its best sentence, and each answerable one nearer
    # to its evidence than to it; the decider reads a question's similarity to it (stop 37). A second encoder, so the
    # one retrieval and the reranker read is not moved (moving it lost ten tuning answers).
    "no_answer": "The documents do not say this.",
    "no_answer_epochs": 1,
    "no_answer_learning_rate": 2e-5,
    "no_answer_margin": 0.1,
    "decider_max_false_refusals": 0.04,  # the decider's threshold declines at most this share of answerable questions (cross-validated)
    "decider_cv_repeats": 10,  # shuffled 5-fold splits the threshold's cross-validated probabilities are averaged over
}


class ReaderMissing(RuntimeError):
    """No reader has been trained for this training data yet."""


def _digest(paths: list[Path], root: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.relative_to(root).as_posix().encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def code_digest(paths: list[Path], root: Path) -> str:
    """What the code does, not how it is written down: its syntax tree without docstrings (comments and layout are not
    in the tree), so mending a docstring or a comment does not refit the heads; any change to a statement does."""
    h = hashlib.sha256()
    for p in paths:
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and ast.get_docstring(node, clean=False) is not None:
                node.body = node.body[1:] or [ast.Pass()]
        h.update(p.relative_to(root).as_posix().encode())
        h.update(ast.dump(tree).encode())
    return h.hexdigest()


@functools.lru_cache(maxsize=None)
def running_code_digest(paths: tuple[Path, ...], root: Path) -> str:
    """``code_digest`` of the reading code, read once per process: the key of the code this process runs. A process
    that imported the code before an edit and trained after it stored the old code's reader under the new code's key
    (stop 34: a test server did, and the runs after it loaded that reader)."""
    return code_digest(list(paths), root)


def training_files(training_dir: Path) -> list[Path]:
    """The labelled questions and the documents they are about."""
    return sorted((training_dir / "questions").glob("*.jsonl")) + find_documents(training_dir / "corpus")


# ... and the code that computes what the heads read (the documents' sentences, the query, the terms, the hits, the
# features, the vocabulary) and fits them: a change to it refits the heads. Stop 20 found a change to how terms are read
# served with heads fitted on the old terms; stop 21, two readings of documents under one chunker version sharing a key.
_HERE = Path(__file__).resolve().parent
READING_CODE = tuple(
    _HERE / f
    for f in ("types.py", "text.py", "documents.py", "chunking.py", "retrieval.py", "answering/plan.py", "answering/acronyms.py", "answering/definitions.py", "answering/overview.py",
              "answering/candidates.py", "answering/decide.py", "answering/pipeline.py", "answering/spelling.py", "training/data.py", "training/train.py", "training/unpadded.py")
)  # fmt: skip


@functools.lru_cache(maxsize=1)
def reading_tuning() -> tuple[str, ...]:
    """The tuning numbers the heads are fitted through: those the reading code, and the index it searches, read
    (``TUNING.pool``, ``tuning.rrf_k``, ``TUNING.hnsw_ef_search``). Found in the code, not listed by hand: a hand-kept
    list had missed three numbers a follow-up is read with."""
    names = {f.name for f in fields(TUNING)}
    code = READING_CODE + (_HERE / "index.py",)  # the index's code is not hashed (a change to it rebuilds indexes), its numbers are
    used = {name for path in code for name in re.findall(r"\b(?:TUNING|tuning)\.(\w+)", path.read_text(encoding="utf-8"))}
    return tuple(sorted(used & names))


# Settings the training reads through: passages of another size, or another number of them retrieved, give other
# candidates, so heads fitted on them are another reader (a user's ASSISTANT_CHUNK_MAX_WORDS must not load heads
# fitted on the default passages, nor store its own under their key).
READING_SETTINGS = ("chunk_max_words", "chunk_min_words", "top_k")


def reading_settings(settings: Settings | None = None) -> dict[str, int]:
    """The values of ``READING_SETTINGS`` (the defaults without ``settings``)."""
    return {k: getattr(settings, k) if settings is not None else Settings.model_fields[k].default for k in READING_SETTINGS}


def reader_key(training_dir: Path, reading: dict[str, int] | None = None) -> str:
    """Hash of the training data, the base model's weights, the recipe, the reading tuning, settings and code, and the
    chunker (16 hex digits). ``reading``: ``reading_settings`` (the defaults when None)."""
    files = training_files(training_dir)
    if not files:
        raise ReaderMissing(f"no training data in {training_dir.resolve()} (expected questions/*.jsonl and corpus/)")
    base = resolve_model_path(RECIPE["base"])
    weights = sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in {".safetensors", ".json", ".txt"})
    h = hashlib.sha256()
    h.update(_digest(files, training_dir).encode())
    h.update(_digest(weights, base).encode())
    h.update(json.dumps(RECIPE, sort_keys=True).encode())
    h.update(json.dumps([FEATURES, DECIDE_FEATURES]).encode())  # what the heads read: new features, new heads
    h.update(json.dumps({k: getattr(TUNING, k) for k in reading_tuning()}).encode())  # ... and how the candidates were found
    h.update(f"chunker {CHUNKER_VERSION}".encode())  # sentence boundaries decide which sentences the training examples are
    h.update(json.dumps(reading or reading_settings(), sort_keys=True).encode())  # ... and passages, which candidates the heads see
    h.update(running_code_digest(tuple(READING_CODE), _HERE).encode())
    h.update(f"pyspellchecker {_version('pyspellchecker')}".encode())  # its English word list decides what rule `typo` corrects
    return h.hexdigest()[:16]


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "absent"


@dataclass(frozen=True)
class Reader:
    folder: Path
    key: str
    reranker: LinearHead
    decider: LinearHead
    meta: dict

    @property
    def model_path(self) -> Path:
        return self.folder / "model"

    @property
    def no_answer_path(self) -> Path:
        return self.folder / "no_answer"

    @property
    def name(self) -> str:
        """How index recipes name it: a new reader re-embeds the documents."""
        return f"trained:{self.key}"


def folder_for(settings: Settings, key: str) -> Path:
    return settings.models_dir.expanduser() / f"reader-{key}"


def load(settings: Settings, key: str | None = None) -> Reader:
    """The reader trained on today's training data; ``ReaderMissing`` when there is none yet."""
    key = key or reader_key(settings.training_dir, reading_settings(settings))
    folder = folder_for(settings, key)
    heads = folder / "heads.json"
    if not heads.is_file() or not (folder / "model").is_dir() or not (folder / "no_answer").is_dir():
        raise ReaderMissing(f"no trained reader for this training data (key {key}) in {folder.parent}: run `assistant train`")
    data = json.loads(heads.read_text())
    return Reader(folder, key, LinearHead.from_json(data["reranker"]), LinearHead.from_json(data["decider"]), data.get("meta", {}))
