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


def ingest(source_dir: Path, *, max_words: int, min_words: int) -> Ingested:
    out = Ingested()
    for path in find_documents(source_dir):
        name = display_name(path, source_dir)
        try:
            doc = load_document(path, name)
            out.sources[name] = file_hash(path)
        except DocumentError as exc:
            out.errors.append(str(exc))
            continue
        out.chunks.extend(chunk_document(doc, max_words=max_words, min_words=min_words))
    return out
