"""Acronyms a document spells out: "a Major Change Proposal (MCP)", "LWP (short for "Library for WWW in Perl")".

English documents name a thing in full once, with its initials beside it, then use the initials. A question about
the initials ("What does MCP stand for?", "What is CCPT?") shares no words with the sentence that spells them out,
and the reader's similarity finds that sentence no nearer than any other that uses them. Rule ``acronym``: such a
question is searched with the name the documents give the initials, so the sentence that spells it out is found
like any other, and leads the answer even where a sentence that only uses the name ranks above it ("four CCPT
consortia ... the Northern California Career Pathway Alliance"). Nothing here knows a document: the initials are
matched to the words beside them.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .candidates import Candidate

from ..text import content_terms

# Initials as a question writes them: two or more capitals ("MCP", "NCCPA", "R&D"), a plural "s" aside.
_INITIALS = re.compile(r"(?<![\w&-])([A-Z][A-Z&]*[A-Z])s?(?![\w&-])")
# Words a question about initials asks with ("What does X stand for?", "X is short for what?", "the full form of X").
_NAME_TERMS = frozenset(
    content_terms("stand stands for mean means meaning meant short acronym abbreviation abbreviated abbreviate expand expanded "
                  "expansion spell spelled spelt full form name letters actually exactly really refer refers initials")
)  # fmt: skip
# Short words a name may hold that its initials leave out ("Department of Education" is "DOE" or "DE").
_SMALL = frozenset("of and the for to in on a an at by with de la du des der von und &".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|&")
_LOOK_BACK = 4  # words beyond the initials' count that the name may span (its small words)


def asked_acronym(question: str) -> str | None:
    """The initials ``question`` asks about when it asks only what they are ("What is CCPT?", "MCP stands for?"):
    one set of initials, and no other word than those a question about a name asks with."""
    if not re.search(r"[a-z]", question):  # written in capitals throughout: its words are not initials
        return None
    found = {m.group(1) for m in _INITIALS.finditer(question)}
    if len(found) != 1:
        return None
    initials = found.pop()
    others = set(content_terms(question)) - set(content_terms(initials)) - _NAME_TERMS
    return None if others else initials


def _spells(words: list[str], letters: str) -> int | None:
    """How many of ``words`` (read from the last back) spell ``letters`` by their initials, small words aside; None
    when they do not. A hyphenated word gives one letter or one per part ("Cross-Sector": C or CS)."""
    need = list(letters)
    used = 0
    for w in reversed(words):
        if not need:
            break
        used += 1
        parts = [p for p in re.split(r"[-‐]", w) if p]
        for form in ([p[0] for p in parts], [w[0]]) if len(parts) > 1 else ([w[0]],):
            k = len(form)
            if k <= len(need) and [c.upper() for c in form] == need[-k:]:
                del need[-k:]
                break
        else:
            if w.lower() not in _SMALL:
                return None
    return used if not need and words[len(words) - used][0].upper() == letters[0] else None


def spelled_out(sentence: str, initials: str) -> str | None:
    """The name ``sentence`` gives ``initials``: the words before "(INITIALS" or inside "INITIALS (...)" whose
    initials they are; None when it gives none."""
    letters = initials.replace("&", "").upper()
    if len(letters) < 2:
        return None
    token = re.escape(initials)
    before = re.search(r"\(\s*(?:or\s+|the\s+)?" + token + r"s?(?![\w&-])", sentence)
    if before:
        words = _WORD.findall(sentence[: before.start()])[-(len(letters) + _LOOK_BACK) :]
        n = _spells(words, letters)
        if n:
            return " ".join(words[len(words) - n :])
    inside = re.search(r"(?<![\w&-])" + token + r"s?\s*\(([^()]{3,160})\)", sentence)
    if inside:
        words = _WORD.findall(inside.group(1))
        # the name opens the brackets, perhaps after "short for" or "for": read it back to front from its end
        for end in range(len(words), 0, -1):
            n = _spells(words[:end], letters)
            if n and all(w.lower() in _SMALL | {"short", "for", "or", "i.e", "ie"} for w in words[: end - n]):
                return " ".join(words[end - n : end])
    return None


class Acronyms:
    """The name each set of initials is given where the documents first spell it out."""

    _OPENED = re.compile(r"\(\s*(?:or\s+|the\s+)?([A-Z][A-Z&]*[A-Z])s?(?![\w&-])|(?<![\w&-])([A-Z][A-Z&]*[A-Z])s?\s*\(")

    def __init__(self, sentences: Iterable[str]):
        self.names: dict[str, str] = {}
        for text in sentences:
            for m in self._OPENED.finditer(text):
                initials = m.group(1) or m.group(2)
                if initials not in self.names:
                    name = spelled_out(text, initials)
                    if name:
                        self.names[initials] = name

    def name(self, initials: str) -> str | None:
        return self.names.get(initials)


def name_first(ranked: list[Candidate], initials: str) -> list[Candidate]:
    """``ranked`` with the best-ranked sentence that spells ``initials`` out moved first, at the best one's score:
    it is what the question asks (the decision to answer was taken on the reranker's own order)."""
    for n, c in enumerate(ranked):
        if spelled_out(c.text, initials):
            if n == 0:
                return ranked
            c.score = ranked[0].score
            return [c] + ranked[:n] + ranked[n + 1 :]
    return ranked
