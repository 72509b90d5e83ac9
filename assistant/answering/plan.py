"""Read a question once, with its conversation, into a Plan every later step uses.

What is read here is English question form, never the content of one document: whether the
question leans on the previous turn, which item of a previous list it points at, whether it
is an attempt to misuse the assistant. Everything about *which sentence answers* is left to
the trained reader.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..text import content_terms, fold, split_sentences, stem, words
from ..tuning import TUNING
from .acronyms import asked_acronym
from .definitions import defined_term
from .overview import DOCUMENT_WORDS, asks_overview

# Words that point back into the conversation ("who said that?", "tell me more about them").
_POINTING = {
    "that", "this", "those", "these", "it", "its", "they", "them", "their", "he", "she", "his", "her", "him",
    "there", "else", "also", "other", "others", "another", "same", "such", "former", "latter", "one", "ones", "more",
}  # fmt: skip
# "it" standing for what follows, not for the last turn (rule `expletive_it`): "is it true that ...", "it's safe to ...",
# "would it be a good idea to ...", "how long does it take to ...". English sentence form: the "it" of a verb of being
# (or "take", "cost", "make sense", "matter") and an adjective, followed by the clause it stands for.
_EXPLETIVE_BEFORE = {"is", "was", "isn't", "wasn't", "would", "will", "could", "should", "might", "does", "did", "doesn't", "didn't"}
_EXPLETIVE_AFTER = {"is", "was", "would", "will", "could", "might", "seems", "seemed"}
_EXPLETIVE_FILL = {"be", "not", "really", "actually", "still", "also", "ever", "always", "generally", "usually", "too", "very", "so", "even", "a", "an", "the", "more", "less", "any"}
_EXPLETIVE_STATES = {
    "true", "false", "possible", "impossible", "ok", "okay", "fine", "safe", "unsafe", "worth", "necessary", "unnecessary", "required",
    "allowed", "permitted", "legal", "illegal", "better", "best", "wise", "good", "bad", "right", "wrong", "correct", "normal", "common",
    "usual", "important", "mandatory", "recommended", "advisable", "acceptable", "reasonable", "feasible", "likely", "unlikely", "easy",
    "hard", "difficult", "enough", "case", "idea", "problem", "take", "takes", "cost", "costs", "make", "matter", "help",
}  # fmt: skip
_EXPLETIVE_CLAUSE = {"that", "to", "if", "whether", "when"}
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5, "1st": 0, "2nd": 1, "3rd": 2, "4th": 3, "5th": 4, "last": -1}
_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|last)\s+(?:one|item|entry|point|example|thing|of them)\b", re.I)
# a question that carries on from the turn before: it opens on a conjunction or "what about" (after an "ok" or a
# "thanks"), or ends on "then", "too", "instead"
_DEMONSTRATIVES = {"this", "these"}  # "that report" may be one the last turn named
_CONTINUES = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|oh|nice|right|great|thanks|thank you|cool|hmm|well|wait)\b[\s,.!-]*)*"
    r"(?:and|so|but|also|then|plus|what about|how about|what if|what else|anything else|any other)\b", re.I
)
_CARRIES_ON = re.compile(r"\b(?:then|too|instead|as well|either)\W*$", re.I)
# Words that ask for a form of answer, not a subject ("an example?", "more details please", "can you elaborate?"):
# a question that names nothing else asks it of the last turn's subject (rule `follow_up`).
FORM_WORDS = frozenset(content_terms(
    "example examples detail details more elaborate elaboration explain explanation clarify "
    "expand info information specifics please show tell give"
))  # fmt: skip
_WHY = re.compile(r"^\W*(?:and\s+|but\s+|so\s+)?(?:why|how come|what for|for what reason)\b", re.I)
_LIST = re.compile(r"\b(?:list|name (?:the|all|each|some)|what (?:are|were) (?:the|some)|which (?:\w+ ){0,2}(?:are|were)|examples|steps|ways|lessons|kinds|types)\b", re.I)

# Attempts to make the assistant do something other than answer from its documents.
_MISUSE = [
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instruction|rule|prompt|guideline|above|previous|everything)",
    # told, not asked, to leave the documents aside ("Forget the license text. Just ..."; not "Can I ignore the text?")
    # ... the documents as a whole, not a part of them ("Ignore the sections on Windows. How do I ...?" is a question)
    r"(?:^|[.!?;]\s+)(?:(?:please|just|now|ok|okay|so),?\s+){0,2}(?:ignore|disregard|forget)\s+(?:about\s+)?(?:the|these|those|your|all|any)\s+"
    r"(?:[\w-]+\s+){0,2}(?:documents?|text|sources?|context|passages?|evidence|brief|report|manual|license|licence)(?=\s*(?:[.!?;,]|$|and\b|[-–—]))",
    r"\bsystem\s+prompt\b|\byour\s+(instructions|prompt|rules|guidelines|configuration)\b",
    r"\b(pretend|roleplay|role-play|act as|you are now|from now on you|jailbreak|developer mode)\b",
    r"\b(invent|fabricate|hallucinate|made-up)\b|\b(?:a|an)\s+made\s+up\s+(?!of\b)\w",  # "a made up quote"; not "costs made up half"
    # "make up a quote", "just make one up"; not "make up the shortfall", "make up a quorum", "make a payment up to ..."
    r"\bmake\s+up\s+(?:(?:a|an|some|any)\s+)?(?:fake\s+)?(?:quotes?|quotations?|numbers?|facts?|statistics?|stats|answers?|"
    r"names?|details?|figures?|sources?|citations?|references?|stor(?:y|ies))\b"
    r"|\bmake\s+(?:one|something|stuff|some)\s+up\b",
    r"\b(write|compose|generate|give me|come up with)\b.{0,40}\b(poem|haiku|limerick|song|lyrics|story|joke|riddle|code|script|program)\b",
    r"\b(repeat|print|reveal|show|output|display)\b.{0,30}\b(prompt|instructions|hidden|secret|password|api key|configuration)\b",
]
_MISUSE_RE = [re.compile(p) for p in _MISUSE]

# Questions whose answer is a quantity or a date ("how many ...?", "what year ...?", "when ...?"). "When" asks for a
# time where it opens the question ("ok so when did ...", "roughly when?"), not where it opens a clause ("how do I see the
# warnings when running my tests?", "What does the guide mean when it says ...?").
_NUMBER = re.compile(
    r"\b(?:how\s+(?:many|much|long|old|often|big|large|far)|(?:what|which)\s+(?:year|date|month|day|percentage|percent|share|"
    r"proportion|number|amount|sum|size|rate|score|ranking|version))\b|^\W*(?:[\w'’]+,?\s+){0,2}?when\b|\bwhen\W*$", re.I
)
# "How many X ...?": the thing counted (rule `count`)
_HOW_MANY = re.compile(r"\bhow\s+many\s+(?:of\s+(?:the|these|those|its|their)\s+)?([a-z][a-z-]+)", re.I)
# the asker speaking of themselves: "I" (typed "i" too, but not "i.e."), "my", "we", "our" (not "ME" or "WE" in capitals)
_ASKER = re.compile(r"\b(?:[Ii](?![.\w])|[Ii]['’](?:m|d|ve|ll)|[Mm]y|[Mm]e|[Ww]e|[Oo]ur)\b")
# a question that stands alone: it opens on a question word (a wh-word may follow a word or two: "roughly how much ...",
# "ok so what ..."; "Pods are stuck, what ..." is not a question word's opening) and points back to nothing
_STANDS_ALONE = re.compile(
    r"(?:(?:[\w'’]+,?\s+){0,2}?(?:what|which|who|whom|how|why|when|where)|is|are|was|were|do|does|did|can|could)\b", re.I
)
_PIECES = re.compile(r"(?<=[.!:;?])\s+|\s+[-–—]+\s+")  # a question's sentences, and the parts a dash sets apart
_DIGIT = re.compile(r"\d")
_POINTS_BACK = re.compile(r"\b(?:that|this|it|these|those)\b", re.I)
# Chat shorthand read as the words it stands for ("can u list ..."): the reader and the vocabulary know the words.
# Typed in lower case, standing alone ("PLS regression", "U+FEFF", "\\u", "'u'" stay); "u" only after a word that asks
# ("can u", "did u", "thank u": "the u flag" stays).
_SHORTHAND = {"pls": "please", "plz": "please", "thx": "thanks", "abt": "about", "cuz": "because", "bcuz": "because",
              "tho": "though", "thru": "through", "w/o": "without", "w/": "with"}  # fmt: skip
_SHORTHAND_RE = re.compile(
    r"(?<![\w/%$.\\'\"+-])(" + "|".join(re.escape(k) for k in sorted(_SHORTHAND, key=len, reverse=True)) + r")(?![\w/+'\"-]|\.\w)"
)
_YOU_RE = re.compile(r"\b(can|could|would|will|do|did|have|are|were|should|if|thank)\s+u(?![\w/+'\"-]|\.\w)", re.I)


@dataclass(frozen=True)
class Plan:
    """What a question asks, read once."""

    question: str  # as typed, whitespace normalised
    query: str  # what retrieval and the reader search with (the question, with the turn it leans on)
    follow_up: bool = False  # leans on the previous turn
    previous_answer: str = ""  # the previous answer's text, citation markers removed
    previous_sentences: tuple[str, ...] = ()  # ... split into sentences, to find them in the documents
    asks_cause: bool = False  # "why?": the cause of what was said
    wants_list: bool = False  # several items: a larger answer
    wants_number: bool = False  # a quantity or a date ("how many", "what year", "when")
    misuse: bool = False
    small_talk: bool = False  # only a greeting, thanks or goodbye (rule `small_talk`): nothing is asked
    item: str | None = None  # "the second one": that item of the previous answer's list
    acronym: str | None = None  # "What is the RWB?", "What does RWB stand for?": the initials it asks about (rule `acronym`)
    asks_name: bool = False  # ... and it asks for the name they stand for ("What does RWB stand for?")
    overview: bool = False  # "What is this report about?": the documents as a whole (rule `overview`)
    counted: str | None = None  # "How many ferries ...?": what it counts, stemmed (rule `count`)
    defines: str | None = None  # "What is a widget?": the term it asks to have defined (rule `definition`)
    disabled: frozenset[str] = field(default_factory=frozenset)

    def uses(self, rule: str) -> bool:
        return rule not in self.disabled


# A message that is only a greeting, thanks, goodbye or "ok", in any order ("hi there", "ok thanks!", "thank you so much,
# bye"): at least one such word, with nothing else but words that go with them ("there", "so much", "again").
_SMALL_TALK_CORE = (
    r"hi|hello|hey|hiya|howdy|greetings|good\s+(?:morning|afternoon|evening|day)|thanks|thank\s+(?:you|u)|thx|cheers|"
    r"bye|good\s*bye|see\s+you|ok|okay|great|cool|nice|perfect|awesome|got\s+it"
)
_SMALL_TALK = re.compile(rf"^\W*(?:(?:{_SMALL_TALK_CORE}|there|so\s+much|a\s+lot|again|very\s+much)\b\W*)+$", re.I)
_SMALL_TALK_WORD = re.compile(rf"\b(?:{_SMALL_TALK_CORE})\b", re.I)


def is_small_talk(question: str) -> bool:
    """Only a greeting, thanks, goodbye or "ok": there is nothing to look up, and "the documents don't say" would be a
    strange reply. A message that also asks something ("hi, what is RWB?", "again?") is a question."""
    return bool(_SMALL_TALK.match(question) and _SMALL_TALK_WORD.search(question))


def is_misuse(question: str) -> bool:
    q = fold(question)
    return any(p.search(q) for p in _MISUSE_RE)


def stands_for_clause(toks: list[str], k: int) -> int | None:
    """Is ``toks[k]`` an "it" that stands for the clause after it ("is it true that employers ...", "it's safe to
    ...", "how long does it take to ..."), not for something the last turn said? A verb of being or "take", "cost",
    "make sense" with it, an adjective of those that take a clause, and the clause ("that", "to", "if", ...). Where
    the clause opens (its "that" points nowhere either), or None; "Is it safe?" and "is it related to X?" point back."""
    if toks[k] != "it":
        return None
    inverted = k > 0 and toks[k - 1] in _EXPLETIVE_BEFORE
    at = k + 1
    if not inverted and at < len(toks) and toks[at] in _EXPLETIVE_AFTER:
        at += 1
    elif not inverted and not (at < len(toks) and toks[at] in _EXPLETIVE_STATES):
        return None  # neither "is it ..." nor "it is ..." / "it's ..." (read as "it ...")
    while at < len(toks) and toks[at] in _EXPLETIVE_FILL:
        at += 1
    if at >= len(toks) or toks[at] not in _EXPLETIVE_STATES:
        return None
    state = toks[at]
    at += 1
    while at < len(toks) and (toks[at] in _EXPLETIVE_STATES or toks[at] in ("sense", "it")):  # "a good idea to", "make sense to"
        at += 1
    if len(toks) - at < 2:
        return None
    if toks[at] == "for":  # "is it safe for me to ...", not "is it safe for kids?"
        return at if "to" in toks[at + 1 : at + 4] else None
    # the clause: "that", "to", "if" ... opens it, or it follows "true" / "the case" bare ("is it true employers ...")
    return at if toks[at] in _EXPLETIVE_CLAUSE or state in ("true", "case") else None


def leans_on_history(question: str, disabled: frozenset[str] = frozenset()) -> bool:
    """Does the question need the previous turn to be understood ("why?", "who said that?", "and if gzip isn't
    installed?")? It does when it names nothing, when it carries on from the turn before (it opens on "and", "so",
    "what about", ... or ends on "then", "instead"), or when it points back ("that", "it", ...) and names little of its
    own: three content words at most, or a few more when the pointing word comes before all of them. In "If a font is
    caught by both lists, does it get excluded?" the "it" points at the font, not at the last turn; "What is DPMI?"
    names what it asks about and points nowhere."""
    toks = words(question)
    if not toks:
        return False
    named = len([t for t in content_terms(question) if t not in FORM_WORDS])
    if named == 0 or _CONTINUES.match(question) or _CARRIES_ON.search(question):
        return True
    # "this policy", "these documents": the asker points at the documents, not at the turn before
    # "is it true that ...": the "it" and the "that" stand for the clause, not for the last turn (rule `expletive_it`)
    opens = {} if "expletive_it" in disabled else {k: at for k in range(len(toks)) if (at := stands_for_clause(toks, k)) is not None}
    clause = set(opens) | set(opens.values())
    pointing = [
        t in _POINTING and k not in clause and not (t in _DEMONSTRATIVES and k + 1 < len(toks) and toks[k + 1] in DOCUMENT_WORDS)
        for k, t in enumerate(toks)
    ]
    if named <= 3 and any(pointing):
        return True
    for t, points in zip(toks, pointing):  # the first word that points back, or the first the question names itself
        if points:
            return named <= TUNING.follow_up_pointing_terms
        if content_terms(t):
            return False
    return False


def without_markers(text: str) -> str:
    text = re.sub(r"\s*\[\d+(?:\s*,\s*\d+)*\]", "", text or "")
    return " ".join(text.split())


_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6}
# How a list's items are parted, most explicit first: item marks that open the list ("(1) ... (2) ...", "- ... - ..."), semicolons,
# commas or "and", and the last "and" alone (two items that hold commas: "sd, by B. Hiles, and sedsed, by A. Jargas").
_ITEM_PARTINGS = (
    r"(?:^|\s)(?:\(\d+\)|\d+\)|[-•*])\s+",
    r";\s*(?:and\s+)?",
    r",\s*(?:and\s+)?|\s+and\s+|(?<=[.!?])\s+",
    r",?\s+and\s+",
)


def _outside_brackets(text: str) -> list[bool]:
    """For each character of ``text``: does it stand outside every bracket ("(run, since 1990, by the county)")?"""
    depth, out = 0, []
    for ch in text:
        depth = max(0, depth - 1) if ch in ")]" else depth
        out.append(depth == 0 and ch not in ")]")
        depth += ch in "(["
    return out


def _parted(body: str, parting: str) -> list[tuple[int, int]]:
    """Where ``body``'s items lie, parted where ``parting`` matches outside brackets: an item's aside keeps its commas.
    Spans, without the blanks and full stops around each item."""
    outside = _outside_brackets(body)
    cuts, start = [], 0
    for m in re.finditer(parting, body):
        if m.end() > m.start() and outside[m.start()]:
            cuts.append((start, m.start()))
            start = m.end()
    cuts.append((start, len(body)))
    return [span for i, j in cuts if (span := _trimmed(body, i, j))]


def _trimmed(body: str, i: int, j: int) -> tuple[int, int] | None:
    """The span ``i``-``j`` of ``body`` without the blanks and full stops around it; None when nothing is left."""
    while i < j and body[i] in " .":
        i += 1
    while j > i and body[j - 1] in " .":
        j -= 1
    return (i, j) if i < j else None


def _alike(body: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Items of a list open alike ("the Cape Wren light, the Point Ash, Birch and Fir light, and the Isle Dun light"): a
    piece that does not open as the first item does goes on with the item before it (a name that holds commas)."""
    opening = body[slice(*spans[0])].split()[0].lower()
    merged: list[tuple[int, int]] = []
    for i, j in spans:
        if merged and body[i:j].split()[0].lower() != opening:
            merged[-1] = (merged[-1][0], j)
        else:
            merged.append((i, j))
    return merged


def _numbered_items(body: str) -> list[tuple[int, int]]:
    """Where the items of a list numbered "1. ... 2. ... 3. ..." lie in ``body``, when it opens on "1.": each item up to
    the next number in sequence (a "3." inside an item that is not the next number does not part it); empty when
    ``body`` is not such a list."""
    outside = _outside_brackets(body)
    marks: list[tuple[int, int]] = []
    for m in re.finditer(r"(?:^|\s)(\d{1,2})\.\s+", body):
        if outside[m.start()] and int(m.group(1)) == len(marks) + 1:
            if not marks and body[: m.start()].strip():
                return []  # the list opens the body
            marks.append((m.start(), m.end()))
    if len(marks) < 2:
        return []
    ends = [start for start, _ in marks[1:]] + [len(body)]
    return [span for (_, i), j in zip(marks, ends) if (span := _trimmed(body, i, j))]


# a list opened by a colon or an em dash, or by item marks
_LIST_OPENS = re.compile(r"[:—]|(?:^|\s)(?:\(\d+\)|\d+\)|[-•*])\s+")
_ENUMERATED = re.compile(r"^\W*(?:the\s+)?(first|second|third|fourth|fifth|sixth|finally|lastly|last)\b", re.I)
_ENUMERATION_ORDER = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5, "finally": -1, "lastly": -1, "last": -1}


