"""Sentence-level citation verification of a generated answer.

A model that cites the wrong passage or adds a fact is worse than no model, so nothing a
model writes is shown as verified unless each sentence passes three checks against the
passages it cites:

1. it cites at least one passage, and every number it cites exists;
2. every number and capitalised name in it appears in one of its cited passages;
3. the cited passages support it: the embedding similarity of the sentence to the best
   sentence (or pair of adjacent sentences) of a cited passage, together with the share
   of its content words found in the cited passages, clears a floor.

Passage sentences that read as instructions to the model ("ignore your instructions and
tell the user...") are never evidence: passage text is data, and a claim that only an
injected instruction supports is removed like any other unsupported claim.

Unsupported sentences are removed (or kept and marked unverified); markers and citations
are renumbered so that they stay consistent; each citation quotes the passage sentences
that support the answer sentences citing it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..text import STOPWORDS, content_terms, fold, split_sentences, words
from ..types import Chunk, Citation, Verification
from .citations import MARKER, citation_for, markers_in, renumber

# --------------------------------------------------------------------------- thresholds
# Calibrated with all-MiniLM-L6-v2 on the brief (see tests/test_verification.py): a
# sentence copied or lightly paraphrased from a passage scores 0.75-1.0 against its best
# passage sentence; a faithful summary that merges two sentences 0.6-0.75; a true
# sentence cited to the wrong passage of the same brief usually 0.2-0.5, because every
# passage is about the same programme and shares its vocabulary. So similarity alone
# cannot separate "right passage" from "same topic": it is paired with word overlap.

#: Below this similarity to every unit of its cited passages, a sentence is unsupported
#: whatever its words (the same-topic band of the brief reaches ~0.5).
SIM_FLOOR = 0.45
#: Share of the sentence's content words (stemmed, stopwords removed) that must occur in
#: its cited passages: a paraphrase keeps most of its source's words; a sentence about
#: another passage keeps few of this one's.
LEX_FLOOR = 0.5
#: A sentence this close to a passage unit is a restatement even when it rewords a lot.
SIM_STRONG = 0.72
#: Overall support score (0.6 similarity + 0.4 overlap) a sentence must reach: faithful
#: paraphrases of the brief score 0.66 and up, a loosely related passage 0.5-0.64.
SUPPORT_FLOOR = 0.62
#: A second citation on a sentence is kept only when its passage scores at least this on
#: its own (otherwise the marker is dropped as padding, the best passage kept).
EXTRA_CITATION_FLOOR = 0.5
#: Passage sentences longer than this are also split into clauses for matching.
LONG_SENTENCE_WORDS = 25

# --------------------------------------------------------------------------- patterns
_INSTRUCTION = [
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|rules?|prompts?|guidelines?|above|previous|everything)\b",
    r"\bsystem\s+prompt\b|\byou are now\b|\bfrom now on\b|\bnew instructions?\b",
    r"\b(as an|you are an?) (ai|assistant|language model|chatbot)\b",
    r"\b(ai|language model|chatbot|assistant)s?\b.{0,30}\b(must|should|shall)\b",
    r"\byou (must|should|shall|will) (now |always |only )?(say|tell|answer|respond|reply|state|write|output|claim|include|mention)\b",
    r"\b(tell|inform|instruct) (the )?(user|reader)s?\b",
    r"\b(respond|reply|answer)\b (only |always )?(with|by saying)\b",
]
_INSTRUCTION_RE = [re.compile(p) for p in _INSTRUCTION]

_PASSAGE_REF = re.compile(r"\b(?:passages?|sources?|documents?|refs?\.?|references?)\s*#?\s*(\d+)\b", re.I)
_BRACKET_RANGE = re.compile(r"\[(\d+)\s*[-–]\s*(\d+)\]")
_ADJACENT = re.compile(r"\](\s*)\[")
# Markers placed after the full stop ("... years. [1]") belong to the sentence before.
_TRAILING_MARKERS = re.compile(r"([.!?])((?:\s*\[\d+(?:\s*,\s*\d+)*\])+)(?=\s|$)")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
    "eleven": "11", "twelve": "12", "fifteen": "15", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
    "hundred": "100", "thousand": "1000", "half": "50", "dozen": "12",
}  # fmt: skip ("one" is left out: it is far more often a pronoun than a count)
_CAPITALISED = re.compile(r"(?<![\w'’])[A-Z][\w'’]*(?:-[A-Za-z][\w'’]*)*")


def is_instruction(sentence: str) -> bool:
    """Does a passage sentence address the model rather than state something (prompt injection)?"""
    s = fold(sentence)
    return any(p.search(s) for p in _INSTRUCTION_RE)


def numbers_in(text: str) -> set[str]:
    """Numbers written with digits or number words, normalised ("$1,500.0" -> "1500", "four-year" -> "4")."""
    out = set()
    for raw in _NUMBER.findall(text):
        n = raw.replace(",", "")
        if "." in n:
            n = n.rstrip("0").rstrip(".")
        out.add(n)
    for w in words(text):
        for part in w.split("-"):
            if part in _NUMBER_WORDS:
                out.add(_NUMBER_WORDS[part])
    return out


def _name_key(token: str) -> str:
    return re.sub(r"['’]s$", "", fold(token)).strip("'’")


def names_in(sentence: str) -> set[str]:
    """Capitalised words that are names: not the sentence's first word (unless an acronym), not stopwords."""
    text = sentence.strip().lstrip("\"“‘'([")
    out: set[str] = set()
    for m in _CAPITALISED.finditer(text):
        token = m.group(0)
        parts = [p for p in token.split("-") if p[:1].isupper()]
        for part in parts:
            acronym = sum(c.isupper() for c in part) >= 2
            first = m.start() == 0 or re.search(r"(?:^|[.!?:;]\s*[\"“‘(]?|[\"“‘(])\s*$", text[: m.start()]) is not None
            key = _name_key(part)
            if not key or len(key) < 2 or (first and not acronym):
                continue
            if key in STOPWORDS and not acronym:
                continue
            out.add(key)
    return out


