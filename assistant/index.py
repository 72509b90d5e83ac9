"""The persisted Chroma index: built aside, then switched to in one atomic step.

Layout under ``index_dir``::

    CURRENT.json        which build is live (written with os.replace: atomic)
    builds/<version>/   one Chroma store per build (chunks + sentences collections)
    .lock               held while a build runs; a second build is refused

A reader opens whatever CURRENT.json names, so an interrupted or failed build
(Ctrl-C, kill -9, a full disk) leaves the previous index serving; leftovers of
unfinished builds are removed by the next build. Only this module imports chromadb.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .chunking import CHUNKER_VERSION, content_hash
from .types import Chunk, Sentence

POINTER = "CURRENT.json"


class IndexError_(Exception):
    """The index is missing, locked or unreadable; the message says what to do."""


class IndexLockedError(IndexError_):
    pass


@dataclass(frozen=True)
class IndexInfo:
    version: str
    path: str  # build folder relative to index_dir ("" in server mode)
    built_at: str
    embedding_model: str
    chunker: str
    chunks: int
    sentences: int
    sources: dict[str, str]  # display name -> content hash of the file

    @property
    def recipe(self) -> dict[str, str]:
        return {"embedding_model": self.embedding_model, "chunker": self.chunker}


def chunker_recipe(max_words: int, min_words: int) -> str:
    return f"v{CHUNKER_VERSION}:max{max_words}:min{min_words}"


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def _chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "source": chunk.source,
        "section": chunk.section,
        "order": chunk.order,
        "content_hash": content_hash(chunk.text),
        "sentences": json.dumps([[s.start, s.end, s.speaker] for s in chunk.sentences]),
    }
    if chunk.page is not None:
        meta["page"] = chunk.page
    return meta


def _chunk_from(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    sentences = tuple(Sentence(start=s, end=e, speaker=sp) for s, e, sp in json.loads(meta.get("sentences") or "[]"))
    return Chunk(
        id=chunk_id,
        text=text,
        source=str(meta.get("source", "")),
        section=str(meta.get("section", "")),
        page=meta.get("page"),
        order=int(meta.get("order", 0)),
        sentences=sentences,
    )


class OpenIndex:
    """A loaded build: all chunks in memory (for BM25 and citations), vectors in Chroma."""

    def __init__(self, info: IndexInfo, chunks_store, sentences_store):
        self.info = info
        self._chunks_store = chunks_store
        self._sentences_store = sentences_store
        raw = chunks_store.get(include=["documents", "metadatas"])
        chunks = [_chunk_from(i, d, m) for i, d, m in zip(raw["ids"], raw["documents"], raw["metadatas"])]
        chunks.sort(key=lambda c: (c.source, c.order))
        self.chunks: list[Chunk] = chunks
        self.by_id: dict[str, Chunk] = {c.id: c for c in chunks}

    def dense_search(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first."""
        k = min(k, len(self.chunks))
        if k <= 0:
            return []
        res = self._chunks_store._collection.query(query_embeddings=[vector], n_results=k, include=["distances"])
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(res["ids"][0], res["distances"][0])]

    def sentence_vectors(self, chunk_ids: list[str]) -> dict[str, Any]:
        """Stored sentence vectors, keyed ``<chunk id>:<sentence number>``."""
        ids = [f"{cid}:{i}" for cid in chunk_ids for i in range(len(self.by_id[cid].sentences))]
        if not ids:
            return {}
        res = self._sentences_store._collection.get(ids=ids, include=["embeddings"])
        return dict(zip(res["ids"], res["embeddings"]))