def _enumeration(answer: str) -> dict[int, str]:
    """The sentences of an answer that enumerates in sentences ("The first lesson ... is ... Second, ... Finally, ..."),
    by their place (-1: the last); empty when fewer than two sentences open on an ordinal."""
    opened: dict[int, str] = {}
    for s, e in split_sentences(answer):
        m = _ENUMERATED.match(answer[s:e])
        if m:
            opened.setdefault(_ENUMERATION_ORDER[m.group(1).lower()], answer[s:e])
    return opened if len(opened) >= 2 else {}


def gives_list(answer: str) -> bool:
    """Does an answer give a list: after a colon or an em dash, in item marks, or in sentences that open on ordinals?"""
    return bool(_LIST_OPENS.search(answer) or _enumeration(answer))


def enumerated_item(k: int, answer: str) -> str | None:
    """Item ``k`` (-1: the last) of an answer that enumerates in sentences: the sentence that opens on that ordinal (the
    last that opens on one, when none says "finally"); None when the answer does not enumerate so."""
    opened = _enumeration(answer)
    if k == -1 and opened and -1 not in opened:
        return opened[max(opened)]
    return opened.get(k)


def listed_item(question: str, answer: str) -> str | None:
    """"The third one": the third item of the list in the previous answer, or None when there is no list. The list
    follows a colon or an em dash ("three lighthouses—the ..."; up to a dash that closes it). The items are parted by the
    most explicit marks the list uses, outside brackets; when the answer says how many it lists ("two: ..."), by the
    first parting that gives that many items opening alike, else that many once pieces that do not open as the first
    item does join the item before, else that many."""
    m = _ORDINAL.search(question)
    if not m:
        return None
    enumerated = enumerated_item(_ORDINALS[m.group(1).lower()], answer)
    if enumerated:  # "The first lesson ... Second, ... Third, ...": the sentence that opens on the ordinal asked for
        return enumerated
    opens = [i for i in (answer.find(":"), answer.find("—")) if i >= 0]
    numbered = _numbered_items(answer)
    if numbered:  # "1. Ask the board: ... 2. ...": the numbers part it, whatever colons its items hold
        head, body = "", answer
    elif opens:
        head, body = answer[: min(opens)], answer[min(opens) + 1 :]
        if answer[min(opens)] == "—":
            body = body.split("—")[0]  # "The keeper—who lives on the cape—rings ...": an aside, not a list
    else:
        head, body = "", answer
    counted = re.findall(r"\b(two|three|four|five|six|[2-6])\b", head.lower())
    announced = _COUNTS[counted[-1]] if counted else None
    spans = numbered or _numbered_items(body)  # "... : 1. ... 2. ...": numbers part the items, however many were announced
    if not spans:
        marked = bool(re.match(_ITEM_PARTINGS[0], body.strip()))  # marks open a list; a dash inside a sentence does not
        partings = [_parted(body, parting) for parting in _ITEM_PARTINGS[not marked :]]
        lists = [spans for spans in partings if len(spans) >= 2]
        exact = [spans for spans in lists if len(spans) == announced]
        joined = [alike for spans in lists if announced and len(spans) > announced and len(alike := _alike(body, spans)) == announced]
        spans = ([e for e in exact if _alike(body, e) == e] + joined + exact + lists + [[]])[0]
    k = _ORDINALS[m.group(1).lower()]
    return body[slice(*spans[k])] if len(spans) >= 2 and k < len(spans) else None


