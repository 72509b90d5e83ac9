"""Our assistant beside the naive LangChain-tutorial baseline, on the same questions, scored the same way.

    .venv/bin/python bench/compare.py /work/shared/eval/dev.jsonl --source-dir source
    .venv/bin/python bench/compare.py training/questions/brief-questions.jsonl /work/shared/eval/dev.jsonl --source-dir source --json
    .venv/bin/python bench/compare.py Q.jsonl --source-dir docs --save-dir /tmp/cmp      # keep both answer files

For each question file, one after the other (never at the same time, so latencies stay honest):

* naive: ``bench/baseline.py QUESTIONS --source-dir DIR`` (see that file for the fixed pipeline);
* ours:  ``.venv/bin/assistant ask --jsonl QUESTIONS --source-dir DIR --index-dir TMPDIR`` with a
  fresh temporary index folder per file (``--ours-cmd`` replaces it; ``{questions}``,
  ``{source_dir}`` and ``{index_dir}`` are filled in);
* both answer files scored with ``score.py QUESTIONS ANSWERS --json`` (``--scorer``).

Prints one table per question file (metric, ours, naive), or with ``--json`` every number as one
JSON object. A side that fails (non-zero exit, timeout, no JSON answers, scorer error) is shown as
FAILED with its exit status and the end of its stderr, the other side is still reported, and the
exit status is 1.
"""
from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCORER = (ROOT / ".." / "shared" / "eval" / "score.py").resolve()
DEFAULT_OURS = f"{shlex.quote(str(ROOT / '.venv' / 'bin' / 'assistant'))} ask --jsonl {{questions}} --source-dir {{source_dir}} --index-dir {{index_dir}}"
BASELINE = ROOT / "bench" / "baseline.py"
STDERR_TAIL = 25  # lines of a failed side's stderr shown


class SideFailed(Exception):
    pass


def _tail(text: str, n: int = STDERR_TAIL) -> str:
    lines = text.rstrip().splitlines()
    return "\n".join(lines[-n:]) if lines else "(no stderr)"


def _log(msg: str) -> None:
    print(f"[compare] {msg}", file=sys.stderr, flush=True)


def run_side(name: str, cmd: list[str], answers_path: Path, timeout: float | None) -> dict:
    """Run one side; its stdout (answers JSONL) is kept as the JSON lines that hold an "id"."""
    _log(f"{name}: {shlex.join(cmd)}")
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        raise SideFailed(f"timed out after {timeout:g} s\n{_tail(err)}") from None
    except OSError as e:
        raise SideFailed(f"could not start {cmd[0]!r}: {e}") from None
    wall = time.perf_counter() - t0
    answers, junk = [], 0
    for line in proc.stdout.splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            junk += 1
            continue
        if isinstance(obj, dict) and "id" in obj:
            answers.append(obj)
        else:
            junk += 1
    if proc.returncode != 0:
        last = next((ln.strip() for ln in reversed(proc.stderr.splitlines()) if ln.strip()), "no stderr")
        raise SideFailed(f"exit status {proc.returncode} after {wall:.1f} s, {len(answers)} answers written before it stopped: {last}\n{_tail(proc.stderr)}")
    if not answers:
        raise SideFailed(f"exit status 0 but no JSON answers on stdout ({junk} other lines)\n{_tail(proc.stderr)}")
    answers_path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers), encoding="utf-8")
    info = {"wall_s": round(wall, 1), "answers": len(answers), "answers_file": str(answers_path)}
    if junk:
        info["non_answer_stdout_lines"] = junk
        _log(f"{name}: warning: {junk} stdout lines were not JSON answers (ignored)")
    return info


