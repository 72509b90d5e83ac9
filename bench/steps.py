"""Where an answer's time goes: each step of ``Assistant.ask`` timed on its own.

    .venv/bin/python bench/steps.py                 # eval/questions.jsonl + the dev set, 2 rounds, the project's index/
    .venv/bin/python bench/steps.py --rounds 1 --questions eval/holdout.jsonl

Wraps the methods that make up an answer (search and its three rankers, the sentence vectors,
candidate scoring, the decision, composing) with timers, answers every question, and prints the
median, mean and max of each step in milliseconds. The embedding of the question is the part of
``HybridSearcher.search`` not taken by its rankers. Used to find what to cut in the latency work.
"""
from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEV = Path("/work/shared/eval/dev.jsonl")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", type=Path, action="append", help="question files (default: eval/questions.jsonl and the dev set)")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()

    from assistant.answering.extractive import ExtractiveAnswerer
    from assistant.index import OpenIndex
    from assistant.retrieval import HybridSearcher
    from assistant.service import Assistant
    from assistant.settings import Settings

    timings: dict[str, list[float]] = collections.defaultdict(list)

    def timed(cls, name: str) -> None:
        original = getattr(cls, name)

        def wrapper(*a, **k):
            start = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                timings[f"{cls.__name__}.{name}"].append((time.perf_counter() - start) * 1000)

        setattr(cls, name, wrapper)

    steps = {
        Assistant: ["ask", "_compose"],
        HybridSearcher: ["search", "_sentence_ranking", "_bm25_ranking"],
        OpenIndex: ["dense_search", "sentence_vectors"],
        ExtractiveAnswerer: ["foreign_words", "synonyms", "candidates", "decide"],
    }
    for cls, names in steps.items():
        for name in names:
            timed(cls, name)

    files = args.questions or [p for p in (ROOT / "eval" / "questions.jsonl", DEV) if p.exists()]
    questions = [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    assistant = Assistant(Settings())
    assistant.warm_up()
    timings.clear()
    for _ in range(args.rounds):
        for q in questions:
            assistant.ask(q["question"], history=q.get("history") or [])
    print(f"{len(questions)} questions x {args.rounds} rounds")
    print(f"{'step':40}{'p50 ms':>9}{'mean ms':>9}{'max ms':>9}")
    for name, values in timings.items():
        print(f"{name:40}{statistics.median(values):>9.2f}{statistics.mean(values):>9.2f}{max(values):>9.1f}")


if __name__ == "__main__":
    main()
