"""k-fold by section of the brief: a reader fine-tuned without any question about one section answers them.

    .venv/bin/python bench/section_folds.py                 # every section of the brief with >= 15 training questions
    .venv/bin/python bench/section_folds.py --max-folds 2   # a quicker look

For each section S: the training questions whose evidence lies in S are held out; the bi-encoder
is fine-tuned (same recipe as ``assistant train``) on all the other training questions and the
headings; the brief is indexed with it; the held-out questions are answered through the real
pipeline with the served reader's heads (fitted out-of-fold on all sections: a caveat, printed);
the metrics are the shared scorer's definitions (assistant.evaluation). The served reader's own
figures on the same questions are shown beside (it was trained on them: an upper bound).
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answering.decide import Decider, NoAnswer  # noqa: E402
from assistant.answering.pipeline import Pipeline  # noqa: E402
from assistant.answering.rerank import Reranker  # noqa: E402
from assistant.embeddings import SentenceEmbeddings, resolve_model_path  # noqa: E402
from assistant.evaluation import answer_record, score  # noqa: E402
from assistant.index import IndexStore, chunker_recipe  # noqa: E402
from assistant.prompts import load_prompts  # noqa: E402
from assistant.reader import RECIPE, load  # noqa: E402
from assistant.retrieval import HybridSearcher  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.training.data import heading_pairs  # noqa: E402
from assistant.training.data import load as load_corpus  # noqa: E402
from assistant.training.train import HardNegatives, fine_tune  # noqa: E402

METRICS = ["retrieval_recall@1", "retrieval_recall@5", "answer_accuracy", "citation_support"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max-folds", type=int, default=0, help="stop after this many sections (0: all)")
    ap.add_argument("--min-questions", type=int, default=15)
    args = ap.parse_args()
    settings = Settings()
    served = load(settings)
    corpus = load_corpus(settings.training_dir, max_words=settings.chunk_max_words, min_words=settings.chunk_min_words)
    brief = corpus.default_source
    section_of = {c.id: c.section for c in corpus.chunks}
    by_section: dict[str, list] = {}
    for q in corpus.questions:
        if q.source == brief and q.answerable and q.positives:
            sections = Counter(section_of[cid] for cid, _ in q.positives)
            by_section.setdefault(sections.most_common(1)[0][0], []).append(q)
    folds = [s for s, qs in sorted(by_section.items(), key=lambda kv: -len(kv[1])) if len(qs) >= args.min_questions]
    if args.max_folds:
        folds = folds[: args.max_folds]
    mined = HardNegatives(corpus, SentenceEmbeddings(RECIPE["base"]))
    work = Path(tempfile.mkdtemp(prefix="section-folds-"))
    source = work / "source"
    source.mkdir()
    shutil.copy(settings.training_dir / "corpus" / Path(brief).name, source)
    rows = []
    try:
        upper = Assistant(Settings(source_dir=source, index_dir=work / "served-index"))
        for n, section in enumerate(folds, 1):
            held = by_section[section]
            held_ids = {q.id for q in held}
            train_qs = [q for q in corpus.questions if q.id not in held_ids]
            print(f"[folds] {n}/{len(folds)} {section!r}: {len(held)} questions held out", file=sys.stderr, flush=True)
            path = fine_tune(resolve_model_path(RECIPE["base"]), mined.examples(train_qs, random.Random(RECIPE["seed"])), heading_pairs(corpus, RECIPE["headings_per_section"]), work / f"f{n}", print)
            emb = SentenceEmbeddings(str(path))
            store = IndexStore(work / f"f{n}" / "index", "folds")
            from assistant.ingest import ingest

            found = ingest(source, max_words=settings.chunk_max_words, min_words=settings.chunk_min_words)
            with store.lock():
                store.sync(found.chunks, lambda: emb, embedding_model=str(path), chunker=chunker_recipe(settings.chunk_max_words, settings.chunk_min_words), sources=found.sources)
            opened = store.open(store.current(), emb)
            pipeline = Pipeline(
                opened, HybridSearcher(opened, emb, top_k=settings.top_k), emb, reranker=Reranker(served.reranker), decider=Decider(served.decider),
                prompts=load_prompts(), max_words=settings.answer_max_words, top_k=settings.top_k,
                no_answer=NoAnswer(SentenceEmbeddings(str(path.parent / "no_answer")), RECIPE["no_answer"]),  # the fold's no-answer encoder
            )  # fmt: skip
            questions = [{"id": q.id, "question": q.question, "history": q.history, "answerable": True, "evidence": q.evidence, "must_include": []} for q in held]
            musts = {}
            for path_q in sorted((settings.training_dir / "questions").glob("*.jsonl")):
                for line in path_q.read_text().splitlines():
                    if line.strip():
                        item = json.loads(line)
                        musts[f"{path_q.stem}:{item['id']}"] = item.get("must_include") or []
            for q in questions:
                q["must_include"] = musts.get(q["id"], [])
            held_out = score(questions, {q["id"]: answer_record(q["id"], pipeline.answer(q["question"], q["history"])) for q in questions})[0]
            seen = score(questions, {q["id"]: answer_record(q["id"], upper.ask(q["question"], q["history"])) for q in questions})[0]
            rows.append((section, len(held), held_out, seen))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\nHeads: the served reader's (fitted out-of-fold on all sections); only the bi-encoder is refitted per fold.")
    print("| section held out | questions | " + " | ".join(f"{m} (held out / served)" for m in METRICS) + " |")
    print("|---" * (len(METRICS) + 2) + "|")
    for section, count, held_out, seen in rows:
        print(f"| {section} | {count} | " + " | ".join(f"{held_out[m]} / {seen[m]}" for m in METRICS) + " |")


if __name__ == "__main__":
    main()
