"""Rule `definition`: "What is a widget?" is answered where the documents say "A widget is ...".

A copular sentence whose subject is the term asked about defines it, in any English document. Retrieval
ranks passages by all the words of a passage, so in a document that names the term on every page its
defining sentence can fall outside the passages the reranker reads; this finds it by its shape and lets
it join them. The reranker still decides whether it answers.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from ..types import Chunk

# "what is a tide gauge?", "in plain terms, what's a slipway?", "define moorage", "what does the guide mean by a 'berth'?"
_OPENERS = r"(?:(?:so|ok|okay|and|but|then|in\s+(?:plain|simple)\s+(?:terms|english|words)|simply\s+put|basically|quick\s+question)[\s,:]+)*"
_ASKS = re.compile(
    r"^\W*" + _OPENERS + r"(?:(?:what|who)(?:'s|\s+is|\s+are)\s+(?:exactly\s+|actually\s+|really\s+|basically\s+)?"
    r"|define\s+|what\s+(?:does|do)\s+(?:the\s+\w+|you|they|it)\s+mean\s+by\s+|what\s+is\s+meant\s+by\s+)"
    r"(?:an?\s+|the\s+)?(?P<term>[^?!.,;:()]+?)\s*(?:,?\s*(?:exactly|actually|really|again|anyway|then|here))?\s*[?!.]*$",
    re.I,
)
_NOT_TERM = re.compile(r"\b(?:is|are|was|were|do|does|did|can|could|should|would|will|i|you|we|my|your|it|this|that|these|those|there|difference|best|way)\b", re.I)
_QUOTES = r"[\"'`‘’“”*_]*"  # marks around or inside a term ("the `Source` form", '"Editions" are ...')
_RELATION = re.compile(r"\s(?:of|for|in|on|from|to|with|by|about|between)\s")
MAX_TERM_WORDS = 5
# what may follow the term in a defining sentence: "A widget (or gadget) is ...", "Widgets are ...", "A widget means ..."
_COPULA = r"s?[\"'`’”*_]*\s*(?:\([^)]{0,80}\)\s*)?,?\s*(?:is|are|(?:shall\s+)?means?|refers\s+to|denotes|stands\s+for)\b"


def defined_term(asked: str) -> str | None:
    """The term ``asked`` asks to have defined, or None: a question that is only "what is X?" (or "define X", "what
    does the guide mean by X?") of a short X that is not a clause ("what is it you need?", "what's the best way")."""
    m = _ASKS.match(asked.strip())
    if not m:
        return None
    term = re.sub(r"\s+for$", "", m.group("term").strip())  # "what is the <blank> element for?"
    term = " ".join(re.sub(r"[\"'`‘’“”*_]", " ", term).split())
    if not term or len(term.split()) > MAX_TERM_WORDS or _NOT_TERM.search(term):
        return None
    if term[0].islower() and _RELATION.search(term):
        return None  # "the default value of --limit", "a cookie jar in LWP terms": a property of a thing, not a term; a name may hold one ("Harbour Trust for the Isles")
    return term


class Definitions:
    """The sentences of an index that define a term, found by their shape ("A <term> is ..."). Sentences are kept by
    their opening word (after an article), so a question reads only those that open on its term's first word."""

    def __init__(self, chunks: Iterable[Chunk]):
        self.by_opening: dict[str, list[tuple[Chunk, int, str]]] = {}
        for chunk in chunks:
            for i, text in enumerate(chunk.sentence_texts()):
                opening = _opening_word(text)
                if opening:
                    self.by_opening.setdefault(opening, []).append((chunk, i, text))

    def of(self, term: str) -> list[tuple[Chunk, int]]:
        words = [re.escape(w) for w in term.split()]
        if len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
            words[-1] = words[-1][:-1]  # "widgets": "A widget is ..." defines them too (the pattern takes an "s")
        pattern = re.compile(r"^\W*(?:(?:an?|the)\s+)?" + _QUOTES + (_QUOTES + r"[\s\-]+" + _QUOTES).join(words) + _COPULA, re.I)
        opening = _opening_word(term)
        return [(chunk, i) for chunk, i, text in self.by_opening.get(opening, []) if pattern.match(text)] if opening else []


def _opening_word(text: str) -> str:
    """The first word of ``text`` after an article, lower case, without marks ("A `widget` is" -> "widget")."""
    found = re.match(r"^[\W_]*(?:(?:an?|the)\s+)?[\W_]*([^\W_]+)", text, re.I)
    return found.group(1).lower() if found else ""
