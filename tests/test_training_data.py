"""Training data: evidence located in sentences, headings as queries, the reader's cache key."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from assistant.reader import ReaderMissing, load, reader_key
from assistant.settings import Settings
from assistant.training.data import heading_pairs, holds_evidence
from assistant.training.data import load as load_corpus

GUIDE = """# Ferries

Ferries leave the pier every hour from April to October. In winter they leave every two hours.

# Tickets and passes

Day tickets cost four pounds at the kiosk. Season passes are sold online and at the harbour office.
"""


def make_training(root: Path) -> Path:
    (root / "corpus").mkdir(parents=True)
    (root / "questions").mkdir()
    (root / "corpus" / "guide.md").write_text(GUIDE)
    rows = [
        {"id": "t1", "question": "how often do boats go in summer", "answerable": True, "source": "guide.md", "evidence": ["Ferries leave the pier every hour from April to October"]},
        {"id": "t2", "question": "who built the pier?", "answerable": False, "source": "guide.md", "evidence": []},
    ]
    (root / "questions" / "guide.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


def test_evidence_is_located_in_the_sentence_that_holds_it(tmp_path):
    corpus = load_corpus(make_training(tmp_path / "training"), max_words=110, min_words=5)
    answerable = next(q for q in corpus.questions if q.answerable)
    texts = {(c.id, i): t for c, i, t in corpus.sentences()}
    assert [texts[k] for k in answerable.positives] == ["Ferries leave the pier every hour from April to October."]
    assert next(q for q in corpus.questions if not q.answerable).positives == set()


def test_a_span_across_two_sentences_marks_both_and_a_stray_bigram_marks_neither():
    span = "every hour from April to October. In winter they leave every two hours"
    assert holds_evidence("Ferries leave the pier every hour from April to October.", span)
    assert holds_evidence("In winter they leave every two hours.", span)
    assert not holds_evidence("The kiosk opens every hour on the hour.", span)


def test_a_section_heading_is_a_query_for_its_sentences(tmp_path):
    corpus = load_corpus(make_training(tmp_path / "training"), max_words=110, min_words=5)
    pairs = heading_pairs(corpus, per_section=2)
    assert ("Tickets and passes", "Day tickets cost four pounds at the kiosk.") in pairs
    assert all(h != "Ferries" for h, _ in pairs)  # a one-word heading is too vague to learn from


def test_a_question_about_a_missing_document_is_a_clear_error(tmp_path):
    root = make_training(tmp_path / "training")
    (root / "questions" / "bad.jsonl").write_text(json.dumps({"id": "x", "question": "q", "answerable": True, "source": "nope.md", "evidence": ["a b c"]}) + "\n")
    with pytest.raises(ValueError, match="nope.md"):
        load_corpus(root, max_words=110, min_words=5)


def test_the_reader_key_changes_with_the_training_data_and_a_missing_reader_says_what_to_run(tmp_path, monkeypatch):
    root = make_training(tmp_path / "training")
    key = reader_key(root)
    assert reader_key(root) == key
    (root / "corpus" / "guide.md").write_text(GUIDE + "\nA new sentence about bikes.\n")
    assert reader_key(root) != key
    # the heads are fitted through retrieval: its tuning is part of the key; the composition's is not
    from dataclasses import replace

    import assistant.reader as reader_module

    key, tuning = reader_key(root), reader_module.TUNING
    monkeypatch.setattr(reader_module, "TUNING", replace(tuning, bm25_weight=tuning.bm25_weight + 1))
    assert reader_key(root) != key
    monkeypatch.setattr(reader_module, "TUNING", replace(tuning, continuation_below_words=tuning.continuation_below_words + 1))
    assert reader_key(root) == key
    # new sentence boundaries are new training examples
    monkeypatch.setattr(reader_module, "CHUNKER_VERSION", reader_module.CHUNKER_VERSION + "x")
    assert reader_key(root) != key
    monkeypatch.undo()
    # passages of another size (a user's ASSISTANT_CHUNK_MAX_WORDS), or more of them retrieved, give the heads other
    # candidates: another reader, not the default's heads
    from assistant.settings import Settings

    key = reader_key(root)
    assert reader_key(root, reader_module.reading_settings(Settings())) == key
    for field, value in (("chunk_max_words", 160), ("chunk_min_words", 10), ("top_k", 8)):
        assert reader_key(root, reader_module.reading_settings(Settings(**{field: value}))) != key
    # ... and so is the code that computes what the heads read (a new way of reading terms, new features), as a new
    # process reads it: one process reads it once, so that its key is the code it runs, not an edit made since
    key = reader_key(root)
    code = tmp_path / "candidates.py"
    code.write_text("FEATURES = ('cos',)\n")
    monkeypatch.setattr(reader_module, "_HERE", tmp_path)
    monkeypatch.setattr(reader_module, "READING_CODE", (code,))
    with_code = reader_key(root)
    code.write_text("FEATURES = ('cos', 'lex')\n")
    assert reader_key(root) == with_code  # edited under a running process: still the key of the code it runs

    def new_process_key() -> str:
        reader_module.running_code_digest.cache_clear()
        return reader_key(root)

    assert key != with_code != new_process_key()
    # ... but not how that code is commented or laid out: a docstring or a comment mended does not refit the heads
    code.write_text('def terms(text):\n    return text.split()\n')
    plain = new_process_key()
    code.write_text('"""Words."""\n\n\ndef terms(text):  # split on blanks\n    """The words of ``text``."""\n    return (\n        text.split()\n    )\n')
    assert new_process_key() == plain
    code.write_text('def terms(text):\n    return text.lower().split()\n')
    assert new_process_key() != plain
    reader_module.running_code_digest.cache_clear()  # the real code's digest, for the tests after this one
    with pytest.raises(ReaderMissing, match="assistant train"):
        load(Settings(training_dir=root, models_dir=tmp_path / "models"))


def test_the_reader_key_hashes_how_a_sentence_gets_its_vectors():
    # the heads read a sentence's similarity as the best of its units' (``Chunk.units``: the sentence, windows of a long
    # one): a new unit scheme reads every training question anew, so it must be a new reader
    import inspect

    from assistant.reader import READING_CODE
    from assistant.types import Chunk

    assert Path(inspect.getfile(Chunk)).resolve() in {p.resolve() for p in READING_CODE}


def test_the_reader_key_hashes_the_tuning_numbers_the_reading_code_reads(monkeypatch):
    """A tuning number retrieval, reading a question or the candidates go through changes the heads' inputs: changing it
    must give another reader. The composition's numbers do not, and leave the key alone."""
    import dataclasses

    from assistant import reader as reader_module

    used = reader_module.reading_tuning()
    assert {"pool", "bm25_weight", "hnsw_ef_search", "typed_passages", "item_turns", "follow_up_pointing_terms"} <= set(used)
    assert "close_to_best" not in used and "max_sentences" not in used
    root = Path(__file__).resolve().parent.parent / "training"
    key, base = reader_module.reader_key(root), reader_module.TUNING
    monkeypatch.setattr(reader_module, "TUNING", dataclasses.replace(base, typed_passages=base.typed_passages + 2))
    assert reader_module.reader_key(root) != key
    monkeypatch.setattr(reader_module, "TUNING", dataclasses.replace(base, close_to_best=base.close_to_best / 2))
    assert reader_module.reader_key(root) == key


