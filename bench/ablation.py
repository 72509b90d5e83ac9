"""Each named answering rule switched off in turn, on question sets never trained on.

    .venv/bin/python bench/ablation.py                       # the default sets below
    .venv/bin/python bench/ablation.py --sets brief=eval/users.jsonl

A set is NAME=QUESTIONS[:DOC,DOC...]: the questions, and documents added beside source/ for them
(the other-genre sets are asked with the brief and the documents of their group in the library, as a
user's edit would leave it: gpl3 and zlib together, ninja alone, stop 47's two READMEs and manual
together). Prints, per set, the metrics with every rule on and the change when each rule is off
(same definitions as ../shared/eval/score.py, via assistant.evaluation).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluation import answer_record, read_jsonl, score  # noqa: E402
from assistant.rules import RULES  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402

SHARED_DEV = (ROOT / ".." / "shared" / "eval" / "dev.jsonl").resolve()
OTHER = "eval/other/docs/gpl-3.txt,eval/other/docs/zlib-usage.html"
READMES = "eval/other/docs/pytz-readme.rst,eval/other/docs/httpcore-readme.md,eval/other/docs/pod-simple-subclassing.txt"
DEFAULT_SETS = [
    f"dev={SHARED_DEV}",
    "holdout=eval/holdout.jsonl",
    "users=eval/users.jsonl",
    "probe12=eval/probe12.jsonl",
    "probe13=eval/probe13.jsonl",
    f"gpl3=eval/other/gpl3.jsonl:{OTHER}",
    f"zlib=eval/other/zlib.jsonl:{OTHER}",
    "ninja=eval/other/ninja.jsonl:eval/other/docs/ninja-manual.html",
    f"pytz=eval/other/pytz.jsonl:{READMES}",
    f"httpcore=eval/other/httpcore.jsonl:{READMES}",
    f"podsimple=eval/other/podsimple.jsonl:{READMES}",
]
METRICS = ["retrieval_recall@1", "retrieval_recall@5", "answer_accuracy", "citation_support", "refusal_accuracy", "false_refusal_rate", "answer_words_p50"]


def library(extra: list[str], work: Path) -> Path:
    """source/ plus the extra documents, in a folder of their own."""
    folder = work / ("source-" + str(abs(hash(tuple(extra)))))
    if not folder.exists():
        shutil.copytree(ROOT / "source", folder)
        for doc in extra:
            shutil.copy(ROOT / doc, folder / Path(doc).name)
    return folder


def run(questions: list[dict], source: Path, index: Path, disabled: str = "") -> dict:
    assistant = Assistant(Settings(source_dir=source, index_dir=index, disabled_rules=disabled))
    assistant.ensure_index()
    records = {q["id"]: answer_record(q["id"], assistant.ask(q["question"], q.get("history") or [])) for q in questions}
    return score(questions, records)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=DEFAULT_SETS, help="NAME=QUESTIONS[:DOC,DOC]")
    ap.add_argument("--rules", nargs="*", default=list(RULES), help="rules to switch off one at a time (default: all)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ablation-"))
    results: dict[str, dict[str, dict]] = {}
    try:
        for spec in args.sets:
            name, _, rest = spec.partition("=")
            path, _, docs = rest.partition(":")
            questions = read_jsonl(Path(path) if Path(path).is_absolute() else ROOT / path)
            source = library([d for d in docs.split(",") if d], work)
            index = work / f"index-{source.name}"
            results[name] = {"all rules": run(questions, source, index)}
            for rule in args.rules:
                results[name][f"no {rule}"] = run(questions, source, index, rule)
            print(f"[ablation] {name} done", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(results))
        return
    for name, rows in results.items():
        base = rows["all rules"]
        print(f"\n{name} ({base['questions']} questions)")
        print("| setting | " + " | ".join(METRICS) + " |")
        print("|---" * (len(METRICS) + 1) + "|")
        for label, m in rows.items():
            cells = []
            for k in METRICS:
                v, b = m.get(k), base.get(k)
                if label == "all rules" or v is None or b is None:
                    cells.append(f"{v}")
                else:
                    cells.append(f"{v} ({v - b:+.3f})" if v != b else f"{v}")
            print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