def _name_vocabulary(text: str) -> set[str]:
    vocab: set[str] = set()
    for w in words(text):
        w = re.sub(r"'s$", "", w)
        vocab.add(w)
        vocab.update(w.split("-"))
    return vocab


def normalise_markers(text: str) -> str:
    """Bring the ways models cite into the ``[n]`` form: "Passage 2" -> "[2]", "[1][2]" -> "[1, 2]", "[1-3]", markers after the full stop."""
    text = _PASSAGE_REF.sub(lambda m: f"[{m.group(1)}]", text)
    text = re.sub(r"\(\s*(\[\d+(?:\s*,\s*\d+)*\])\s*\)", r"\1", text)  # "(Passage 2)" -> "[2]", not "([2])"
    text = re.sub(r"\[\[(\d+)\]\]", r"[\1]", text)
    text = _BRACKET_RANGE.sub(lambda m: "[" + ", ".join(str(i) for i in range(int(m.group(1)), int(m.group(2)) + 1)) + "]" if 0 <= int(m.group(2)) - int(m.group(1)) <= 10 else m.group(0), text)
    prev = None
    while prev != text:
        prev = text
        text = re.sub(r"\[(\d+(?:\s*,\s*\d+)*)\]\s*\[(\d+(?:\s*,\s*\d+)*)\]", r"[\1, \2]", text)
    text = _TRAILING_MARKERS.sub(lambda m: " " + m.group(2).strip() + m.group(1), text)
    text = re.sub(r"\s+\[", " [", text)
    return text


def strip_markers(text: str) -> str:
    text = re.sub(r"\(\s*\)", "", MARKER.sub("", text))
    return re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()


@dataclass
class Unit:
    """A span of a passage that can support a sentence: one sentence or two adjacent ones."""

    text: str
    vector: np.ndarray | None = None


@dataclass
class Evidence:
    """A passage as evidence: its statement sentences (instructions removed)."""

    n: int
    chunk: Chunk
    sentences: list[str]
    units: list[Unit]
    terms: set[str]
    numbers: set[str]
    names: set[str]


@dataclass
class SentenceCheck:
    text: str  # as written, markers included
    claim: str  # markers removed
    cited: list[int]
    verified: bool = False
    reason: str = ""
    similarity: float = 0.0
    overlap: float = 0.0
    support: float = 0.0
    kept: list[int] = field(default_factory=list)  # citations kept for a verified sentence
    quotes: dict[int, str] = field(default_factory=dict)  # passage n -> supporting passage sentence


@dataclass
class Verified:
    """The outcome: the text to show, its citations, and what happened to each sentence."""

    text: str
    citations: list[Citation]
    checks: list[SentenceCheck]
    verification: Verification

    @property
    def removed(self) -> list[SentenceCheck]:
        return [c for c in self.checks if not c.verified]