def test_the_projects_training_data_is_located(tmp_path):
    """Every answerable training question's evidence is found in its document (else it teaches nothing)."""
    corpus = load_corpus(Path(__file__).resolve().parent.parent / "training", max_words=110, min_words=30)
    lost = [q.id for q in corpus.questions if q.answerable and q.evidence and not q.positives]
    assert len(lost) <= 0.02 * len(corpus.questions), lost


def test_a_fine_tuning_already_done_on_the_same_examples_is_reused(tmp_path):
    """Changing only the heads (a decider feature) must not fine-tune the encoder again: the same examples
    reuse the cached model; other examples fine-tune anew."""
    from assistant.embeddings import resolve_model_path
    from assistant.reader import RECIPE
    from assistant.training.train import fine_tune_each

    base = resolve_model_path(RECIPE["base"])
    examples = [("how often do ferries leave", "Ferries leave the pier every hour.", "Season passes are sold online.")]
    pairs = [("Tickets", "Day tickets cost four pounds at the kiosk.")]
    said: list[str] = []

    def _fine_tuned(examples, pairs, out, cache, say):
        return dict(fine_tune_each(base, {"model": examples}, pairs, out, cache, say))["model"]

    first = _fine_tuned(examples, pairs, tmp_path / "run1", tmp_path / "cache", said.append)
    assert (first / "model.safetensors").is_file()
    cached = list((tmp_path / "cache").glob("finetuned-*"))
    assert len(cached) == 1 and not any("reusing" in s for s in said)
    again = _fine_tuned(examples, pairs, tmp_path / "run2", tmp_path / "cache", said.append)
    assert again == cached[0] / "model" and "reusing" in said[-1]
    assert not (tmp_path / "run2").exists()  # nothing was trained
    _fine_tuned(examples + [("when do ferries stop", "In winter they leave every two hours.", "Tickets cost four pounds.")], pairs, tmp_path / "run3", tmp_path / "cache", said.append)
    assert len(list((tmp_path / "cache").glob("finetuned-*"))) == 2
    assert not list((tmp_path / "cache").glob(".*"))  # no staging left behind


