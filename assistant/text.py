"""Small text utilities shared by chunking, retrieval and answering.

Sentence splitting is written here rather than taken from a library: NLTK's punkt
needs a data download (impossible offline) and the rule-based splitters on PyPI do
not keep character offsets through curly quotes, which citations need.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ABBREVIATIONS = {"e.g", "i.e", "etc", "mr", "mrs", "ms", "dr", "st", "vs", "no", "inc", "jr", "sr", "u.s", "fig", "approx"}

# A sentence ends at . ! or ? (optionally followed by closing quotes/brackets), then
# whitespace, then something that can start a sentence.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*(?=\s+(?:[\"“‘(\[]{0,2}[A-Z0-9$]|`[^`\s]))")  # "... at once. `timeout` sets ..." too; not a fence's "```"

# A single capital (not the pronoun "I") closing a span, and a capitalised name right after it: an initial.
_INITIAL = re.compile(r"(?<=\s)[A-HJ-Z]\.$")
_NAME_AHEAD = re.compile(r"\s+[A-Z][a-z]")

# What opens a list item: a bullet or a number ("- ", "• ", "2. ", "3) "); the documents' lines and the answers' lists read it alike.
BULLET_MARK = r"[-*+•▪–]"  # an unordered item's mark
LIST_MARKER = rf"(?:{BULLET_MARK}|\d{{1,2}}[.)])\s"
LIST_LINE = re.compile(rf"^\s*{LIST_MARKER}")

# A numbered item's marker ("1.", "12.") closing a span: it belongs to the item that follows it.
_ITEM_NUMBER = re.compile(r"(?<!\S)(\d{1,2})\.$")
# A numbered clause's number alone ("1.1.", "3.2", "10.1.4."): it belongs to the clause that follows it.
_CLAUSE_NUMBER = re.compile(r"\s*\d{1,3}(?:\.\d{1,3})+\.?\s*")


# A lettered item's marker opening a paragraph or after the end of a sentence or a colon ("... conditions: a) The ...",
# "... document. b. Affirmer ...", "... notices. (b) The ..."): a list written in running text, as a licence's clauses often are.
_LETTER_MARK = r"\(?([a-z])[.)]"  # "a.", "b)", "(c)"
_ITEM_LETTER = re.compile(rf"(?:(?<=[.!?:;])[\"'”’)\]]*\s+|^\s*)({_LETTER_MARK})\s+(?=[\"“(\[]?[A-Z])")
_LETTER_MARK_ALONE = re.compile(rf"\s*{_LETTER_MARK}\s*")


def _item_letters(text: str) -> list[int]:
    """Where lettered items open in ``text``: an "a" at its start or after a sentence's end or a colon, then each next
    letter after the one before it (so "vitamin a. The ..." alone, or "... b) ..." without an "a", is no item)."""
    cuts: list[int] = []
    last = ""
    for m in _ITEM_LETTER.finditer(text):
        letter = m.group(2)
        if letter == "a" or (last and ord(letter) == ord(last) + 1):
            cuts.append(m.start(1))
            last = letter
    return cuts


def _cut_at(spans: list[tuple[int, int]], cuts: list[int], text: str) -> list[tuple[int, int]]:
    """``spans`` cut where a lettered item opens; a marker the sentence splitter left at a span's end ("... document.
    b.") goes with the item it opens."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        inner = [c for c in cuts if s < c < e]
        for c in inner:
            if text[s:c].strip():
                out.append((s, c))
                s = c
        out.append((s, e))
    merged: list[tuple[int, int]] = []
    for s, e in out:
        if merged and _LETTER_MARK_ALONE.fullmatch(text, merged[-1][0], merged[-1][1]):
            merged[-1] = (merged[-1][0], e)  # a marker alone opens the span after it
        else:
            merged.append((s, e))
    return merged


def _opens_item(before: str, n: int) -> bool:
    """Is "n." after ``before`` a list item's number: the first after a colon, or the next after item n-1."""
    return before.rstrip().endswith(":") if n == 1 else bool(re.match(rf"\s*{n - 1}\.\s", before))

