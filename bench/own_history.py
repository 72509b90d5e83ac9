"""Follow-ups asked after the assistant's own answer, not the one the set's author wrote.

A labelled follow-up carries the turn before it as its author wrote it. In a chat the turn before is the
assistant's own answer: often longer, in the document's words, sometimes already holding what the follow-up
asks. This asks each follow-up's previous question (with the history before it), puts that answer in the
history, then asks the follow-up, and scores the follow-ups as the shared scorer does. With ``--rule NAME``
each named rule is also switched off, to measure what it does to follow-ups asked this way.

    .venv/bin/python bench/own_history.py eval/tuning/sedfaq.jsonl --source-dir /tmp/tune/sedfaq
    .venv/bin/python bench/own_history.py eval/tuning/brief-voices.jsonl --rule follow_up --json
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.evaluation import answer_record, read_jsonl, score  # noqa: E402
from assistant.rules import check  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402

METRICS = ("answer_accuracy", "citation_support", "false_refusal_rate", "retrieval_recall@1", "retrieval_recall@5", "answer_words_p50")


def follow_ups_after_own_answers(assistant: Assistant, questions: list[dict]) -> tuple[list[dict], dict[str, dict]]:
    """(the follow-ups, their answer records), each asked after the assistant's answer to the turn before it."""
    asked, records = [], {}
    for q in questions:
        history = [tuple(turn) for turn in q.get("history") or []]
        if not history:
            continue
        earlier, (previous_question, _) = history[:-1], history[-1]
        ours = assistant.ask(previous_question, earlier).answer
        asked.append({**q, "history": [list(t) for t in earlier] + [[previous_question, ours]]})
        records[q["id"]] = answer_record(q["id"], assistant.ask(q["question"], earlier + [(previous_question, ours)]))
    return asked, records


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("questions", type=Path, help="a question set (JSONL, the shared scorer's format); only its follow-ups are asked")
    ap.add_argument("--source-dir", type=Path, default=Path("source"), help="the documents it is about (default: source)")
    ap.add_argument("--index-dir", type=Path, default=None, help="where to build their index (default: a temporary folder)")
    ap.add_argument("--rule", action="append", default=[], help="also measure with this rule switched off (repeatable)")
    ap.add_argument("--json", action="store_true", help="print every number as one JSON object")
    args = ap.parse_args(argv)
    try:
        questions = read_jsonl(args.questions)
        check(set(args.rule))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="own-history-") as tmp:
        index = args.index_dir or Path(tmp) / "index"
        results = {}
        for off in [""] + args.rule:
            assistant = Assistant(Settings(source_dir=args.source_dir, index_dir=index, disabled_rules=off))
            assistant.ensure_index()
            asked, records = follow_ups_after_own_answers(assistant, questions)
            metrics, _ = score(asked, records)
            results[f"no {off}" if off else "all rules"] = {"follow_ups": len(asked), **{m: metrics.get(m) for m in METRICS}}
    if args.json:
        print(json.dumps(results))
    else:
        for name, row in results.items():
            print(f"{name:>24}: " + ", ".join(f"{k} {v}" for k, v in row.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