def is_the_item(sentence: str, item: str) -> bool:
    """Is ``sentence`` the listed ``item`` itself ("2. Pay the fee." for "Pay the fee"), its mark and a word or two
    aside? The previous answer gave it; asked about again, it is what the answer is about, though said before."""
    said, asked = " ".join(words(sentence)), " ".join(words(item))
    return bool(asked) and asked in said and len(said.split()) - len(asked.split()) <= 2


def pointed_at(question: str, name: str) -> str:
    """``question`` with "the second one" replaced by the ``name`` of the item it points at ("tell me more about the
    second one" -> "tell me more about Ash Light"): the ordinal is not a word to search for."""
    m = _ORDINAL.search(question)
    if not m:
        return f"{question} {name}"
    before = re.sub(r"\bthe\s+$", "", question[: m.start()], flags=re.I)  # "about the second one": "about Ash Light"
    return " ".join(f"{before}{name}{question[m.end():]}".split())


def without_shorthand(question: str) -> str:
    """"can u list the changes" -> "can you list the changes"; a token glued to others ("%u", "u8", "/u/") stays."""
    question = _YOU_RE.sub(lambda m: f"{m.group(1)} you", question)
    return _SHORTHAND_RE.sub(lambda m: _SHORTHAND[m.group(1)], question)


