"""Rule `named_document`: a question that names one document of a library is answered from that document.

With two documents in a library, "Does zstd support multithreading?" was answered from the other tool's FAQ: every
word but the tool's name matched its passage on threads. A document is named by a word of its title or file name
that no other document uses at all, in its title or its text ("zstd" beside an xz FAQ that never writes it); a word
two documents share ("manual", "handling") names neither, so naming is read from the documents, never from a list.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..text import content_terms
from ..types import Chunk


def naming_terms(chunks: list[Chunk], terms: list[frozenset[str]], titles: Mapping[str, frozenset[str]]) -> dict[str, str]:
    """Each word that names one document (term -> ``Chunk.source``); none in a library of one document.
    ``terms``: each chunk's content words, section included (``content_terms``); ``titles``: each document's title and
    file-name words, as ``decide.title_terms`` gives them."""
    if len(titles) < 2:
        return {}
    used: dict[str, set[str]] = {source: set() for source in titles}
    for c, held in zip(chunks, terms):
        used.setdefault(c.source, set()).update(held)
    named: dict[str, str] = {}
    for source, terms in titles.items():
        for term in terms:
            if not any(term in others or term in used.get(other, ()) for other, others in titles.items() if other != source):
                named[term] = source
    return named


def named_document(question: str, naming: Mapping[str, str]) -> str | None:
    """The one document ``question`` names by the words it types (``naming_terms``); None when it names none or
    several ("How does zstd compare with xz?" asks of both)."""
    named = {naming[t] for t in content_terms(question) if t in naming}
    return named.pop() if len(named) == 1 else None
