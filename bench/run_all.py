"""Every benchmark in one go, with the machine described: what BENCHMARKS.md reports.

    .venv/bin/python bench/run_all.py --out /tmp/bench-results          # the full set (about 45 min on 2 busy cores)
    .venv/bin/python bench/run_all.py --quick --out /tmp/bench-quick     # small sizes: checks the scripts (~10 min)
    .venv/bin/python bench/run_all.py --only latency,quality

Each benchmark runs as its own process, one after another (they would distort each other),
its table printed and saved as ``<name>.txt`` and ``<name>.json`` under ``--out``, with the
load average before and after, in ``machine.json``. The long runs (``load``: 32 clients x 60 s,
``scale``: 100x varied distractors + a replicated 1000x, ``scale_echo``: 100x near-copies of
the brief) are not part of the test suite.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
EXE = str(Path(PY).with_name("assistant"))
DEV = "/work/shared/eval/dev.jsonl"


def plan(quick: bool, out: Path) -> dict[str, list[str]]:
    j = lambda name: ["--json", str(out / f"{name}.json")]  # noqa: E731
    return {
        "indexing": [PY, "bench/indexing.py", "--repeat", "1" if quick else "3", *j("indexing")],
        "latency": [PY, "bench/latency.py", "--rounds", "1" if quick else "2", *(["--limit", "10"] if quick else []), *j("latency")],
        "cold_start": [PY, "bench/cold_start.py", "--runs", "1" if quick else "3", *j("cold_start")],
        "train_step": [PY, "bench/train_step.py", "--batches", "2" if quick else "6", *j("train_step")],
        "quality_dev": [EXE, "eval", DEV, "--json"],
        "quality_own": [EXE, "eval", "--json"],
        "load": [PY, "bench/load.py", *(["--clients", "4", "--seconds", "8"] if quick else ["--overload", "128"]), *j("load")],
        "scale": [PY, "bench/scale.py", *(["--sizes", "0,2", "--replicate", "3"] if quick else ["--sizes", "0,100", "--replicate", "10"]), *j("scale")],
        "scale_echo": [PY, "bench/scale.py", "--distractors", "echo", *(["--sizes", "2", "--replicate", "0"] if quick else ["--sizes", "100", "--replicate", "0"]), *j("scale_echo")],
    }


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        cpu = [ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")]
        info["cpu"] = cpu[0] if cpu else None
        mem = [ln for ln in open("/proc/meminfo") if ln.startswith("MemTotal")]
        info["memory_gib"] = round(int(mem[0].split()[1]) / 2**20, 1) if mem else None
    except OSError:
        pass
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        pass
    for pkg in ("chromadb", "sentence_transformers", "fastapi", "uvicorn"):
        try:
            info[pkg] = __import__(pkg).__version__
        except (ImportError, AttributeError):
            pass
    try:
        info["git_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        info["git_dirty"] = bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout.strip())
    except OSError:
        pass
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench-results"))
    ap.add_argument("--quick", action="store_true", help="small sizes, to check the scripts")
    ap.add_argument("--only", default="", help="comma-separated subset of: indexing,latency,cold_start,train_step,quality_dev,quality_own,load,scale")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    steps = plan(args.quick, args.out)
    wanted = [s for s in args.only.split(",") if s] or list(steps)
    info = machine()
    info["runs"] = {}
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False"}
    for name in wanted:
        cmd = steps[name]
        shown = " ".join(c.replace(PY, ".venv/bin/python").replace(EXE, ".venv/bin/assistant") for c in cmd)
        print(f"\n===== {name}: {shown}", flush=True)
        before = os.getloadavg()
        t = time.perf_counter()
        with open(args.out / f"{name}.txt", "w", encoding="utf-8") as log:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for line in proc.stdout:
                if line.startswith("Loading weights"):
                    continue
                sys.stdout.write(line)
                log.write(line)
            rc = proc.wait()
        info["runs"][name] = {"command": shown, "rc": rc, "seconds": round(time.perf_counter() - t, 1), "loadavg_before": before, "loadavg_after": os.getloadavg()}
        if name.startswith("quality") and rc == 0:
            text = (args.out / f"{name}.txt").read_text(encoding="utf-8").strip().splitlines()
            (args.out / f"{name}.json").write_text(text[-1] + "\n", encoding="utf-8")
        (args.out / "machine.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
