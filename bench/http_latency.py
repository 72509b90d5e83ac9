"""Latency of the HTTP API: cold start of `assistant serve` and /api/ask over N sequential questions.

    python bench/http_latency.py                       # starts `assistant serve` on a free port
    python bench/http_latency.py --url http://127.0.0.1:7860   # measures a running server

Starting the server itself (the default) also measures the cold start: the seconds from
launching `assistant serve` to the first 200 from /api/health. Point ASSISTANT_INDEX_DIR
at a built index to measure start-up rather than an index build.
Prints p50/p95/mean/max of the /api/ask round trip (client side, includes HTTP and JSON).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from assistant.settings import Settings  # noqa: E402
from latency import start_serve, stop  # noqa: E402  (one way to start and stop `assistant serve` for every benchmark)
QUESTIONS = [
    "What did leaders learn from CCPT?",
    "How did consortia build coalitions of the willing?",
    "What structures did regions create for regional action?",
    "How can systems change sustain career pathways?",
    "Why did the grant period make partnerships hard?",
    "What did the Fresno leader say about one-time funding?",
    "What is the role of intermediaries in the regions?",
    "How did leaders approach sustainability from the start?",
    "What did the Tulare-Kings consortium do?",
    "What should future state initiatives do differently?",
    "What is the best recipe for banana bread?",  # a refusal is part of the mix
]


def eval_questions() -> list[str]:
    path = ROOT / "eval" / "questions.jsonl"
    found = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                q = json.loads(line).get("question")
            except (ValueError, AttributeError):
                continue
            if isinstance(q, str) and q.strip() and not json.loads(line).get("history"):
                found.append(q)
    return found or QUESTIONS


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="A running server; default: start `assistant serve` on a free port.")
    parser.add_argument("-n", type=int, default=100, help="Questions to ask, sequentially (default 100).")
    args = parser.parse_args()

    proc = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        settings = Settings()  # the configured source and index, relative to the project like `assistant serve` here
        source, index = (p if p.is_absolute() else ROOT / p for p in (Path(settings.source_dir), Path(settings.index_dir)))
        proc, base, cold = start_serve(source, index, rate_limit=os.environ.get("ASSISTANT_RATE_LIMIT", "100000/minute"))
        print(f"cold start (assistant serve -> healthy /api/health): {cold:.2f} s")
    try:
        questions = eval_questions()
        times, server_ms, refused = [], [], 0
        with httpx.Client(base_url=base, timeout=60) as client:
            client.post("/api/ask", json={"question": questions[0]})  # one warm-up request, not counted
            for i in range(args.n):
                q = questions[i % len(questions)]
                t = time.perf_counter()
                r = client.post("/api/ask", json={"question": q})
                times.append((time.perf_counter() - t) * 1000)
                r.raise_for_status()
                body = r.json()
                server_ms.append(body.get("latency_ms", 0.0))
                refused += bool(body.get("refused"))
        print(f"/api/ask, {args.n} sequential questions ({len(set(questions))} distinct, {refused} refused):")
        print(f"  p50 {percentile(times, 50):.1f} ms   p95 {percentile(times, 95):.1f} ms   mean {statistics.mean(times):.1f} ms   max {max(times):.1f} ms")
        print(f"  service time (answer.latency_ms): p50 {percentile(server_ms, 50):.1f} ms   p95 {percentile(server_ms, 95):.1f} ms")
    finally:
        if proc is not None:
            stop(proc)


if __name__ == "__main__":
    main()