class IndexStore:
    """Finds, opens and builds indexes under one folder (or on a Chroma server)."""

    def __init__(self, index_dir: Path, collection: str = "brief", chroma_url: str | None = None):
        self.index_dir = Path(index_dir)
        self.collection = collection
        self.chroma_url = chroma_url

    # ------------------------------------------------------------------ reading
    def current(self) -> IndexInfo | None:
        """The live build, or None when there is none yet."""
        pointer = self.index_dir / POINTER
        try:
            data = json.loads(pointer.read_text(encoding="utf-8"))
            info = IndexInfo(**data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as exc:
            raise IndexError_(f"{pointer} is unreadable ({exc}); run `assistant index --rebuild`") from None
        if not self.chroma_url and not (self.index_dir / info.path).is_dir():
            return None
        return info

    def _client(self, path: Path | None):
        import chromadb

        if self.chroma_url:
            from urllib.parse import urlparse

            url = urlparse(self.chroma_url)
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1", port=url.port or 8000, ssl=url.scheme == "https", settings=_chroma_settings()
            )
        return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())

    def _stores(self, client, version: str, embeddings):
        from langchain_chroma import Chroma

        prefix = f"{self.collection}-{version}" if self.chroma_url else self.collection
        config = {"hnsw": {"space": "cosine"}}
        chunks = Chroma(collection_name=f"{prefix}-chunks", embedding_function=embeddings, client=client, collection_configuration=config)
        sentences = Chroma(
            collection_name=f"{prefix}-sentences", embedding_function=embeddings, client=client, collection_configuration=config
        )
        return chunks, sentences

    def open(self, info: IndexInfo, embeddings) -> OpenIndex:
        path = None if self.chroma_url else self.index_dir / info.path
        try:
            client = self._client(path)
            chunks, sentences = self._stores(client, info.version, embeddings)
            return OpenIndex(info, chunks, sentences)
        except Exception as exc:
            raise IndexError_(f"cannot open index {info.version} ({type(exc).__name__}: {exc}); run `assistant index --rebuild`") from None

    # ------------------------------------------------------------------ building
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Refuse a second concurrent build (the lock dies with its process, even on kill -9)."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(self.index_dir / ".lock", "w")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexLockedError(f"another index build is running on {self.index_dir}; wait for it to finish") from None
            yield
        finally:
            handle.close()

    def build(
        self,
        chunks: list[Chunk],
        embeddings,
        *,
        embedding_model: str,
        chunker: str,
        sources: dict[str, str],
        progress=None,
    ) -> IndexInfo:
        """Embed and store ``chunks`` as a new build, then make it live. Call inside ``lock()``."""
        digest = hashlib.sha256("".join(sorted(c.id for c in chunks)).encode() + embedding_model.encode() + chunker.encode())
        version = time.strftime("%Y%m%d%H%M%S") + "-" + digest.hexdigest()[:8]
        builds = self.index_dir / "builds"
        builds.mkdir(parents=True, exist_ok=True)
        work = builds / f".{version}.partial"
        if work.exists():
            shutil.rmtree(work)
        client = self._client(None if self.chroma_url else work)
        chunk_store, sentence_store = self._stores(client, version, embeddings)

        sentence_ids, sentence_texts, sentence_meta = [], [], []
        for c in chunks:
            for i, text in enumerate(c.sentence_texts()):
                sentence_ids.append(f"{c.id}:{i}")
                sentence_texts.append(text)
                sentence_meta.append({"chunk_id": c.id})
        texts = [c.text for c in chunks] + sentence_texts
        vectors = embeddings.embed_documents(texts, progress=progress) if texts else []
        chunk_vectors, sentence_vectors = vectors[: len(chunks)], vectors[len(chunks) :]
        batch = 1000
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            chunk_store._collection.add(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                metadatas=[_chunk_metadata(c) for c in part],
                embeddings=chunk_vectors[start : start + batch],
            )
        for start in range(0, len(sentence_ids), batch):
            sentence_store._collection.add(
                ids=sentence_ids[start : start + batch],
                documents=sentence_texts[start : start + batch],
                metadatas=sentence_meta[start : start + batch],
                embeddings=sentence_vectors[start : start + batch],
            )
        del chunk_store, sentence_store, client

        final = builds / version
        if not self.chroma_url:
            os.replace(work, final)
        info = IndexInfo(
            version=version,
            path="" if self.chroma_url else f"builds/{version}",
            built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            embedding_model=embedding_model,
            chunker=chunker,
            chunks=len(chunks),
            sentences=len(sentence_ids),
            sources=sources,
        )
        self._publish(info)
        self._prune(keep={version})
        return info

    def _publish(self, info: IndexInfo) -> None:
        tmp = self.index_dir / f".{POINTER}.tmp"
        tmp.write_text(json.dumps(info.__dict__, indent=2), encoding="utf-8")
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, self.index_dir / POINTER)

    def _prune(self, keep: set[str]) -> None:
        """Remove unfinished builds and all but the newest two finished ones (readers may still hold the previous)."""
        builds = self.index_dir / "builds"
        if not builds.is_dir():
            return
        finished = sorted((p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)
        for p in builds.iterdir():
            if p.name.startswith(".") and p.name.endswith(".partial"):
                shutil.rmtree(p, ignore_errors=True)
        for p in finished[:-2]:
            if p.name not in keep:
                shutil.rmtree(p, ignore_errors=True)