def test_new_unanswerable_questions_train_only_the_no_answer_encoder_and_the_same_weights_as_from_scratch(tmp_path):
    """Unanswerable questions add only no-answer triplets, which the retrieval encoder never trains on: a job whose
    retrieval examples were fine-tuned before starts from that encoder, trains the no-answer epoch alone, and comes
    out byte for byte what a training from scratch gives."""
    import hashlib

    from assistant.embeddings import resolve_model_path
    from assistant.reader import RECIPE
    from assistant.training.train import fine_tune_each

    base = resolve_model_path(RECIPE["base"])
    no = RECIPE["no_answer"]
    answered = [
        ("how often do ferries leave", "Ferries leave the pier every hour.", "Season passes are sold online."),
        ("how often do ferries leave", "Ferries leave the pier every hour.", no),
    ]
    # more than a batch (32) of no-answer triplets: the no-answer epoch's one step of a single batch is all warm-up
    before = answered + [(f"who built pier {n}", no, f"Ferries leave pier {n} every hour.") for n in range(40)]
    # unanswerable, though its best sentence is all but the question (the triplet loss is not yet met on it)
    after = before + [("which hour do ferries leave the pier on Sundays", no, "Ferries leave the pier every hour.")]
    pairs = [("Tickets", "Day tickets cost four pounds at the kiosk.")]

    def weights(path):
        return hashlib.sha256((path / "model.safetensors").read_bytes()).hexdigest()

    said: list[str] = []
    first = dict(fine_tune_each(base, {"job": before}, pairs, tmp_path / "run1", tmp_path / "cache", said.append))["job"]
    assert not any("only the no-answer encoder" in m for m in said)
    second = dict(fine_tune_each(base, {"job": after}, pairs, tmp_path / "run2", tmp_path / "cache", said.append))["job"]
    assert any("only the no-answer encoder" in m for m in said)
    assert weights(second) == weights(first)  # the retrieval encoder, reused
    assert weights(second.parent / "no_answer") != weights(first.parent / "no_answer")  # the no-answer encoder learned the new question
    scratch = dict(fine_tune_each(base, {"job": after}, pairs, tmp_path / "run3", tmp_path / "elsewhere", lambda m: None))["job"]
    assert weights(scratch) == weights(second) and weights(scratch.parent / "no_answer") == weights(second.parent / "no_answer")


def test_only_the_newest_readers_stay_in_the_cache(tmp_path):
    import os

    from assistant.training.train import KEEP_READERS, prune_readers

    folders = []
    for n in range(KEEP_READERS + 2):
        f = tmp_path / f"reader-{n:016x}"
        (f / "model").mkdir(parents=True)
        (tmp_path / f".{f.name}.lock").touch()
        os.utime(f, (1_000_000 + n, 1_000_000 + n))
        folders.append(f)
    current = folders[0]  # the one just trained may be the oldest by mtime (a cached folder reused): it stays
    removed = prune_readers(tmp_path, keep=current)
    left = sorted(p.name for p in tmp_path.glob("reader-*"))
    assert current.name in left and len(left) == KEEP_READERS
    assert set(left) == {current.name} | {f.name for f in folders[-(KEEP_READERS - 1) :]}
    assert all(not p.exists() and not (tmp_path / f".{p.name}.lock").exists() for p in removed)
    assert (tmp_path / f".{current.name}.lock").exists()


def test_no_question_used_to_measure_or_tune_is_trained_on():
    """Training questions and the sets that measure (eval/, the shared dev set) or tune (eval/tuning/) never share
    a question, and no document of theirs is in the training corpus."""
    root = Path(__file__).resolve().parent.parent

    def norm(text: str) -> str:
        return " ".join(text.lower().split())

    trained = {norm(json.loads(line)["question"]) for f in (root / "training" / "questions").glob("*.jsonl") for line in f.read_text().splitlines() if line.strip()}
    measured = [f for f in (root / "eval").rglob("*.jsonl")] + [p for p in [root.parent / "shared" / "eval" / "dev.jsonl"] if p.is_file()]
    assert len(measured) >= 8
    shared = {(f.name, norm(json.loads(line)["question"])) for f in measured for line in f.read_text().splitlines() if line.strip()}
    # follow-ups as short as "why?" may recur anywhere; a question of four words or more is a copy
    copies = sorted((name, q) for name, q in shared if q in trained and len(q.split()) >= 4)
    assert not copies, f"questions both trained on and used to measure or tune: {copies[:5]}"
    corpus = {f.read_bytes() for f in (root / "training" / "corpus").iterdir()}
    held_docs = [f for d in ("other/docs", "tuning/docs") for f in (root / "eval" / d).iterdir()]
    assert held_docs and not [f.name for f in held_docs if f.read_bytes() in corpus]


