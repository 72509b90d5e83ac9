"""The offline default answerer: the brief's own sentences, chosen, ordered and cited.

Nothing is generated, so nothing can be invented: each answer sentence is a sentence
of a retrieved passage, quoted with the speaker it belongs to. The work is choosing:
sentences are scored by similarity to the question (embedding vectors stored at
indexing time) and by overlap of rare words, then picked greedily with a redundancy
check, completed where the document's structure says an answer continues
(enumerations "First... Second... Third...", a contrast that corrects a premise), and
declined when the evidence does not hold what the question asks for.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np

from ..text import STOPWORDS, common_terms, content_terms, fold, long_names, name_runs, stem, without_possessive, word_count, words
from ..types import UNIT_WINDOW, Chunk, opening_chunks
from .questions import (
    COPING_VERBS,
    DOCUMENT_NOUNS,
    MEASURE_NOUN,
    NAMED_FIGURE_NOUN,
    SPEECH,
    QuestionKind,
    about_document,
    asked_head_noun,
    asked_noun,
    asked_speaker,
    asks_overview,
    asks_personal_advice,
    classify,
    defined_term,
    figures_in,
    has_date,
    has_duration,
    has_number,
    holds_amount,
    identifies_referent,
    is_misuse,
    listed_terms,
    names_in,
    plain_question,
    states_span,
)
from ..quotes import is_named

# "the second one", "the third lesson": an item of a list the previous answer gave.
_ITEM_REFERENCE = re.compile(r"\bthe (first|second|third|fourth|fifth|last) (?:one|point|lesson|step|task|item|thing|part|idea|reason|way|change)s?\b")
_ORDINAL = re.compile(r"^(?:the\s+)?(first|second|third|fourth|fifth|finally|lastly)\b", re.I)
# "Northern California Career Pathway Alliance (NCCPA", "... Communications Hubs regional consortium (or LA HI-TECH"
_DEFINED_ACRONYM = re.compile(
    r"((?:[A-Z][\w\-]+,?\s+(?:(?:and|of|the|for)\s+)?){1,12}[A-Z][\w\-]+)(?:\s+[a-z]+){0,2}\s*\((?:or\s+)?(?:the\s+)?([A-Z]{2,}(?:[\s\-][A-Z]{2,})*)\b"
)
_CAPITAL_RUN = re.compile(r"(?<![\w\-])(?:[A-Z][\w’'\-]*\.?)(?:\s+[A-Z][\w’'\-]*\.?)*")
_NOT_PERSON = {"district", "office", "education", "project", "alliance", "college", "consortium", "school", "county", "trust", "california",
               "career", "pathways", "pathway", "unified", "community", "area", "northern", "southern", "los", "angeles", "corporation",
               "housing", "supportive", "foundation", "learning", "linked", "high", "impact", "new", "laying", "changing", "systems",
               "technology", "information", "communications", "hubs", "entertainment", "entrepreneurship", "office", "department",
               "university", "institute", "center", "council", "board", "network", "partnership", "initiative", "program", "the", "we",
               "in", "as", "but", "and", "for", "with", "this", "that", "these", "those", "it", "they", "our", "ccpt", "jff"}
_ANNOUNCES = re.compile(r"\b(a number of|several|the following|a few|a variety of)\b|:\s*$|\b(two|three|four|five)\s+(?:\w+\s+)?\w+s\b", re.I)


def _person_names(text: str) -> list[str]:
    """Two or three capitalised words standing alone ("Jane Q. Smith"), not part of an organisation's
    longer name and not made of organisation words: a rough stand-in for a named-entity tagger."""
    out = []
    for run in _CAPITAL_RUN.findall(text):
        tokens = run.split()
        if 2 <= len(tokens) <= 3 and not any(fold(t).strip(".’'") in _NOT_PERSON for t in tokens) and not any(t.isupper() and len(t) > 1 and not t.endswith(".") for t in tokens):
            out.append(run)
    return out


_REPHRASES = re.compile(r"^(?:in other words|that is|this means|put differently|in short|as a result|therefore|thus)\b", re.I)
_ELABORATION = re.compile(
    r"^(?:they|those|these|this|that|such|for example|for instance|in one|in another|in most|in some|specifically|"
    r"in other words|in effect|as a result|with that|with those|second|third|finally|lastly)\b",
    re.I,
)
# "Some consortia managed that tension ...", "With those systems in place ...": a demonstrative that
# refers back to what the previous sentences said ("that" only after a preposition or an object-taking
# verb: "found that the" and "noted that grantees" open a clause instead).
_CLAUSE_VERBS = r"revealed|noted|suggested|agreed|learned|observed|recognized|realized|believed|argued|explained|added|stated|reported|acknowledged|emphasized|ensured|hoped|showed|understood|decided"
_ANAPHOR = re.compile(
    rf"\b(?:this|these|those)\s+(?!(?:\w+\s+)?(?:{DOCUMENT_NOUNS}|sample)\b)([a-z]+)"
    rf"|\b(?:with|of|in|into|from|on|about|toward|towards|for|by|\w+ing|(?!(?:{_CLAUSE_VERBS})\b)\w+ed)\s+that\s+([a-z]+)\b",
    re.I,
)


# "In one region, ... In another, hiring practices have shifted ...": "another" is another region.
_ELLIPSIS = re.compile(r"^(?:in|for|at|with|among) (?:another|others|the other|the others|still others|a third)\b\s*,", re.I)


def demonstratives(sentence: str) -> list[str]:
    """The nouns through which a sentence leans on the ones before it ("managed that tension": tension)."""
    out = []
    for m in _ANAPHOR.finditer(sentence):
        noun = (m.group(1) or m.group(2)).lower()
        if noun not in STOPWORDS and not (m.group(2) and noun.endswith(("s", "ed"))):
            out.append(noun)
    return out


_MEANS = re.compile(rf"\b(?:{COPING_VERBS})\b[^.;]{{0,60}}?\b(?:by|through)\b", re.I)  # "managed that tension by ..."
_BECAUSE = re.compile(r"\b(?:because|due to|owing to|since|as a result of|thanks to|the reason)\b", re.I)
# A question asking for a verdict ("..., right?", ``QuestionKind.confirming``) gets it from the brief's sentence
# that qualifies or contradicts ("but most ... are scaling back", "went largely unrealized", "not suggesting").
_QUALIFIES = re.compile(r"\b(?:not|n't|never|however|but|although|though|whereas|unrealized|too (?:ambitious|much|little|short|early|soon)|fell short|few|only|instead|rather than|scal(?:e|ed|ing) back|struggl\w*|difficult)\b", re.I)
# A sentence that sets two groups side by side: "Whereas most grantees ..., the leaders ...", "..., on the other hand, ..."
_TWO_SIDED = re.compile(r"^(?:whereas|while|unlike|instead of)\b|\b(?:on the other hand|in contrast|rather than|whereas)\b", re.I)
# Advice, for a question asking for it (``QuestionKind.asks_advice``): "should", "suggested", "it is important to".
_ADVISES = re.compile(r"\b(?:should|suggest(?:s|ed)?|recommend\w*|must|it is important to|have to|need to)\b", re.I)
_CONTRAST = re.compile(r"^(?:however|but|in contrast|instead|yet)\b|\bon the other hand\b", re.I)
_QUOTE_CHARS = "“”\""


def _bigrams(text: str) -> set[tuple[str, str]]:
    toks = re.findall(r"[a-z0-9]+", fold(text))
    return set(zip(toks, toks[1:]))


@dataclass
class Candidate:
    chunk: Chunk
    index: int  # sentence number in the chunk
    text: str
    speaker: str | None
    vector: np.ndarray | None
    rank: int  # rank of the chunk in retrieval
    sim: float = 0.0
    lex: float = 0.0
    score: float = 0.0
    window: int | None = None  # of a long sentence, the window (``Chunk.units``) closest to the question
    shown: str | None = None  # the part of a long sentence the answer shows (``excerpt``)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.chunk.source, self.chunk.order, self.index)


@dataclass
class Draft:
    """The extractive decision before it is rendered: chosen sentences, or why not."""

    refused: bool
    reason: str = ""
    sentences: list[Candidate] = field(default_factory=list)
    preface: str = ""
    best_similarity: float = 0.0

    @property
    def general(self) -> bool:
        """Declined as a whole (off topic, misuse, nothing indexed), not for a missing detail."""
        return self.refused and self.reason in ("off topic", "misuse", "nothing indexed")


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_TIME_UNITS = {"year", "month", "week", "day", "decade"}
_MONEY_UNITS = {"dollar", "thousand", "million", "billion"}
_UNIT_FAMILIES = {u: fam for fam in (_TIME_UNITS, _MONEY_UNITS) for u in fam}  # "$2 billion" is corrected by "$500 million"

_SUPERLATIVES = r"most|least|fewest|largest|biggest|highest|lowest|smallest|greatest|strongest|weakest|best|worst"
# "Which college had the most students?": a choice among things by a comparison (the compared words after it).
_RANKING_QUESTION = re.compile(rf"^(?:which|who)\b.*?\bthe (?:{_SUPERLATIVES})\b((?:\s+[a-z\-]+){{0,3}})")
_SUPERLATIVE_IN_TEXT = re.compile(rf"\bthe (?:{_SUPERLATIVES}|[a-z]+est)\b(?:\s+[a-z\-]+){{0,3}}")

_EXPLAINS = r"(?:\((?:e\.g\.|i\.e\.|such as|including)|,? such as\b|,? including\b|,? (?:which|that) (?:is|are|means?|refers?)\b|\brefers? to\b|\bmeans?\b)"  # what follows a term to explain it
_EXPLAINED = re.compile(rf"(?<=\w)\s*{_EXPLAINS}")  # what explains the term just before it


def _term_key(term: str) -> str:
    """A term as looked up: "regional infrastructures" and "regional infrastructure" are one."""
    return " ".join(stem(w) for w in term.split())


_FUNCTION_WORDS = {"a", "an", "the", "of", "to", "in", "on", "by", "for", "and", "or", "this", "that", "these", "those", "its", "their", "we", "it"}
# what a title is asked of: "the title of the 2003 report (JFF cites)", "this brief's title"
_TITLE_OF = re.compile(r"\btitles? of (?:the |this |that |its |their |these |those |a |an )?([\w\-' ]+?)(?:\s+(?:in|on|about|from|by|for|that|which|jff|the)\b|[?.,!]|$)|\b([\w\-]+)['’]s titles?\b")
_TITLED = re.compile(r"\b(?:titled|entitled|called)\s+[“\"‘']?[A-Z]")  # a title as the documents give one: titled “Laying a New Foundation ...”
# A question that asks to pick a place or a consortium: its answer names one.
_WHICH_PLACE = re.compile(r"^(?:[^,]*, )?(?:(?:in|at|for|from|by|with|to|under) )?(?:which|what) (?:one )?(?:of the (?:\w+ )?)?(?:regions?|consortium|consortia|districts?|count(?:y|ies)|areas?|cit(?:y|ies)|places?|partnerships?)\b(?! does| do| is(?! the one)| are| was(?! the one)| were(?! the ones))")
# "Which consortia took part?" asks for all of them (a list of them all answers it); "which of the consortia" for some
_WHICH_PLACES_ALL = re.compile(r"^(?:\w+ )?(?:which|what) (?:consortia|regions|districts|counties|areas|cities|places|partnerships)\b(?! of)")

_SELF_REFERENCE = re.compile(rf"\b(?:this|these) (?:final |first |second |third )?(?:{DOCUMENT_NOUNS})s?\b", re.I)
_DOCUMENT_TERMS = {t for noun in DOCUMENT_NOUNS.split("|") for t in content_terms(noun)}
_THIS_DOCUMENT = re.compile(rf"\b(?:this|your) (?:{DOCUMENT_NOUNS})\b", re.I)
ABOUT_DOCUMENT_BONUS = 0.1  # "which consortia does the brief feature?": its introduction says
FOLLOW_UP_OWN_TOPIC = 3  # words of a follow-up not in the previous answer that make it a question of its own
QUOTE_REST_WORDS = 20  # a quotation's unshown rest up to this long joins its first sentence
LONG_SENTENCE = 60  # words: longer sentences are shown by the part the question is about
NAME_ONLY_WEIGHT = 0.5  # a sentence that matches a question only by its names
CONTEXT_NAME_WEIGHT = 0.5  # a name of the question found elsewhere in the sentence's passage
REFERENT_WEIGHT = 0.5  # a question word in what "that tension", "those goals" refer back to
COMPARISON_BONUS = 0.06  # a sentence setting two groups side by side, for "how did X differ from Y?"
COMPARISON_RATIO = 0.7  # ... and how close to the best sentence's score such sentences must come to answer it
SPEAKER_BONUS = 0.05  # a quotation by the speaker a question names, for "what did the X leader say ...?"
ADVICE_BONUS = 0.06  # a sentence that advises, for a question asking what should be done
HISTORY_SHARE = 0.3  # at most this share of a follow-up's word weight comes from the earlier turn it carries over
PARTS_WORDS = 1.5  # a compound question's answer may run this many times an answer's words
CAUSE_EXTRA_WORDS = 40  # a why question's cause may run the answer this far past its word budget: it is the answer
RESPONSE_REACH = 4  # how far after a stated problem its response may come (quotations in between)
REFERENT_REACH = 2  # how many sentences back a demonstrative reaches
FACET_MIN_IDF = 2.0  # words rarer than this carry a part of the question (log(1 + N/(1+df)): ~1 in 6 sentences)
FACET_RATIO = 0.8  # how close to the best sentence a sentence adding a missing part must score
# "What salary ...?" when the documents never say "salary": the best sentences must respond to the
# word. Replacing it by "thing" lowers their similarity to the question when they do (obstacles ->
# a sentence on challenges: +0.05); when they are about the rest of the question it raises it
# (salary -> the introduction: -0.06). Measured on 66 such questions: bench/asked_noun.py, BENCHMARKS.md.
ASKED_NOUN_MIN_DROP = -0.025
# "What kind of intermediary did they set up?" when the documents do use the word: the sentence naming
# it is about what is asked, however much of the rest of the question another sentence shares.
ASKED_TERM_BONUS = 0.06
ASKED_TERM_MIN_IDF = FACET_MIN_IDF  # only a distinctive word: "leader" is in half the sentences and tells none apart
ASKED_NOUN_SYNONYM = 0.6  # a document word this close to the asked noun in a top sentence answers it
ASKED_NOUN_TOP = 5  # how many of the best sentences may respond to it


@dataclass(frozen=True)
class AskedNoun:
    """The noun a question asks for, when the documents never use it, and how it moves the question's vector."""

    word: str
    shift: np.ndarray  # vector(question) - vector(question with the word replaced by "thing")
    synonyms: dict[str, float]  # document terms close to the word


