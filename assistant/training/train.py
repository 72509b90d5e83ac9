"""``assistant train``: fine-tune the reader from the shipped MiniLM and fit its two heads.

1. Positives: the sentences holding each labelled question's evidence; hard negatives: the
   sentences the shipped model ranks highest that hold none; plus (heading, sentence) pairs.
2. The bi-encoder is fine-tuned with MultipleNegativesRankingLoss (sentence-transformers' trainer), each batch
   embedded without its padding and with the padded batch's dropout (``unpadded.py``).
3. The heads must learn from scores like those of questions the reader never saw, so the
   questions are split in folds (``RECIPE["folds"]``): a reader trained on the others reads each through
   the real pipeline (Chroma index, hybrid retrieval, candidate features), and the reranker
   (which sentence answers) and the decider (answer or decline; threshold by cross-validation)
   are fitted on those out-of-fold features with scikit-learn's LogisticRegression.
4. The reader served is fine-tuned on all questions; everything lands in
   ``<models_dir>/reader-<key>/`` in one rename.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import queue
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..answering.candidates import FEATURES
from ..answering.decide import DECIDE_FEATURES, NoAnswer, question_features, title_terms
from ..answering.heads import LinearHead
from ..answering.pipeline import Pipeline, Vocabulary
from ..answering.plan import read
from ..embeddings import SentenceEmbeddings, resolve_model_path
from ..index import IndexStore, chunker_recipe
from ..reader import RECIPE, Reader, folder_for, load, reader_key, reading_settings
from ..retrieval import HybridSearcher
from ..settings import Settings
from .data import Corpus, Labelled, heading_pairs
from .data import load as load_corpus
from .unpadded import unpadded

Say = Callable[[str], None]


class HardNegatives:
    """The shipped model's view of the training data, embedded once per training: every document's sentences and every
    located question's query. Each fold's examples are then a lookup (embedding them again for each of the three
    fine-tunings took ~25 s of every training)."""

    def __init__(self, corpus: Corpus, base: SentenceEmbeddings):
        self.rows: dict[str, list[tuple[str, int, str]]] = {}
        for c, i, t in corpus.sentences():
            self.rows.setdefault(c.source, []).append((c.id, i, t))
        located = [q for q in corpus.questions if (q.answerable and q.positives) or not q.answerable]  # unanswerable ones teach "no answer"
        queries = [read(q.question, q.history).query for q in located]
        qv = base.embed_many(queries) if queries else np.zeros((0, 1))
        self.queries = {(q.source, q.id): (query, v) for q, query, v in zip(located, queries, qv)}
        self.vectors = {s: base.embed_many([t for _, _, t in rows]) for s, rows in self.rows.items()}

    def examples(self, questions: list[Labelled], rng: random.Random) -> list[tuple[str, str, str]]:
        """(query, positive sentence, hard negative sentence) for every located answerable question of ``questions``; and
        the no-answer encoder's triplets: (query, evidence, the no-answer sentence) for each, (query, the no-answer
        sentence, its best sentence) for each unanswerable question (``fine_tune`` tells them apart by that sentence)."""
        out: list[tuple[str, str, str]] = []
        for q in questions:
            if not q.answerable:  # the no-answer encoder's: its best sentence is further than "no answer here"
                query, v = self.queries[(q.source, q.id)]
                rows = self.rows[q.source]
                out.append((query, RECIPE["no_answer"], rows[int(np.argmax(self.vectors[q.source] @ v))][2]))
                continue
            if not q.positives:
                continue
            query, v = self.queries[(q.source, q.id)]
            rows = self.rows[q.source]
            sims = self.vectors[q.source] @ v
            negatives = [rows[j][2] for j in np.argsort(-sims)[:12] if (rows[j][0], rows[j][1]) not in q.positives]
            positives = [t for cid, i, t in rows if (cid, i) in q.positives]
            rng.shuffle(positives)
            for k, pos in enumerate(positives[:2]):
                out.append((query, pos, negatives[k % len(negatives)] if negatives else rng.choice(rows)[2]))
            if positives:
                out.append((query, positives[0], RECIPE["no_answer"]))  # the no-answer encoder's: its evidence is nearer
        return out


def fine_tune(
    base_path: Path,
    examples: list[tuple[str, str, str]],
    pairs: list[tuple[str, str]],
    out: Path,
    say: Say,
    *,
    threads: int | None = None,
    on_step: Callable[[int, int], None] | None = None,
    trained: Path | None = None,
) -> Path:
    """A sentence-transformers model fine-tuned on ``examples`` (triplets) and ``pairs`` (anchor, positive), on ``threads``
    threads (default: every core); ``on_step(done, total)`` hears of every optimiser step. The triplets that hold the
    no-answer sentence (``RECIPE["no_answer"]``) go on to train a copy after it, the no-answer encoder, saved beside it
    as ``no_answer``. ``trained``: that model, fine-tuned before on the same retrieval examples (``_retrieval_key``),
    loaded instead of trained again, so a change to the unanswerable questions alone costs only the no-answer epoch."""
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss
    from sentence_transformers.training_args import BatchSamplers

    import torch

    torch.set_num_threads(threads or os.cpu_count() or 1)  # answering a question sets one thread; training wants every core
    model = SentenceTransformer(str(trained or base_path), device="cpu", local_files_only=True)
    model.max_seq_length = RECIPE["max_seq_length"]
    rng = random.Random(RECIPE["seed"])
    no_answer = [r for r in examples if _for_no_answer(r)]
    examples = [r for r in examples if not _for_no_answer(r)]
    # A heading pair has no hard negative: another section's sentence stands in for one.
    others = [p for _, p in pairs]
    rows = list(examples) + [(a, p, rng.choice(others)) for a, p in pairs]
    rng.shuffle(rows)
    args = _arguments(
        out / "checkpoints", RECIPE["epochs"], RECIPE["learning_rate"], batch_sampler=BatchSamplers.NO_DUPLICATES, disable_tqdm=on_step is not None
    )  # the caller draws the progress
    if trained is None:  # (the rows are drawn all the same: the no-answer epoch goes on from the same random stream)
        say(f"fine-tuning on {len(rows)} examples ({len(examples)} from questions, {len(pairs)} from headings)")
        loss = unpadded(MultipleNegativesRankingLoss, RECIPE["unpadded_bucket"])(model)
        trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=_triplets(rows), loss=loss)
        if on_step is not None:
            trainer.add_callback(_step_callback(on_step))
        trainer.train()
    path = out / "model"
    model.save(str(path))
    shutil.rmtree(out / "checkpoints", ignore_errors=True)
    if no_answer:
        _train_no_answer(model, no_answer, out, rng)
    return path


def _triplets(rows: list[tuple[str, str, str]]):
    """(anchor, positive, negative) rows as the dataset sentence-transformers' trainer reads."""
    from datasets import Dataset

    return Dataset.from_dict({"anchor": [r[0] for r in rows], "positive": [r[1] for r in rows], "negative": [r[2] for r in rows]})