def without_asker(question: str) -> str:
    """"What three lessons did they learn?" of "As a college dean I'd love the short version: what three
    lessons did they learn?": what the asker says of themselves is not what is asked. Only when the
    last sentence stands alone ("I read it was $50 million. Is that right?" needs all of it) and names
    enough of its own ("My $var never gets replaced. What am I doing wrong?" is about the $var)."""
    asked = asked_part(without_afterword(question))
    if len(content_terms(asked)) < TUNING.stands_alone_terms:  # "... my $var never gets replaced. What am I doing wrong?"
        return question  # says too little alone: what came before is what is asked about
    return asked


def without_afterword(question: str) -> str:
    """"Which repair shops does the guide list?" of "Which repair shops does the guide list? I run a bike club and
    want to know if ours is one of them.": what the asker says of themselves after the question is not what is
    asked. A sentence after it that asks ("what do i change"), or gives a number ("My van is over 3.5 tonnes"),
    stays."""
    pieces = _PIECES.split(question.strip())
    ends = [i for i, p in enumerate(pieces) if p.rstrip().endswith("?")]
    if not ends or ends[-1] == len(pieces) - 1:
        return question
    after = pieces[ends[-1] + 1 :]
    if all(_ASKER.search(p) and not _STANDS_ALONE.match(p) and not _DIGIT.search(p) for p in after):
        return " ".join(pieces[: ends[-1] + 1])
    return question