def _figure_context(text: str, figure: str, reach: int = 6) -> set[str]:
    """The words around a figure in a text: what it measures ("the four-year CCPT grant period")."""
    folded = fold(text)
    number = re.split(r"[\s\-]+", fold(figure).strip())[0]  # "ten" of "ten-year": "ten years" is the same figure
    out: set[str] = set()
    for m in re.finditer(rf"(?<![\w$]){re.escape(number)}(?![\d,.]*\d)", folded):
        before = folded[: m.start()].split()[-reach:]
        after = folded[m.end() :].split()[1 : reach + 1]  # past the unit
        out.update(content_terms(" ".join(before + after)))
    return out


def _comparing(kind: QuestionKind) -> bool:
    """"How did X differ from Y?" is answered by every sentence that sets the two side by side; "how did
    X handle it, compared with Y?" by the response and its contrast (``_response_to``, ``_complete_contrast``)."""
    return kind.compares and not kind.asks_response


def _voice(speaker: str) -> str:
    """A speaker as attributed anywhere: "a leader from Fresno" and "the leader from Fresno" are one."""
    return re.sub(r"^(?:a|an|the|one)\s+", "", fold(speaker).strip())


def _roster(text: str) -> bool:
    """Does the sentence list three or more names ("the Fresno ..., the Los Angeles ..., and the Tulare ...")?"""
    items = re.split(r",|;|\band\b|\(", text)[1:]
    return sum(bool(re.match(r"\s*(?:(?:the|or|and|led by the)\s+)?[A-Z]", item)) for item in items) >= 3


def _proper_casing(texts) -> dict[str, str]:
    """How the documents write the words that identify something, for words they never write in lower
    case: "fresno" -> "Fresno", "nccpa" -> "NCCPA". Such a word is an acronym, a capitalised word alone
    in mid-sentence, or the first word of a longer name ("Sonoma" of "Sonoma County Office of
    Education"); the other words of a name ("Unified", "Information") may be ordinary words."""
    lower: set[str] = set()
    cased: dict[str, str] = {}
    for text in texts:
        for sentence in re.split(r"(?<=[.?!”\"])\s+", text):
            tokens = list(re.finditer(r"[A-Za-z][\w\-’']*", sentence))
            for k, m in enumerate(tokens):
                word = without_possessive(m.group(0))
                if word[:1].islower():
                    lower.add(word)
                    continue
                acronym = sum(ch.isupper() for ch in word) >= 2
                before = sentence[tokens[k - 1].end() : m.start()] if k else ""
                starts_name = k > 0 and not (tokens[k - 1].group(0)[:1].isupper() and before.strip() == "")
                if acronym or starts_name:
                    cased.setdefault(word.lower(), word)
    return {w: c for w, c in cased.items() if w not in lower and w not in STOPWORDS}


