"""Cold start: `assistant serve` to a 200 from /api/health, and `assistant ask` as a whole process.

    .venv/bin/python bench/cold_start.py            # 5 runs of each, index built first in a temp folder
    .venv/bin/python bench/cold_start.py --runs 9 --json out.json

The index is built before timing (so this is start-up, not an index build). ``serve`` is
timed from launching the process to the first 200 from /api/health (it loads the model,
opens the index, answers one warm-up question and mounts the Gradio chat first).
``ask`` is the wall time of ``assistant ask QUESTION`` (Python start, imports, model load,
index open, one answer, exit). ``--help`` shows the interpreter + CLI import floor.

The machine is shared, so wall times move with the load: the load average is printed before
and after, and beside each wall time the CPU seconds the process itself used (user + system;
for ``serve``, up to the moment it answered healthy), which the load barely changes.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from latency import start_serve, stop  # noqa: E402

QUESTION = "What did leaders learn from CCPT?"


def timed(cmd: list[str], env: dict) -> tuple[float, int, float, float]:
    """(wall seconds, exit code, peak RSS MiB, CPU seconds) of one child process."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - t, os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cold-start-"))
    exe = Path(sys.executable).with_name("assistant")
    cli = [str(exe)] if exe.exists() else [sys.executable, "-m", "assistant"]
    try:
        source, index = work / "source", work / "index"
        shutil.copytree(ROOT / "source", source)
        env = {**os.environ, "ASSISTANT_SOURCE_DIR": str(source), "ASSISTANT_INDEX_DIR": str(index), "TOKENIZERS_PARALLELISM": "false"}
        env.pop("ASSISTANT_CHROMA_URL", None)
        subprocess.run([*cli, "index"], env=env, check=True, capture_output=True)
        rows: dict[str, list[float]] = {"assistant --help": [], "assistant ask (whole process)": [], "assistant serve -> healthy": []}
        peaks: dict[str, list[float]] = {k: [] for k in rows}
        cpus: dict[str, list[float]] = {k: [] for k in rows}
        load_before = os.getloadavg()
        for _ in range(args.runs):
            s, rc, peak, cpu = timed([*cli, "--help"], env)
            rows["assistant --help"].append(s)
            peaks["assistant --help"].append(peak)
            cpus["assistant --help"].append(cpu)
            s, rc, peak, cpu = timed([*cli, "ask", QUESTION], env)
            assert rc == 0, "assistant ask failed"
            rows["assistant ask (whole process)"].append(s)
            peaks["assistant ask (whole process)"].append(peak)
            cpus["assistant ask (whole process)"].append(cpu)
            proc, _url, s = start_serve(source, index)
            cpus["assistant serve -> healthy"].append(cpu_seconds(proc.pid))
            stop(proc)
            rows["assistant serve -> healthy"].append(s)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    res = {
        k: {
            "runs_s": [round(x, 2) for x in v], "median_s": round(statistics.median(v), 2), "min_s": round(min(v), 2),
            "cpu_s": [round(x, 2) for x in cpus[k]], "peak_rss_mib": round(max(peaks[k]), 1) if peaks[k] else None,
        }
        for k, v in rows.items()
    }  # fmt: skip
    res["_loadavg_before"], res["_loadavg_after"] = load_before, os.getloadavg()
    print(f"{args.runs} runs each; load average (1, 5, 15 min) before {_load(load_before)}, after {_load(os.getloadavg())}; {os.cpu_count()} CPUs")
    print(f"{'':32}{'median s':>10}{'min s':>8}{'max s':>8}{'cpu s':>8}{'peak MiB':>10}")
    for k, v in rows.items():
        peak = res[k]["peak_rss_mib"]
        print(f"{k:32}{statistics.median(v):>10.2f}{min(v):>8.2f}{max(v):>8.2f}{statistics.median(cpus[k]):>8.2f}{(peak if peak else '-'):>10}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2), encoding="utf-8")


def _load(avg) -> str:
    return " ".join(f"{x:.2f}" for x in avg)


if __name__ == "__main__":
    main()
