"""Scale: the brief plus a generated distractor corpus of N times its size; build, size, latency, memory, recall.

    .venv/bin/python bench/scale.py --sizes 0,100              # the brief alone, then brief + 100x distractors
    .venv/bin/python bench/scale.py --sizes 2 --replicate 0    # a quick try
    .venv/bin/python bench/scale.py --sizes 100 --replicate 10 # also a 1000x index made from the 100x one (see below)

Distractors: N markdown documents, each about the brief's length, written by a word-trigram
Markov chain, with every capitalised name and every number replaced per document, so no two
documents are alike. ``--distractors`` picks what the chain learns from:

* ``varied`` (default): the prose of the docstrings of this Python installation (the standard
  library, then installed packages; about 300k words of English): other documents on other
  topics, varied text, the situation of a user who adds more documents to ``source/``.
* ``echo``: the brief's own 132 sentences. With so little to learn from, a trigram chain mostly
  re-tells the brief's sentences with the names swapped: near-copies of every answer, which
  no retriever can tell from the original when the question does not name the source. A
  worst case, reported as such.

For each size, in child processes (peak RSS from ``os.wait4``):

* ``build``: ``assistant index --rebuild`` (whole process: start, model load, parse, embed, write);
* index size on disk;
* ``query``: an ``Assistant`` over the index answers /work/shared/eval/dev.jsonl (metrics from
  ``assistant.evaluation.score``: recall@1/3/5 and answer accuracy with the distractors indexed)
  and training/questions/brief-questions.jsonl for latency (p50/p95 of ``Assistant.ask``). ``brief_recall@5`` counts
  only passages of the brief itself (a distractor that happens to repeat an evidence span does
  not count).

``--replicate K`` (embedding 1000x on this CPU would take hours): the largest built index is
copied and its distractor passages and sentence vectors are added K-1 more times under new ids,
with vectors jittered (gaussian noise, renormalised) and names in the texts changed, so the
index holds K times the distractors. Query latency, size, memory and recall are measured on it;
its build time is extrapolated linearly from the measured build (embedding dominates and is linear).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
DEV = Path("/work/shared/eval/dev.jsonl")
BRIEF_NAME = "ccpt-regional-sustainability-brief.txt"
SYLLABLES = "ka lo mi ra ten vor sul pe an dri mo ta gel bri os fen lu nar cal ix de bo rim sha".split()


# ----------------------------------------------------------------------------- corpus
def brief_sentences() -> list[str]:
    from assistant.ingest import ingest

    tmp = Path(tempfile.mkdtemp(prefix="scale-brief-"))
    try:
        (tmp / "source").mkdir()
        shutil.copy(ROOT / "source" / BRIEF_NAME, tmp / "source" / BRIEF_NAME)
        found = ingest(tmp / "source", max_words=110, min_words=30)
        return [s for c in found.chunks for s in c.sentence_texts()]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class Markov:
    def __init__(self, sentences: list[str]):
        self.next: dict[tuple[str, str], list[str]] = {}
        self.starts: list[tuple[str, str]] = []
        for s in sentences:
            w = s.split()
            if len(w) < 4:
                continue
            self.starts.append((w[0], w[1]))
            for a, b, c in zip(w, w[1:], w[2:] + ["\x00"]):
                self.next.setdefault((a, b), []).append(c)

    def sentence(self, rng: random.Random) -> str:
        a, b = rng.choice(self.starts)
        out = [a, b]
        while len(out) < 45:
            choices = self.next.get((a, b))
            if not choices:
                break
            c = rng.choice(choices)
            if c == "\x00":
                break
            out.append(c)
            a, b = b, c
        text = " ".join(out)
        return text if text[-1] in ".!?”\"" else text.rstrip(",;:") + "."


def fake_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def distractor(markov: Markov, k: int, words: int) -> str:
    rng = random.Random(k)
    names: dict[str, str] = {}

    def swap(sentence: str) -> str:
        toks = sentence.split()
        for i, t in enumerate(toks):
            core = re.sub(r"^\W+|\W+$", "", t)
            if i and core[:1].isupper() and len(core) > 1:
                names.setdefault(core, fake_name(rng))
                toks[i] = t.replace(core, names[core])
        return re.sub(r"\d+", lambda m: str(rng.randint(2, 990)), " ".join(toks))

    parts, n = [f"# {fake_name(rng)} Regional Partnership Report"], 0
    while n < words:
        parts.append(f"## {fake_name(rng)} {rng.choice(['Pathways', 'Partnerships', 'Sustainability', 'Employers', 'Funding', 'Governance'])}")
        for _ in range(rng.randint(2, 5)):
            para = " ".join(swap(markov.sentence(rng)) for _ in range(rng.randint(2, 6)))
            parts.append(para)
            n += len(para.split())
    return "\n\n".join(parts) + "\n"


def prose_sentences(max_words: int = 300_000) -> list[str]:
    """English sentences from the docstrings of this Python installation, in a fixed order."""
    import ast
    import sysconfig

    roots = [Path(sysconfig.get_paths()["stdlib"]), Path(sysconfig.get_paths()["purelib"])]
    found: list[str] = []
    total = 0
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if "test" in path.parts or "tests" in path.parts:
                continue
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
                continue
            for node in ast.walk(tree):
                if not isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    continue
                doc = ast.get_docstring(node) or ""
                for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(doc.split())):
                    n = len(sentence.split())
                    prose = sum(c.isalpha() or c.isspace() for c in sentence) / max(1, len(sentence)) > 0.9
                    if 6 <= n <= 45 and prose and not re.search(r"[`<>{}=\[\]|#*_\\]|http|>>>|\(\)", sentence):
                        found.append(sentence)
                        total += n
                        if total >= max_words:
                            return found
    return found


def make_corpus(folder: Path, size: int, kind: str = "varied") -> Path:
    src = folder / "source"
    src.mkdir(parents=True)
    shutil.copy(ROOT / "source" / BRIEF_NAME, src / BRIEF_NAME)
    if size:
        markov = Markov(prose_sentences() if kind == "varied" else brief_sentences())
        words = len((ROOT / "source" / BRIEF_NAME).read_text(encoding="utf-8").split())
        for k in range(size):
            (src / f"distractor-{k:04d}.md").write_text(distractor(markov, k, words), encoding="utf-8")
    return src


# ----------------------------------------------------------------------------- child steps
def measured(cmd: list[str], env: dict) -> dict:
    t = time.perf_counter()
    out = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out.seek(0)
    text = out.read()
    rc = os.waitstatus_to_exitcode(status)
    if rc:
        raise SystemExit(f"{' '.join(cmd)} failed ({rc}):\n{text[-3000:]}")
    return {"seconds": round(time.perf_counter() - t, 1), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1), "output": text}


def query_child(source: Path, index: Path, rounds: int) -> dict:
    """Runs in its own process: dev-set quality with the distractors, and answer latency."""
    from latency import load_questions, stats

    from assistant.evaluation import answer_record, score
    from assistant.service import Assistant
    from assistant.settings import Settings

    t = time.perf_counter()
    a = Assistant(Settings(source_dir=source, index_dir=index))
    a.warm_up()
    open_s = time.perf_counter() - t
    dev = load_questions(DEV)
    answers = {q["id"]: answer_record(q["id"], a.ask(q["question"], q.get("history") or [])) for q in dev}
    metrics, _ = score(dev, answers)
    # strict: a retrieved passage counts only if it is the brief's (distractors blanked, ranks unchanged)
    brief_ids = {c.id for c in a.chunks() if c.source.endswith(BRIEF_NAME)}
    strict = {qid: {**r, "retrieved": [x if x["chunk_id"] in brief_ids else {**x, "text": ""} for x in r["retrieved"]]} for qid, r in answers.items()}
    strict_metrics, _ = score(dev, strict)
    own = load_questions(ROOT / "training" / "questions" / "brief-questions.jsonl")
    lat, floor = [], []
    loaded = a._ready()
    for _ in range(rounds):
        for q in own:
            s = time.perf_counter()
            a.ask(q["question"], q.get("history") or [])
            lat.append((time.perf_counter() - s) * 1000)
            s = time.perf_counter()
            v = a.embeddings.embed_many([q["question"]])[0]
            loaded.index._chunks_store._collection.query(query_embeddings=[v.tolist()], n_results=a.settings.top_k, include=["distances"])
            floor.append((time.perf_counter() - s) * 1000)
    keys = ("retrieval_recall@1", "retrieval_recall@3", "retrieval_recall@5", "answer_accuracy", "citation_support", "false_refusal_rate", "refusal_accuracy")
    return {
        "open_and_warm_s": round(open_s, 2),
        "dev": {k: metrics.get(k) for k in keys},
        "brief_recall@5": strict_metrics.get("retrieval_recall@5"),
        "ask_ms": stats(lat),
        "floor_ms": stats(floor),
        "chunks": len(a.chunks()),
    }


# ----------------------------------------------------------------------------- 1000x by replication
def replicate(src_index: Path, dst_index: Path, times: int) -> dict:
    """Copy an index and add its distractor rows ``times - 1`` more times (jittered vectors, renamed texts)."""
    import chromadb
    import numpy as np

    shutil.copytree(src_index, dst_index)
    info = json.loads((dst_index / "CURRENT.json").read_text())
    client = chromadb.PersistentClient(path=str(dst_index / info["path"]))
    chunks = client.get_collection("brief-chunks")
    sents = client.get_collection("brief-sentences")
    rng = np.random.default_rng(0)
    raw = chunks.get(include=["documents", "metadatas", "embeddings"])
    rows = [(i, d, m, e) for i, d, m, e in zip(raw["ids"], raw["documents"], raw["metadatas"], raw["embeddings"]) if not str(m.get("source", "")).endswith(BRIEF_NAME)]
    units = sents.get(include=["documents", "metadatas", "embeddings"])
    by_chunk: dict[str, list] = {}
    for i, d, m, e in zip(units["ids"], units["documents"], units["metadatas"], units["embeddings"]):
        by_chunk.setdefault(m["chunk_id"], []).append((i, d, e))
    distractor_ids = {r[0] for r in rows}

    def jitter(vectors):
        v = np.asarray(vectors, dtype=np.float32)
        v = v + rng.normal(0, 0.02, v.shape).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def rename(text: str, k: int) -> str:
        return re.sub(r"\b([A-Z][a-z]{3,})\b", lambda m: m.group(1) + SYLLABLES[k % len(SYLLABLES)], text)

    added_chunks = added_units = 0
    for k in range(1, times):
        for start in range(0, len(rows), 500):
            part = rows[start : start + 500]
            ids = [f"{r[0][:16]}r{k:03d}{r[0][20:]}" for r in part]
            metas = [{**r[2], "source": r[2]["source"].replace("distractor-", f"distractor-r{k:03d}-"), "order": r[2]["order"]} for r in part]
            chunks.add(ids=ids, documents=[rename(r[1], k) for r in part], metadatas=metas, embeddings=jitter([r[3] for r in part]))
            added_chunks += len(part)
            u_ids, u_docs, u_meta, u_emb = [], [], [], []
            for new_id, r in zip(ids, part):
                for uid, d, e in by_chunk.get(r[0], []):
                    u_ids.append(new_id + uid[len(r[0]) :])
                    u_docs.append(rename(d, k))
                    u_meta.append({"chunk_id": new_id})
                    u_emb.append(e)
            for s in range(0, len(u_ids), 2000):
                sents.add(ids=u_ids[s : s + 2000], documents=u_docs[s : s + 2000], metadatas=u_meta[s : s + 2000], embeddings=jitter(u_emb[s : s + 2000]))
            added_units += len(u_ids)
    assert distractor_ids
    info["chunks"] = chunks.count()
    info["units"] = sents.count()
    info["sentences"] = info["sentences"] + sum(len(json.loads(r[2].get("sentences") or "[]")) for r in rows) * (times - 1)
    (dst_index / "CURRENT.json").write_text(json.dumps(info, indent=2))
    return {"chunks": info["chunks"], "units": info["units"], "added_chunks": added_chunks, "added_units": added_units}


def dir_mib(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


# ----------------------------------------------------------------------------- main
def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_query":
        print("RESULT " + json.dumps(query_child(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="0,100", help="distractor corpus sizes, in multiples of the brief (0: the brief alone)")
    ap.add_argument("--replicate", type=int, default=10, help="also measure an index K times the largest size, by replication (0/1: skip)")
    ap.add_argument("--rounds", type=int, default=1, help="passes over training/questions/brief-questions.jsonl for latency")
    ap.add_argument("--distractors", choices=["varied", "echo"], default="varied", help="what the distractor text is learnt from (see above)")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    exe = Path(sys.executable).with_name("assistant")
    cli = [str(exe)] if exe.exists() else [sys.executable, "-m", "assistant"]
    results = []
    try:
        for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
            folder = work / f"{size}x"
            t = time.perf_counter()
            src = make_corpus(folder, size, args.distractors)
            gen_s = time.perf_counter() - t
            env = {**os.environ, "ASSISTANT_SOURCE_DIR": str(src), "ASSISTANT_INDEX_DIR": str(folder / "index")}
            env.pop("ASSISTANT_CHROMA_URL", None)
            build = measured([*cli, "index", "--rebuild"], env)
            info = json.loads((folder / "index" / "CURRENT.json").read_text())
            q = measured([sys.executable, __file__, "_query", str(src), str(folder / "index"), str(args.rounds)], env)
            res = json.loads(q["output"].split("RESULT ", 1)[1])
            row = {
                "corpus": f"brief + {size}x {args.distractors}" if size else "brief",
                "files": size + 1, "words": sum(len(p.read_text(encoding='utf-8').split()) for p in src.iterdir()),
                "passages": info["chunks"], "vectors": info["chunks"] + (info.get("units") or 0),
                "generate_s": round(gen_s, 1), "build_s": build["seconds"], "build_peak_rss_mib": build["peak_rss_mib"],
                "index_mib": dir_mib(folder / "index"), "query_peak_rss_mib": q["peak_rss_mib"], **res,
            }  # fmt: skip
            results.append(row)
            print(json.dumps(row), flush=True)
        if args.replicate > 1 and results:
            last = results[-1]
            size = int(args.sizes.split(",")[-1])
            folder = work / f"{size}x"
            dst = work / f"{size * args.replicate}x-replicated"
            t = time.perf_counter()
            rep = replicate(folder / "index", dst, args.replicate)
            rep_s = time.perf_counter() - t
            env = {**os.environ, "ASSISTANT_SOURCE_DIR": str(folder / "source"), "ASSISTANT_INDEX_DIR": str(dst)}
            try:
                q = measured([sys.executable, __file__, "_query", str(folder / "source"), str(dst), str(args.rounds)], env)
            except SystemExit as exc:  # e.g. the index cannot be opened at this size: report it, keep the other rows
                err = str(exc).strip().splitlines()[-1][:400]
                print(f"replicated {size * args.replicate}x index: query step failed: {err}", flush=True)
                results_error = {"corpus": f"brief + {size * args.replicate}x (replicated)", "passages": rep["chunks"], "index_mib": dir_mib(dst), "error": err}
                if args.json:
                    args.json.write_text(json.dumps({"rows": results, "failed": results_error, "loadavg": os.getloadavg()}, indent=2), encoding="utf-8")
                raise
            res = json.loads(q["output"].split("RESULT ", 1)[1])
            row = {
                "corpus": f"brief + {size * args.replicate}x {args.distractors} (replicated)", "files": None, "words": None,
                "passages": rep["chunks"], "vectors": rep["chunks"] + rep["units"],
                "generate_s": round(rep_s, 1), "build_s": round(last["build_s"] * rep["chunks"] / last["passages"], 0),
                "build_extrapolated": True, "build_peak_rss_mib": None, "index_mib": dir_mib(dst),
                "query_peak_rss_mib": q["peak_rss_mib"], **res,
            }  # fmt: skip
            results.append(row)
            print(json.dumps(row), flush=True)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\nload average {os.getloadavg()[0]:.2f}")
    head = f"{'corpus':34}{'passages':>9}{'vectors':>9}{'build s':>9}{'build MiB':>10}{'index MiB':>10}{'ask p50':>9}{'ask p95':>9}{'floor p50':>10}{'query MiB':>10}{'R@5':>6}{'briefR@5':>9}{'acc':>6}"
    print(head)
    for r in results:
        b = f"~{r['build_s']:.0f}" if r.get("build_extrapolated") else f"{r['build_s']}"
        print(
            f"{r['corpus']:34}{r['passages']:>9}{r['vectors']:>9}{b:>9}{str(r['build_peak_rss_mib']):>10}{r['index_mib']:>10}"
            f"{r['ask_ms']['p50']:>9}{r['ask_ms']['p95']:>9}{r['floor_ms']['p50']:>10}{r['query_peak_rss_mib']:>10}"
            f"{str(r['dev']['retrieval_recall@5']):>6}{str(r['brief_recall@5']):>9}{str(r['dev']['answer_accuracy']):>6}"
        )
    if args.json:
        args.json.write_text(json.dumps({"rows": results, "loadavg": os.getloadavg()}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