def _arguments(output_dir: Path, epochs: int, learning_rate: float, **more):
    """The training arguments both fine-tunings share: the recipe's batch size, seed and precision, on the CPU, nothing
    saved or logged along the way."""
    from sentence_transformers import SentenceTransformerTrainingArguments

    return SentenceTransformerTrainingArguments(
        output_dir=str(output_dir), num_train_epochs=epochs, per_device_train_batch_size=RECIPE["batch_size"], learning_rate=learning_rate,
        warmup_steps=0.1, seed=RECIPE["seed"], data_seed=RECIPE["seed"], bf16=RECIPE["bf16"],  # float32 (RECIPE says why)
        save_strategy="no", logging_strategy="no", report_to=[], use_cpu=True, dataloader_num_workers=0, **more,
    )  # fmt: skip


def _train_no_answer(model, rows: list[tuple[str, str, str]], out: Path, rng: random.Random) -> None:
    """The no-answer encoder: the fine-tuned model goes on one short epoch of triplets with the no-answer sentence, with
    no in-batch negatives (the sentence is in every row), and is saved as ``no_answer`` beside the model."""
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import TripletDistanceMetric, TripletLoss

    rows = list(rows)
    rng.shuffle(rows)
    args = _arguments(out / "checkpoints-no-answer", RECIPE["no_answer_epochs"], RECIPE["no_answer_learning_rate"], disable_tqdm=True)
    loss = unpadded(TripletLoss, RECIPE["unpadded_bucket"])(model, distance_metric=TripletDistanceMetric.COSINE, triplet_margin=RECIPE["no_answer_margin"])
    SentenceTransformerTrainer(model=model, args=args, train_dataset=_triplets(rows), loss=loss).train()
    model.save(str(out / "no_answer"))
    shutil.rmtree(out / "checkpoints-no-answer", ignore_errors=True)