def score(scorer: Path, questions: Path, answers: Path) -> dict:
    proc = subprocess.run([sys.executable, str(scorer), str(questions), str(answers), "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SideFailed(f"scorer exit status {proc.returncode}\n{_tail(proc.stderr)}")
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        raise SideFailed(f"scorer printed no JSON: {proc.stdout[-500:]!r}") from None


def evaluate(name: str, build_cmd, questions: Path, answers_path: Path, scorer: Path, timeout: float | None, given: Path | None) -> dict:
    """{"ok": True, "metrics": {...}, ...} or {"ok": False, "error": "..."}; never raises."""
    try:
        if given is not None:  # score an existing answer file instead of running the side
            if not given.is_file():
                raise SideFailed(f"answers file {given} does not exist")
            info = {"answers_file": str(given), "reused": True}
            answers_path = given
        else:
            info = build_cmd(answers_path)
        return {"ok": True, **info, "metrics": score(scorer, questions, answers_path)}
    except SideFailed as e:
        _log(f"{name}: FAILED: {str(e).splitlines()[0]}")
        return {"ok": False, "error": str(e)}


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)


def table(result: dict) -> str:
    ours, naive = result["ours"], result["naive"]
    keys: list[str] = []
    for side in (ours, naive):
        for k in side.get("metrics", {}):
            if k not in keys:
                keys.append(k)
    head = f"== {result['questions']}  (source: {result['source_dir']})"
    if not keys:
        lines = [head, "no metrics: no side produced any"]
    else:
        cell = lambda side, k: _fmt(side["metrics"].get(k)) if side["ok"] else ("skipped" if side.get("skipped") else "FAILED")  # noqa: E731
        rows = [("metric", "ours", "naive")] + [(k, cell(ours, k), cell(naive, k)) for k in keys]
        w = [max(len(r[i]) for r in rows) for i in range(3)]
        fmt = lambda r: f"{r[0]:<{w[0]}}  {r[1]:>{w[1]}}  {r[2]:>{w[2]}}"  # noqa: E731
        lines = [head, fmt(rows[0]), "  ".join("-" * x for x in w)] + [fmt(r) for r in rows[1:]]
    for name, side in (("ours", ours), ("naive", naive)):
        if not side["ok"] and not side.get("skipped"):
            lines.append(f"{name} FAILED: " + side["error"].replace("\n", "\n    "))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="bench/compare.py",
        description="Run the naive LangChain-tutorial baseline (bench/baseline.py) and our assistant on the same "
        "question files and print the scorer's metrics side by side: one table (metric, ours, naive) per file.",
        epilog="Example: .venv/bin/python bench/compare.py /work/shared/eval/dev.jsonl training/questions/brief-questions.jsonl --source-dir source. "
        "Exit status 1 when either side failed on any file (the failure is printed; the other side is still reported).",
    )
    p.add_argument("questions", nargs="+", type=Path, metavar="QUESTIONS.jsonl", help="one or more question files (one table each)")
    p.add_argument("--source-dir", required=True, type=Path, metavar="DIR", help="documents both sides answer from")
    p.add_argument(
        "--ours-cmd",
        default=DEFAULT_OURS,
        metavar="CMD",
        help="command that writes our answers JSONL to stdout; {questions}, {source_dir}, {index_dir} (a fresh temp folder per file) "
        "are filled in (default: %(default)s)",
    )
    p.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, metavar="PATH", help="score.py to use (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print every number as one JSON object instead of tables")
    p.add_argument("--save-dir", type=Path, metavar="DIR", help="keep both answer files here (<stem>.ours.jsonl / <stem>.naive.jsonl; <i>-<stem> with several files)")
    p.add_argument("--timeout", type=float, default=3600.0, metavar="S", help="seconds allowed to each side per file (default: %(default)s)")
    p.add_argument("--only", choices=("ours", "naive"), help="run only this side (the other column shows 'skipped')")
    p.add_argument("--ours-answers", type=Path, action="append", metavar="FILE", help="score this existing answer file as ours instead of running it (once per question file, in order)")
    p.add_argument("--naive-answers", type=Path, action="append", metavar="FILE", help="likewise for the naive side")
    args = p.parse_args(argv)

    if not args.source_dir.is_dir():
        p.error(f"--source-dir {args.source_dir} is not a folder")
    for q in args.questions:
        if not q.is_file():
            p.error(f"question file {q} does not exist")
    if not args.scorer.is_file():
        p.error(f"scorer {args.scorer} not found (use --scorer)")
    for flag, given in (("--ours-answers", args.ours_answers), ("--naive-answers", args.naive_answers)):
        if given is not None and len(given) != len(args.questions):
            p.error(f"{flag} must be given once per question file ({len(args.questions)})")
    try:
        shlex.split(args.ours_cmd)
    except ValueError as e:
        p.error(f"--ours-cmd: {e}")

    source_dir = args.source_dir.resolve()
    work = Path(tempfile.mkdtemp(prefix="compare-"))
    save = args.save_dir
    if save:
        save.mkdir(parents=True, exist_ok=True)
    results = []
    skipped = {"ok": False, "skipped": True, "error": "skipped (--only)"}
    try:
        for i, qfile in enumerate(args.questions):
            # Both sides and the scorer read one snapshot of the file, even if it changes meanwhile.
            qpath = work / f"{i}-{qfile.name}"
            try:
                shutil.copyfile(qfile, qpath)
            except OSError as e:
                err = {"ok": False, "error": f"could not read {qfile}: {e}"}
                results.append({"questions": str(qfile), "source_dir": str(args.source_dir), "ours": err, "naive": err})
                if not args.json:
                    print(table(results[-1]) + "\n", flush=True)
                continue
            out_dir = save or work
            stem = qfile.stem if len(args.questions) == 1 else f"{i}-{qfile.stem}"

            def run_naive(dest: Path, qpath=qpath) -> dict:
                return run_side("naive", [sys.executable, str(BASELINE), str(qpath), "--source-dir", str(source_dir)], dest, args.timeout)

            def run_ours(dest: Path, qpath=qpath) -> dict:
                index_dir = Path(tempfile.mkdtemp(prefix="ours-index-", dir=work))
                fill = {"questions": str(qpath), "source_dir": str(source_dir), "index_dir": str(index_dir)}
                cmd = [tok.format(**fill) for tok in shlex.split(args.ours_cmd)]
                try:
                    return run_side("ours", cmd, dest, args.timeout)
                finally:
                    shutil.rmtree(index_dir, ignore_errors=True)

            ours_given = args.ours_answers[i] if args.ours_answers else None
            naive_given = args.naive_answers[i] if args.naive_answers else None
            naive = skipped if args.only == "ours" else evaluate("naive", run_naive, qpath, out_dir / f"{stem}.naive.jsonl", args.scorer, args.timeout, naive_given)
            ours = skipped if args.only == "naive" else evaluate("ours", run_ours, qpath, out_dir / f"{stem}.ours.jsonl", args.scorer, args.timeout, ours_given)
            result = {"questions": str(qfile), "source_dir": str(args.source_dir), "ours": ours, "naive": naive}
            if not save:  # the temp answer files are removed at the end
                for side in (ours, naive):
                    if side.get("answers_file", "").startswith(str(work)):
                        side.pop("answers_file")
            results.append(result)
            if not args.json:
                print(table(result) + "\n", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if args.json:
        print(json.dumps({"source_dir": str(args.source_dir), "scorer": str(args.scorer), "files": results}, indent=2))
    failed = any(not r[s]["ok"] and not r[s].get("skipped") for r in results for s in ("ours", "naive"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
