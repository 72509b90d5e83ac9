"""How the asked-noun check separates questions: the measurement behind ``ASKED_NOUN_MIN_DROP``.

    .venv/bin/python bench/asked_noun.py            # the question sets listed below, the project's index/
    .venv/bin/python bench/asked_noun.py --questions eval/probe3.jsonl

For every single-turn question whose asked-for noun the documents never use ("What salary ..."),
replaces the noun by "thing", and prints how much that lowers the similarity of each of the best five
sentences to the question (the largest drop is what ``ExtractiveAnswerer._responds_to`` compares with
the threshold), whether one of them holds a near synonym, and whether the question is answerable.
Ends with how many answerable and unanswerable questions the check declines.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SETS = ["eval/heads.jsonl", "eval/paraphrases.jsonl", "eval/unanswerable.jsonl", "eval/holdout.jsonl", "eval/questions.jsonl"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", type=Path, action="append", help=f"question files (default: {', '.join(SETS)})")
    args = ap.parse_args()

    import numpy as np

    from assistant.answering.extractive import ASKED_NOUN_MIN_DROP, ASKED_NOUN_SYNONYM, ASKED_NOUN_TOP
    from assistant.service import Assistant
    from assistant.settings import Settings

    assistant = Assistant(Settings())
    assistant.warm_up()
    loaded = assistant._ready()
    answerer, searcher = loaded.answerer, loaded.searcher
    declined = {True: 0, False: 0}
    seen = {True: 0, False: 0}
    print(f"{'':2} {'id':6} {'max drop':>8}  synonym  noun")
    for path in args.questions or [ROOT / s for s in SETS]:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            probe = answerer.asked_probe(q["question"])
            if q.get("history") or probe is None:
                continue
            foreign = answerer.foreign_words(q["question"])
            retrieval = searcher.search(q["question"], [], extra=foreign, variants=[probe[1]])
            synonyms = answerer.synonyms(foreign, retrieval.extra_vectors)
            vectors = loaded.index.sentence_vectors([h.chunk.id for h in retrieval.hits])
            cands = answerer.candidates(retrieval.hits, vectors, retrieval.question_vector, retrieval.query_vector, q["question"], q["question"], "", synonyms)
            asked = answerer.asked(probe[0], retrieval.question_vector, retrieval.variant_vectors[0], synonyms)
            top = cands[:ASKED_NOUN_TOP]
            drop = max((float(np.dot(asked.shift, c.vector)) for c in top if c.vector is not None), default=0.0)
            near = {t for t, s in asked.synonyms.items() if s >= ASKED_NOUN_SYNONYM}
            has_synonym = any(near & set(answerer._terms_of(c.text)) for c in top)
            answerable = bool(q["answerable"])
            seen[answerable] += 1
            if not answerer._responds_to(asked, cands):
                declined[answerable] += 1
            print(f"{'A' if answerable else 'U':2} {q['id']:6} {drop:+8.3f}  {'yes' if has_synonym else '   '}      {probe[0]}")
    print(f"\nthreshold {ASKED_NOUN_MIN_DROP}: declines {declined[False]} of {seen[False]} unanswerable, {declined[True]} of {seen[True]} answerable")


if __name__ == "__main__":
    main()
