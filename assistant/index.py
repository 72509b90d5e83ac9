"""The persisted Chroma index: synced incrementally, built aside, then switched to in one atomic step.

Embedded layout under ``index_dir``::

    CURRENT.json          which build is live (written with os.replace: atomic)
    builds/<version>/     one Chroma store per build (chunks + sentences collections)
    builds/.<v>.partial/  a build in progress (removed by the next build if it was interrupted)
    .lock                 held while a build runs; a second build is refused

Server layout (``chroma_url`` set; many app servers can share one Chroma server)::

    <collection>-<version>-chunks / -sentences   one pair of collections per build
    <collection>-pointer                         its metadata names the live build (one atomic update)
    <collection>-lock                            exists while a build runs (created atomically; stale ones are broken)

A reader opens whatever the pointer names, so an interrupted or failed build (Ctrl-C,
kill -9, an exception, a full disk) leaves the previous index serving; leftovers of
unfinished builds are removed by the next build. The previous build is kept, so a reader
still holding it finishes its question. Only this module imports chromadb.

How a sync works (``IndexStore.sync``): the new chunk list (from ``ingest``) is compared
with the live build by chunk id (source, text, occurrence) and by content hash (text
alone). Chunks whose id is already stored keep their vectors; chunks whose text is stored
under another id (a renamed or moved file) reuse that vector, and so do their sentences;
every sentence whose text is already stored reuses its vector (an edited passage only
embeds the chunk and the edited sentence). Only the rest is embedded, and the embedding
model is loaded only when something must be embedded. The delta is applied to a copy of
the live build (embedded mode: a file copy, then deletes/updates/adds) or to fresh
collections filled with the reused vectors (server mode), then the pointer is switched.

Why not LangChain's indexing API (``langchain_core.indexing.index`` with a record
manager): it updates one vector store in place, so readers would see a half-updated
index during a sync and a crash would leave one (no build-aside-then-switch); its record
manager is a second database that must stay consistent with Chroma (and be shared by
every app server in server mode); it keys documents by a hash that includes their
metadata, so a renamed file is re-embedded; and it knows nothing of the second,
derived collection of sentence vectors that answers are built from.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .chunking import CHUNKER_VERSION, content_hash
from .tuning import TUNING
from .types import Chunk, Sentence

POINTER = "CURRENT.json"
BATCH = 1000
_VERSION = re.compile(r"\d{17}-[0-9a-f]{8}")
STALE_LOCK_SECONDS = 6 * 3600


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
    previous: str = ""  # the build this one replaced (kept for readers still on it)
    units: int = 0  # rows of the sentences collection (sentences and windows of long sentences)

    @property
    def recipe(self) -> dict[str, str]:
        return {"embedding_model": self.embedding_model, "chunker": self.chunker}


@dataclass
class SyncResult:
    """What a sync did: ``action`` is "built" (from scratch), "updated" (a delta) or "unchanged"."""

    info: IndexInfo
    action: str
    reason: str = ""
    files: dict[str, list[str]] = field(default_factory=dict)  # added/changed/removed/renamed/unchanged -> names
    chunks: dict[str, int] = field(default_factory=dict)  # added/changed/removed/unchanged/reused -> counts
    embedded: int = 0  # texts (chunks + sentences) that went through the model


def chunker_recipe(max_words: int, min_words: int) -> str:
    """How passages are cut and searched: a change rebuilds the index (the HNSW search setting is fixed at creation)."""
    return f"v{CHUNKER_VERSION}:max{max_words}:min{min_words}:ef{TUNING.hnsw_ef_search}"


def _hnsw_configuration() -> dict:
    return {"hnsw": {"space": "cosine", "ef_search": TUNING.hnsw_ef_search}}


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def _unit_rows(chunk: Chunk) -> list[tuple[str, str]]:
    """(id, text) of every vector stored for a chunk's sentences: ``<chunk id>:<unit key>``.

    Units are the sentences and, for long ones, overlapping windows (``Chunk.units``).
    """
    units = getattr(chunk, "units", None)
    if units is None:
        return [(f"{chunk.id}:{i}", t) for i, t in enumerate(chunk.sentence_texts())]
    return [(f"{chunk.id}:{key}", text) for key, _, text in units()]


def _units_hash(chunk: Chunk) -> str:
    """Fingerprint of a chunk's sentence units: when the unit scheme changes, its units are redone."""
    return hashlib.sha256(json.dumps(_unit_rows(chunk)).encode()).hexdigest()[:16]