_QUOTE_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "—": " ", "–": " "})

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below between both but by
    can could did do does doing down during each few for from further had has have having he her here hers herself him himself his
    how i if in into is it its itself just me more most my myself no nor not of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there these they this those through to
    too under until up very was we were what when where which while who whom why will with would you your yours yourself
    yourselves s t don ve ll re d m o y ain aren couldn didn doesn hadn hasn haven isn mightn mustn needn shan shouldn wasn weren
    won wouldn brief report say says said tell according please give mention mentioned describe describes explain kind kinds
    thing things anything something anyone anybody someone somebody else way ways much many one ones get got make made use used well whose us let like
    """.split()
)


def fold(text: str) -> str:
    """Lower-case, curly quotes and dashes folded, accents removed: for matching, never for display."""
    text = text.translate(_QUOTE_FOLD)
    if text.isascii():  # nothing to strip (most text): 20x faster on a large corpus
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _opens_clause(text: str, at: int) -> bool:
    """The word at ``at`` is a function word ("This", "The", "It"), which opens a sentence, not a name."""
    m = re.match(r"[A-Za-z]+", text[at:])
    return bool(m) and m.group().lower() in STOPWORDS


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (whitespace trimmed)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        word = re.search(r"([\w.]+)[.!?]?[\"'”’)\]]*$", text[start:end])
        if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        if word and re.fullmatch(r"[a-z]{1,2}\.?", word.group(1)) and re.match(r"\s+`", text[end:]):
            continue  # "eg. `man foobar`": a short lower-case word before code is an abbreviation, not a sentence's end
        if word and word.group(1).rstrip(".") == "v" and re.match(r"\s+[\dA-Z]", text[end:]):
            continue  # "licence, v. 2.0", "Roe v. Wade": a lower-case "v." before a number or a name ("230 V. The ..." ends)
        if len(text[start:end].split()) < 2 and re.fullmatch(r"\s*[A-Z]\.", text[start:end]):
            continue  # an initial such as "J." is not a sentence
        if _INITIAL.search(text, start, end) and (name := _NAME_AHEAD.match(text, end)) and not _opens_clause(text, name.end() - 2):
            continue  # "written by Lee E. McMahon": a middle initial before a name does not end the sentence ("is C. This" does)
        if _CLAUSE_NUMBER.fullmatch(text, start, end):
            continue  # a bare clause number ("1.1.", "10.2") opens the sentence after it
        marker = _ITEM_NUMBER.search(text, start, end)
        if marker and not text[start : marker.start()].strip():
            continue  # a bare item number ("2.") opens the sentence after it
        if marker and _opens_item(text[start : marker.start()], int(marker.group(1))):
            # "... are: 1. Run ..." ends before the item's number, which opens the next sentence
            spans.append((start, marker.start()))
            start = marker.start()
            continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    cuts = _item_letters(text)
    if cuts:
        spans = _cut_at(spans, cuts, text)
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


_TOKEN = re.compile(r"[a-z0-9$%]+(?:[-'][a-z0-9]+)*")


def words(text: str) -> list[str]:
    """Lower-case word tokens (hyphenated compounds kept whole, possessive 's dropped: "region's" is "region")."""
    return [w[:-2] if w.endswith("'s") else w for w in _TOKEN.findall(fold(text))]


_IRREGULAR = {"led": "lead", "leading": "lead", "leads": "lead", "built": "build", "made": "make", "ran": "run", "gave": "give",
              "given": "give", "took": "take", "taken": "take", "said": "say", "paid": "pay", "spent": "spend", "kept": "keep",
              "began": "begin", "begun": "begin", "thought": "think", "brought": "bring", "taught": "teach", "found": "find",
              "children": "child", "kids": "kid", "people": "person", "money": "money", "funds": "fund", "funding": "fund", "funded": "fund"}


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix stripper: enough to match 'partnerships' with 'partnership' and 'hiring' with 'hire'."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ness", ""), ("ment", ""), ("ers", "er"), ("ed", ""), ("es", ""), ("s", ""), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + repl
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


# A one-letter command-line option ("-p", "node -e", "ninja -j 4"): in a manual it is what a section is about, though no
# word of one letter is a content word. Not a hyphen inside a word ("K-12", "a-z") nor a dash between words.
_OPTION = re.compile(r"(?<![\w-])-[A-Za-z](?![\w-])")


def content_terms(text: str) -> list[str]:
    """Stemmed content words of ``text``; hyphenated compounds also contribute their parts, and one-letter
    command-line options count as words."""
    terms: list[str] = []
    for w in words(text):
        parts = [w] + (w.split("-") if "-" in w else [])
        for p in parts:
            p = p.strip("'")
            if p and p not in STOPWORDS and (len(p) > 1 or p.isdigit()):
                terms.append(stem(p))
    if "-" in text:
        terms.extend(option.lower() for option in _OPTION.findall(text))
    return terms


def word_count(text: str) -> int:
    return len(text.split())
