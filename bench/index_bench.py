"""Index build benchmark: full build, no-op incremental and one-sentence-edit incremental.

Each step runs the real command (``assistant index``) in a child process, timed by wall
clock; peak memory is the child's maximum resident set size (``os.wait4`` rusage).
Corpora: the brief itself, and N copies of it (default 100) whose text is varied per copy
(a town name is woven into every line, so passages are not identical across copies).

    .venv/bin/python bench/index_bench.py                 # brief and 100x
    .venv/bin/python bench/index_bench.py --copies 0      # the brief only
    .venv/bin/python bench/index_bench.py --json out.json
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRIEF = ROOT / "source" / "ccpt-regional-sustainability-brief.txt"
ASSISTANT = [sys.executable, "-m", "assistant"]
TOWNS = (
    "Arbor Bay Cedar Delta Elm Fern Glen Harbor Iris Juniper Kestrel Laurel Maple Nova Oak Pine Quail Ridge Sage Tide "
    "Umber Vale Willow Yarrow Zephyr Alder Birch Clover Dune Ember"
).split()


SUFFIXES = ("Springs", "Falls", "Heights", "Park", "Landing", "Crossing", "Point", "Hollow")


def town(k: int) -> str:
    """A distinct two-word name per copy (no digits: the cleaner strips digits glued to words as footnote marks)."""
    return f"{TOWNS[k % len(TOWNS)]} {SUFFIXES[k // len(TOWNS) % len(SUFFIXES)]}"


def varied_copy(text: str, k: int) -> str:
    """The brief with a town name woven into every line that has a lowercase "the"."""
    name = town(k)
    return "\n".join(re.sub(r"\bthe\b", f"the {name}", line, count=1) for line in text.split("\n"))


def make_corpus(folder: Path, copies: int) -> Path:
    src = folder / "source"
    src.mkdir(parents=True)
    text = BRIEF.read_text(encoding="utf-8")
    if copies <= 1:
        shutil.copy(BRIEF, src / BRIEF.name)
    else:
        for k in range(copies):
            (src / f"brief-{k:03d}.txt").write_text(varied_copy(text, k), encoding="utf-8")
    return src


def edit_one_sentence(src: Path) -> None:
    path = sorted(src.iterdir())[0]
    text = path.read_text(encoding="utf-8")
    old = "must interview with a cross-sector hiring "
    assert old in text
    path.write_text(text.replace(old, "must interview with a student and parent advisory ", 1), encoding="utf-8")


def measured(args: list[str], env: dict[str, str]) -> dict:
    """Like ``run`` but with the child's own peak memory, via os.wait4."""
    started = time.perf_counter()
    out_f = tempfile.TemporaryFile("w+")
    err_f = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen(args, env=env, stdout=out_f, stderr=err_f, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    out_f.seek(0)
    err_f.seek(0)
    out = out_f.read()
    lines = [ln for ln in out.splitlines() if ln.strip()]
    return {
        "seconds": round(wall, 2),
        "peak_mib": round(usage.ru_maxrss / 1024, 1),
        "rc": proc.returncode,
        "summary": " ".join(lines[-2:]) if lines else "",
        "stderr": err_f.read()[-400:] if proc.returncode else "",
    }


def bench(name: str, copies: int, workdir: Path) -> dict:
    folder = workdir / name
    src = make_corpus(folder, copies)
    env = {**os.environ, "ASSISTANT_SOURCE_DIR": str(src), "ASSISTANT_INDEX_DIR": str(folder / "index"), "TOKENIZERS_PARALLELISM": "false"}
    env.pop("ASSISTANT_CHROMA_URL", None)
    result = {"corpus": name, "files": max(copies, 1)}
    result["full_build"] = measured([*ASSISTANT, "index", "--rebuild"], env)
    result["noop"] = measured([*ASSISTANT, "index"], env)
    edit_one_sentence(src)
    result["one_sentence_edit"] = measured([*ASSISTANT, "index"], env)
    result["noop_after_edit"] = measured([*ASSISTANT, "index"], env)
    current = json.loads((folder / "index" / "CURRENT.json").read_text())
    result["passages"], result["sentences"], result["units"] = current["chunks"], current["sentences"], current.get("units")
    size = sum(p.stat().st_size for p in (folder / "index").rglob("*") if p.is_file())
    result["index_mib"] = round(size / 2**20, 1)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=100, help="size of the large corpus (0 skips it)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = ap.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="index-bench-"))
    results = []
    try:
        plans = [("brief", 1)] + ([(f"{args.copies}x", args.copies)] if args.copies > 1 else [])
        for name, copies in plans:
            r = bench(name, copies, workdir)
            results.append(r)
            print(f"\n== {name}: {r['files']} file(s), {r['passages']} passages, {r['sentences']} sentences, {r['units']} sentence vectors, index {r['index_mib']} MiB")
            for step in ("full_build", "noop", "one_sentence_edit", "noop_after_edit"):
                s = r[step]
                print(f"  {step:18s} {s['seconds']:8.2f} s wall   peak {s['peak_mib']:7.1f} MiB   rc={s['rc']}   {s['summary'][-150:]}")
                if s["rc"]:
                    print("    " + s["stderr"])
            sys.stdout.flush()
    finally:
        if args.json:
            args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
