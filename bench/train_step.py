"""A fine-tuning step, padded (sentence-transformers as shipped) beside unpadded (``assistant/training/unpadded.py``), in one run.

    .venv/bin/python bench/train_step.py                 # 6 batches of the served reader's real training triplets, one thread
    .venv/bin/python bench/train_step.py --batches 10 --bucket 16 --json out.json

Each batch is the reader's own: (query, evidence sentence, mined hard negative) triplets from training/ as
``assistant train`` builds them, 32 a batch. Every batch is stepped (forward, backward) both ways from the same seed,
alternating which goes first, on one thread as the training's workers run; the table gives each way's step time
(min / median / max) and the largest differences of loss and gradient, which say it is the same step.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batches", type=int, default=6, help="batches to step each way")
    ap.add_argument("--bucket", type=int, default=None, help="sentences a group (default: the recipe's unpadded_bucket)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    os.environ["TOKENIZERS_PARALLELISM"] = "false"

    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    from assistant.embeddings import SentenceEmbeddings, resolve_model_path
    from assistant.reader import RECIPE
    from assistant.settings import Settings
    from assistant.training.data import load
    from assistant.training.train import HardNegatives, _for_no_answer
    from assistant.training.unpadded import unpadded

    torch.set_num_threads(1)
    bucket = args.bucket or RECIPE["unpadded_bucket"]
    settings = Settings()
    corpus = load(settings.training_dir, max_words=settings.chunk_max_words, min_words=settings.chunk_min_words)
    rows = [r for r in HardNegatives(corpus, SentenceEmbeddings(RECIPE["base"])).examples(corpus.questions, random.Random(0)) if not _for_no_answer(r)]
    random.Random(1).shuffle(rows)
    size = RECIPE["batch_size"]
    batches = [rows[i * size : (i + 1) * size] for i in range(min(args.batches, len(rows) // size))]
    model = SentenceTransformer(str(resolve_model_path(RECIPE["base"])), device="cpu", local_files_only=True)
    model.max_seq_length = RECIPE["max_seq_length"]
    model.train()
    losses = {"padded": MultipleNegativesRankingLoss(model), "unpadded": unpadded(MultipleNegativesRankingLoss, bucket)(model)}
    times: dict[str, list[float]] = {k: [] for k in losses}
    loss_diff = grad_diff = grad_max = 0.0
    for n, batch in enumerate(batches):
        features = [dict(model.tokenize([r[c] for r in batch])) for c in range(3)]
        got = {}
        for name in sorted(losses, reverse=n % 2 == 1):  # alternate which runs first
            model.zero_grad()
            torch.manual_seed(n)
            start = time.perf_counter()
            value = losses[name]([dict(f) for f in features], None)
            value.backward()
            times[name].append(time.perf_counter() - start)
            got[name] = (value.item(), torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None]))
        loss_diff = max(loss_diff, abs(got["padded"][0] - got["unpadded"][0]))
        grad_diff = max(grad_diff, float((got["padded"][1] - got["unpadded"][1]).abs().max()))
        grad_max = max(grad_max, float(got["padded"][1].abs().max()))
        print(f"batch {n + 1}/{len(batches)}: padded {times['padded'][-1]:.2f} s, unpadded {times['unpadded'][-1]:.2f} s", file=sys.stderr)
    figures = {k: {"min": round(min(v), 2), "median": round(statistics.median(v), 2), "max": round(max(v), 2)} for k, v in times.items()}
    ratio = figures["padded"]["median"] / figures["unpadded"]["median"]
    print(f"| way | step min / median / max (s), {len(batches)} batches of {size} triplets, one thread |\n|---|---|")
    for k, f in figures.items():
        print(f"| {k}{f' (groups of {bucket})' if k == 'unpadded' else ''} | {f['min']} / {f['median']} / {f['max']} |")
    print(f"\npadded / unpadded median: {ratio:.2f}x; largest loss difference {loss_diff:.1e}, largest gradient difference {grad_diff:.1e} (largest gradient {grad_max:.1e})")
    if args.json:
        args.json.write_text(json.dumps({"steps": figures, "ratio": round(ratio, 2), "bucket": bucket, "loss_diff": loss_diff, "grad_diff": grad_diff, "grad_max": grad_max}, indent=1))


if __name__ == "__main__":
    main()