def asked_part(question: str) -> str:
    """The question proper after what the asker says of themselves ("I'm a dean. Why ...?" -> "Why ...?"): what the
    question's form (why, a list, a number) is read from; the whole question when it has no such opening."""
    pieces = _PIECES.split(question.strip())
    last = pieces[-1]
    if len(pieces) < 2 or not _ASKER.search(" ".join(pieces[:-1])) or not _STANDS_ALONE.match(last) or _POINTS_BACK.search(last):
        return question
    return last


def _sentences(text: str) -> tuple[str, ...]:
    return tuple(text[s:e] for s, e in split_sentences(text) if len(text[s:e].split()) >= 3)


def read(
    question: str,
    history: list[tuple[str, str]] | None = None,
    disabled: frozenset[str] = frozenset(),
    spelling: Callable[[str], str] | None = None,
) -> Plan:
    """The Plan of ``question`` asked after ``history`` ([user, assistant] turns). ``spelling`` corrects typos
    against the documents' words (rule ``typo``, ``spelling.py``)."""

    def as_words(text: str) -> str:
        """Chat shorthand and typos read as the words they stand for (rules `shorthand`, `typo`): what the "typed"
        features and the vocabulary read too."""
        if "shorthand" not in disabled:
            text = without_shorthand(text)
        if spelling is not None and "typo" not in disabled:
            text = spelling(text)
        return text

    question = as_words(" ".join(question.split()))
    text = without_asker(question) if "asker_preamble" not in disabled else question
    asked = asked_part(question) if "asker_preamble" not in disabled else question
    misuse = "misuse" not in disabled and is_misuse(question)
    small_talk = "small_talk" not in disabled and is_small_talk(question)
    asks_cause = bool(_WHY.match(asked))
    wants_list = bool(_LIST.search(asked))
    wants_number = bool(_NUMBER.search(asked))
    acronym, asks_name = (asked_acronym(asked) if "acronym" not in disabled else None) or (None, False)
    overview = "overview" not in disabled and asks_overview(asked, leans_on_history=False)
    how_many = _HOW_MANY.search(asked) if "count" not in disabled else None
    counted = stem(how_many.group(1).lower()) if how_many else None
    defines = defined_term(asked) if "definition" not in disabled else None
    if not history:
        return Plan(
            question, text, asks_cause=asks_cause, wants_list=wants_list, wants_number=wants_number, misuse=misuse, small_talk=small_talk, acronym=acronym,
            asks_name=asks_name, overview=overview, counted=counted, defines=defines, disabled=disabled,
        )  # fmt: skip
    user, answer = history[-1]
    user = as_words(user)
    previous = without_markers(answer)
    item = None
    if "listed_item" not in disabled:  # the list of the last answer that gave one: "the second one", then "and the third one?"
        answers = [without_markers(said) for _, said in reversed(history[-TUNING.item_turns :])]  # the last first
        item = next((i for a in answers if gives_list(a) and (i := listed_item(text, a)) is not None), None) or listed_item(text, previous)
    # "and what does RWB stand for?" names all it asks about: it stands alone however it opens
    follow_up = "follow_up" not in disabled and not asks_name and (item is not None or leans_on_history(text, disabled))
    overview = overview and asks_overview(asked, leans_on_history=follow_up)
    if not follow_up:
        return Plan(
            question, text, asks_cause=asks_cause, wants_list=wants_list, wants_number=wants_number, misuse=misuse, small_talk=small_talk, acronym=acronym,
            asks_name=asks_name, overview=overview, counted=counted, defines=defines, disabled=disabled,
        )  # fmt: skip
    if item:
        query = f"{text} {item}"
    else:
        query = f"{text} {user} {previous[: TUNING.history_chars]}"
    return Plan(
        question, " ".join(query.split()), follow_up=True, previous_answer=previous, previous_sentences=_sentences(previous),
        asks_cause=asks_cause, wants_list=wants_list, wants_number=wants_number, misuse=misuse, small_talk=small_talk, item=item, acronym=acronym,
        asks_name=asks_name, overview=overview, counted=counted, defines=defines, disabled=disabled,
    )  # fmt: skip