class ExtractiveAnswerer:
    """Chooses answer sentences from retrieved passages."""

    def __init__(
        self,
        chunks: list[Chunk],
        *,
        min_relevance: float = 0.30,
        max_words: int = 90,
        embed=None,
        openings: dict[str, list[Chunk]] | None = None,
    ):
        self._embed = embed  # texts -> normalised vectors; enables synonym matching of words the documents never use
        self._vocab: tuple[list[str], np.ndarray] | None = None
        self._term_cache: dict[str, set[str]] = {}
        self._common_cache: dict[str, set[str]] = {}
        self._runs_cache: dict[str, list[frozenset[str]]] = {}
        self._unit_cache: dict[str, list[tuple[str, int, str]]] = {}
        self._clauses: list[tuple[str, list[str]]] | None = None  # (initials, words) of every clause, for ``_spelled_out``
        self._explained: dict[str, tuple[Chunk, int]] | None = None  # a term -> the sentence explaining it, for ``_explaining``
        self._passage_cache: dict[str, tuple[set[str], str]] = {}  # chunk id -> (its terms, its folded text), speakers included
        self.min_relevance = min_relevance
        self.max_words = max_words
        self.chunks = chunks
        # Document frequency of terms over sentences, for rare-word weighting.
        df: Counter[str] = Counter()
        n = 0
        self._section_sentences: dict[tuple[str, str], list[tuple[Chunk, int]]] = {}
        for c in chunks:
            for i, s in enumerate(c.sentence_texts()):
                df.update(set(content_terms(s)))
                n += 1
                self._section_sentences.setdefault((c.source, c.section), []).append((c, i))
        self._n = max(n, 1)
        self._df = df
        # Words the documents also use as ordinary words, outside names: "school", "high", "college".
        self._common_vocab = {t for c in chunks for t in common_terms(c.text)}
        self._casing = _proper_casing(c.text for c in chunks)
        self._positions = {(c.source, c.order, i): k for seq in self._section_sentences.values() for k, (c, i) in enumerate(seq)}
        # What a sentence's "that tension" refers to: the words of the sentences before it in its section.
        self._referents: dict[tuple[str, int, int], frozenset[str]] = {}
        for seq in self._section_sentences.values():
            for k, (c, i) in enumerate(seq):
                # "these leaders" points at the brief's usual subject; "that tension" at something just said.
                # A quotation's "these partnerships" are the speaker's, not the sentences before it.
                text = c.sentence_texts()[i]
                if k and not c.sentences[i].speaker and (_ELLIPSIS.match(text) or any(self.idf(t) >= FACET_MIN_IDF for noun in demonstratives(text) for t in content_terms(noun))):
                    before = seq[max(0, k - REFERENT_REACH) : k]
                    self._referents[(c.source, c.order, i)] = frozenset(t for ch, j in before for t in content_terms(ch.sentence_texts()[j]))
        self._openings = opening_chunks(chunks) if openings is None else openings  # by source, in order
        self._opening = {c.id for doc in self._openings.values() for c in doc}
        self._speaker_terms = {t for c in chunks for s in c.sentences if s.speaker for t in content_terms(s.speaker)}
        self._years = {y for c in chunks for y in _YEAR.findall(c.text)}
        self._figures: dict[tuple[float, str], str] = {}  # every quantity the documents state, with its words
        for c in chunks:
            for figure, stated in figures_in(c.text).items():
                self._figures.setdefault(figure, stated)
        # "California Career Pathways Trust (CCPT)": a question naming the expansion is about the acronym too.
        self._aliases: dict[str, set[str]] = {}
        for c in chunks:
            for m in _DEFINED_ACRONYM.finditer(c.text):
                expansion = re.split(r",\s+the\s+", m.group(1))[-1]  # the last item of a list of names
                for word in expansion.split():
                    word = word.strip(",;")
                    if word[:1].isupper() and len(word) > 2:
                        self._aliases.setdefault(fold(word), set()).add(fold(m.group(2)))

    def truecase(self, question: str) -> str:
        """The question with the documents' names written as they write them ("how much did fresno
        unified get?" -> "... Fresno unified ..."): the rules that read names read a typed-fast question too."""
        def case(m: re.Match) -> str:
            word = m.group(0)
            return self._casing.get(word) or "-".join(self._casing.get(part, part) for part in word.split("-"))

        return re.sub(r"\b[a-z][a-z\-]*\b", case, question)

    # ------------------------------------------------------------------ scoring
    def idf(self, term: str) -> float:
        return math.log(1 + self._n / (1 + self._df.get(term, 0)))

    def in_corpus(self, term: str) -> bool:
        return term in self._df

    def _lexical(
        self,
        q_terms: list[str],
        sentence: str,
        speaker: str | None,
        synonyms: dict[str, dict[str, float]] | None = None,
        names: dict[str, set[str]] | None = None,
        name_only_weight: float = NAME_ONLY_WEIGHT,
        context_names: set[str] = frozenset(),
        referent: frozenset[str] = frozenset(),
        weight: dict[str, float] | None = None,
    ) -> float:
        """Share of the question's rare words found in the sentence; a word the documents never use
        counts through its closest document words ("businesses" -> "employers"), discounted by similarity.

        ``names`` maps the terms of names in the question to their acronyms ("los" -> "la hi-tech"):
        a name counts when its acronym is there. A sentence that shares only the question's names
        (a list of every consortium, say) says nothing about what is asked of them: it counts half.
        ``weight`` scales a term's rarity (the words a follow-up carries over from the earlier turn count less).
        """
        text = sentence + " " + (speaker or "")
        present = self._terms_of(text)
        names = names or {}
        if names:
            folded = fold(text)
            present = present | {t for t, aliases in names.items() if any(a in folded for a in aliases)}
        known = [t for t in set(q_terms) if self.in_corpus(t) or t in names]
        weight = weight or {}

        def idf(t: str) -> float:
            return self.idf(t) * weight.get(t, 1.0)

        total = sum(idf(t) for t in known)
        found_names = sum(idf(t) for t in known if t in present and t in names)
        # A passage names its consortium once and goes on about it: a name elsewhere in the passage counts half.
        found_names += sum(CONTEXT_NAME_WEIGHT * idf(t) for t in known if t in names and t not in present and t in context_names)
        typed = [t for t in known if t not in weight]  # two words of one name must both be the user's
        found = sum(idf(t) for t in known if t not in names and t in present and self._used_as_asked(t, text, typed))
        found += sum(REFERENT_WEIGHT * idf(t) for t in known if t not in names and t not in present and t in referent)
        for options in (synonyms or {}).values():
            if options:
                total += max(self.idf(t) for t in options)
                found += max((self.idf(t) * sim for t, sim in options.items() if t in present and self._used_as_asked(t, text, typed)), default=0.0)
        asked_more = any(t not in names for t in known) or any(synonyms.values() if synonyms else ())
        if found == 0 and asked_more:
            found_names *= name_only_weight
        return (found + found_names) / total if total else 0.0

    def _used_as_asked(self, term: str, text: str, asked: list[str]) -> bool:
        """Is a question's ordinary word in the text as the same word? "high" in "Los Angeles High
        Impact ..." is not talk of high schools, but two of the question's words inside one name
        ("the career pathways trust") ask for that name, however they are written."""
        if term in self._common_terms_of(text) or term not in self._common_vocab:
            return True
        runs = self._runs_cache.get(text)
        if runs is None:
            runs = self._runs_cache[text] = name_runs(text)
        return any(term in run and len(run.intersection(asked)) >= 2 for run in runs)

    def _names_in_passage(self, chunk: Chunk, names: dict[str, set[str]]) -> set[str]:
        """Which of the question's name terms the passage holds, in its text or its speakers."""
        passage = self._passage_cache.get(chunk.id)
        if passage is None:
            text = chunk.text + " " + " ".join(s.speaker or "" for s in chunk.sentences)
            passage = self._passage_cache[chunk.id] = (set(content_terms(text)), fold(text))
        present, folded = passage
        return {t for t, aliases in names.items() if t in present or any(a in folded for a in aliases)}

    def _name_terms(self, question: str) -> dict[str, set[str]]:
        """Terms of the names in a question, each with the acronyms the documents define for it."""
        out: dict[str, set[str]] = {}
        for name in names_in(question):
            for word in name.split():
                for term in content_terms(word):
                    out.setdefault(term, set()).update(self._aliases.get(fold(word), set()))
        return out

    def _terms_of(self, text: str) -> set[str]:
        """Content terms of a document sentence, memoised: the same sentences are scored for many questions."""
        terms = self._term_cache.get(text)
        if terms is None:
            terms = self._term_cache[text] = set(content_terms(text))
        return terms

    def _common_terms_of(self, text: str) -> set[str]:
        """The sentence's terms outside the names it holds (see ``common_terms``), memoised."""
        terms = self._common_cache.get(text)
        if terms is None:
            terms = self._common_cache[text] = set(common_terms(text))
        return terms

    def _units_of(self, chunk: Chunk) -> list[tuple[str, int, str]]:
        units = self._unit_cache.get(chunk.id)
        if units is None:
            units = self._unit_cache[chunk.id] = chunk.units()
        return units

    def foreign_words(self, question: str) -> list[str]:
        """Question words the documents never use (embedded with the question, see ``synonyms``)."""
        if self._embed is None:
            return []
        return sorted({w for w in words(question) if "-" not in w and len(w) > 3 and w not in STOPWORDS and not self.in_corpus(stem(w))})

    def asked_probe(self, question: str) -> tuple[str, str] | None:
        """The asked-for noun when the documents never use it, with the question that leaves it out
        (``AskedNoun`` is built from the two questions' vectors)."""
        noun = asked_noun(question)
        if self._embed is None or not noun or "-" in noun or len(noun) < 3 or self.in_corpus(stem(noun)):
            return None
        without = re.sub(rf"\b{re.escape(noun)}\b", "thing", question, flags=re.I)
        return (noun, without) if without != question else None

    @staticmethod
    def asked(noun: str, question_vector, without_vector, synonyms: dict[str, dict[str, float]]) -> AskedNoun:
        shift = np.asarray(question_vector, dtype=np.float32) - np.asarray(without_vector, dtype=np.float32)
        return AskedNoun(noun, shift, synonyms.get(noun, {}))

    def synonyms(self, asked: list[str], vectors) -> dict[str, dict[str, float]]:
        """For each word the documents never use: document words that mean nearly the same."""
        if not asked or vectors is None or self._embed is None:
            return {}
        vocab, matrix = self._vocabulary()
        vectors = np.asarray(vectors, dtype=np.float32)
        out: dict[str, dict[str, float]] = {}
        for w, sims in zip(asked, vectors @ matrix.T):
            best = np.argsort(-sims)[:3]
            out[w] = {stem(vocab[i]): float(sims[i]) for i in best if sims[i] >= 0.55}
        return out

    def prepare(self) -> None:
        if self._embed is not None:
            self._vocabulary()

    def _vocabulary(self) -> tuple[list[str], np.ndarray]:
        """Every content word of the documents with its vector (computed once per loaded index)."""
        if self._vocab is None:
            vocab = sorted({w for c in self.chunks for w in words(c.text) if "-" not in w and len(w) > 3 and w not in STOPWORDS and not w.isdigit()})
            matrix = np.asarray(self._embed(vocab), dtype=np.float32) if vocab else np.zeros((0, 1), dtype=np.float32)
            self._vocab = (vocab, matrix)
        return self._vocab

    def candidates(
        self,
        hits,
        vectors: dict,
        question_vector: np.ndarray,
        query_vector: np.ndarray,
        question: str,
        query: str,
        previous_answer: str = "",
        synonyms: dict[str, dict[str, float]] | None = None,
    ) -> list[Candidate]:
        # "long" in "how long" asks for a duration; it is not a word to find in the answer.
        q_terms = content_terms(re.sub(r"\bhow (long|many|much|often|far|soon|old)\b", " ", fold(query)))
        whole_document = about_document(question)
        follow_up = query != question
        kind = classify(question)
        # Names identify what is asked about; the discount for sharing only them does not apply when
        # the answer is itself a name ("who is in charge of X": the sentence naming X's lead agency).
        names = self._name_terms(question)
        name_only_weight = 1.0 if (kind.asks_who or kind.asks_name) else NAME_ONLY_WEIGHT
        weight = self._history_weights(question, q_terms, names) if follow_up and not identifies_referent(question) else None
        named_thing = self._asked_term(question)
        out: list[Candidate] = []
        for rank, hit in enumerate(hits):
            c = hit.chunk
            context_names = self._names_in_passage(c, names) if names else frozenset()
            units: dict[int, list[np.ndarray]] = {}
            for key, number, _ in self._units_of(c):
                vec = vectors.get(f"{c.id}:{key}")
                if vec is not None:
                    units.setdefault(number, []).append(np.asarray(vec, dtype=np.float32))
            for i, text in enumerate(c.sentence_texts()):
                referent = self._referents.get((c.source, c.order, i), frozenset())
                vecs = units.get(i, [])
                v = vecs[0] if vecs else None
                cand = Candidate(c, i, text, c.sentences[i].speaker, v, rank)
                if vecs:
                    # A long sentence scores by its best window: the clause that answers.
                    sims_q = [float(np.dot(question_vector, u)) for u in vecs]
                    sims_c = [float(np.dot(query_vector, u)) for u in vecs] if follow_up else sims_q
                    cand.sim = 0.5 * max(sims_q) + 0.5 * max(sims_c) if follow_up else max(sims_q)
                    if len(vecs) > 1:  # unit 0 is the whole sentence, unit k its window k - 1
                        best_unit = int(np.argmax([q + c for q, c in zip(sims_q, sims_c)] if follow_up else sims_q))
                        cand.window = best_unit - 1 if best_unit else None
                # "Who leads X?" is not answered by a quote from "a leader of X": unless the
                # question is about something said, a speaker's words are not evidence.
                if cand.speaker and (kind.asks_who or kind.asks_name) and not kind.asks_speech:
                    cand.lex = self._lexical(q_terms, text.replace(cand.speaker, " "), None, synonyms, names, name_only_weight, context_names, referent, weight)
                else:
                    cand.lex = self._lexical(q_terms, text, cand.speaker, synonyms, names, name_only_weight, context_names, referent, weight)
                cand.score = 0.6 * cand.sim + 0.4 * cand.lex + 0.04 / (1 + rank) + self._type_bonus(kind, question, cand)
                if named_thing and named_thing in self._terms_of(text):
                    cand.score += ASKED_TERM_BONUS
                if word_count(text) < 4:
                    cand.score -= 0.1
                if whole_document and c.id in self._opening:
                    cand.score += ABOUT_DOCUMENT_BONUS
                    if _SELF_REFERENCE.search(text):  # "In this final installment in a series of three briefs ..."
                        cand.score += ABOUT_DOCUMENT_BONUS
                out.append(cand)
        if follow_up and previous_answer:
            self._follow_up_adjust(question, kind, out, previous_answer)
        out.sort(key=lambda x: -x.score)
        return out

    def _asked_term(self, question: str) -> str | None:
        """The documents' own word for what a question asks for, when it is a distinctive one:
        "intermediary" in "What kind of intermediary did they set up?". A sentence naming it is about it."""
        noun = asked_head_noun(question)
        if not noun or "-" in noun:
            return None
        term = stem(noun)
        return term if self.in_corpus(term) and self.idf(term) >= ASKED_TERM_MIN_IDF else None

    def _history_weights(self, question: str, q_terms: list[str], names: dict[str, set[str]]) -> dict[str, float] | None:
        """A follow-up searches with the earlier turn, but what the user just typed says what is asked:
        "what did they set up so schools and employers connect?" after a long answer about LA HI-TECH
        is about schools and employers; the turn's two dozen words only say whose. The carried-over
        words together weigh at most ``HISTORY_SHARE`` of the whole, when the user typed two words or more
        the documents use."""
        typed = set(content_terms(question))
        known = {t for t in q_terms if self.in_corpus(t) or t in names}
        if len(known & typed) < 2:  # "so what did they build?": the earlier turn says what it is about
            return None
        typed_idf = sum(self.idf(t) for t in known & typed)
        carried_idf = sum(self.idf(t) for t in known - typed)
        if not carried_idf:
            return None
        w = min(1.0, HISTORY_SHARE / (1 - HISTORY_SHARE) * typed_idf / carried_idf)
        return {t: w for t in known - typed}

    @staticmethod
    def _type_bonus(kind: QuestionKind, question: str, c: Candidate) -> float:
        """Prefer sentences holding the kind of thing asked for (a number, a date, a name, a speaker)."""
        bonus = 0.0
        if kind.asks_amount and holds_amount(question, c.text):
            bonus += 0.08
        if kind.asks_response and _MEANS.search(c.text):
            bonus += 0.08
        if kind.asks_cause and _BECAUSE.search(c.text):
            bonus += 0.05  # "why did X fail?": the sentence giving a cause ("... because the grant period was short")
        if kind.confirming and _QUALIFIES.search(c.text):
            bonus += 0.05
        if _comparing(kind) and _TWO_SIDED.search(c.text):
            bonus += COMPARISON_BONUS
        if kind.asks_advice and _ADVISES.search(c.text):
            bonus += ADVICE_BONUS
        if kind.asks_duration and has_duration(c.text):
            bonus += 0.08 if states_span(c.text) else 0.04  # "a whole year" says how long; "long-term" only that it is long
        if kind.asks_date and has_date(c.text):
            bonus += 0.08
        if kind.asks_who and c.speaker and is_named(c.speaker):
            bonus += 0.05
        if kind.asks_speech and c.speaker and any(fold(n) in fold(c.speaker) for n in names_in(question)):
            bonus += SPEAKER_BONUS  # "How long did the Fresno leader say it takes?": the Fresno leader's words
        if (kind.asks_name or kind.asks_who) and names_in(c.text) - names_in(question):
            bonus += 0.03
        if kind.is_list:
            # An enumerating sentence ("a, b, and c") answers a list question in one go;
            # "which consortia..." wants one that enumerates names.
            bonus += 0.02 * min(5, c.text.count(",") + c.text.count(";"))
            listed = listed_terms(question)
            # "list the implementation tasks": not the sentence naming the four consortia, unless it speaks of tasks
            if re.match(r"^(which|name|list|who)\b", plain_question(question)) and (not listed or listed & set(content_terms(c.text))):
                bonus += 0.02 * min(6, len(names_in(c.text) - names_in(question)))
        return bonus

    def _follow_up_adjust(self, question: str, kind: QuestionKind, cands: list[Candidate], previous_answer: str) -> None:
        """A follow-up is about what was just said: attribute it ("who said that?") or go beyond it."""
        if self._pick_item(question, cands):
            return
        # What was said: sentences quoted in the previous answer, or paraphrased there (most of
        # the previous answer's content words are in them).
        said = _bigrams(previous_answer)
        said_terms = set(content_terms(previous_answer))

        def covered(c: Candidate) -> float:
            return len(said_terms & set(content_terms(c.text))) / max(1, len(said_terms))

        anchors = [c for c in cands if _bigrams(c.text) and len(_bigrams(c.text) & said) / len(_bigrams(c.text)) >= 0.6]
        if not anchors:
            anchors = sorted((c for c in cands if covered(c) >= 0.5), key=covered, reverse=True)[:2]
        if not anchors:
            return
        anchor_keys = {c.key for c in anchors}
        wants_more = bool(re.search(r"\b(else|more|expand|elaborate|continue|go on|further|additional|next|then)\b", fold(question)))
        following = set()
        for a in anchors:
            seq, pos = self._place(a)
            if pos is None:
                continue
            after = pos + 1
            if a.speaker and not (kind.asks_speech or kind.asks_who):
                # "What did they do about it?" is answered by what the brief says next, after the
                # quotation, not by the rest of the quotation.
                while after < len(seq) and seq[after][0].sentences[seq[after][1]].speaker == a.speaker:
                    after += 1
            following.update((ch.source, ch.order, i) for ch, i in seq[after : after + 2])
        # "What did that leader say about how long partners take to come together?" names its own topic:
        # what the brief says next is not the answer, only the voice carries over.
        own_topic = not wants_more and len(set(content_terms(question)) - said_terms) >= FOLLOW_UP_OWN_TOPIC
        for c in cands:
            if c.key in following and c.key not in anchor_keys and not own_topic:
                c.score += 0.12 + (0.1 if wants_more else 0.0)
            if c.key in anchor_keys:
                c.score += 0.3 if (kind.asks_who or kind.asks_name) else -0.5  # "who said it?", "who runs that one?"
                continue
            near = any(a.chunk.source == c.chunk.source and a.chunk.section == c.chunk.section and 0 <= abs(a.chunk.order - c.chunk.order) <= 1 for a in anchors)
            # "What else did she say?" stays with the same voice; "what did they do about it?" need not.
            same_voice = bool(kind.asks_speech or kind.asks_who) and bool(c.speaker) and any(a.speaker and _voice(c.speaker) == _voice(a.speaker) for a in anchors)
            c.score += 0.08 * near * (not own_topic) + 0.1 * same_voice

    def _pick_item(self, question: str, cands: list[Candidate]) -> bool:
        """"Can you unpack the second one?" after a list: the item the brief numbers that way
        ("Second, they said that ...") and what follows it in its section."""
        m = _ITEM_REFERENCE.search(fold(question))
        if not m:
            return False
        wanted = {"last": ("finally", "lastly")}.get(m.group(1), (m.group(1),))
        items = [c for c in cands if (o := _ORDINAL.match(c.text.lstrip("“\"‘ "))) and o.group(1).lower() in wanted]
        if not items:
            return False
        item = max(items, key=lambda c: c.score)
        seq, pos = self._place(item)
        pos = pos or 0
        following = {(ch.source, ch.order, i) for ch, i in seq[pos + 1 : pos + 3]}
        # "unpack it", "what did that look like in practice": the sentences after the item, as much as it
        elaborate = bool(re.search(r"\b(unpack|more|elaborate|explain|expand|detail|practice|example|mean|look like)\b", fold(question)))
        for c in cands:
            if c is item:
                c.score += 0.15 if elaborate else 0.3  # already said; what it meant comes after it
            elif c.key in following:
                c.score += 0.35 if elaborate else 0.2
            elif c.chunk.section == item.chunk.section and _ORDINAL.match(c.text.lstrip("“\"‘ ")):
                c.score -= 0.2  # the other items of the same list were not asked about
        return True

    @staticmethod
    def rerank(hits: list, cands: list[Candidate]) -> list:
        """Passages ordered by their best sentence: a sharper relevance signal than fused ranks.

        Each hit's ``score`` becomes that sentence's score, so the reported scores decrease
        down the list (a passage none of whose sentences was scored gets 0).
        """
        best: dict[str, float] = {}
        for c in cands:
            best[c.chunk.id] = max(best.get(c.chunk.id, 0.0), c.score)
        ranked = sorted(hits, key=lambda h: -best.get(h.chunk.id, 0.0))
        return [replace(h, score=round(best.get(h.chunk.id, 0.0), 6)) for h in ranked]

    # ------------------------------------------------------------------ deciding
    def decide(self, question: str, query: str, cands: list[Candidate], asked: AskedNoun | None = None) -> Draft:
        kind = classify(question)
        if is_misuse(question):
            return Draft(True, "misuse")
        if not cands:
            return Draft(True, "nothing indexed")
        if asks_personal_advice(question):
            return Draft(True, "off topic", best_similarity=max(c.sim for c in cands))
        if asks_overview(question):
            return Draft(False, sentences=self._overview(cands), best_similarity=max(c.sim for c in cands))
        best_sim = max(c.sim for c in cands)
        best_lex = max(c.lex for c in cands)
        if best_sim < self.min_relevance and best_lex < 0.5:
            return Draft(True, "off topic", best_similarity=best_sim)
        if best_sim < self.min_relevance + 0.1 and best_lex < 0.25:
            return Draft(True, "off topic", best_similarity=best_sim)

        unknown = self._unknown_names(question)
        if unknown:
            return Draft(True, f"does not mention {unknown[0]}", best_similarity=best_sim)
        measure = next((w for w in words(question) if MEASURE_NOUN.fullmatch(w) and not self.in_corpus(stem(w))), None)
        if measure:
            return Draft(True, f"does not mention {measure}", best_similarity=best_sim)
        # "Since the grants ran for ten years, ...": a premise with a quantity the documents never state.
        unstated = [(figure, words) for figure, words in figures_in(question).items() if figure not in self._figures]
        if unstated:
            (_, unit), premise = unstated[0]
            family = _UNIT_FAMILIES.get(unit, {unit})
            stated = sorted({w for (_, u), w in self._figures.items() if u in family})[:3]
            # A false premise gets a correction: the sentence stating the brief's own figure of that kind
            # ("Since the grants lasted two years, ...": "the four-year CCPT grant period ...").
            near = set().union(*(_figure_context(question, as_said) for (_, u), as_said in unstated if u in family))
            holding = [c for c in cands if any(u in family and near & _figure_context(c.text, w) for (_, u), w in figures_in(c.text).items())]
            # "... audited in 2018 after misusing $12 million ...": a second specific the documents never
            # state (a year) makes the premise invented, not mistaken; there is nothing to correct it with.
            invented = [y for y in _YEAR.findall(question) if y not in self._years]
            if stated and holding and not invented:
                self._promote(cands, holding[0])
                chosen = [holding[0]] + [c for c in self._select(kind, cands, question) if c.key != holding[0].key]
                said = sorted({w for (_, u), w in figures_in(holding[0].text).items() if u in family})
                preface = f"The brief does not say {premise}; it speaks of {', '.join(said)}."
                return Draft(False, sentences=chosen, preface=preface, best_similarity=best_sim)
            return Draft(True, f"never states {premise}", best_similarity=best_sim)
        if query == question and best_sim < 0.38 and self._mostly_foreign(question):
            return Draft(True, "off topic", best_similarity=best_sim)
        missing = self._missing_detail(question, kind, cands)
        if not missing and query == question:  # these read the question alone; a follow-up leans on the history
            missing = self._unquoted_speaker(question, cands) or self._unranked(question, cands)
        if missing:
            return Draft(True, missing, best_similarity=best_sim)
        if asked is not None and not self._responds_to(asked, cands):
            return Draft(True, f"does not mention {asked.word}", best_similarity=best_sim)

        explaining = self._explaining(question, kind, cands)
        if explaining is not None:
            self._promote(cands, explaining)
        chosen = self._select(kind, cands, question)
        if query == question and not kind.asks_speech and _WHICH_PLACE.match(plain_question(question)):
            # "Which region introduced X?" when the brief says only "in another region": it does not say.
            named = self._naming_sentence(question, chosen, cands)
            if named is None:
                return Draft(True, "does not say which one", best_similarity=best_sim)
            if named not in chosen:
                chosen = [named] + chosen
        noun = asked_noun(question) or ""
        several = noun.endswith("s") and stem(noun) != noun  # "which districts ...": every one of them
        if (query == question or names_in(question)) and not kind.is_list and not several:
            # a very long sentence (a list of every consortium) is shown by the part the question is about;
            # not for a follow-up that names nothing: no window resembles "the third one you listed"
            for c in chosen:
                if c.window is not None and not c.speaker and word_count(c.text) > LONG_SENTENCE:
                    c.shown = excerpt(c.text, c.window)
        preface = ""
        if kind.asks_who and chosen and chosen[0].speaker and not is_named(chosen[0].speaker):
            named_elsewhere = [c for c in chosen if c.speaker and is_named(c.speaker)]
            if not named_elsewhere:
                preface = f"The brief does not name who said this; it attributes it only to “{chosen[0].speaker}”."
        return Draft(False, sentences=chosen, preface=preface, best_similarity=best_sim)

    def combine(self, whole: Draft, parts: list[Draft]) -> Draft:
        """A compound question's answer: each part's best sentences, in the order the parts were asked.
        A part the documents do not answer declines the question, with its reason: the rules that read
        what is asked for (a name, a date, a figure) read each part better than the mix of both."""
        declined = next((p for p in parts if p.refused), None)
        if declined is not None:
            return declined
        if not parts or any(not p.sentences for p in parts):
            return whole
        share = int(self.max_words * PARTS_WORDS) // len(parts)
        chosen: list[Candidate] = []
        seen: set[tuple[str, int, int]] = set()
        for part in parts:
            keep: list[Candidate] = []
            words = 0
            for c in sorted(part.sentences, key=lambda c: -c.score):  # completions (score 0) come last
                if c.key in seen or (keep and words + word_count(c.text) > share):
                    continue
                keep.append(c)
                words += word_count(c.text)
            seen.update(c.key for c in keep)
            chosen += sorted(keep, key=lambda c: c.key)
        return replace(whole, refused=False, reason="", sentences=chosen)

    def _overview(self, cands: list[Candidate]) -> list[Candidate]:
        """"What is this brief about?": the document's own account of itself. Its first sentence, the
        first that speaks of the document itself ("In this final installment ..."), then the next ones,
        in order, up to half as many words again as an ordinary answer; quotations are left out (the
        overview is the author's). The document is the one the best retrieved sentence comes from."""
        source = cands[0].chunk.source
        lead = [
            Candidate(ch, i, text, ch.sentences[i].speaker, None, 0)
            for ch in self._openings.get(source, [])
            for i, text in enumerate(ch.sentence_texts())
            if not ch.sentences[i].speaker
        ]
        if not lead:
            return cands[:1]
        picks = [lead[0]] + [c for c in lead[1:] if _SELF_REFERENCE.search(c.text)][:1]
        budget = int(self.max_words * 1.5)
        used = sum(word_count(c.text) for c in picks)
        for c in lead[1:]:
            if c not in picks and used + word_count(c.text) <= budget:
                picks.append(c)
                used += word_count(c.text)
        return sorted(picks, key=lambda c: (c.chunk.order, c.index))

    def _missing_detail(self, question: str, kind: QuestionKind, cands: list[Candidate]) -> str:
        """The specific detail a question asks for (a number, a date, a name) when no evidence holds it."""
        title = self._missing_title(question, cands)
        if title is not None:
            return title
        if not (kind.asks_amount or kind.asks_date or kind.asks_name or kind.asks_person):
            return ""
        noun = asked_noun(question)
        if noun and NAMED_FIGURE_NOUN.fullmatch(noun) and not any(self.in_corpus(t) for t in content_terms(noun)):
            return f"does not mention {noun}"  # "What tax paid for it?": no tax anywhere, so no figure for one
        asked = re.search(r"\b(?:names? of (?:the )?|who (?:is|are|was|were) (?:the )?)([\w\- ]+?)(?:\s+(?:of|for|in|at|that|who|behind)\b|[?.,]|$)", fold(question))
        asked_terms = content_terms(asked.group(1)) if asked else []
        if kind.asks_name and asked_terms and not all(self.in_corpus(t) for t in asked_terms):
            return "names no " + asked.group(1)
        top = cands[0].score
        strong = [c for c in cands if c.score >= top - 0.12][:6]
        # A figure or date may sit in a weaker sentence: look further down, but it must be about the question's names.
        wide = [c for c in cands if c.score >= top - 0.25][:12]
        focus = self._focus_names(question)

        strong_keys = {c.key for c in strong}

        def about(c: Candidate) -> bool:
            if c.lex == 0 and c.key not in strong_keys:
                return False  # a figure in a weak sentence sharing no word with the question answers something else
            text = fold(c.text + " " + (c.speaker or ""))
            # whole words: "la" (LA HI-TECH) is not in "dollars"
            return not focus or any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text) for f in focus for n in (f, *self._aliases.get(f, ())))

        if kind.asks_person and not any(_person_names(c.text) and about(c) for c in strong):
            return "names no such person"

        if kind.asks_amount:
            holding = [c for c in wide if holds_amount(question, c.text) and about(c)]
            if not holding:
                return "gives no such figure"
            self._promote(cands, holding[0])
        if kind.asks_date:
            holding = [c for c in wide if has_date(c.text) and (about(c) or c is cands[0])]
            if _THIS_DOCUMENT.search(question):  # "When was this brief published?": not the date of a report it cites
                holding = [c for c in holding if _SELF_REFERENCE.search(c.text)]
            if not holding:
                return "gives no such date"
            self._promote(cands, holding[0])
        if kind.asks_name and not kind.asks_amount:
            q_names = {fold(n) for n in names_in(question)}
            # "Which companies ...": the named thing must be one of those (the sentence speaks of companies).
            kind_of = re.search(r"\bwhich (?:[\w\-]+ ){0,3}?(companies|employers|businesses|firms|corporations|organi[sz]ations|schools|colleges|universities|districts|agencies|foundations)\b", fold(question))
            # "the names of the intermediaries": likewise, the sentence must speak of intermediaries.
            named = re.search(r"\bnames? of (?:the |its |their |these |those )?([a-z][\w\-]*)", fold(question))
            noun = stem(kind_of.group(1)) if kind_of else (content_terms(named.group(1)) or [None])[0] if named else None
            if not any(about(c) and self._names_one(noun, c.text, q_names) for c in strong[:3]):
                return "gives no such name"
        return ""

    def _missing_title(self, question: str, cands: list[Candidate]) -> str | None:
        """None when the question asks for no title; "" when a sentence gives it (promoted to the top);
        otherwise why not. A title is given where the documents say what it is the title of ("a 2003
        report by ... titled “Laying a New Foundation ...”"): "the titles of the first two briefs" or
        "this brief's title" are not that report's."""
        titled = _TITLE_OF.search(fold(question))
        if not titled:
            return None

        def terms(text: str) -> set[str]:  # with "report" and "brief", which ``content_terms`` leaves out
            return {stem(w) for w in words(text) if w not in _FUNCTION_WORDS}

        of = terms(titled.group(1) or titled.group(2))
        holding = [c for c in cands if (m := _TITLED.search(c.text)) and of & terms(c.text[: m.start()])]
        if not holding:
            return "gives no such title"
        self._promote(cands, holding[0])
        return ""

    def _names_one(self, kind: str | None, text: str, asked: set[str]) -> bool:
        """Does the sentence name something new, of the asked kind if one is asked for? A name ending in
        the kind ("... High School"), or a one-word name where the sentence speaks of the kind ("employers
        such as Cisco"); "Fresno Unified School District" is a district, whatever the sentence says of schools."""
        new = {fold(n) for n in names_in(text)} - asked
        if not new:
            return False
        if kind is None:
            return True
        runs = long_names(text)
        if any(content_terms(run.split()[-1]) == [kind] and {fold(w) for w in run.split()} & new for run in runs):
            return True
        in_runs = {fold(w) for run in runs for w in run.split()}
        return kind in self._common_terms_of(text) and bool(new - in_runs)

    def _unquoted_speaker(self, question: str, cands: list[Candidate]) -> str:
        """"What did the superintendent say?": some strong sentence must be said by one (a quotation
        attributed to a superintendent) or report what they said ("superintendents said that ...")."""
        speaker = asked_speaker(question)
        wanted = set(content_terms(speaker or ""))
        # Only for a kind of person the documents speak of but never quote ("owners of companies"):
        # a word they never use is left to ``_responds_to``, a kind they quote to the ranking.
        if not wanted or not all(self.in_corpus(t) for t in wanted) or wanted & self._speaker_terms:
            return ""
        top = cands[0].score
        for c in (c for c in cands if c.score >= top - 0.12):
            if c.speaker and wanted & self._terms_of(c.speaker):
                return ""
            if not c.speaker and wanted & self._terms_of(c.text) and SPEECH.search(fold(c.text)):
                return ""
        return f"quotes no {speaker}"

    def _naming_sentence(self, question: str, chosen: list[Candidate], cands: list[Candidate]) -> Candidate | None:
        """The sentence that names the place or consortium an answer is about: a chosen one, or one of
        the three before the best in its section ("In the Los Angeles area, ..." then "The new
        infrastructure included ..."). Names common across the documents (the program's) do not count."""
        asked = {fold(n) for n in names_in(question)}
        # "Which of the four consortia ...", "which region ...": a list of them all does not say which one
        # (unless the question names one of them: "which county office leads the NCCPA?")
        one_of = not self._focus_names(question) and not _WHICH_PLACES_ALL.match(plain_question(question))

        def names(text: str) -> bool:
            if one_of and _roster(text):
                return False
            return any(self._identifies(n) for n in names_in(text) if fold(n) not in asked)

        for c in chosen:
            if names(c.text) or (c.speaker and names(" " + c.speaker)):
                return c
        if not chosen or (one_of and _roster(chosen[0].text)):
            return None  # the best sentence lists them all: what comes before it is not about one of them
        best = chosen[0]
        seq, pos = self._place(best)
        by_key = {c.key: c for c in cands}
        for ch, i in reversed(seq[max(0, (pos or 0) - 3) : pos or 0]):
            text, speaker = ch.text[ch.sentences[i].start : ch.sentences[i].end], ch.sentences[i].speaker
            if names(text) or (speaker and names(" " + speaker)):
                return self._sentence_at(ch, i, by_key, best.rank)
        return None

    def _identifies(self, name: str) -> bool:
        """A rare name (a consortium, a place), not one the documents use all along (the program's)."""
        return any(0 < self._df.get(t, 0) / self._n < 0.08 for t in content_terms(name))

    def _unranked(self, question: str, cands: list[Candidate]) -> str:
        """"Which college had the most students?" picks one by a comparison: some strong sentence must
        make one about that thing ("the most telling signs"), or the documents do not rank them."""
        m = _RANKING_QUESTION.search(plain_question(question))
        if not m:
            return ""
        ranked = set(content_terms(m.group(1)))
        top = cands[0].score
        for c in (c for c in cands if c.score >= top - 0.12):
            for phrase in _SUPERLATIVE_IN_TEXT.findall(fold(c.text)):
                if not ranked or ranked & set(content_terms(phrase)):
                    return ""
        return "makes no such comparison"

    def _responds_to(self, asked: AskedNoun, cands: list[Candidate]) -> bool:
        """Is one of the best sentences about the asked-for noun: does it hold a near synonym, or
        does the noun draw the question closer to it rather than away?"""
        top = cands[:ASKED_NOUN_TOP]
        near = {t for t, sim in asked.synonyms.items() if sim >= ASKED_NOUN_SYNONYM}
        if any(near & self._terms_of(c.text) for c in top):
            return True
        drops = [float(np.dot(asked.shift, c.vector)) for c in top if c.vector is not None]
        return not drops or max(drops) > ASKED_NOUN_MIN_DROP

    def _mostly_foreign(self, question: str) -> bool:
        """Half or more of the question's ordinary words never occur in the documents (weather, recipes...)."""
        names = {t for n in names_in(question) for t in content_terms(n)}
        terms = [t for t in content_terms(question) if t not in names and not t.isdigit() and len(t) > 2]
        # "Is this document ...": a document always speaks of itself, whatever it calls itself
        foreign = [t for t in terms if not self.in_corpus(t) and t not in _DOCUMENT_TERMS]
        return len(foreign) >= 2 and len(foreign) >= 0.5 * len(terms)

    def _unknown_names(self, question: str) -> list[str]:
        """Proper names in the question that the documents never mention (another state, a person...)."""
        # "Which consortia does it feature? I teach in the Central Valley.": what is asked, not who asks
        asked = " ".join(s for s in re.split(r"(?<=[.?!])\s+", question) if s.rstrip().endswith("?")) or question
        # "Southern California" is known by its last word, a name of the documents; "New York" is not by
        # "new", nor "California Department of Education" by "California": a department is another thing
        runs = [[without_possessive(w) for w in name.split()] for name in long_names(asked)]
        out = []
        for name in sorted(names_in(asked), key=asked.find):  # the first named first, whatever the hash seed
            name = without_possessive(name)
            if name.upper() == name and len(name) <= 1:
                continue
            run = next((r for r in runs if name in r), [name])
            if run[-1].lower() in self._casing:
                continue
            terms = content_terms(name)
            if terms and all(not self.in_corpus(t) for t in terms) and not self._spelled_out(name):
                out.append(name)
        return out

    def _spelled_out(self, name: str) -> bool:
        """An acronym the documents write in full: "MOUs" for "memoranda of understanding", words in
        one clause whose initials spell it, opening and closing on a content word."""
        letters = re.sub(r"s$", "", name).lower()
        if not (3 <= len(letters) <= 6 and letters.isalpha() and name[: len(letters)].isupper()):  # two letters match 38% of chance runs, three 4%
            return False
        if self._clauses is None:
            # each clause's words and their initials, found on first need: one pass over the texts, and
            # str.find on the initials per acronym (an index of every run's initials took 11 ms for this
            # brief, and would take seconds on a large index)
            self._clauses = []
            for c in self.chunks:
                for clause in re.split(r"[^\w\s’'\-]+", c.text):
                    ws = clause.split()
                    if len(ws) >= 3:
                        self._clauses.append(("".join(w[0] for w in ws).lower(), ws))
        for initials, ws in self._clauses:
            k = initials.find(letters)
            while k >= 0:
                if ws[k].lower() not in STOPWORDS and ws[k + len(letters) - 1].lower() not in STOPWORDS:
                    return True
                k = initials.find(letters, k + 1)
        return False

    def _explaining(self, question: str, kind: QuestionKind, cands: list[Candidate]) -> Candidate | None:
        """"What counts as 'regional infrastructure'?": the sentence that explains those very words
        ("investing in regional infrastructure (e.g. structures, routines, relationships, ...)"), however
        little else of it resembles the question; added to the candidates when retrieval missed it."""
        term = defined_term(question) if kind.asks_definition else None
        where = self._explanations().get(_term_key(term)) if term else None
        if where is None:
            return None
        ch, i = where
        by_key = {c.key: c for c in cands}
        found = self._sentence_at(ch, i, by_key, rank=len(cands))
        if found.key not in by_key:
            cands.append(found)
        return found

    def _explanations(self) -> dict[str, tuple[Chunk, int]]:
        """Every term the documents explain where they use it ("X (e.g. ...)", "X, such as ...", "X means"),
        by its last one to five words, stemmed: read once, the first time a definition question asks."""
        if self._explained is None:
            self._explained = {}
            for ch in self.chunks:
                for i, text in enumerate(ch.sentence_texts()):
                    folded = fold(text)
                    for m in _EXPLAINED.finditer(folded):
                        ws = re.findall(r"[a-z][\w\-]*", folded[max(0, m.start() - 80) : m.start()])[-5:]
                        for k in range(1, len(ws) + 1):
                            self._explained.setdefault(_term_key(" ".join(ws[-k:])), (ch, i))
        return self._explained

    @staticmethod
    def _promote(cands: list[Candidate], c: Candidate) -> None:
        """Put the sentence that holds the asked-for figure or date first."""
        if cands[0] is not c:
            c.score = cands[0].score + 0.01
            cands.sort(key=lambda x: -x.score)

    def _focus_names(self, question: str) -> list[str]:
        """Rare proper names in the question that an answer must be about."""
        out = []
        for name in names_in(question):
            term = content_terms(name)
            if not term:
                continue
            df = self._df.get(term[0], 0)
            if 0 < df / self._n < 0.08:
                out.append(without_possessive(fold(name)))
        return out

    def _select(self, kind: QuestionKind, cands: list[Candidate], question: str = "") -> list[Candidate]:
        """Greedy by score; a chosen sentence that announces what follows ("a number of changes")
        or is the best one brings its cohesive continuation with it, before weaker sentences."""
        best, pool = cands[0], cands
        two_sided = [c for c in cands if _TWO_SIDED.search(c.text)] if _comparing(kind) else []
        contrasting = bool(two_sided) and two_sided[0].score >= COMPARISON_RATIO * best.score
        if contrasting:
            # "How did X differ from Y?": the sentences that set the two side by side, each a way they differ
            best, pool = two_sided[0], two_sided
            limit, ratio = 3, COMPARISON_RATIO
        elif kind.is_list:
            limit, ratio = (kind.expected_items or 3) + 1, 0.78
        elif kind.asks_why_how:
            limit, ratio = 3, 0.85
        else:
            limit, ratio = 2, 0.88
        budget = self.max_words if not (kind.is_list or _comparing(kind)) else int(self.max_words * 1.4)
        chosen = self._complete_cohesion(kind, best, [best], cands, budget)
        if not contrasting:  # each sentence that sets the two side by side stands on its own
            chosen = self._complete_backwards(kind, best, chosen, cands, budget)
        picked = 1
        for c in pool[1:]:
            if picked >= limit or c.score < ratio * best.score:
                break
            if c.key in {x.key for x in chosen} or self._redundant(c, chosen):
                continue
            if (kind.asks_amount and holds_amount(question, best.text) and not has_number(c.text)) or (
                kind.asks_date and has_date(best.text) and not has_date(c.text)
            ):
                continue  # the figure is the answer: a sentence without one only dilutes it
            if sum(word_count(x.text) for x in chosen) + word_count(c.text) > budget:
                continue
            chosen.append(c)
            picked += 1
            if _ANNOUNCES.search(c.text):
                chosen = self._complete_cohesion(kind, c, chosen, cands, budget)
        if not contrasting:
            chosen = self._complete_facets(question, best, chosen, cands, budget)
        chosen = self._complete_enumeration(kind, chosen, cands, triggers=chosen[:2])
        chosen = self._complete_contrast(best, chosen, cands)
        chosen = self._complete_causes(kind, question, chosen, cands, budget)
        chosen = self._complete_quotations(chosen, cands, budget)
        response = self._response_to(kind, best, cands)
        if response is not None:
            if response.key not in {x.key for x in chosen}:
                chosen.append(response)
            # "Some consortia managed that tension by ...": chosen for its score or as the response, it is
            # the others' way; "The leaders profiled here, on the other hand, ..." is the one asked about
            chosen = self._complete_contrast(response, chosen, cands)
        unique: dict[tuple, Candidate] = {}
        for c in chosen:
            unique.setdefault(c.key, c)
        return sorted(unique.values(), key=lambda c: c.key)

    def _complete_causes(self, kind: QuestionKind, question: str, chosen: list[Candidate], cands: list[Candidate], budget: int) -> list[Candidate]:
        """"Why did the goals go unrealized?": a chosen sentence saying that they did brings the next one
        when it leans on it and says why ("Specifically, ... because the grant period was relatively short")."""
        if not kind.asks_cause:
            return chosen
        by_key = {c.key: c for c in cands}
        have = {x.key for x in chosen}
        words = sum(word_count(x.text) for x in chosen)
        for c in list(chosen):
            seq, pos = self._place(c)
            if pos is None or pos + 1 >= len(seq) or _BECAUSE.search(c.text):
                continue
            ch, i = seq[pos + 1]
            text = ch.sentence_texts()[i]
            key = (ch.source, ch.order, i)
            if key in have or not (_ELABORATION.match(text.lstrip("“\"‘ ")) and _BECAUSE.search(text)) or words + word_count(text) > budget + CAUSE_EXTRA_WORDS:
                continue
            chosen.append(self._sentence_at(ch, i, by_key))
            have.add(key)
            words += word_count(text)
        return chosen

    def _complete_backwards(self, kind: QuestionKind, best: Candidate, chosen: list[Candidate], cands: list[Candidate], budget: int) -> list[Candidate]:
        """Context a sentence leans on: "In other words, X" needs the sentence it rephrases; a definition
        or explanation taken from the middle of a quotation needs the rest of that quotation."""
        seq, pos = self._place(best)
        if pos is None:
            return chosen
        by_key = {c.key: c for c in cands}
        have = {x.key for x in chosen}
        words = sum(word_count(x.text) for x in chosen)

        def add(ch: Chunk, i: int) -> bool:
            nonlocal words
            key, text = (ch.source, ch.order, i), ch.sentence_texts()[i]
            if key in have or words + word_count(text) > budget:
                return False
            chosen.append(self._sentence_at(ch, i, by_key))
            have.add(key)
            words += word_count(text)
            return True

        if pos > 0 and (_REPHRASES.match(best.text.lstrip("“\"‘ ")) or best.key in self._referents):
            add(*seq[pos - 1])  # "In other words, X", "With those systems in place, X": what it leans on
        if (kind.asks_definition or kind.asks_why_how or kind.asks_duration) and best.speaker:
            # the rest of the quotation, while it fits: the reason or the figure often comes last
            for ch, i in seq[pos + 1 : pos + 4]:
                if ch.sentences[i].speaker != best.speaker or not add(ch, i):
                    break
        return chosen

    def _complete_cohesion(self, kind: QuestionKind, best: Candidate, chosen: list[Candidate], cands: list[Candidate], budget: int) -> list[Candidate]:
        """Sentences right after the best one that lean on it ("In one region...", "They suggested...",
        "For example...") finish its thought: a sentence announcing "a number of changes" is not an
        answer without the changes."""
        seq, pos = self._place(best)
        if pos is None:
            return chosen
        have = {x.key for x in chosen}
        by_key = {c.key: c for c in cands}
        words = sum(word_count(x.text) for x in chosen)
        limit = 4 if kind.is_list else 2
        previous_text = best.text
        for k, (ch, i) in enumerate(seq[pos + 1 : pos + 1 + limit]):
            text = ch.sentence_texts()[i]
            key = (ch.source, ch.order, i)
            leans = _ELABORATION.match(text.lstrip("“\"‘ ")) or previous_text.rstrip().endswith(":")
            # "Building that trust started with consistent communication." then a leader's words on how:
            # for a how or why question, the quotation that follows a claim in its paragraph shows it.
            leans = leans or (k == 0 and kind.asks_why_how and not best.speaker and ch.id == best.chunk.id and ch.sentences[i].speaker)
            if not leans:
                break
            if key not in have:
                if words + word_count(text) > budget + 25:
                    break
                chosen.append(self._sentence_at(ch, i, by_key))
                have.add(key)
                words += word_count(text)
            previous_text = text
        return chosen

    def _complete_quotations(self, chosen: list[Candidate], cands: list[Candidate], budget: int) -> list[Candidate]:
        """A speaker's words cut off after their first sentence ("“... give enough time for partners to
        come together,” the leader said. “But that takes time. It sometimes takes a whole year.”") are
        finished when the rest of what they said there is short."""
        have = {x.key for x in chosen}
        by_key = {c.key: c for c in cands}
        words = sum(word_count(x.text) for x in chosen)
        for c in list(chosen):
            if not c.speaker:
                continue
            rest = []
            for i in range(c.index + 1, len(c.chunk.sentences)):
                if c.chunk.sentences[i].speaker != c.speaker:
                    break
                rest.append(i)
                if "”" in c.chunk.sentence_texts()[i]:
                    break
            extra = sum(word_count(c.chunk.sentence_texts()[i]) for i in rest)
            if not rest or extra > QUOTE_REST_WORDS or words + extra > budget + 25:
                continue
            for i in rest:
                if (c.chunk.source, c.chunk.order, i) not in have:
                    chosen.append(self._sentence_at(c.chunk, i, by_key, c.rank))
                    have.add((c.chunk.source, c.chunk.order, i))
            words += extra
        return chosen

    def _complete_facets(self, question: str, best: Candidate, chosen: list[Candidate], cands: list[Candidate], budget: int) -> list[Candidate]:
        """A question about two things ("how do trust and communication fit together") is not answered
        by a sentence about one: a close runner-up that holds a rare question word the answer lacks joins it."""
        asked = {t for t in content_terms(question) if self.in_corpus(t) and self.idf(t) >= FACET_MIN_IDF}
        missing = asked - set().union(*(self._terms_of(c.text) for c in chosen))
        if not missing or len(missing) == len(asked):
            return chosen
        words = sum(word_count(x.text) for x in chosen)
        for c in cands[1:]:
            if c.score < FACET_RATIO * best.score:
                break
            adds = missing & self._terms_of(c.text)
            if not adds or c.key in {x.key for x in chosen} or self._redundant(c, chosen) or words + word_count(c.text) > budget:
                continue
            chosen.append(c)
            return chosen
        return chosen

    @staticmethod
    def _redundant(c: Candidate, chosen: list[Candidate]) -> bool:
        if c.vector is None:
            return False
        return any(o.vector is not None and float(np.dot(o.vector, c.vector)) > 0.85 for o in chosen)

    def _place(self, c: Candidate) -> tuple[list[tuple[Chunk, int]], int | None]:
        """The sentences of a candidate's section, in order, and its position among them."""
        return self._section_sentences.get((c.chunk.source, c.chunk.section), []), self._positions.get(c.key)

    @staticmethod
    def _sentence_at(ch: Chunk, i: int, by_key: dict[tuple[str, int, int], Candidate], rank: int = 99) -> Candidate:
        """The candidate for a chunk's sentence, or a new one when retrieval did not score it."""
        return by_key.get((ch.source, ch.order, i)) or Candidate(ch, i, ch.sentence_texts()[i], ch.sentences[i].speaker, None, rank)

    def _complete_enumeration(self, kind: QuestionKind, chosen: list[Candidate], cands: list[Candidate], triggers: list[Candidate]) -> list[Candidate]:
        """A list answer whose leading sentences hit one item of "First... Second... Third..." gets all of them."""
        if not kind.is_list:
            return chosen
        by_key = {c.key: c for c in cands}
        for c in list(triggers):
            seq, pos = self._place(c)
            if pos is None:
                continue
            ordinals = [(k, ch, i) for k, (ch, i) in enumerate(seq) if not ch.sentences[i].speaker and _ORDINAL.match(ch.sentence_texts()[i])]
            if len(ordinals) < 2:
                continue
            first_k, last_k = ordinals[0][0], ordinals[-1][0]
            if not (first_k - 3 <= pos <= last_k + 2):
                continue
            for _k, ch, i in ordinals:
                key = (ch.source, ch.order, i)
                if key not in {x.key for x in chosen}:
                    chosen.append(self._sentence_at(ch, i, by_key))
        return chosen

    def _response_to(self, kind: QuestionKind, best: Candidate, cands: list[Candidate]) -> Candidate | None:
        """"How did they deal with X?" when the best sentence states X: how it was met is told after it,
        past the quotations that illustrate it ("Some consortia managed that tension by ...")."""
        if not kind.asks_response or _MEANS.search(best.text):
            return None
        seq, pos = self._place(best)
        if pos is None:
            return None
        by_key = {c.key: c for c in cands}
        for ch, i in seq[pos + 1 : pos + 1 + RESPONSE_REACH]:
            if ch.sentences[i].speaker:
                continue
            text = ch.sentence_texts()[i]
            if not _MEANS.search(text):
                return None  # the brief moved on without saying how
            return self._sentence_at(ch, i, by_key)
        return None

    def _complete_contrast(self, best: Candidate, chosen: list[Candidate], cands: list[Candidate]) -> list[Candidate]:
        """A sentence followed by "..., on the other hand, ..." is incomplete without it (false premises)."""
        seq, pos = self._place(best)
        if pos is None or pos + 1 >= len(seq):
            return chosen
        ch, i = seq[pos + 1]
        text = ch.sentence_texts()[i]
        head = " ".join(text.split()[:8])
        if _CONTRAST.search(head) and not _CONTRAST.search(best.text[:40]):
            key = (ch.source, ch.order, i)
            if key not in {x.key for x in chosen}:
                by_key = {c.key: c for c in cands}
                chosen.append(self._sentence_at(ch, i, by_key))
        return chosen


