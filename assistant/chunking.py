"""Structure-aware chunks: paragraphs inside one section, cut only at sentence boundaries.

LangChain's splitters cut by character counts and lose sentence offsets; answers
here cite exact sentences and chunks must never cross a heading, so chunks are
assembled from the cleaner's sentence records instead.
"""
from __future__ import annotations

import hashlib
from itertools import groupby

from .documents import Paragraph, SourceDocument
from .quotes import attribute
from .text import word_count
from .types import Chunk, Sentence

CHUNKER_VERSION = "38"  # bump when documents read into other chunks or sentences (boundaries or text), so indexes rebuild (and the reader, whose key hashes it, refits)


def _chunk_id(source: str, text: str, occurrence: int) -> str:
    digest = hashlib.sha256(f"{source}\x00{text}\x00{occurrence}".encode()).hexdigest()
    return digest[:24]


def content_hash(text: str) -> str:
    """Hash of a passage's text alone: equal texts share embeddings even across files."""
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _pieces(paragraph: list[tuple[str, str | None, int | None]], max_words: int) -> list[list[tuple[str, str | None, int | None]]]:
    """Split one paragraph's sentences into balanced runs of at most ``max_words`` words."""
    total = sum(word_count(s) for s, _, _ in paragraph)
    if total <= max_words:
        return [paragraph]
    parts = -(-total // max_words)
    target = total / parts
    out: list[list[tuple[str, str | None, int | None]]] = [[]]
    words = 0
    for k, item in enumerate(paragraph):
        n = word_count(item[0])
        # Cut near the balanced size, but not inside a quotation: a speaker's sentences stay together
        # (unless the piece would grow past twice the limit).
        same_voice = k > 0 and item[1] is not None and item[1] == paragraph[k - 1][1]
        piece_words = sum(word_count(t) for t, _, _ in out[-1])
        if out[-1] and words + n / 2 > target * len(out) and len(out) < parts and (not same_voice or piece_words + n > 2 * max_words):
            out.append([])
        out[-1].append(item)
        words += n
    return out


def chunk_document(doc: SourceDocument, *, max_words: int = 110, min_words: int = 30) -> list[Chunk]:
    """Chunks of one document in reading order."""
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    order = 0
    for (section, _part), group in groupby(doc.paragraphs, key=lambda p: (p.section, p.part)):
        paragraphs: list[Paragraph] = list(group)
        flat = [s.text for p in paragraphs for s in p.sentences]
        speakers = iter(attribute(flat))
        # (text, speaker, page) per sentence, kept by paragraph
        para_items = [[(s.text, next(speakers), s.page) for s in p.sentences] for p in paragraphs]
        # Join short paragraphs to the next one of the same section.
        merged: list[list[tuple[str, str | None, int | None]]] = []
        for items in para_items:
            if merged and sum(word_count(t) for t, _, _ in merged[-1]) < min_words and sum(
                word_count(t) for t, _, _ in merged[-1] + items
            ) <= max_words * 1.5:
                merged[-1] = merged[-1] + items
            else:
                merged.append(items)
        if len(merged) > 1 and sum(word_count(t) for t, _, _ in merged[-1]) < min_words:
            tail = merged.pop()
            merged[-1] = merged[-1] + tail
        for items in merged:
            for piece in _pieces(items, max_words):
                text = ""
                sentences: list[Sentence] = []
                for sentence_text, speaker, _page in piece:
                    if text:
                        text += " "
                    sentences.append(Sentence(start=len(text), end=len(text) + len(sentence_text), speaker=speaker))
                    text += sentence_text
                occurrence = seen.get(text, 0)
                seen[text] = occurrence + 1
                chunks.append(
                    Chunk(
                        id=_chunk_id(doc.source, text, occurrence),
                        text=text,
                        source=doc.source,
                        section=section,
                        page=piece[0][2],
                        order=order,
                        sentences=tuple(sentences),
                    )
                )
                order += 1
    return chunks