def _chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "source": chunk.source,
        "section": chunk.section,
        "order": chunk.order,
        "content_hash": content_hash(chunk.text),
        "units_hash": _units_hash(chunk),
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


def diff_files(old: dict[str, str], new: dict[str, str]) -> dict[str, list[str]]:
    """Files added / changed / removed / renamed ("old -> new") / unchanged, by content hash."""
    added = sorted(n for n in new if n not in old)
    removed = sorted(n for n in old if n not in new)
    renamed: list[str] = []
    by_hash: dict[str, list[str]] = {}
    for n in removed:
        by_hash.setdefault(old[n], []).append(n)
    for n in list(added):
        olds = by_hash.get(new[n])
        if olds:
            was = olds.pop(0)
            renamed.append(f"{was} -> {n}")
            added.remove(n)
            removed.remove(was)
    return {
        "added": added,
        "changed": sorted(n for n in new if n in old and old[n] != new[n]),
        "removed": removed,
        "renamed": renamed,
        "unchanged": sorted(n for n in new if n in old and old[n] == new[n]),
    }


VECTOR_CACHE_SIZE = 100_000  # sentence vectors kept per open index (~150 MiB at 384 dimensions)
# Up to this many vectors in a collection, a query is scored against every one of them (numpy; ~75 MiB at 384
# dimensions): exact, and the same on every build of the same documents. Chroma's HNSW graph is approximate and built
# differently each time: two builds of 12,000 vectors returned different neighbours for 16 of 300 queries, and two
# trainings on the same data read 3 of 16,296 candidates differently, which moved the decider's threshold.
EXACT_SEARCH_VECTORS = 50_000


@dataclass(frozen=True)
class _Held:
    """A collection's vectors in memory, for exact search and for the reranker's sentence vectors: rows in id order."""

    ids: list[str]
    matrix: Any  # float32, as stored
    inverse_norms: Any  # 1 / each row's length: scores are cosines whatever the model's normalisation
    row: dict[str, int]


def _rows(result: dict, key: str) -> list:
    value = result.get(key)
    return [] if value is None else list(value)


