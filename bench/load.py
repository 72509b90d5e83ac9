"""Load test of `assistant serve` on loopback: concurrent clients, 5xx count, latency, memory, and 429s.

    .venv/bin/python bench/load.py                          # 32 clients x 60 s, then the 429 check
    .venv/bin/python bench/load.py --clients 8 --seconds 10 # a quick try
    .venv/bin/python bench/load.py --overload 128           # also: 128 clients, short client timeout

Phases (each against its own `assistant serve` on a free port, index built first):

1. ``load``: ``--clients`` clients loop for ``--seconds``; each request is /api/ask or, with
   probability ``--stream-share``, /api/ask/stream (read to the end). The rate limit is set
   high (ASSISTANT_RATE_LIMIT=1000000/minute: every client is 127.0.0.1, one rate-limit key)
   so the server itself is measured. Reported: requests, status counts, 5xx (must be 0),
   client timeouts, p50/p95/max latency, throughput, server RSS (with children) at start,
   every 5 s and at the end.
2. ``rate limit``: the default-style limit (``--limit``, default 30/minute) with 8 clients for
   10 s: how many 429s, whether each carries Retry-After, and no 5xx/timeouts.
3. ``overload`` (``--overload N``): N clients with a 10 s client timeout: do excess requests
   get 429/503 + Retry-After, or do they time out?
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from latency import load_questions, percentile, start_serve, stop  # noqa: E402


def rss_mib(pid: int) -> float:
    import psutil

    try:
        p = psutil.Process(pid)
        procs = [p, *p.children(recursive=True)]
        return round(sum(x.memory_info().rss for x in procs) / 2**20, 1)
    except psutil.Error:
        return float("nan")


async def run_phase(url: str, pid: int, questions: list[str], clients: int, seconds: float, stream_share: float, timeout: float) -> dict:
    import httpx

    statuses: Counter = Counter()
    latencies: list[float] = []
    retry_after = {"with": 0, "without": 0}
    errors: Counter = Counter()
    memory: list[tuple[float, float]] = [(0.0, rss_mib(pid))]
    start = time.perf_counter()
    deadline = start + seconds
    rng = random.Random(7)

    async def client(i: int, http: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            q = questions[rng.randrange(len(questions))]
            stream = rng.random() < stream_share
            t = time.perf_counter()
            try:
                if stream:
                    async with http.stream("POST", "/api/ask/stream", json={"question": q}) as r:
                        body = b"".join([chunk async for chunk in r.aiter_bytes()])
                        status = r.status_code
                        if status == 200 and b"event: done" not in body:
                            errors["stream without done"] += 1
                        if b"event: error" in body:
                            errors["stream error event"] += 1
                        headers = r.headers
                else:
                    r = await http.post("/api/ask", json={"question": q})
                    status, headers = r.status_code, r.headers
            except httpx.TimeoutException:
                errors["client timeout"] += 1
                continue
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] += 1
                continue
            latencies.append((time.perf_counter() - t) * 1000)
            statuses[("stream " if stream else "ask ") + str(status)] += 1
            if status in (429, 503):
                retry_after["with" if "retry-after" in headers else "without"] += 1
                await asyncio.sleep(min(float(headers.get("retry-after", 1) or 1), 2.0))

    async def sampler() -> None:
        while time.perf_counter() < deadline:
            await asyncio.sleep(5)
            memory.append((round(time.perf_counter() - start, 1), await asyncio.to_thread(rss_mib, pid)))

    limits = httpx.Limits(max_connections=clients + 8, max_keepalive_connections=clients + 8)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as http:
        await asyncio.gather(sampler(), *(client(i, http) for i in range(clients)))
    elapsed = time.perf_counter() - start
    memory.append((round(elapsed, 1), rss_mib(pid)))
    n5xx = sum(v for k, v in statuses.items() if k.split()[-1].startswith("5") and k.split()[-1] != "503")
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": sum(statuses.values()),
        "throughput_rps": round(sum(statuses.values()) / elapsed, 2),
        "statuses": dict(sorted(statuses.items())),
        "5xx_not_503": n5xx,
        "503": sum(v for k, v in statuses.items() if k.endswith(" 503")),
        "429": sum(v for k, v in statuses.items() if k.endswith(" 429")),
        "retry_after": retry_after,
        "errors": dict(errors),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "rss_mib": memory,
    }


def report(name: str, r: dict) -> None:
    mem = r["rss_mib"]
    print(
        f"{name:11}{r['clients']:>8}{r['seconds']:>7}{r['requests']:>7}{r['throughput_rps']:>8}{r['5xx_not_503']:>6}{r['503']:>6}{r['429']:>6}"
        f"{r['errors'].get('client timeout', 0):>9}{r['p50_ms']:>9}{r['p95_ms']:>9}{str(r['max_ms']):>9}{mem[0][1]:>9}{mem[-1][1]:>9}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--stream-share", type=float, default=0.25)
    ap.add_argument("--timeout", type=float, default=60, help="client timeout in the load phase, seconds")
    ap.add_argument("--limit", default="30/minute", help="rate limit for the 429 phase")
    ap.add_argument("--overload", type=int, default=0, help="clients for the overload phase (0: skip)")
    ap.add_argument("--skip-load", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    questions = [q["question"] for q in load_questions(ROOT / "eval" / "questions.jsonl") if not q.get("history")]
    work = Path(tempfile.mkdtemp(prefix="load-bench-"))
    results: dict = {"loadavg_start": os.getloadavg()}
    try:
        from assistant.service import Assistant
        from assistant.settings import Settings

        source = work / "source"
        shutil.copytree(ROOT / "source", source)
        Assistant(Settings(source_dir=source, index_dir=work / "index")).index()
        log = open(work / "serve.log", "wb")
        phases = []
        if not args.skip_load:
            phases.append(("load", "1000000/minute", args.clients, args.seconds, args.timeout))
        phases.append(("rate limit", args.limit, 8, 10.0, 30.0))
        if args.overload:
            phases.append(("overload", "1000000/minute", args.overload, 20.0, 10.0))
        for name, rate, clients, seconds, timeout in phases:
            proc, url, _ = start_serve(source, work / "index", rate_limit=rate, log=log)
            try:
                results[name] = asyncio.run(run_phase(url, proc.pid, questions, clients, seconds, args.stream_share, timeout))
                results[name]["rate_limit"] = rate
                results[name]["server_alive"] = proc.poll() is None
            finally:
                stop(proc)
        log.close()
        tail = (work / "serve.log").read_text(encoding="utf-8", errors="replace")
        results["server_tracebacks"] = tail.count("Traceback")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["loadavg_end"] = os.getloadavg()

    print(f"load average at start {results['loadavg_start'][0]:.2f}, at end {results['loadavg_end'][0]:.2f}; stream share {args.stream_share}")
    print(f"{'phase':11}{'clients':>8}{'sec':>7}{'reqs':>7}{'req/s':>8}{'5xx':>6}{'503':>6}{'429':>6}{'timeouts':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'RSS0 MiB':>9}{'RSS1 MiB':>9}")
    for name in ("load", "rate limit", "overload"):
        if name in results:
            report(name, results[name])
    for name in ("load", "rate limit", "overload"):
        if name in results:
            r = results[name]
            print(f"{name}: statuses {r['statuses']}; Retry-After on 429/503: {r['retry_after']}; errors {r['errors']}; RSS over time {r['rss_mib']}")
    print(f"server tracebacks in the log: {results['server_tracebacks']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
