"""The decider alone on the tuning sets, at equal false refusals: how well it tells near misses from answerable
questions, apart from where its threshold fell.

    .venv/bin/python bench/decider_curve.py                 # every tuning set
    .venv/bin/python bench/decider_curve.py --sets mpl apache

The threshold is the 4% quantile of the training questions' cross-validated probabilities, so about 20 questions
set it, and it moves by more under resampling (standard deviation 0.058, BENCHMARKS.md stop 43) than most levers
move it. A lever that changes what the training questions read moves the threshold too, and ``bench/tuning.py``'s
counts then judge the threshold's draw as much as the lever. This script scores the decider's probability itself:
its AUC over every tuning question, and the near misses it declines when its threshold is set, on these questions,
to decline exactly k answerable ones (k = the served threshold's count, and 2% / 5% / 10% of the answerable).
Compare two readers by these rows. The rules that decide without the head (misuse, small talk, `count`, `acronym`,
`overview`) are left out: this is the head alone. Tuned on: no figure from here is reported as held out.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tuning import TUNING, library  # noqa: E402

from assistant.answering.decide import question_features  # noqa: E402
from assistant.evaluation import read_jsonl  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402


def probabilities(name: str, work: Path) -> tuple[np.ndarray, np.ndarray, float]:
    """(the head's probability, answerable?) for each question of a set, and the served threshold."""
    questions = read_jsonl(TUNING / f"{name}.jsonl")
    assistant = Assistant(Settings(source_dir=library(questions, work, name), index_dir=work / f"index-{name}"))
    assistant.ensure_index()
    pipeline = assistant._ready().pipeline
    probs = []
    for q in questions:
        got = pipeline.gather(q["question"], q.get("history") or [])
        ranked = pipeline.reranker.rank(got.candidates)
        x = question_features(got.plan, ranked, pipeline.vocabulary.known, pipeline.titles, got.no_answer)
        probs.append(float(pipeline.decider.head.probability(x)[0]))
    return np.array(probs), np.array([bool(q["answerable"]) for q in questions]), pipeline.decider.head.threshold


def declined_at(probs: np.ndarray, answerable: np.ndarray, k: int) -> int:
    """Near misses declined by the threshold that declines exactly the k least likely answerable questions."""
    if k <= 0:
        return int(np.sum(probs[~answerable] < np.min(probs[answerable])))
    cut = np.sort(probs[answerable])[min(k, int(answerable.sum())) - 1]
    return int(np.sum(probs[~answerable] <= cut))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", help="set names (file stems in eval/tuning/; default: all)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ccpt-tuning", help="where the libraries and indexes are kept between runs")
    args = ap.parse_args()
    names = args.sets or sorted(p.stem for p in TUNING.glob("*.jsonl"))
    unknown = [n for n in names if not (TUNING / f"{n}.jsonl").exists()]
    if unknown:
        ap.error(f"no such tuning set: {', '.join(unknown)} (eval/tuning/*.jsonl)")
    probs, answerable, threshold = [], [], 0.0
    print("| set | AUC | answerable | near misses |\n|---|---|---|---|")
    for name in names:
        p, a, threshold = probabilities(name, args.work)
        probs.append(p)
        answerable.append(a)
        auc = f"{roc_auc_score(a, p):.3f}" if 0 < a.sum() < len(a) else "-"
        print(f"| {name} | {auc} | {int(a.sum())} | {int((~a).sum())} |", flush=True)
    p, a = np.concatenate(probs), np.concatenate(answerable)
    n_answerable, n_near = int(a.sum()), int((~a).sum())
    served = int(np.sum(p[a] < threshold))
    print(f"\nall: AUC **{roc_auc_score(a, p):.3f}** over {n_answerable} answerable and {n_near} near misses; threshold {threshold:.3f}")
    print("\n| false refusals (the head alone) | near misses declined |\n|---|---|")
    for label, k in [(f"{served} (the served threshold's)", served)] + [(f"{k} ({share:.0%})", k) for share in (0.02, 0.05, 0.10) for k in [round(share * n_answerable)]]:
        print(f"| {label} | {declined_at(p, a, k)} / {n_near} |")


if __name__ == "__main__":
    main()