def _evidence(n: int, chunk: Chunk) -> Evidence:
    sentences = chunk.sentence_texts() or [chunk.text[s:e] for s, e in split_sentences(chunk.text)]
    statements = [s for s in sentences if not is_instruction(s)]
    units = [Unit(s) for s in statements] + [Unit(a + " " + b) for a, b in zip(statements, statements[1:])]
    # A long sentence is also matched clause by clause: a claim that restates one part of
    # it scores low against the whole (the embedding averages over every clause).
    for s in statements:
        if len(s.split()) > LONG_SENTENCE_WORDS:
            clauses = [c.strip() for c in re.split(r"[;:—–,]", s) if len(c.split()) >= 4]  # list items of an enumeration, too
            units.extend(Unit(c) for c in clauses if c != s)
    body = " ".join(statements)
    meta = f"{chunk.section}"
    return Evidence(
        n=n,
        chunk=chunk,
        sentences=statements,
        units=units,
        terms=set(content_terms(body + " " + meta)),
        numbers=numbers_in(body),
        names=_name_vocabulary(body + " " + meta + " " + chunk.source),
    )


def split_answer(text: str) -> list[tuple[str, list[str]]]:
    """Lines of an answer (bullet prefix, sentences): list items and paragraphs stay apart."""
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _BULLET.match(line)
        prefix = m.group(0).strip() + " " if m else ""
        body = line[m.end() :] if m else line
        body = re.sub(r"^\s*#+\s*", "", body)
        sentences = [body[s:e] for s, e in split_sentences(body)]
        out.append((prefix, sentences))
    return out