def test_the_deciders_threshold_never_declines_more_answerable_questions_than_allowed():
    """Where declining one more answerable question would decline many near misses, the limit still holds."""
    from assistant.training.train import _threshold

    answerable = np.r_[np.linspace(0.05, 0.2, 4), np.linspace(0.4, 0.95, 96)]  # 4% weak answerable questions, then a gap
    near_misses = np.r_[np.full(30, 0.3), np.full(10, 0.405)]  # a quarter of the near misses sit just past the limit
    probs, labels = np.r_[answerable, near_misses], np.r_[np.ones(100), np.zeros(40)]
    t = _threshold(probs, labels, max_false_refusals=0.04)
    assert np.mean(answerable < t) <= 0.04
    assert np.mean(near_misses < t) == 0.75  # every near miss below the first answerable question above the gap
    assert _threshold(probs, labels, max_false_refusals=0.0) <= 0.05 + 1e-9


def test_each_fine_tuning_arrives_by_name_and_is_the_same_every_time(tmp_path):
    """Two jobs are trained (a process each, one thread) and each arrives with its name; training the same
    examples again elsewhere gives byte-identical weights, so a reader does not depend on how busy the machine was."""
    import hashlib

    from assistant.embeddings import resolve_model_path
    from assistant.reader import RECIPE
    from assistant.training.train import fine_tune_each

    base = resolve_model_path(RECIPE["base"])
    jobs = {
        "ferries": [("how often do ferries leave", "Ferries leave the pier every hour.", "Season passes are sold online.")],
        "trains": [("when is the last train", "The last train leaves at midnight.", "Bikes ride free on weekends.")],
    }
    pairs = [("Tickets", "Day tickets cost four pounds at the kiosk.")]

    def weights(path):
        return hashlib.sha256((path / "model.safetensors").read_bytes()).hexdigest()

    first = dict(fine_tune_each(base, jobs, pairs, tmp_path / "run1", tmp_path / "cache1", lambda m: None))
    assert set(first) == {"ferries", "trains"}
    assert weights(first["ferries"]) != weights(first["trains"])
    assert len(list((tmp_path / "cache1").glob("finetuned-*"))) == 2
    again = dict(fine_tune_each(base, {"trains": jobs["trains"]}, pairs, tmp_path / "run2", tmp_path / "cache2", lambda m: None))
    assert weights(again["trains"]) == weights(first["trains"])


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="with one core the jobs run one after another")
def test_a_fine_tuning_that_fails_stops_the_others_and_says_why(tmp_path):
    """A job that fails (here: examples that are not text) is reported at once; the fine-tuning beside it is ended,
    not waited for (it would have run for minutes and then been thrown away), and nothing reaches the cache."""
    from assistant.embeddings import resolve_model_path
    from assistant.reader import RECIPE
    from assistant.training.train import fine_tune_each

    base = resolve_model_path(RECIPE["base"])
    long_job = [(f"how often does ferry {i} leave", f"Ferry {i} leaves the pier every {i % 5 + 1} hours.", "Season passes are sold online.") for i in range(4000)]
    jobs = {"long": long_job, "broken": [(1, 2, 3)]}
    with pytest.raises(ValueError, match="Unsupported input type"):
        dict(fine_tune_each(base, jobs, [], tmp_path / "run", tmp_path / "cache", lambda m: None))
    assert not (tmp_path / "run" / "long" / "model").exists()  # ended, not finished
    assert not list((tmp_path / "cache").glob("finetuned-*"))


def test_leftovers_of_killed_trainings_are_swept_but_not_those_of_a_training_running_now(tmp_path):
    import fcntl

    from assistant.training.train import sweep_leftovers

    (tmp_path / "reader-aaaa").mkdir()  # a reader, and the lock of its key
    (tmp_path / ".reader-aaaa.lock").touch()
    (tmp_path / ".reader-bbbb-x1y2" / "fold1").mkdir(parents=True)  # a training killed under another key
    (tmp_path / ".reader-bbbb.lock").touch()
    (tmp_path / ".reader-cccc-z3w4").mkdir()  # a training running now: its lock is held
    with open(tmp_path / ".reader-cccc.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        removed = sweep_leftovers(tmp_path)
        assert (tmp_path / ".reader-cccc-z3w4").exists() and (tmp_path / ".reader-cccc.lock").exists()
    assert {p.name for p in removed} == {".reader-bbbb-x1y2", ".reader-bbbb.lock"}
    assert (tmp_path / "reader-aaaa").exists() and (tmp_path / ".reader-aaaa.lock").exists()