_TUNING_RECIPE = ("base", "loss", "epochs", "batch_size", "learning_rate", "max_seq_length", "seed", "bf16", "no_answer", "no_answer_epochs", "no_answer_learning_rate", "no_answer_margin", "unpadded_bucket")
KEEP_FINE_TUNED = 6  # fine-tuned models kept for reuse (about 90 MB each)
KEEP_READERS = 3  # trained readers kept in the cache, the newest (about 350 MB each: two encoders, each with its ONNX export)


def _step_callback(on_step: Callable[[int, int], None]):
    from transformers import TrainerCallback

    class Steps(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            on_step(0, state.max_steps)

        def on_step_end(self, args, state, control, **kwargs):
            on_step(state.global_step, state.max_steps)

    return Steps()


def _fine_tune_job(name: str, base_path: Path, examples: list, pairs: list, out: Path, steps, trained: Path | None = None) -> Path:
    """One fine-tuning in a worker process, on one thread, telling ``steps`` (a queue) how far it is."""
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    on_step = lambda done, total: steps.put((name, done, total))  # noqa: E731
    return fine_tune(base_path, examples, pairs, out, lambda m: None, threads=1, on_step=on_step, trained=trained)


def _for_no_answer(row: tuple[str, str, str]) -> bool:
    """A triplet of the no-answer encoder's (it holds the no-answer sentence); the retrieval encoder never trains on it."""
    return RECIPE["no_answer"] in (row[1], row[2])


@functools.lru_cache(maxsize=4)
def _weights_digest(base_path: Path) -> tuple[bytes, ...]:
    """The base model's weights, hashed once a process (each key below reads them)."""
    return tuple(hashlib.sha256(w.read_bytes()).digest() for w in sorted(base_path.rglob("*.safetensors")))


def _examples_key(base_path: Path, examples: list[tuple[str, str, str]], pairs: list[tuple[str, str]]) -> str:
    h = hashlib.sha256(json.dumps([{k: RECIPE[k] for k in _TUNING_RECIPE}, examples, pairs]).encode())
    for digest in _weights_digest(base_path):
        h.update(digest)
    return h.hexdigest()[:16]


def _cache_folder(base_path: Path, examples: list[tuple[str, str, str]], pairs: list[tuple[str, str]], cache: Path) -> Path:
    return cache / f"finetuned-{_examples_key(base_path, examples, pairs)}"


_RETRIEVAL_KEY = "retrieval-key"  # the file in a cached fine-tuning that names what its retrieval encoder was trained on


def _retrieval_key(base_path: Path, examples: list[tuple[str, str, str]], pairs: list[tuple[str, str]]) -> str:
    """What the retrieval encoder alone is trained on: the examples without the no-answer encoder's triplets (which
    ``fine_tune`` sets apart), the heading pairs, the recipe and the base weights. Two jobs that differ only in their
    unanswerable questions share it."""
    return _examples_key(base_path, [r for r in examples if not _for_no_answer(r)], pairs)


def _trained_before(key: str, cache: Path) -> Path | None:
    """A cached retrieval encoder fine-tuned on the examples ``key`` names, if any."""
    for folder in sorted(cache.glob("finetuned-*")):
        marker = folder / _RETRIEVAL_KEY
        if marker.is_file() and marker.read_text().strip() == key and (folder / "model").is_dir():
            return folder / "model"
    return None


def fine_tune_each(
    base_path: Path, jobs: dict[str, list[tuple[str, str, str]]], pairs: list[tuple[str, str]], work: Path, cache: Path, say: Say
) -> Iterator[tuple[str, Path]]:
    """``fine_tune`` for each job (name -> examples), yielding (name, model path) as each is ready, so the caller can
    read with one fold's model while the others still train. A job fine-tuned before on the same examples is reused (a
    change to the heads' features or to the decider retrains the heads in minutes, not the encoder); one whose retrieval
    examples were (``_retrieval_key``: only its unanswerable questions changed) trains the no-answer encoder alone. The others run
    a process a core, one thread each: small matrices keep a second thread of one process half idle (a step took 0.99 s
    on two threads, 1.64 s on one, and two one-thread processes side by side 1.63 s each), so a whole training on two
    cores took 581 s against 669 s one after another. A finished model is handed over once a core is free, so reading
    with it does not slow the fine-tunings still running. One thread each makes the weights the same on any number of
    cores, however busy."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    done = {name: _cache_folder(base_path, examples, pairs, cache) for name, examples in jobs.items()}
    todo = [n for n in jobs if not (done[n] / "model").is_dir()]
    for name in jobs:
        if name not in todo:
            say(f"{name}: fine-tuned before on these {len(jobs[name]) + len(pairs)} examples: reusing {done[name].name}")
            os.utime(done[name])
            yield name, done[name] / "model"
    if not todo:
        return
    cores = os.cpu_count() or 1
    workers = min(len(todo), cores)
    todo.sort(key=lambda n: -len(jobs[n]))  # the longest first: it sets the pace
    keys = {n: _retrieval_key(base_path, jobs[n], pairs) for n in todo}
    trained = {n: _trained_before(keys[n], cache) for n in todo}
    for n in todo:
        if trained[n] is not None:
            say(f"{n}: retrieval encoder fine-tuned before on these examples ({trained[n].parent.name}): only the no-answer encoder is trained")
            os.utime(trained[n].parent)  # the newest now: trimming the cache as a job finishes must not take a job's start away
    say(f"fine-tuning {', '.join(todo)}, {workers} at a time, one thread each")
    context = multiprocessing.get_context("spawn")  # fork after torch has started its threads can hang
    with context.Manager() as manager, ProcessPoolExecutor(workers, mp_context=context) as pool, Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as progress:
        steps = manager.Queue()
        running = {pool.submit(_fine_tune_job, n, base_path, jobs[n], pairs, work / n, steps, trained[n]): n for n in todo}
        bars = {n: progress.add_task(f"fine-tuning {n}", total=None) for n in todo}
        ready: list[tuple[str, Path]] = []
        try:
            while running or ready:
                finished, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED) if running else (set(), set())
                while True:
                    try:
                        name, step, total = steps.get_nowait()
                    except queue.Empty:
                        break
                    progress.update(bars[name], completed=step, total=total)
                for future in finished:
                    name = running.pop(future)
                    path = future.result()  # a worker's error surfaces here
                    _keep(path, done[name], work / name / "to-cache", cache, keys[name])
                    ready.append((name, path))
                if len(running) < cores:  # a core is free for the caller's work (reading a fold) without slowing the others
                    yield from ready
                    ready.clear()
        except BaseException:
            _stop_workers(pool)  # an error (or Ctrl-C) is reported now, not after the other fine-tunings end
            raise


def _stop_workers(pool) -> None:
    """End a process pool's workers mid-task: leaving the pool waits for every running task, minutes of a fine-tuning
    whose result nobody will use. (Python 3.14's ``terminate_workers`` does this; on 3.11 the workers are the pool's
    ``_processes``.)"""
    pool.shutdown(wait=False, cancel_futures=True)
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()


def _keep(path: Path, folder: Path, staging: Path, cache: Path, retrieval_key: str) -> None:
    """Copy a fine-tuned model into the cache as ``folder`` in one rename (staged inside the run's work folder: a killed
    run leaves nothing in the cache), with the key of its retrieval examples, and trim the cache to its newest
    ``KEEP_FINE_TUNED``."""
    cache.mkdir(parents=True, exist_ok=True)
    shutil.copytree(path, staging / "model", dirs_exist_ok=True)
    (staging / _RETRIEVAL_KEY).write_text(retrieval_key + "\n")
    if (path.parent / "no_answer").is_dir():  # the no-answer encoder trained after it (``_train_no_answer``)
        shutil.copytree(path.parent / "no_answer", staging / "no_answer", dirs_exist_ok=True)
    for p in staging.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    try:
        os.replace(staging, folder)
    except OSError:  # another process got there first: same content
        shutil.rmtree(staging, ignore_errors=True)
    for old in sorted(cache.glob("finetuned-*"), key=lambda p: p.stat().st_mtime)[:-KEEP_FINE_TUNED]:
        shutil.rmtree(old, ignore_errors=True)


def prune_readers(cache: Path, keep: Path) -> list[Path]:
    """Remove all but the ``KEEP_READERS`` newest readers (``keep`` always stays): each training-data change
    adds one, and a cache nobody trims grows without end. A process already serving a removed reader keeps
    working (its model is loaded); one started later for that training data trains it again. The leftovers of
    trainings killed under other keys go too (``sweep_leftovers``)."""
    readers = sorted((p for p in cache.glob("reader-*") if p.is_dir() and p != keep), key=lambda p: p.stat().st_mtime, reverse=True)
    removed = readers[max(KEEP_READERS - 1, 0) :]
    for old in removed:
        shutil.rmtree(old, ignore_errors=True)
        (cache / f".{old.name}.lock").unlink(missing_ok=True)
    return removed + sweep_leftovers(cache)


def sweep_leftovers(cache: Path) -> list[Path]:
    """Work folders (``.reader-<key>-xxxx``) of trainings that were killed, and the locks of keys with no reader, for
    every key no process is training now (its lock is free): a training that is killed under one key and never run
    again under it would otherwise leave hundreds of megabytes behind. A key being trained keeps its lock held."""
    import fcntl

    removed: list[Path] = []
    for lock_path in cache.glob(".reader-*.lock"):
        key = lock_path.name.removeprefix(".reader-").removesuffix(".lock")
        with open(lock_path, "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # being trained now
            for work in cache.glob(f".reader-{key}-*"):
                shutil.rmtree(work, ignore_errors=True)
                removed.append(work)
            if not (cache / f"reader-{key}").exists():
                lock_path.unlink(missing_ok=True)
                removed.append(lock_path)
    return removed


def _read_fold(corpus: Corpus, questions: list[Labelled], model_path: Path, settings: Settings, work: Path) -> list[tuple[Labelled, list]]:
    """Each question read through the real pipeline by a reader that never saw it: (question, candidates)."""
    embeddings = SentenceEmbeddings(str(model_path))
    store = IndexStore(work / "index", "training")
    with store.lock():
        store.sync(corpus.chunks, lambda: embeddings, embedding_model=str(model_path), chunker=chunker_recipe(settings.chunk_max_words, settings.chunk_min_words), sources=corpus.sources)
    info = store.current()
    assert info is not None
    opened = store.open(info, embeddings)
    searcher = HybridSearcher(opened, embeddings, top_k=settings.top_k)
    no_answer = NoAnswer(SentenceEmbeddings(str(model_path.parent / "no_answer")), RECIPE["no_answer"])
    pipeline = Pipeline(opened, searcher, embeddings, reranker=None, decider=None, prompts=None, top_k=settings.top_k, no_answer=no_answer)
    return [(q, pipeline.gather(q.question, q.history)) for q in questions]


def _fit(rows: np.ndarray, labels: np.ndarray, names: tuple[str, ...], c: float = 1.0, threshold: float = 0.5) -> LinearHead:
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-6] = 1.0
    model = LogisticRegression(C=c, max_iter=2000).fit((rows - mean) / scale, labels)
    return LinearHead(names, mean, scale, model.coef_[0].astype(np.float32), float(model.intercept_[0]), threshold)


def _threshold(probs: np.ndarray, labels: np.ndarray, max_false_refusals: float) -> float:
    """The highest decision point that declines at most ``max_false_refusals`` of the answerable questions:
    decline every near miss it can within that budget. A hard limit, not a trade-off score: a soft penalty let
    the point drift past the budget where refusals rose steeply, and one retraining moved false refusals 0.05 -> 0.10."""
    answerable = probs[labels == 1]
    if answerable.size == 0:
        return 0.5
    allowed = [float(t) for t in np.linspace(0.05, 0.95, 181) if np.mean(answerable < t) <= max_false_refusals]
    return max(allowed, default=0.05)


def _cross_validated(rows: np.ndarray, labels: np.ndarray, repeats: int, seed: int) -> np.ndarray:
    """Each question's answer probability from deciders that never saw it, averaged over ``repeats`` shuffled
    5-fold splits (one split's luck moved the threshold by 0.07)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    runs = [
        cross_val_predict(LogisticRegression(max_iter=2000), rows, labels, cv=StratifiedKFold(5, shuffle=True, random_state=seed + r), method="predict_proba")[:, 1]
        for r in range(repeats)
    ]
    return np.mean(runs, axis=0)


def fit_heads(
    read_questions: list[tuple[Labelled, object]], known: Callable[[str], bool], titles: dict[str, frozenset[str]] | None = None
) -> tuple[LinearHead, LinearHead, dict, dict]:
    """The reranker on out-of-fold candidates, then the decider on the reranked questions (``titles``: the documents'
    title words, as ``decide.title_terms`` gives them)."""
    x, y, group = [], [], []
    for n, (q, got) in enumerate(read_questions):
        if q.answerable and q.positives:
            for c in got.candidates:
                x.append(c.features)
                y.append(int(c.key in q.positives))
                group.append(n)
    reranker = _fit(np.vstack(x), np.array(y), FEATURES)
    qx, qy, hit1, cos1, located = [], [], 0, 0, 0
    for q, got in read_questions:
        cands = got.candidates
        if cands:
            probs = reranker.probability(np.vstack([c.features for c in cands]))
            for c, p in zip(cands, probs):
                c.score = float(p)
        ranked = sorted(cands, key=lambda c: -c.score)
        if q.answerable and q.positives and ranked:
            located += 1
            hit1 += ranked[0].key in q.positives
            cos1 += max(cands, key=lambda c: c.features[0]).key in q.positives
        qx.append(question_features(got.plan, ranked, known, titles, got.no_answer))
        qy.append(int(q.answerable))
    qx_arr, qy_arr = np.vstack(qx), np.array(qy)
    mean, scale = qx_arr.mean(axis=0), qx_arr.std(axis=0)
    scale[scale < 1e-6] = 1.0
    cv = _cross_validated((qx_arr - mean) / scale, qy_arr, RECIPE["decider_cv_repeats"], RECIPE["seed"])
    threshold = _threshold(cv, qy_arr, RECIPE["decider_max_false_refusals"])
    decider = _fit(qx_arr, qy_arr, DECIDE_FEATURES, threshold=threshold)
    metrics = {
        "out_of_fold_sentence_hit@1_reranked": round(hit1 / max(located, 1), 3),
        "out_of_fold_sentence_hit@1_similarity_only": round(cos1 / max(located, 1), 3),
        "located_questions": located,
        "decider_threshold": round(threshold, 3),
        "decider_cv_false_refusals": round(float(np.mean(cv[qy_arr == 1] < threshold)), 3),
        "decider_cv_refusal_accuracy": round(float(np.mean(cv[qy_arr == 0] < threshold)), 3),
    }
    oof = {"candidates": np.vstack(x), "labels": np.array(y), "groups": np.array(group), "questions": qx_arr, "answerable": qy_arr}
    return reranker, decider, metrics, oof


@contextmanager
def _only_one(folder: Path, key: str, say: Say) -> Iterator[None]:
    """One training of a key at a time (a second process waits, then finds it cached); leftovers of a
    killed run are removed."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f".reader-{key}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"another process is training reader {key}; waiting for it")
            fcntl.flock(lock, fcntl.LOCK_EX)
        for stale in folder.glob(f".reader-{key}-*"):
            shutil.rmtree(stale, ignore_errors=True)
        yield


class TrainingInWorkerImport(RuntimeError):
    """Training was asked for while a worker process re-ran the caller's script."""


def refuse_in_worker_import() -> None:
    """Fine-tuning runs in worker processes started by "spawn", and each worker first runs the caller's main script
    again. A script that asks questions at its top level, without ``if __name__ == "__main__":``, would start a
    training in every worker; each would wait for the lock the caller holds while the caller waits for them: a hang
    with no message. Raised here instead, in the worker, as one clear line."""
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code.co_name in ("_fixup_main_from_path", "_fixup_main_from_name") and "multiprocessing" in frame.f_code.co_filename:
            raise TrainingInWorkerImport(
                "the reader is being trained, and training starts worker processes that run your script again: "
                'put the code that builds the Assistant under `if __name__ == "__main__":`'
            )
        frame = frame.f_back


def train(settings: Settings, *, force: bool = False, say: Say = print) -> Reader:
    """Train (or find cached) the reader for today's training data."""
    key = reader_key(settings.training_dir, reading_settings(settings))
    if not force:
        try:
            return load(settings, key)
        except Exception:
            pass
    refuse_in_worker_import()
    with _only_one(folder_for(settings, key).parent, key, say):
        if not force:
            try:
                return load(settings, key)  # trained by the process we waited for
            except Exception:
                pass
        return _train(settings, key, say)


def _train(settings: Settings, key: str, say: Say) -> Reader:
    started = time.perf_counter()
    plain = say
    say = lambda m: plain(f"[{time.perf_counter() - started:5.0f} s] {m}")  # noqa: E731
    import torch

    torch.manual_seed(RECIPE["seed"])
    torch.set_num_threads(os.cpu_count() or 1)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    corpus = load_corpus(settings.training_dir, max_words=settings.chunk_max_words, min_words=settings.chunk_min_words)
    located = [q for q in corpus.questions if q.answerable and q.positives]
    say(
        f"training data: {len(corpus.questions)} labelled questions ({sum(q.answerable for q in corpus.questions)} answerable, "
        f"{len(located)} located in the text) about {len(corpus.sources)} documents"
    )
    base_path = resolve_model_path(RECIPE["base"])
    mined = HardNegatives(corpus, SentenceEmbeddings(RECIPE["base"]))
    pairs = heading_pairs(corpus, RECIPE["headings_per_section"])
    final = folder_for(settings, key)
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".reader-{key}-", dir=final.parent))
    try:
        folds = RECIPE["folds"]
        # a reader per fold, trained without that fold's questions, to read them as a stranger would; and the one served,
        # on all of them, from its own random stream: the encoder served does not change with how the heads are fitted
        # (the fold count, the fold split), which at stop 18 made two head-only changes look like gains that were seed luck
        jobs = {f"fold{f + 1}": mined.examples([q for q in corpus.questions if q.fold(folds) != f], random.Random(f"{RECIPE['seed']}:fold{f}")) for f in range(folds)}
        jobs["served"] = mined.examples(corpus.questions, random.Random(f"{RECIPE['seed']}:served"))
        read: dict[str, list] = {}
        served: Path | None = None
        for name, path in fine_tune_each(base_path, jobs, pairs, work, final.parent, say):
            if name == "served":
                served = path
                continue
            f = int(name.removeprefix("fold")) - 1
            say(f"{name}: the reader trained without these questions reads them")
            read[name] = _read_fold(corpus, [q for q in corpus.questions if q.fold(folds) == f], path, settings, work / f"read-{name}")
        assert served is not None
        read_questions = [got for f in range(folds) for got in read[f"fold{f + 1}"]]  # in fold order, however they finished
        vocabulary = Vocabulary([f"{c.section} {c.text}" for c in corpus.chunks])
        reranker, decider, metrics, oof = fit_heads(read_questions, vocabulary.known, title_terms(corpus.chunks))
        say(f"heads fitted: {json.dumps(metrics)}")
        shutil.copytree(served, work / "final" / "model")
        shutil.copytree(served.parent / "no_answer", work / "final" / "no_answer")
        metrics["seconds"] = round(time.perf_counter() - started, 1)
        metrics["examples"] = len(located)
        heads = {"reranker": reranker.to_json(), "decider": decider.to_json(), "meta": {"key": key, "recipe": RECIPE, **metrics}}
        (work / "final" / "heads.json").write_text(json.dumps(heads, indent=1))
        np.savez_compressed(work / "final" / "out_of_fold.npz", **oof)  # what the heads were fitted on, to study them
        for p in (work / "final").rglob("*"):  # a cache other users (a service account) may read, like pip's
            p.chmod(0o755 if p.is_dir() else 0o644)
        if final.exists():
            shutil.rmtree(final)
        os.replace(work / "final", final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say(f"trained reader {key} in {time.perf_counter() - started:.0f} s: {final}")
    for old in prune_readers(final.parent, keep=final):
        say(f"removed an older reader from the cache: {old.name}")
    return load(settings, key)
