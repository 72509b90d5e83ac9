"""What a document is about: rule ``overview``.

A question about a document as a whole ("What is this guide about?", "Summarize the report", "What are the main
findings?") names nothing of it, so no sentence is near it: the reader declined it or answered with a sentence at
random. English writing says what a document is about at its opening. The answer reads it from the first of the
document's first sentences whose words the rest of the document uses: a site's navigation ("Press S or / to search
in the book") shares none of them, a title page few, a summary most. The question is read by its words alone, from
short lists of general English that name a document and ask for its gist; the answer is read from the document, and
nothing here knows one.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..text import content_terms, words
from ..tuning import TUNING, Tuning
from ..types import Chunk

# What a question calls a document ...
DOCUMENT_WORDS = frozenset(
    "document doc docs brief report paper text article guide manual page file files source sources faq study publication "
    "piece memo chapter handbook book spec specification policy licence license tutorial essay".split()
)
# ... the gist it asks for ...
_GIST = frozenset(
    "about summary summarize summarise summarized summarised summarizing overview gist purpose main point points key takeaway "
    "takeaways finding findings conclusion conclusions argument arguments message theme themes topic topics cover covers "
    "tldr tl dr abstract recap outline aim aims goal essence".split()
)
# ... and the words around them ("Can you give me a quick overview of this report in a few sentences, please?").
_AROUND = frozenset(
    "give me tell say says said describe explain please quick quickly short brief briefly few sentence sentences line lines "
    "word words overall general high level whole entire big picture basically mostly really mainly "
    # the form the asker wants it in ("in three bullet points", "in plain English", "as a short paragraph")
    "bullet bullets bulleted paragraph paragraphs plain simple simply english terms layman one two three four five 1 2 3 4 5 "
    # ... and a greeting before it ("hey, what's this guide about in a nutshell?")
    "hey hi hello nutshell".split()
)
# ... and the words that ask about every document at once ("What are these documents about?", "summarize the docs")
_ALL_DOCUMENTS = frozenset("documents docs files sources papers reports guides manuals pages texts articles these them all both each".split())
_ALLOWED = {t for w in DOCUMENT_WORDS | _GIST | _AROUND | _ALL_DOCUMENTS for t in content_terms(w)}


def asks_overview(question: str, leans_on_history: bool) -> bool:
    """Does ``question`` ask what the documents as a whole are about? Every word it names is one that names a document
    or asks for a gist, and it asks for a gist; a question that leans on the previous turn ("what is it about?") asks
    about what that turn spoke of, unless it names the document ("so what is this report about?")."""
    said = set(words(question))
    if not said & _GIST or set(content_terms(question)) - _ALLOWED:
        return False
    return not leans_on_history or bool(said & DOCUMENT_WORDS)


def asks_about_all(question: str) -> bool:
    """Does a question about the documents as a whole ask about all of them ("What are these documents about?")?"""
    return bool(set(words(question)) & _ALL_DOCUMENTS)


def opening(chunks: Sequence[Chunk], max_words: int, tuning: Tuning = TUNING) -> list[tuple[Chunk, int]]:
    """The sentences of one document's opening (``chunks``, in order) that say what it is about: of its first
    ``overview_window`` sentences of some length, from the first whose words the rest of the document uses (at least
    ``overview_floor`` of its content words are in another of its passages), ``overview_sentences`` in reading order
    within ``max_words``."""
    used = {c.id: set(content_terms(c.text)) for c in chunks}
    passages = Counter(t for terms in used.values() for t in terms)

    def topical(chunk: Chunk, text: str) -> bool:
        terms = set(content_terms(text))
        elsewhere = sum(1 for t in terms if passages[t] - (t in used[chunk.id]) > 0)
        return bool(terms) and elsewhere >= tuning.overview_floor * len(terms)

    early = [(c, n, t) for c in chunks for n, t in enumerate(c.sentence_texts()) if len(t.split()) >= tuning.overview_min_words]
    early = early[: tuning.overview_window]
    first = next((k for k, (c, _, t) in enumerate(early) if topical(c, t)), None)
    if first is None:
        return []
    chosen: list[tuple[Chunk, int]] = []
    total = 0
    for c, n, t in early[first : first + tuning.overview_sentences]:
        total += len(t.split())
        if chosen and total > max_words:
            break
        chosen.append((c, n))
    return chosen
