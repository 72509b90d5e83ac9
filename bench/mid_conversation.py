"""Question sets asked mid-conversation: each question asked without history gets one previous turn.

In a chat most questions come after a turn, but the labelled sets give history only to follow-ups. This
writes a copy of a set where every question asked alone is asked after the answerable question before
it in the file (cyclic), that turn answered by its evidence spans. The expected answer is unchanged: a
question that stands on its own must be answered, or declined, as it was alone (README, rule `follow_up`).
Questions that already have history (follow-ups) are left out.

    .venv/bin/python bench/mid_conversation.py eval/users.jsonl /tmp/users-mid.jsonl
    .venv/bin/python bench/compare.py /tmp/users-mid.jsonl eval/users.jsonl --source-dir source
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.evaluation import asked_mid_conversation  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("questions", type=Path, help="a question set (JSONL, the shared scorer's format)")
    ap.add_argument("out", type=Path, help="where to write its mid-conversation copy")
    args = ap.parse_args(argv)
    try:
        questions = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        print(f"error: {args.questions}: {exc}", file=sys.stderr)
        return 2
    rows = asked_mid_conversation(questions)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} questions asked mid-conversation -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