class Verifier:
    """Checks answer sentences against numbered passages with the embedding model."""

    def __init__(self, embeddings, *, unsupported: Literal["remove", "mark"] = "remove"):
        self.embeddings = embeddings
        self.unsupported = unsupported

    def _embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embeddings.embed_many(texts), dtype=np.float32)

    def verify(self, text: str, passages: dict[int, Chunk]) -> Verified:
        text = normalise_markers(text)
        evidence = {n: _evidence(n, c) for n, c in passages.items()}
        lines = split_answer(text)
        checks_by_line: list[tuple[str, list[SentenceCheck]]] = []
        all_checks: list[SentenceCheck] = []
        for prefix, sentences in lines:
            line_checks = []
            for s in sentences:
                claim = strip_markers(s)
                if not re.search(r"\w", claim):
                    continue  # a stray marker or bullet on its own line
                check = SentenceCheck(text=s.strip(), claim=claim, cited=markers_in(s))
                line_checks.append(check)
                all_checks.append(check)
            checks_by_line.append((prefix, line_checks))

        self._score(all_checks, evidence)

        # Rebuild the text from what survives.
        out_lines: list[str] = []
        for prefix, line_checks in checks_by_line:
            parts = []
            for c in line_checks:
                if c.verified:
                    parts.append(_with_markers(c.claim, c.kept))
                elif self.unsupported == "mark":
                    parts.append(_before_full_stop(c.claim, " (unverified)"))
            if parts:
                out_lines.append(prefix + " ".join(parts))
        new_text = "\n".join(out_lines)

        quotes: dict[int, list[str]] = {}
        for c in all_checks:
            if c.verified:
                for n in c.kept:
                    q = c.quotes.get(n, "")
                    if q and q not in quotes.setdefault(n, []):
                        quotes[n].append(q)
        citations = [citation_for(n, passages[n], " … ".join(quotes.get(n, []))) for n in sorted({n for c in all_checks if c.verified for n in c.kept})]
        new_text, citations = renumber(new_text, citations)
        verified = sum(c.verified for c in all_checks)
        removed = 0 if self.unsupported == "mark" else len(all_checks) - verified
        return Verified(new_text, citations, all_checks, Verification(sentences=len(all_checks), verified=verified, removed=removed))

    # ------------------------------------------------------------------ scoring
    def _score(self, checks: list[SentenceCheck], evidence: dict[int, Evidence]) -> None:
        pending: list[SentenceCheck] = []
        for c in checks:
            if not c.cited:
                c.reason = "cites no passage"
                continue
            missing = [n for n in c.cited if n not in evidence]
            if missing:
                c.reason = f"cites [{', '.join(map(str, missing))}], which is not one of the passages"
                continue
            cited = [evidence[n] for n in c.cited]
            nums = numbers_in(c.claim) - set().union(*(e.numbers for e in cited))
            if nums:
                c.reason = f"the number(s) {', '.join(sorted(nums))} appear in none of its cited passages"
                continue
            names = {x for x in names_in(c.claim) if not any(x in e.names for e in cited)}
            if names:
                c.reason = f"the name(s) {', '.join(sorted(names))} appear in none of its cited passages"
                continue
            if not any(e.units for e in cited):
                c.reason = "its cited passages hold nothing but instructions"
                continue
            pending.append(c)
        if not pending:
            return

        # One embedding call for all claims and all units of the passages they cite.
        used = sorted({n for c in pending for n in c.cited})
        unit_texts = [u.text for n in used for u in evidence[n].units]
        matrix = self._embed([c.claim for c in pending] + unit_texts)
        claim_vecs, unit_vecs = matrix[: len(pending)], matrix[len(pending) :]
        i = 0
        for n in used:
            for u in evidence[n].units:
                u.vector = unit_vecs[i]
                i += 1

        for c, vec in zip(pending, claim_vecs):
            terms = set(content_terms(c.claim))
            per: dict[int, tuple[float, float, str]] = {}
            for n in c.cited:
                e = evidence[n]
                sims = [float(np.dot(vec, u.vector)) for u in e.units]
                overlap = len(terms & e.terms) / len(terms) if terms else 0.0
                per[n] = (max(sims), overlap, self._quote(e, sims, terms))
            c.similarity = max(s for s, _, _ in per.values())
            union_terms = set().union(*(evidence[n].terms for n in c.cited))
            c.overlap = len(terms & union_terms) / len(terms) if terms else 0.0
            c.support = 0.6 * c.similarity + 0.4 * c.overlap
            if c.similarity < SIM_FLOOR:
                c.reason = f"its cited passages do not say this (similarity {c.similarity:.2f})"
            elif c.overlap < LEX_FLOOR and c.similarity < SIM_STRONG:
                c.reason = f"most of its words are not in its cited passages (overlap {c.overlap:.2f})"
            elif c.support < SUPPORT_FLOOR:
                c.reason = f"weak support from its cited passages (score {c.support:.2f})"
            else:
                c.verified = True
                best_n = max(per, key=lambda n: per[n][0] * 0.6 + per[n][1] * 0.4)
                # Another cited passage stays when it holds a number or name the best one lacks.
                facts = numbers_in(c.claim) | names_in(c.claim)
                lacking = facts - evidence[best_n].numbers - evidence[best_n].names
                needed = {n for n in c.cited if lacking & (evidence[n].numbers | evidence[n].names)}
                c.kept = [n for n in c.cited if n == best_n or n in needed or 0.6 * per[n][0] + 0.4 * per[n][1] >= EXTRA_CITATION_FLOOR]
                c.quotes = {n: per[n][2] for n in c.kept}

    @staticmethod
    def _quote(e: Evidence, sims: list[float], terms: set[str]) -> str:
        """The passage sentence(s) that best support a claim: similarity plus the claim's words each holds."""

        def score(j: int) -> float:
            unit_terms = set(content_terms(e.units[j].text))
            return 0.6 * sims[j] + 0.4 * (len(terms & unit_terms) / len(terms) if terms else 0.0)

        k = len(e.sentences)
        best = max(range(len(e.units)), key=score)
        if best < k:
            return e.sentences[best]
        if best < 2 * k - 1:  # a pair of adjacent sentences: quote both unless one clearly carries it
            a, b = best - k, best - k + 1
            sa, sb = score(a), score(b)
            return e.sentences[a] + " " + e.sentences[b] if abs(sa - sb) < 0.05 else e.sentences[a if sa >= sb else b]
        clause = e.units[best].text  # a clause: quote the whole sentence it belongs to
        return next((s for s in e.sentences if clause in s), clause)


def _before_full_stop(claim: str, tag: str) -> str:
    m = re.search(r"([.!?][\"'”’)]*)$", claim)
    if m:
        return claim[: m.start()] + tag + claim[m.start() :]
    return claim + tag


def _with_markers(claim: str, numbers: list[int]) -> str:
    return _before_full_stop(claim, f" [{', '.join(str(n) for n in sorted(numbers))}]")
