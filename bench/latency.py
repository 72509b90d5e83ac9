"""Answer latency against its floor, in one run: in-process, over HTTP, and the first streamed event.

    .venv/bin/python bench/latency.py                      # training/questions/brief-questions.jsonl, 2 rounds, HTTP included
    .venv/bin/python bench/latency.py --rounds 1 --no-http --json out.json

Rows (p50 / p95 / mean, milliseconds):

* ``floor``: one query embedding (``embed_many([q])``) plus one Chroma query of the passage
  collection (top_k) for each question: the cost no design can avoid.
* ``embed`` and ``chroma query`` alone, the two halves of the floor.
* ``retrieval``: the hybrid search (passages, sentences, BM25, fusion).
* ``Assistant.ask``: the whole in-process answer (the ratio to the floor is the target: <= 3x).
* ``HTTP /api/ask``: round trip to ``assistant serve`` on a free loopback port (client side).
* ``stream first event`` / ``stream whole``: ``/api/ask/stream``, first ``event:`` line and end.

Questions come from training/questions/brief-questions.jsonl (follow-ups with their history). The index is built
in a temp folder from source/ unless --index-dir points at one.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def stats(values: list[float]) -> dict:
    return {"n": len(values), "p50": round(percentile(values, 50), 1), "p95": round(percentile(values, 95), 1), "mean": round(statistics.fmean(values), 1) if values else None}


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(source: Path, index: Path, *, rate_limit: str = "1000000/minute", extra_env: dict | None = None, log=None):
    """``assistant serve`` on a free port; returns (process, base url, seconds to a 200 from /api/health)."""
    import httpx

    port = free_port()
    env = {**os.environ, "ASSISTANT_SOURCE_DIR": str(source), "ASSISTANT_INDEX_DIR": str(index), "ASSISTANT_RATE_LIMIT": rate_limit, **(extra_env or {})}
    env.pop("ASSISTANT_CHROMA_URL", None)
    exe = Path(sys.executable).with_name("assistant")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "assistant"]
    started = time.perf_counter()
    proc = subprocess.Popen([*cmd, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log or subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"assistant serve exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return proc, url, time.perf_counter() - started
        except httpx.HTTPError:
            pass
        if time.perf_counter() - started > 600:
            proc.kill()
            raise SystemExit("assistant serve was not healthy within 600 s")
        time.sleep(0.05)


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def prepare_index(index_dir: Path | None, work: Path) -> tuple[Path, Path]:
    from assistant.service import Assistant
    from assistant.settings import Settings

    if index_dir is not None:
        return ROOT / "source", index_dir
    source = work / "source"
    shutil.copytree(ROOT / "source", source)
    Assistant(Settings(source_dir=source, index_dir=work / "index")).index()
    return source, work / "index"


def in_process(source: Path, index: Path, questions: list[dict], rounds: int) -> dict:
    from assistant.service import Assistant
    from assistant.settings import Settings

    a = Assistant(Settings(source_dir=source, index_dir=index))
    a.warm_up()
    loaded = a._ready()
    emb = a.embeddings
    coll = loaded.index._chunks_store._collection
    k = a.settings.top_k
    rows: dict[str, list[float]] = {"embed": [], "chroma query": [], "floor": [], "read+retrieve+features": [], "Assistant.ask": []}
    for _ in range(rounds):
        for q in questions:
            text = " ".join(q["question"].split())
            t0 = time.perf_counter()
            v = emb.embed_many([text])[0]
            t1 = time.perf_counter()
            coll.query(query_embeddings=[v.tolist()], n_results=k, include=["distances"])
            t2 = time.perf_counter()
            rows["embed"].append((t1 - t0) * 1000)
            rows["chroma query"].append((t2 - t1) * 1000)
            rows["floor"].append((t2 - t0) * 1000)
            history = [tuple(t) for t in q.get("history") or []]
            t3 = time.perf_counter()
            loaded.pipeline.gather(text, history)  # read + retrieve + candidate features
            rows["read+retrieve+features"].append((time.perf_counter() - t3) * 1000)
            t4 = time.perf_counter()
            a.ask(q["question"], q.get("history") or [])
            rows["Assistant.ask"].append((time.perf_counter() - t4) * 1000)
    return {name: stats(v) for name, v in rows.items()}


def over_http(source: Path, index: Path, questions: list[dict], rounds: int) -> dict:
    import httpx

    proc, url, cold = start_serve(source, index)
    rows: dict[str, list[float]] = {"HTTP /api/ask": [], "stream first event": [], "stream whole": []}
    try:
        with httpx.Client(base_url=url, timeout=120) as c:
            c.post("/api/ask", json={"question": "What is this brief about?"})
            for _ in range(rounds):
                for q in questions:
                    body = {"question": q["question"], "history": q.get("history") or []}
                    t = time.perf_counter()
                    r = c.post("/api/ask", json=body)
                    rows["HTTP /api/ask"].append((time.perf_counter() - t) * 1000)
                    r.raise_for_status()
                    t = time.perf_counter()
                    first = None
                    with c.stream("POST", "/api/ask/stream", json=body) as s:
                        s.raise_for_status()
                        for line in s.iter_lines():
                            if first is None and line.startswith("event:"):
                                first = time.perf_counter()
                    end = time.perf_counter()
                    rows["stream first event"].append(((first or end) - t) * 1000)
                    rows["stream whole"].append((end - t) * 1000)
    finally:
        stop(proc)
    out = {name: stats(v) for name, v in rows.items()}
    out["_cold_start_s"] = round(cold, 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", type=Path, default=ROOT / "training" / "questions" / "brief-questions.jsonl")
    ap.add_argument("--rounds", type=int, default=2, help="passes over the question set (default 2)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N questions (0: all)")
    ap.add_argument("--index-dir", type=Path, help="a built index of source/ (default: build one in a temp folder)")
    ap.add_argument("--no-http", action="store_true", help="skip the HTTP and streaming rows")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()

    questions = load_questions(args.questions)
    if args.limit:
        questions = questions[: args.limit]
    work = Path(tempfile.mkdtemp(prefix="latency-bench-"))
    try:
        source, index = prepare_index(args.index_dir, work)
        results = in_process(source, index, questions, args.rounds)
        if not args.no_http:
            results.update(over_http(source, index, questions, args.rounds))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    floor = results["floor"]["p50"]
    ratio = round(results["Assistant.ask"]["p50"] / floor, 2) if floor else None
    results["_ratio_ask_p50_to_floor_p50"] = ratio
    results["_questions"] = len(questions)
    results["_rounds"] = args.rounds
    results["_loadavg"] = os.getloadavg()

    print(f"{len(questions)} questions x {args.rounds} rounds from {args.questions.name}; load average {os.getloadavg()[0]:.2f}")
    print(f"{'':22}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'mean ms':>10}")
    for name, s in results.items():
        if not name.startswith("_"):
            print(f"{name:22}{s['n']:>6}{s['p50']:>10}{s['p95']:>10}{s['mean']:>10}")
    print(f"Assistant.ask p50 / floor p50 = {ratio}x (target <= 3x)")
    if "_cold_start_s" in results:
        print(f"(assistant serve -> healthy: {results['_cold_start_s']} s)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
