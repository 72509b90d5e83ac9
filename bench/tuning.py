"""The tuning sets (eval/tuning/): what the method's numbers and rules are chosen on, in one command.

    .venv/bin/python bench/tuning.py                                  # every set: answers / refusals / false refusals / citations
    .venv/bin/python bench/tuning.py --mid                            # each question asked mid-conversation, after another turn
    .venv/bin/python bench/tuning.py --disable definition             # with a rule switched off
    .venv/bin/python bench/tuning.py --save after.json --against before.json   # and which answers changed, gained or were lost
    .venv/bin/python bench/tuning.py --together                       # every set asked of one library holding all the documents

Each set is asked with its own document alone in the library; a set whose questions name no document
(`source`) is asked of source/. With --together every set is asked of one library that holds all the
tuning documents and source/'s: what a user who adds documents to one library gets. Counts, not rates, because choices are made on them: a change is kept by
the rule its stop states before the run (BENCHMARKS.md). No figure from these sets is reported as held
out: they are tuned on. Indexes are kept under --work, so a second run only asks.
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

from assistant.evaluation import answer_record, asked_mid_conversation, holds, includes, read_jsonl  # noqa: E402
from assistant.rules import check  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402

TUNING = ROOT / "eval" / "tuning"


def library(questions: list[dict], work: Path, name: str) -> Path:
    """The folder a set is asked of: its documents alone, or source/ for a set that names none."""
    docs = sorted({q["source"] for q in questions if q.get("source")})
    if not docs:
        return ROOT / "source"
    folder = work / f"library-{name}"
    if not folder.exists():
        folder.mkdir(parents=True)
        for doc in docs:
            shutil.copy(TUNING / "docs" / doc, folder / doc)
    return folder


def library_of_all(work: Path) -> Path:
    """One folder with every tuning document and every document of source/ (--together)."""
    folder = work / "library-together"
    if not folder.exists():
        folder.mkdir(parents=True)
        for doc in sorted((TUNING / "docs").iterdir()) + sorted((ROOT / "source").iterdir()):
            if doc.is_file() and not doc.name.startswith("."):
                shutil.copy(doc, folder / doc.name)
    return folder


def verdicts(questions: list[dict], assistant: Assistant) -> dict[str, dict]:
    """Per question: answered it (the words it must include, not declined) or declined it as it should; cited evidence."""
    out = {}
    for q in questions:
        got = assistant.ask(q["question"], q.get("history") or [])
        record = answer_record(q["id"], got)
        refused = bool(record.get("refused"))
        ok = (not refused and includes(record.get("answer", ""), q.get("must_include", []))) if q["answerable"] else refused
        cited = bool(q.get("evidence")) and not refused and any(holds(c.get("text", ""), s) for c in record.get("citations", []) for s in q["evidence"])
        out[q["id"]] = {"answerable": bool(q["answerable"]), "ok": ok, "refused": refused, "cited": cited, "question": q["question"], "answer": record.get("answer", "")}
    return out


def counts(per: dict[str, dict]) -> tuple[int, int, int, int, int, int]:
    """(answered, answerable, declined as they should, unanswerable, false refusals, citations)."""
    a = [v for v in per.values() if v["answerable"]]
    u = [v for v in per.values() if not v["answerable"]]
    return sum(v["ok"] for v in a), len(a), sum(v["ok"] for v in u), len(u), sum(v["refused"] for v in a), sum(v["cited"] for v in per.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", help="set names (file stems in eval/tuning/; default: all)")
    ap.add_argument("--mid", action="store_true", help="ask each question after another turn (assistant.evaluation.asked_mid_conversation)")
    ap.add_argument("--together", action="store_true", help="ask every set of one library holding all the documents (tuning docs and source/)")
    ap.add_argument("--disable", nargs="*", default=[], help="rules to switch off (assistant/rules.py)")
    ap.add_argument("--save", type=Path, help="write every question's verdict and answer here (JSON)")
    ap.add_argument("--against", type=Path, help="a --save file of an earlier run: list the answers that changed")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ccpt-tuning", help="where the libraries and indexes are kept between runs")
    args = ap.parse_args()
    try:
        disabled = ",".join(sorted(check(set(args.disable))))
    except ValueError as exc:
        ap.error(str(exc))
    names = args.sets or sorted(p.stem for p in TUNING.glob("*.jsonl"))
    unknown = [n for n in names if not (TUNING / f"{n}.jsonl").exists()]
    if unknown:
        ap.error(f"no such tuning set: {', '.join(unknown)} (eval/tuning/*.jsonl)")
    run: dict[str, dict[str, dict]] = {}
    shared = None
    if args.together:
        shared = Assistant(Settings(source_dir=library_of_all(args.work), index_dir=args.work / "index-together", disabled_rules=disabled))
        shared.ensure_index()
    total = [0] * 6
    print("| set | answered | declined as they should | false refusals | cited |\n|---|---|---|---|---|")
    for name in names:
        questions = read_jsonl(TUNING / f"{name}.jsonl")
        if args.mid:
            questions = asked_mid_conversation(questions)
        if shared is not None:
            assistant = shared
        else:
            source = library(questions, args.work, name)
            assistant = Assistant(Settings(source_dir=source, index_dir=args.work / f"index-{name}", disabled_rules=disabled))
            assistant.ensure_index()
        run[name] = verdicts(questions, assistant)
        c = counts(run[name])
        total = [t + x for t, x in zip(total, c)]
        print(f"| {name} | {c[0]}/{c[1]} | {c[2]}/{c[3]} | {c[4]} | {c[5]} |", flush=True)
    print(f"| **all** | **{total[0]}/{total[1]}** | **{total[2]}/{total[3]}** | **{total[4]}** | **{total[5]}** |")
    if args.save:
        args.save.write_text(json.dumps(run, indent=1))
    if args.against:
        before = json.loads(args.against.read_text())
        changed = 0
        for name, per in run.items():
            for qid, v in per.items():
                old = before.get(name, {}).get(qid)
                if old is None or old["answer"] == v["answer"]:
                    continue
                changed += 1
                flag = {(True, False): "lost", (False, True): "gained"}.get((old["ok"], v["ok"]), "reworded")
                print(f"{qid}: {flag} | {v['question'][:100]}")
        print(f"{changed} answers changed")


if __name__ == "__main__":
    main()