class OpenIndex:
    """A loaded build: all chunks in memory (for BM25 and citations), vectors in Chroma.

    Questions query the two Chroma collections directly (``chunks_collection``,
    ``sentences_collection``). Their LangChain vector stores (``_chunks_store``,
    ``_sentences_store``) are made on first use: importing ``langchain_chroma`` costs half a
    second of a new process's start, and answering a question never needs it.
    """

    def __init__(self, info: IndexInfo, chunks_collection, sentences_collection, stores: Callable[[], tuple[Any, Any]] | None = None):
        self.info = info
        self.chunks_collection = chunks_collection
        self.sentences_collection = sentences_collection
        self._make_stores = stores
        self._stores: tuple[Any, Any] | None = None
        raw = _get_all(chunks_collection, ["documents", "metadatas"])
        chunks = [_chunk_from(i, d, m) for i, d, m in zip(raw["ids"], raw["documents"], raw["metadatas"])]
        chunks.sort(key=lambda c: (c.source, c.order))
        self.chunks: list[Chunk] = chunks
        self.by_id: dict[str, Chunk] = {c.id: c for c in chunks}
        # A build never changes once live, so its sentence vectors can be kept: the same passages
        # come back question after question, and a Chroma get() costs more than the scoring.
        self._vector_cache: dict[str, Any] = {}
        self._exact: dict[str, _Held | None] = {}  # collection name -> its vectors, when it is small enough to hold
        self._exact_lock = threading.Lock()  # concurrent first questions load the vectors once, not once each

    def _langchain_stores(self) -> tuple[Any, Any]:
        if self._stores is None:
            if self._make_stores is None:
                raise RuntimeError("this index was opened without its LangChain vector stores")
            self._stores = self._make_stores()
        return self._stores

    @property
    def _chunks_store(self):
        """The passages as a LangChain ``Chroma`` vector store (made on first use)."""
        return self._langchain_stores()[0]

    @property
    def _sentences_store(self):
        """The sentence units as a LangChain ``Chroma`` vector store (made on first use)."""
        return self._langchain_stores()[1]

    def dense_search(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first."""
        return self._search(self.chunks_collection, vector, min(k, len(self.chunks)))

    def sentence_search(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """(unit id ``<chunk id>:<unit key>``, cosine similarity) best first, over sentences and their windows."""
        return self._search(self.sentences_collection, vector, min(k, self.info.units or self.info.sentences))

    def _search(self, collection, vector: list[float], k: int) -> list[tuple[str, float]]:
        """The ``k`` nearest vectors: exactly, against all of them, while the collection is small enough to hold
        (``EXACT_SEARCH_VECTORS``); through Chroma's HNSW graph beyond. Ties go to the smaller id."""
        if k <= 0:
            return []
        exact = self._exact_vectors(collection)
        if exact is None:
            res = collection.query(query_embeddings=[vector], n_results=k, include=["distances"])
            return [(cid, 1.0 - float(dist)) for cid, dist in zip(res["ids"][0], res["distances"][0])]
        import numpy as np

        scores = (exact.matrix @ np.asarray(vector, dtype=np.float32)) * exact.inverse_norms
        if k < len(scores):  # the k best without sorting them all: every row tied with the k-th, then in order
            kth = np.partition(scores, len(scores) - k)[len(scores) - k]
            rows = np.flatnonzero(scores >= kth)
        else:
            rows = np.arange(len(scores))
        best = rows[np.argsort(-scores[rows], kind="stable")][:k]  # rows are in id order: a tie goes to the smaller id
        return [(exact.ids[i], float(scores[i])) for i in best]

    def _exact_vectors(self, collection) -> _Held | None:
        """A collection's vectors, loaded on first use; None when it is too large to hold."""
        name = collection.name
        if name in self._exact:
            return self._exact[name]
        with self._exact_lock:
            if name in self._exact:
                return self._exact[name]
            held = None
            if collection.count() <= EXACT_SEARCH_VECTORS:
                import numpy as np

                ids: list[str] = []
                parts = []  # float32 as each page arrives: Chroma hands out float64, twice the memory
                for res in _pages(collection, ["embeddings"]):
                    ids.extend(res["ids"])
                    parts.append(np.asarray(res["embeddings"], dtype=np.float32))
                matrix = np.concatenate(parts) if parts else np.zeros((0, 1), dtype=np.float32)
                del parts
                order = sorted(range(len(ids)), key=ids.__getitem__)
                matrix = matrix[order]
                norms = np.linalg.norm(matrix, axis=1)
                ids = [ids[i] for i in order]
                held = _Held(ids, matrix, 1.0 / np.where(norms > 0, norms, 1.0), {i: n for n, i in enumerate(ids)})
            self._exact[name] = held  # a build never changes once live
            return held

    def sentence_vectors(self, chunk_ids: list[str]) -> dict[str, Any]:
        """Stored vectors of sentences and their windows, keyed ``<chunk id>:<unit key>`` (see Chunk.units): from the
        vectors held for exact search when they are, else from Chroma (and kept)."""
        ids = [f"{cid}:{key}" for cid in chunk_ids for key, _, _ in self.by_id[cid].units()]
        held = self._exact_vectors(self.sentences_collection)
        if held is not None:
            return {i: held.matrix[n] for i in ids if (n := held.row.get(i)) is not None}
        cache = self._vector_cache
        found = {i: v for i in ids if (v := cache.get(i)) is not None}
        missing = [i for i in ids if i not in found]
        if missing:
            res = self.sentences_collection.get(ids=missing, include=["embeddings"])
            fetched = dict(zip(res["ids"], res["embeddings"]))
            if len(cache) + len(fetched) > VECTOR_CACHE_SIZE:
                cache.clear()  # a huge corpus: start again rather than grow without bound
            cache.update(fetched)
            found.update(fetched)
        return found


class IndexStore:
    """Finds, opens and builds indexes under one folder (or on a Chroma server)."""

    def __init__(self, index_dir: Path, collection: str = "brief", chroma_url: str | None = None):
        self.index_dir = Path(index_dir)
        self.collection = collection
        self.chroma_url = chroma_url
        self._server_client = None

    # ------------------------------------------------------------------ naming
    def _names(self, version: str) -> tuple[str, str]:
        prefix = f"{self.collection}-{version}" if self.chroma_url else self.collection
        return f"{prefix}-chunks", f"{prefix}-sentences"

    @property
    def _pointer_name(self) -> str:
        return f"{self.collection}-pointer"

    @property
    def _lock_name(self) -> str:
        return f"{self.collection}-lock"

    # ------------------------------------------------------------------ reading
    def current(self) -> IndexInfo | None:
        """The live build, or None when there is none yet."""
        if self.chroma_url:
            return self._server_current()
        pointer = self.index_dir / POINTER
        try:
            data = json.loads(pointer.read_text(encoding="utf-8"))
            info = IndexInfo(**data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as exc:
            raise IndexError_(f"{pointer} is unreadable ({exc}); run `assistant index --rebuild`") from None
        if not (self.index_dir / info.path).is_dir():
            return None
        return info

    def _server_current(self) -> IndexInfo | None:
        client = self._client(None)
        try:
            meta = client.get_collection(self._pointer_name).metadata or {}
        except Exception as exc:
            if _is_not_found(exc):
                return None
            raise IndexError_(f"cannot read the index pointer on the Chroma server {self.chroma_url} ({type(exc).__name__}: {exc})") from None
        if "info" not in meta:
            return None
        try:
            return IndexInfo(**json.loads(meta["info"]))
        except (ValueError, TypeError) as exc:
            raise IndexError_(f"the index pointer on {self.chroma_url} is unreadable ({exc}); run `assistant index --rebuild`") from None

    def _client(self, path: Path | None):
        import chromadb

        if self.chroma_url:
            if self._server_client is None:
                from urllib.parse import urlparse

                url = urlparse(self.chroma_url)
                try:
                    self._server_client = chromadb.HttpClient(
                        host=url.hostname or "127.0.0.1", port=url.port or 8000, ssl=url.scheme == "https", settings=_chroma_settings()
                    )
                except Exception as exc:
                    raise IndexError_(f"cannot reach the Chroma server at {self.chroma_url} ({type(exc).__name__}: {exc})") from None
            return self._server_client
        return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())

    def _stores(self, client, version: str, embeddings):
        from langchain_chroma import Chroma

        chunks_name, sentences_name = self._names(version)
        config = _hnsw_configuration()
        chunks = Chroma(collection_name=chunks_name, embedding_function=embeddings, client=client, collection_configuration=config)
        sentences = Chroma(collection_name=sentences_name, embedding_function=embeddings, client=client, collection_configuration=config)
        return chunks, sentences

    def open(self, info: IndexInfo, embeddings) -> OpenIndex:
        path = None if self.chroma_url else self.index_dir / info.path
        try:
            client = self._client(path)
            chunks, sentences = self._raw_collections(client, info.version)  # get, never create: a pruned build is not re-made empty
            return OpenIndex(info, chunks, sentences, stores=lambda: self._stores(client, info.version, embeddings))
        except Exception as exc:
            raise IndexError_(f"cannot open index {info.version} ({type(exc).__name__}: {exc}); {_open_hint(path, exc)}") from None

    def _raw_collections(self, client, version: str, create: bool = False):
        names = self._names(version)
        if create:
            return tuple(
                client.create_collection(n, configuration=_hnsw_configuration(), embedding_function=None) for n in names
            )
        return tuple(client.get_collection(n, embedding_function=None) for n in names)

    # ------------------------------------------------------------------ locking
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Refuse a second concurrent build (the file lock dies with its process, even on kill -9).

        In server mode a lock collection on the server also keeps out builds from other
        machines; one left by a killed build is broken when its process is gone (same host)
        or it is older than ``STALE_LOCK_SECONDS``.
        """
        self.index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(self.index_dir / ".lock", "a+")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip()
                who = f" (pid {holder})" if holder.isdigit() else ""
                raise IndexLockedError(f"another index build{who} is running on {self.index_dir}; wait for it to finish") from None
            handle.truncate(0)
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            if self.chroma_url:
                with self._server_lock():
                    yield
            else:
                yield
        finally:
            handle.close()

    @contextlib.contextmanager
    def _server_lock(self) -> Iterator[None]:
        client = self._client(None)
        owner = {"host": socket.gethostname(), "pid": os.getpid(), "started": time.time()}
        for attempt in range(2):
            try:
                client.create_collection(self._lock_name, metadata=owner, embedding_function=None)
                break
            except Exception as exc:
                if attempt or not _is_exists(exc):
                    raise IndexLockedError(f"another index build holds {self._lock_name} on {self.chroma_url}; wait for it to finish") from None
                try:
                    held = client.get_collection(self._lock_name).metadata or {}
                except Exception:
                    held = {}
                if not _stale(held):
                    raise IndexLockedError(
                        f"another index build ({held.get('host')} pid {held.get('pid')}) is running on {self.chroma_url}; wait for it to finish"
                    ) from None
                with contextlib.suppress(Exception):
                    client.delete_collection(self._lock_name)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                client.delete_collection(self._lock_name)

    # ------------------------------------------------------------------ building
    def build(self, chunks: list[Chunk], embeddings, *, embedding_model: str, chunker: str, sources: dict[str, str], progress=None) -> IndexInfo:
        """Embed and store all of ``chunks`` as a new build, then make it live. Call inside ``lock()``."""
        return self.sync(
            chunks, lambda: embeddings, embedding_model=embedding_model, chunker=chunker, sources=sources, rebuild=True, progress=progress
        ).info

    def sync(
        self,
        chunks: list[Chunk],
        embeddings: Callable[[], Any],
        *,
        embedding_model: str,
        chunker: str,
        sources: dict[str, str],
        rebuild: bool = False,
        progress=None,
    ) -> SyncResult:
        """Bring the live index in line with ``chunks``; ``embeddings()`` is called only if something must be embedded.

        Call inside ``lock()``.
        """
        self._recover()
        recipe = {"embedding_model": embedding_model, "chunker": chunker}
        reason = ""
        try:
            base = self.current()
        except IndexError_:
            base, reason = None, "live index unreadable"
        if base is None:
            reason = reason or "no index yet"
        elif rebuild:
            reason = "rebuild requested"
        elif base.recipe != recipe:
            changed = [k.replace("_", " ") for k in recipe if base.recipe.get(k) != recipe[k]]
            reason = f"{' and '.join(changed)} changed"
        reuse_base = base is not None and not reason
        files = diff_files(base.sources if base else {}, sources)

        old: dict[str, dict[str, Any]] = {}  # chunk id -> metadata in the live build
        base_client = base_chunks = base_sentences = None
        base_counts = (0, 0)
        if reuse_base:
            try:
                base_client = self._client(None if self.chroma_url else self.index_dir / base.path)
                base_chunks, base_sentences = self._raw_collections(base_client, base.version)
                raw = _get_all(base_chunks, ["metadatas"])
                old = {i: _clean_meta(m) for i, m in zip(raw["ids"], raw["metadatas"])}
                base_counts = (base_chunks.count(), base_sentences.count())
            except Exception as exc:
                reuse_base, reason, old = False, f"live index unreadable ({type(exc).__name__})", {}
                base_client = base_chunks = base_sentences = None

        new_ids = {c.id for c in chunks}
        meta = {c.id: _chunk_metadata(c) for c in chunks}
        kept = [c for c in chunks if c.id in old]
        fresh = [c for c in chunks if c.id not in old]
        removed = [cid for cid in old if cid not in new_ids]
        retag = [c for c in kept if meta[c.id] != old[c.id]]  # same text, new position/section/speakers: metadata only
        reunit = [c for c in retag if meta[c.id].get("units_hash") != old[c.id].get("units_hash")]  # its sentence units are redone
        regen = fresh + reunit  # chunks whose sentence units are written

        if reuse_base and not fresh and not removed and not retag:
            info = base
            if base.sources != sources:  # e.g. a file re-saved without a change to its passages
                info = IndexInfo(**{**asdict(base), "sources": sources})
                self._publish(info)
            counts = {"added": 0, "changed": 0, "removed": 0, "unchanged": len(kept), "reused": 0}
            return SyncResult(info, "unchanged", "", files, counts)

        # Vectors to reuse: chunks by content hash, sentence units by text.
        chunk_vec: dict[str, Any] = {}
        unit_vec: dict[str, Any] = {}
        if reuse_base and regen:
            by_hash = {m["content_hash"]: cid for cid, m in old.items() if "content_hash" in m}
            wanted = {content_hash(c.text) for c in fresh} & set(by_hash)
            for _ids, docs, embs in _batched_get(base_chunks, [by_hash[h] for h in wanted], ["documents", "embeddings"]):
                for d, e in zip(docs, embs):
                    chunk_vec[content_hash(d)] = e
            # units of the chunks that go away, are matched or redone: an edited passage keeps its other sentences' vectors
            donors = sorted(set(removed) | {by_hash[h] for h in wanted} | {c.id for c in reunit})
            for docs, embs in _units_of(base_sentences, donors, ["documents", "embeddings"]):
                for d, e in zip(docs, embs):
                    unit_vec[d] = e
        reused = sum(1 for c in fresh if content_hash(c.text) in chunk_vec)

        # Embed what is new (the model is loaded only here).
        need_chunks = list({content_hash(c.text): c for c in fresh if content_hash(c.text) not in chunk_vec}.values())
        need_units = sorted({t for c in regen for _, t in _unit_rows(c) if t not in unit_vec})
        texts = [c.text for c in need_chunks] + need_units
        if texts:
            import numpy as np

            # one kind of vector for Chroma: stored ones come back as float32 arrays
            vectors = np.asarray(embeddings().embed_documents(texts, progress=progress), dtype=np.float32)
            for c, v in zip(need_chunks, vectors[: len(need_chunks)]):
                chunk_vec[content_hash(c.text)] = v
            for t, v in zip(need_units, vectors[len(need_chunks) :]):
                unit_vec[t] = v

        version = self._new_version(chunks, embedding_model, chunker)
        work = None
        copy_from = None
        if self.chroma_url:
            client = self._client(None)
            chunk_col, sent_col = self._raw_collections(client, version, create=True)
            copy_from = (base_chunks, base_sentences) if reuse_base else None
        else:
            builds = self.index_dir / "builds"
            builds.mkdir(parents=True, exist_ok=True)
            work = builds / f".{version}.partial"
            if reuse_base:
                base_client = base_chunks = base_sentences = None  # close the live build before copying it
                shutil.copytree(self.index_dir / base.path, work)
                client = self._client(work)
                chunk_col, sent_col = self._raw_collections(client, "")
                if (chunk_col.count(), sent_col.count()) != base_counts:
                    raise IndexError_(f"the copy of build {base.version} is incomplete; run `assistant index --rebuild`")
            else:
                client = self._client(work)
                chunk_col, sent_col = self._raw_collections(client, "", create=True)

        drop = removed + [c.id for c in reunit]
        if copy_from is not None:  # server mode: fresh collections, filled with the kept vectors
            for ids, docs, embs, metas in _batched_get(copy_from[0], [c.id for c in kept], ["documents", "embeddings", "metadatas"]):
                chunk_col.add(ids=ids, documents=docs, embeddings=embs, metadatas=metas)
            keep_units = [c.id for c in kept if c not in reunit]
            for docs, embs, metas, ids in _units_of(copy_from[1], keep_units, ["documents", "embeddings", "metadatas"], with_ids=True):
                sent_col.add(ids=ids, documents=docs, embeddings=embs, metadatas=metas)
        else:  # embedded mode: the copy of the live build loses what is gone
            for start in range(0, len(drop), BATCH):
                part = drop[start : start + BATCH]
                gone = [cid for cid in part if cid not in new_ids]
                if gone:
                    chunk_col.delete(ids=gone)
                sent_col.delete(where={"chunk_id": {"$in": part}})  # their sentences and sentence windows
        for start in range(0, len(retag), BATCH):
            part = retag[start : start + BATCH]
            chunk_col.update(ids=[c.id for c in part], metadatas=[meta[c.id] for c in part])
        for start in range(0, len(fresh), BATCH):
            part = fresh[start : start + BATCH]
            chunk_col.add(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                metadatas=[meta[c.id] for c in part],
                embeddings=[chunk_vec[content_hash(c.text)] for c in part],
            )
        rows = [(uid, text, c.id) for c in regen for uid, text in _unit_rows(c)]
        for start in range(0, len(rows), BATCH):
            part = rows[start : start + BATCH]
            sent_col.add(
                ids=[r[0] for r in part],
                documents=[r[1] for r in part],
                metadatas=[{"chunk_id": r[2]} for r in part],
                embeddings=[unit_vec[r[1]] for r in part],
            )
        n_sentences = sum(len(c.sentences) for c in chunks)
        n_units = sum(len(_unit_rows(c)) for c in chunks)
        if chunk_col.count() != len(chunks) or sent_col.count() != n_units:
            raise IndexError_(
                f"build {version} holds {chunk_col.count()} passages and {sent_col.count()} sentence vectors, "
                f"expected {len(chunks)} and {n_units}; run `assistant index --rebuild`"
            )
        del chunk_col, sent_col, client, base_chunks, base_sentences, base_client

        if work is not None:
            final = self.index_dir / "builds" / version
            _fsync_tree(work)
            os.replace(work, final)
        info = IndexInfo(
            version=version,
            path="" if self.chroma_url else f"builds/{version}",
            built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            embedding_model=embedding_model,
            chunker=chunker,
            chunks=len(chunks),
            sentences=n_sentences,
            sources=sources,
            previous=base.version if base else "",
            units=n_units,
        )
        self._publish(info)
        self._prune(keep={version, base.version if base else version})
        changed = _paired(fresh, removed, old)
        counts = {
            "added": len(fresh) - changed,
            "changed": changed,
            "removed": len(removed) - changed,
            "unchanged": len(kept),
            "reused": reused,
        }
        return SyncResult(info, "updated" if reuse_base else "built", reason, files, counts, embedded=len(texts))

    def _new_version(self, chunks: list[Chunk], embedding_model: str, chunker: str) -> str:
        digest = hashlib.sha256("".join(sorted(c.id for c in chunks)).encode() + embedding_model.encode() + chunker.encode())
        now = datetime.now(timezone.utc)
        return now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}-" + digest.hexdigest()[:8]

    def _publish(self, info: IndexInfo) -> None:
        payload = json.dumps(asdict(info), indent=2)
        if self.chroma_url:
            client = self._client(None)
            pointer = client.get_or_create_collection(self._pointer_name, embedding_function=None)
            pointer.modify(metadata={"info": payload})  # one row update on the server: readers see old or new
            return
        tmp = self.index_dir / f".{POINTER}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.index_dir / POINTER)

    def _recover(self) -> None:
        """Remove what interrupted builds left (inside the lock, so no build is running)."""
        if self.chroma_url:
            try:
                current = self.current()
            except IndexError_:
                return  # an unreadable pointer: keep every build until a new one is published
            self._prune(keep={current.version, current.previous} if current else set())
            return
        builds = self.index_dir / "builds"
        if builds.is_dir():
            for p in builds.iterdir():
                if p.name.startswith(".") and p.name.endswith(".partial"):
                    shutil.rmtree(p, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            (self.index_dir / f".{POINTER}.tmp").unlink()

    def _prune(self, keep: set[str]) -> None:
        """Remove unfinished builds and every finished one but ``keep`` (the live one and the one it replaced)."""
        keep = {k for k in keep if k}
        if self.chroma_url:
            client = self._client(None)
            pattern = re.compile(rf"{re.escape(self.collection)}-({_VERSION.pattern})-(chunks|sentences)")
            for col in client.list_collections():
                name = col if isinstance(col, str) else col.name
                m = pattern.fullmatch(name)
                if m and m.group(1) not in keep:
                    with contextlib.suppress(Exception):
                        client.delete_collection(name)
            return
        builds = self.index_dir / "builds"
        if not builds.is_dir():
            return
        for p in builds.iterdir():
            if p.name.startswith(".") and p.name.endswith(".partial"):
                shutil.rmtree(p, ignore_errors=True)
            elif p.is_dir() and not p.name.startswith(".") and p.name not in keep:
                shutil.rmtree(p, ignore_errors=True)


_META_KEYS = ("source", "section", "order", "content_hash", "units_hash", "sentences", "page")


def _clean_meta(meta: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (meta or {}).items() if k in _META_KEYS and v is not None}


def _open_hint(path: Path | None, exc: Exception) -> str:
    """What to do about an index that does not open: a permission problem is not cured by a rebuild."""
    text = str(exc).lower()
    unwritable = path is not None and path.exists() and any(
        not os.access(p, os.W_OK) for p in [path, *path.rglob("*")][:200]
    )
    if unwritable or "readonly" in text or "read-only" in text or "permission denied" in text:
        return (
            f"the index folder {path} is not writable by this user (Chroma writes to it even to read): "
            "fix its ownership or permissions, or point ASSISTANT_INDEX_DIR at a writable copy"
        )
    return "run `assistant index --rebuild`"


def _pages(collection, include: list[str], page: int = 5000) -> Iterator[dict]:
    """Every row of a collection, a page at a time: one get() of more than ~32k rows fails in Chroma
    ("too many SQL variables"), so a 1000x corpus could be built but never opened."""
    offset = 0
    while True:
        res = collection.get(include=include, limit=page, offset=offset)
        if not res["ids"]:
            return
        yield res
        offset += len(res["ids"])


def _get_all(collection, include: list[str], page: int = 5000) -> dict[str, list]:
    """Every row of a collection (``_pages`` joined)."""
    out: dict[str, list] = {"ids": [], **{k: [] for k in include}}
    for res in _pages(collection, include, page):
        out["ids"].extend(res["ids"])
        for k in include:
            out[k].extend(_rows(res, k))
    return out


def _batched_get(collection, ids: list[str], include: list[str]):
    """(ids, *include) in batches, in the order Chroma returns them."""
    for start in range(0, len(ids), BATCH):
        res = collection.get(ids=ids[start : start + BATCH], include=include)
        yield (list(res["ids"]), *[_rows(res, k) for k in include])


def _units_of(collection, chunk_ids: list[str], include: list[str], with_ids: bool = False):
    """The stored units of some chunks, found by their ``chunk_id`` metadata (whatever their keys), in batches."""
    for start in range(0, len(chunk_ids), 200):
        res = collection.get(where={"chunk_id": {"$in": chunk_ids[start : start + 200]}}, include=include)
        rows = [_rows(res, k) for k in include]
        yield (*rows, list(res["ids"])) if with_ids else tuple(rows)


def _paired(fresh: list[Chunk], removed: list[str], old: dict[str, dict[str, Any]]) -> int:
    """New passages that took the place of a removed one (same file, same position): "changed"."""
    gone = {(old[cid].get("source"), old[cid].get("order")) for cid in removed}
    return sum(1 for c in fresh if (c.source, c.order) in gone)


def _fsync_tree(folder: Path) -> None:
    """Flush a finished build to disk before it is published (a crash must not publish a hollow folder)."""
    for p in folder.rglob("*"):
        if p.is_file():
            with contextlib.suppress(OSError), open(p, "rb") as f:
                os.fsync(f.fileno())


def _is_not_found(exc: Exception) -> bool:
    return type(exc).__name__ in ("NotFoundError", "InvalidCollectionException") or "does not exist" in str(exc).lower()


def _is_exists(exc: Exception) -> bool:
    return type(exc).__name__ in ("UniqueConstraintError", "IDAlreadyExistsError") or "already exists" in str(exc).lower()


def _stale(held: dict[str, Any]) -> bool:
    """A lock left by a build that died: its process is gone (same host), or it is very old."""
    try:
        started, pid = float(held.get("started", 0)), int(held.get("pid", 0))
    except (TypeError, ValueError):
        return True
    if time.time() - started > STALE_LOCK_SECONDS:
        return True
    if held.get("host") == socket.gethostname() and pid > 0:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    return False