def excerpt(text: str, window: int, size: int = UNIT_WINDOW) -> str | None:
    """The part of a long sentence around one of its windows, widened to whole list items (commas,
    semicolons and dashes outside parentheses), with "…" where it is cut; None when that is most of it.
    "Which agency leads the NCCPA?" is answered by one item of the introduction's 107-word list of
    consortia, not by all of it."""
    tokens = list(re.finditer(r"\S+", text))
    first = window * (size // 2)
    if first >= len(tokens):
        return None
    last = min(first + size, len(tokens)) - 1
    start, end = tokens[first].start(), tokens[last].end()
    cuts, depth = [0], 0
    for k, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in ",;—":
            cuts.append(k + 1)
    cuts.append(len(text))
    lo = max(c for c in cuts if c <= start)
    hi = min(c for c in cuts if c >= end)
    part = text[lo:hi].strip(" ,;—")
    if len(part.split()) > 0.75 * len(tokens):
        return None
    return ("… " if lo > 0 else "") + part + (" …" if hi < len(text) else "")


_PRONOUN_SAID = re.compile(r"”\s+(she|he|they)\s+(said|added|noted|explained|continued|reported|observed|recalled)\b")


def render_sentence(c: Candidate, previous: Candidate | None = None) -> str:
    """A sentence as shown in an answer: a quotation keeps its speaker and balanced quote marks; the
    next sentence of the same speaker's words goes on without naming them again."""
    text = c.text.strip()
    if not c.speaker:
        return c.shown or text
    goes_on = previous is not None and previous.chunk.id == c.chunk.id and previous.index == c.index - 1 and previous.speaker == c.speaker
    if fold(c.speaker) in fold(text) or goes_on:
        opens, closes = text.count("“"), text.count("”")
        if opens > closes:
            text += "”"
        elif closes > opens:
            text = "“" + text
        elif not opens and goes_on:
            text = f"“{text}”"  # the middle of a quotation
        return text
    first = c.speaker.split()[0]
    if first.lower() in {"she", "he", "they"}:
        speaker = c.speaker[0].upper() + c.speaker[1:]
    elif first in {"The", "A", "An", "One", "Another"}:  # "The leader from ..." began its own sentence
        speaker = c.speaker[0].lower() + c.speaker[1:]
    else:
        speaker = c.speaker
    said = _PRONOUN_SAID.search(text)
    if said and text.count("“") < text.count("”"):
        # "With owners ..., we built a lot,” she said.": the end of a quotation, with the pronoun named
        return f"“{text[: said.start()]}” {speaker} {said.group(2)}{text[said.end():]}"
    body = text.strip(_QUOTE_CHARS + " ")
    return f"As {speaker} put it, “{body}”"
