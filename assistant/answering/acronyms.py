"""Acronyms a document spells out: "the Regional Water Board (RWB)", "HPA (short for "Harbour Pilots Association")".

English documents name a thing in full once, with its initials beside it, then use the initials. A question about
the initials ("What does RWB stand for?", "What is the RWB?") shares no words with the sentence that spells them out,
and the reader's similarity finds that sentence no nearer than any other that uses them. Rule ``acronym``: such a
question is searched with the name the documents give the initials, so the sentence that spells it out is found
like any other. When one of the ranked sentences spells them out, it answers and leads the answer, even where a
sentence that only repeats the name's words ranks above it; when the question asks what they stand for and the
documents never spell them out, they do not say.
Nothing here knows a document: the initials are matched to the words beside them.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .candidates import Candidate

from ..text import content_terms

# Initials as a question writes them: two or more capitals ("RWB", "HPA", "R&D"), a plural "s" aside.
_INITIALS = re.compile(r"(?<![\w&-])([A-Z][A-Z&]*[A-Z])s?(?![\w&-])")
# Words a question about initials asks with ("What does X stand for?", "X is short for what?", "the full form of X").
_NAME_TERMS = frozenset(
    content_terms("stand stands for mean means meaning meant short acronym abbreviation abbreviated abbreviate expand expanded "
                  "expansion spell spelled spelt full form name letters actually exactly really refer refers initials")
)  # fmt: skip
# ... of which these ask for the name itself, whatever else the question says ("the guide mentions the RWB a lot - what
# does RWB stand for?"); "What is X?" may ask what X is or does, which a document can say without spelling X out.
_ASKS_NAME = re.compile(
    r"\b(?:stands?\s+for|short\s+for|acronym|abbreviat\w*|expan(?:d|sion)|full\s+(?:form|name)|spell(?:ed|t)?\s+out)\b", re.I
)  # fmt: skip
# Short words a name may hold that its initials leave out ("Department of Education" is "DOE" or "DE").
_SMALL = frozenset("of and the for to in on a an at by with de la du des der von und &".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|&")
_LOOK_BACK = 4  # words beyond the initials' count that the name may span (its small words)
# What sets initials apart from the name a glossary's entry gives them: "RWB: Regional ...", "RWB = ...", "RWB - Regional ...",
# "RWB — Regional ...", perhaps after a short aside ("RWB (W) - Regional Water Board"); not the hyphen of "RWB-funded".
_GLOSSED = r"(?:[:=]|\s[-–—]{1,2}|[–—])"
_LOOSE_MIN_LETTERS = 3  # initials a name in capitals without brackets is taken for (``Acronyms.loose_name``)
_PREFIX = 3  # a word may give its first letters, up to this many ("Relocation Read-Only" is RELRO, "forward acknowledgement" FACK)


def asked_acronym(question: str) -> tuple[str, bool] | None:
    """The initials ``question`` asks about, and whether it asks for the name they stand for: one set of initials,
    and either a question that asks for their name ("What does RWB stand for?", "what's HPA short for?") or one that
    names nothing else ("What is the RWB?", "RWB = ?"). None for any other question."""
    if not re.search(r"[a-z]", question) and len(re.findall(r"[A-Za-z]+", question)) > 2:
        return None  # written in capitals throughout ("WHAT IS THE BOARD?"): its words are not initials
    found = {m.group(1) for m in _INITIALS.finditer(question)}
    if len(found) != 1:
        return None
    initials = found.pop()
    token = re.escape(initials)
    means = re.search(  # "what does X (actually) mean", "the meaning of X"; not "what does charset mean in an X context"
        r"\bwhat\s+(?:does|do|did)\s+(?:the\s+)?" + token + r"s?\s+(?:\w+\s+)?mean|\bmeaning\s+of\s+(?:the\s+)?" + token, question, re.I
    )
    if _ASKS_NAME.search(question) or means:
        return initials, True
    others = set(content_terms(question)) - set(content_terms(initials)) - _NAME_TERMS
    return None if others else (initials, False)


def _supplies(word: str) -> list[str]:
    """The letters a word may give a set of initials, most likely first: its first letter; one per part of a
    hyphenated word ("Cross-Sector": CS); the first letters of a word in capitals ("CUDA" in CUPTI: CU, CUD)."""
    out = [word[0].upper()]
    parts = [p for p in re.split(r"[-‐]", word) if p]
    if len(parts) > 1:
        out.insert(0, "".join(p[0] for p in parts).upper())
    if sum(ch.isupper() for ch in word) >= 2:
        out += [word[:k].upper() for k in range(2, len(word) + 1)]
    elif word[0].isupper() or word.islower():
        out += [word[:k].upper() for k in range(2, min(len(word), _PREFIX) + 1)]  # "Relocation Read-Only": RELRO
    return out


def _spells(words: list[str], letters: str) -> int | None:
    """How many of ``words``, read from the last back, spell ``letters`` by their initials (a small word may be left
    out, or give its letter: "Department of Education", DOE); None when they do not. The name opens and ends on a word
    that is not a small one ("Office of Foreign Assets Control" for OFAC, not "of Foreign Assets Control")."""

    def match(end: int, need: str) -> int | None:
        if not need:
            return 0 if end < len(words) and words[end].lower() not in _SMALL else None
        if end == 0:
            return None
        w = words[end - 1]
        for given in _supplies(w):
            if need.endswith(given):
                rest = match(end - 1, need[: -len(given)])
                if rest is not None:
                    return rest + 1
        if w.lower() in _SMALL:
            rest = match(end - 1, need)
            if rest is not None:
                return rest + 1
        return None

    if not words or words[-1].lower() in _SMALL:  # nor ends on one ("Regional Water Board, the body ...")
        return None
    n = match(len(words), letters)
    return n if n and n >= 2 else None  # a name of two words at least: "ftp (FTP)" names nothing


def spelled_out(sentence: str, initials: str) -> str | None:
    """The name ``sentence`` gives ``initials``: the words before "(INITIALS" or those that open "INITIALS (...)" or
    "INITIALS: ..." whose initials they are; None when it gives none."""
    letters = initials.replace("&", "").upper()
    if len(letters) < 2:
        return None
    token = re.escape(initials)
    before = re.search(r"\(\s*(?:or\s+|the\s+)?[\"“']?" + token + r"s?[\"”']?(?![\w&-])", sentence)
    if before:
        words = _WORD.findall(sentence[: before.start()])[-(len(letters) + _LOOK_BACK) :]
        n = _spells(words, letters)
        if n:
            return " ".join(words[len(words) - n :])
    inside = re.search(r"(?<![\w&-])" + token + r"s?\s*(?:\(([^()]{3,160})\)|(?:\([^()]{1,20}\)\s*)?" + _GLOSSED + r"\s*([^.;:()]{3,160}))", sentence)
    if inside:
        words = _WORD.findall(inside.group(1) or inside.group(2))
        # the name opens the brackets, perhaps after "short for" or "for": read it back to front from its end
        for end in range(len(words), 0, -1):
            n = _spells(words[:end], letters)
            if n and all(w.lower() in _SMALL | {"short", "for", "or", "i.e", "ie"} for w in words[: end - n]):
                return " ".join(words[end - n : end])
    return None


class Acronyms:
    """The name each set of initials is given where the documents first spell it out. Built when an index is loaded:
    only sentences with brackets, a colon or a dash are read then; the runs of capitalised words ``loose_name`` reads are
    gathered at its first question."""

    _OPENED = re.compile(
        r"\(\s*(?:or\s+|the\s+)?[\"“']?([A-Z][A-Z&]*[A-Z])s?[\"”']?(?![\w&-])|(?<![\w&-])([A-Z][A-Z&]*[A-Z])s?\s*(?:\(|" + _GLOSSED + ")"
    )

    def __init__(self, sentences: Iterable[str]):
        self.sentences = list(sentences)
        self.names: dict[str, str] = {}
        for text in self.sentences:
            if not any(mark in text for mark in "(:=-–—"):
                continue
            for m in self._OPENED.finditer(text):
                initials = m.group(1) or m.group(2)
                if initials not in self.names:
                    name = spelled_out(text, initials)
                    if name:
                        self.names[initials] = name
        self._capitalised: list[list[str]] | None = None  # runs of capitalised words (small words between)
        self._loose_names: dict[str, str | None] = {}  # initials -> ``_loose``'s name, or None

    def name(self, initials: str) -> str | None:
        return self.names.get(initials)

    def initials_of(self, text: str) -> list[str]:
        """The initials the documents give a name ``text`` writes out in full ("the Regional Water Board" -> RWB) and
        does not give itself (rule `short_name`): after spelling a name out once, a document uses its initials."""
        folded = " " + " ".join(_WORD.findall(text)).lower() + " "
        return [
            initials for initials, name in self.names.items()
            if f" {name.lower()} " in folded and not re.search(r"(?<![\w&-])" + re.escape(initials) + r"s?(?![\w&-])", text)
        ]  # fmt: skip

    def loose_name(self, initials: str) -> str | None:
        """The first words in capitals whose initials these are, where no brackets tie them to the initials ("Short for
        *Unicode Transformation Format*." in a glossary's entry on UTF; "the Technical Steering Committee meeting" in a
        guide that writes TSC everywhere else): what they may stand for. Three letters at least: two capitalised words
        in a row are common by chance ("Los Angeles", "New York" for LA or NY among other meanings)."""
        return self._loose(initials) if len(initials.replace("&", "")) >= _LOOSE_MIN_LETTERS else None

    def may_name(self, initials: str) -> bool:
        """Do the documents hold words in capitals whose initials these are? Then what they stand for may be said, and
        a question about it is not declined for want of brackets."""
        return self._loose(initials) is not None

    def _loose(self, initials: str) -> str | None:
        if initials not in self._loose_names:
            letters = initials.replace("&", "").upper()
            self._loose_names[initials] = next(
                (
                    " ".join(run[end - n : end])
                    for run in self._runs()
                    for end in range(len(run), 0, -1)
                    if run[end - 1][0].upper() == letters[-1] and (n := _spells(run[:end], letters))
                ),
                None,
            )
        return self._loose_names[initials]

    def _runs(self) -> list[list[str]]:
        if self._capitalised is None:
            self._capitalised = []
            for text in self.sentences:
                run: list[str] = []
                for w in _WORD.findall(text) + ["."]:
                    if w[0].isupper() or (run and w.lower() in _SMALL):
                        run.append(w)
                        continue
                    while run and run[-1].lower() in _SMALL:
                        run.pop()
                    if len(run) >= 2:
                        self._capitalised.append(run)
                    run = []
        return self._capitalised


# An aside that gives a thing's short name: "(or Ash Light, run by ...)", "(HPA, based in ...)", "(aka the Wren)";
# not "(run by the county)" nor "(Isle Dun Harbour Trust)", which say something else of it.
_ASIDE_NAME = re.compile(
    r"\(\s*(?:(?:or|aka|a\.k\.a\.|also known as|also called|known as)\s+(?:the\s+)?([^,;()]{2,40}?)|([A-Z][A-Z0-9&-]*[A-Z0-9]))\s*[,;)]"
)


def aside_name(item: str) -> str | None:
    """The short name an item of a list gives itself in brackets ("the Point Ash light (or Ash Light, run by the
    county)" -> "Ash Light"): the name the document speaks of it by afterwards (rule `short_name`)."""
    m = _ASIDE_NAME.search(item)
    if not m:
        return None
    name = (m.group(1) or m.group(2)).strip()
    return name if len(name.split()) <= 4 else None


def name_first(ranked: list[Candidate], initials: str, loose: str | None = None) -> list[Candidate]:
    """``ranked`` with the best-ranked sentence that spells ``initials`` out moved first, at the best one's score: it
    is what the question asks; failing that, the best that gives their ``loose`` name (``Acronyms.loose_name``).
    ``ranked`` itself when none does."""
    found = next((n for n, c in enumerate(ranked) if spelled_out(c.text, initials)), None)
    if found is None and loose:
        words = _WORD.findall(loose)
        found = next((n for n, c in enumerate(ranked) if _holds_words(_WORD.findall(c.text), words)), None)
    if found is None:
        return ranked
    c = ranked[found]
    c.score = max(c.score, ranked[0].score)
    return [c] + ranked[:found] + ranked[found + 1 :]


def _holds_words(text: list[str], name: list[str]) -> bool:
    """Does ``text`` (its words) hold the words of ``name`` in a row, as written?"""
    return any(text[i : i + len(name)] == name for i in range(len(text) - len(name) + 1))
