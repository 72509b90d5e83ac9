"""From ``source/`` to chunks: every readable file loaded, every unreadable one reported."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .chunking import chunk_document
from .documents import DocumentError, display_name, find_documents, load_document
from .types import Chunk


@dataclass
class Ingested:
    chunks: list[Chunk] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # display name -> file content hash
    errors: list[str] = field(default_factory=list)


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:24]


def scan(source_dir: Path) -> dict[str, str]:
    """Display name -> content hash of every supported file, without parsing any.

    Cheap enough to run before every sync: when it equals what the live index was built
    from, nothing needs loading, chunking or embedding. A file that cannot even be read
    maps to "" (so it never equals a recorded hash and the slow path reports it).
    """
    out: dict[str, str] = {}
    for path in find_documents(source_dir):
        try:
            out[display_name(path, source_dir)] = file_hash(path)
        except OSError:
            out[display_name(path, source_dir)] = ""
    return out


def ingest(source_dir: Path, *, max_words: int, min_words: int) -> Ingested:
    out = Ingested()
    for path in find_documents(source_dir):
        name = display_name(path, source_dir)
        try:
            digest = file_hash(path)
            doc = load_document(path, name)
        except DocumentError as exc:
            out.errors.append(str(exc))
            continue
        except OSError as exc:
            out.errors.append(f"{name}: cannot be read ({exc.strerror or exc})")
            continue
        chunks = chunk_document(doc, max_words=max_words, min_words=min_words)
        if not chunks:
            out.errors.append(f"{name}: contains no text")
            continue
        out.sources[name] = digest
        out.chunks.extend(chunks)
    return out
