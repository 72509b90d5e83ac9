"""Indexing throughput against the raw model, in one process and one run; then incremental updates.

    .venv/bin/python bench/indexing.py                 # the brief
    .venv/bin/python bench/indexing.py --copies 10     # 10 varied copies of the brief (bench/index_bench.py's generator)
    .venv/bin/python bench/indexing.py --json out.json

Steps, with the model loaded and warmed up first (so neither side pays for loading it):

Steps 1-2 alternate ``--repeat`` times (then one more raw encode); medians are reported.

1. ``raw encode``: ``SentenceTransformer.encode`` of exactly the texts a full build embeds
   (each distinct passage, then each distinct sentence / sentence window), same batch size,
   normalised: the ceiling.
2. ``full build``: ``Assistant.index(rebuild=True)``: parse, chunk, embed, write Chroma, fsync, switch.
4. ``no-op``: ``Assistant.index()`` with nothing changed; ``one edit``: one sentence of one file
   changed; then ``no-op`` again.

Target: full-build texts/s >= 85% of raw texts/s (same texts, same run).
Whole-process times (``assistant index`` including Python start and model load) are in bench/index_bench.py.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def build_texts(chunks) -> list[str]:
    """The texts a full build embeds, in its order (see IndexStore.sync): distinct passages, then distinct units."""
    from assistant.chunking import content_hash
    from assistant.index import _unit_rows

    passages = list({content_hash(c.text): c.text for c in chunks}.values())
    units = sorted({t for c in chunks for _, t in _unit_rows(c)})
    return passages + units


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=1, help="varied copies of the brief (1: the brief itself)")
    ap.add_argument("--repeat", type=int, default=3, help="full builds, each after a raw encode (medians reported)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    from index_bench import edit_one_sentence, make_corpus

    from assistant.embeddings import load_embeddings
    from assistant.ingest import ingest
    from assistant.service import Assistant
    from assistant.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="indexing-bench-"))
    try:
        src = make_corpus(work, args.copies)
        settings = Settings(source_dir=src, index_dir=work / "index")
        a = Assistant(settings)
        emb = load_embeddings(settings.embedding_model)
        model = emb._model
        found = ingest(src, max_words=settings.chunk_max_words, min_words=settings.chunk_min_words)
        texts = build_texts(found.chunks)
        model.encode(texts[:128], batch_size=emb.batch_size, normalize_embeddings=True)  # warm-up

        def raw() -> float:
            t = time.perf_counter()
            model.encode(texts, batch_size=emb.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
            return time.perf_counter() - t

        raws, builds = [], []
        for _ in range(args.repeat):  # interleaved, so drift on a shared machine hits both sides
            raws.append(raw())
            t = time.perf_counter()
            full = a.index(rebuild=True)
            builds.append(time.perf_counter() - t)
        raws.append(raw())
        raw_s, build_s = statistics.median(raws), statistics.median(builds)
        assert full.embedded == len(texts), (full.embedded, len(texts))

        t = time.perf_counter()
        noop = a.index()
        noop_s = time.perf_counter() - t
        edit_one_sentence(src)
        t = time.perf_counter()
        edit = a.index()
        edit_s = time.perf_counter() - t
        t = time.perf_counter()
        a.index()
        noop2_s = time.perf_counter() - t
        size = sum(p.stat().st_size for p in (work / "index").rglob("*") if p.is_file())
    finally:
        shutil.rmtree(work, ignore_errors=True)

    n = len(texts)
    res = {
        "files": max(args.copies, 1),
        "passages": full.chunks,
        "sentences": full.sentences,
        "texts_embedded": n,
        "raw_encode_runs_s": [round(x, 2) for x in raws],
        "build_runs_s": [round(x, 2) for x in builds],
        "build_vs_raw_best": round(min(raws) / min(builds), 3),
        "raw_texts_per_s": round(n / raw_s, 1),
        "build_s": round(build_s, 2),
        "build_texts_per_s": round(n / build_s, 1),
        "build_chunks_per_s": round(full.chunks / build_s, 1),
        "raw_equiv_chunks_per_s": round(full.chunks / raw_s, 1),
        "build_vs_raw": round(raw_s / build_s, 3),
        "noop_s": round(noop_s, 3),
        "noop_action": noop.action,
        "one_edit_s": round(edit_s, 3),
        "one_edit_embedded": edit.embedded,
        "one_edit_action": edit.action,
        "noop_after_edit_s": round(noop2_s, 3),
        "index_mib": round(size / 2**20, 1),
        "loadavg": os.getloadavg(),
    }
    print(f"corpus: {res['files']} file(s), {res['passages']} passages, {res['sentences']} sentences, {n} texts embedded; load average {os.getloadavg()[0]:.2f}")
    print(f"{'step':34}{'seconds':>10}{'texts/s':>10}{'chunks/s':>10}")
    print(f"{'raw SentenceTransformer.encode':34}{raw_s:>10.2f}{res['raw_texts_per_s']:>10}{res['raw_equiv_chunks_per_s']:>10}   (median of {res['raw_encode_runs_s']})")
    print(f"{'full build (index --rebuild)':34}{build_s:>10.2f}{res['build_texts_per_s']:>10}{res['build_chunks_per_s']:>10}   (median of {res['build_runs_s']})")
    print(f"{'no-op update':34}{noop_s:>10.3f}   {noop.action}")
    print(f"{'one-sentence edit':34}{edit_s:>10.3f}   {edit.action}, {edit.embedded} texts embedded")
    print(f"{'no-op after the edit':34}{noop2_s:>10.3f}")
    print(f"full build throughput = {res['build_vs_raw'] * 100:.1f}% of raw encode (target >= 85%; best run vs best run: {res['build_vs_raw_best'] * 100:.1f}%); index {res['index_mib']} MiB")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
