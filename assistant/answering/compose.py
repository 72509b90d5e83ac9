"""Compose: the best evidence sentences, in an order that reads, each with its citation.

The reranker chooses; composition only keeps the answer short, free of repetition, and
cohesive in ways that hold for any English text (named rules, see ``assistant/rules.py``):
a sentence that refers back brings the sentence it refers to (or, opening a section, is shown
under the heading it refers to), a sentence that announces a list brings the list, a quotation
names the speaker the document gives it.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..documents import INTRODUCTION
from ..text import BULLET_MARK, LIST_MARKER, STOPWORDS, content_terms, words
from ..tuning import TUNING, Tuning
from ..types import Answer, Chunk, Retrieved
from .candidates import Candidate
from .citations import citation_for, renumber
from .plan import FORM_WORDS, Plan

# What an answer shows where it leaves out sentences between two of one passage (rule `gap_mark`), as a quotation does.
_GAP = "…"

# A sentence opening on a word that points back needs the sentence before it to be understood.
_REFERS_BACK = re.compile(
    r"^\W*(?:this|that|these|those|it|its|they|them|their|such|he|she|his|her|there|then|both|instead|however|but|yet|also|"
    r"as a result|note\s+that|in (?:this|that|turn|addition)|for (?:this|that) reason|for example|for instance|similarly|likewise|otherwise)\b",
    re.I,
)
# ... or contrasts with it in its first clause ("The leaders profiled here, on the other hand, ...").
_CONTRASTS_BACK = re.compile(r"^[^,;]{0,80},\s*(?:on the other hand|however|in contrast|by contrast|instead|though|too|as well)\b", re.I)


# ... or opens on a clause about what was just said ("While this doesn't affect ..., ...", "Because of that, ..."); not
# on a conjunction ("Given that the file exists, ...", "Since that release" is left: "since that" mostly joins clauses).
_CLAUSE_BACK = re.compile(
    r"^\W*(?:(?:while|although|though|since|if|unless|as|given)\s+(?:this|these|those|such)|"
    r"(?:because\s+of|unlike|despite|with|without|after|before|besides|apart\s+from|at|by|from|on\s+top\s+of)\s+(?:this|that|these|those|such))\b",
    re.I,
)


def _asks(text: str) -> bool:
    """A question the document asks ("How can I improve them?"): what follows it answers it. Not one it quotes
    ('Anna asked, "Where does the train leave from?"'): what follows that goes on with the story."""
    return text.rstrip().endswith("?")


# A question marked as an entry of a list of questions: "Q: Can I paint it?", "Q. ...", "Question: ...", "3.2. Why ...?"
_QUESTION_MARK = re.compile(r"^\W*(?:q\s*[:.)]|question\s*\d*\s*[:.)]|\d+(?:\.\d+)*[.)]?\s)", re.I)


def _next_entry(text: str) -> bool:
    """A FAQ's next question ("Q: Can I paint the widget?"): it opens the next entry, not the rest of this one."""
    return _asks(text) and bool(_QUESTION_MARK.match(text))


def _restates_heading(chunk: Chunk, i: int) -> bool:
    """Sentence ``i`` is (part of) its section's heading, as a FAQ's question is both its entry's title and a sentence
    of it: what follows answers it, whether or not it ends with "?"."""
    text = " ".join(chunk.sentence_texts()[i].split())
    return len(text.split()) >= 3 and text in " ".join(chunk.section.split())


# ... but "There is ..." / "There are ..." mostly introduces something new ("There are several reasons for ..."), unless
# what it introduces is relative to what came before ("There are other ways ...", "There are some exceptions: ...").
_THERE_IS = re.compile(
    r"^\W*there(?:\s+(?:is|are|was|were|will|would|may|might|can|could|must|should|shall|has|have|had|seems?|exists?|remains?|"
    r"appears?)\b|['’]s\b)(?!\s+(?:be\s+)?(?:\w+\s+)?(?:also|other|others|more|another|further|additional|similar|still|again|"
    r"exceptions?|alternatives?|caveats?|limitations?|differences?)\b)",
    re.I,
)


def _refers_back(text: str) -> bool:
    back = _REFERS_BACK.match(text) and not _THERE_IS.match(text)
    return bool(back or _CONTRASTS_BACK.match(text) or _CLAUSE_BACK.match(text))


# A counted sequence in prose: its opening ("First, ...", "The first lesson ...") and its continuations.
_SEQUENCE_OPENS = re.compile(r"^\W*(?:the\s+)?first\b", re.I)
_SEQUENCE_GOES_ON = re.compile(r"^\W*(?:the\s+)?(?:second|third|fourth|fifth|sixth|next|finally|lastly|last)\b", re.I)
# ... and, among sentences nobody ranked, only an item that counts ("Second, ...", not "Next, ..." or "Last year ...")
_SEQUENCE_ITEM = re.compile(r"^\W*(?:the\s+)?(?:second|third|fourth|fifth|sixth)\b|^\W*(?:finally|lastly),", re.I)
_FENCE_MARK = re.compile(r"(?:```|~~~)[\w+#.-]*\s*")  # a code fence's marks and its language ("```rust ")
# an item, a fragment that goes on with one, or a defined term ("Collision-resistant: It is hard to ...")
_LIST_ITEM = re.compile(rf"^\s*(?:{LIST_MARKER}|\(?[a-z]\)|[a-z]|[^\s:][^:.!?]{{0,40}}:\s)")
# ... of which one marked as an item ("- ...", "3. ...", "(c) ...", "(iv) ..."): it belongs to a list (rule `sibling_items`)
_MARKED_ITEM = re.compile(rf"^\s*(?:{LIST_MARKER}|\((?:[a-z]|[ivx]{{1,4}})\)\s)")
# What a sentence before a marked list counts: a number of things ("four monitor commands", "two reasons"), or "the following"
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_COUNTS = re.compile(r"\b(?:(" + "|".join(_NUMBER_WORDS) + r"|[2-9]|1[0-2])\s+(?:[\w-]+\s+){0,2}?[\w-]+s|the\s+following)\b", re.I)
_LABEL_MAX_WORDS = 8  # an item this short without a closing mark names what the sentences after it explain
# A bullet's mark ("* ...", "- ..."): unordered items, each one of its own (not "1. ...", a step of a sequence).
_BULLET = re.compile(rf"^\s*({BULLET_MARK})\s")


@dataclass(frozen=True)
class Piece:
    """One sentence shown in the answer, and the passage it cites."""

    chunk: Chunk
    index: int
    text: str  # as shown (with its speaker, when named)


def _open_quote(text: str) -> bool:
    """Does a quotation opened in ``text`` stay open at its end?"""
    return text.count("“") > text.count("”")


# A table's row as the documents are read (``documents._table_row``: "Company: Datadog; Person: Vladimir; Release
# Date: 2022-Sep-23"): the names of its columns
_RECORD_FIELD = re.compile(r"(?:^|; )([^:;]{1,40}?): ")


def _explains_item(texts: list[str], i: int) -> bool:
    """Is sentence ``i`` the explanation of the item before it, in a list whose items each name something and are
    explained by what follows them ("* Bzip2 (method 12)", "Only supported if ...", "* Lzma (method 14)", "Only
    supported if ...")? Alone it does not say what it is about. The item is short and has no closing mark; an item
    right after another is a list of its own, which the prose after it ("As a consequence, ...") does not explain."""
    if i < 1 or _MARKED_ITEM.match(texts[i]) or (i >= 2 and _MARKED_ITEM.match(texts[i - 2])):
        return False
    label = texts[i - 1]
    return bool(_MARKED_ITEM.match(label)) and len(label.split()) <= _LABEL_MAX_WORDS and not re.search(r"[.!?:;]\W*$", label)


def _another_record(best: str, upcoming: str) -> bool:
    """Is ``upcoming`` another row of the table ``best`` is a row of (two columns or more in common, the first one
    first), or another bullet of the list ``best`` is a bullet of (the same mark)? Each is a whole record: a short
    answer from one does not go on into the next (`continuation`), which gave "Which company did Vladimir represent?"
    the five rows after his, and a release note's "what was deprecated?" the unrelated change listed after it. A
    numbered item goes on: its next step is the rest of a procedure."""
    a, b = _RECORD_FIELD.findall(best), _RECORD_FIELD.findall(upcoming)
    if len(a) >= 2 and len(b) >= 2 and a[0] == b[0] and len(set(a) & set(b)) >= 2:
        return True
    mark = _BULLET.match(best)
    if mark and upcoming.lstrip().startswith(mark.group(1) + " "):
        return True
    return _parallel(best, upcoming)


def _parallel(best: str, upcoming: str) -> bool:
    """Do the two sentences open in one shape, another thing named in the same frame ("The brake method slows ..." and
    "The flush method empties ...")? A paragraph of parallel definitions is a list written as prose: each sentence is
    a record of its own, and "What does the brake method do?" was answered with the flush and label methods too."""
    a, b = words(best)[:3], words(upcoming)[:3]
    return len(a) == 3 and len(b) == 3 and a[0] == b[0] and a[2] == b[2] and a[1] != b[1] and a[2] not in STOPWORDS


def _words(text: str) -> int:
    return len(text.split())


def _speaker_named(speaker: str, text: str) -> bool:
    head = [w for w in re.findall(r"[\w\-]+", speaker.lower()) if len(w) > 3]
    low = text.lower()
    return any(w in low for w in head[-2:]) or bool(re.search(r"\b(?:said|says|put it|explained|noted|added)\b", low))


def _shown(chunk: Chunk, i: int, plan: Plan, name_speaker: bool = True) -> str:
    """Sentence ``i`` as the answer shows it: a Markdown code fence's marks are formatting, not words ("```sh sed -n
    12,18p myfile ```" shows as "sed -n 12,18p myfile"), and the spaces and tabs a justified text set between its
    words are one space (a manual page printed by `man`: "the value of\tthe  offending"); the passage cited keeps
    the document's text."""
    written = chunk.sentence_texts()[i]
    text = " ".join((_FENCE_MARK.sub("", written).strip() or written).split())
    speaker = chunk.sentences[i].speaker
    if name_speaker and speaker and plan.uses("speaker") and not _speaker_named(speaker, text):
        return f"{text} ({speaker})"
    return text


def _speaker_goes_on(chunk: Chunk, i: int, shown: set[int]) -> bool:
    """The sentence after ``i`` is shown too and is the same speaker's: the quotation names its speaker once, after
    its last sentence shown (not after each of them)."""
    return i + 1 in shown and chunk.sentences[i].speaker is not None and chunk.sentences[i + 1].speaker == chunk.sentences[i].speaker


def _repeats(c: Candidate, others: list[Candidate], tuning: Tuning) -> bool:
    """``c`` says what one of ``others`` says (its vector all but the same): it adds nothing."""
    return any(float(np.dot(c.vector, o.vector)) > tuning.redundancy for o in others)


def choose(plan: Plan, ranked: list[Candidate], max_words: int, tuning: Tuning = TUNING) -> list[Candidate]:
    """The sentences that answer: the best, then the next while they are nearly as good and new."""
    if not ranked:
        return []
    limit = tuning.list_max_sentences if plan.wants_list else tuning.max_sentences
    best = ranked[0]
    chosen = [best]
    words = _words(best.text)
    sequence = plan.wants_list and plan.uses("enumeration") and bool(_SEQUENCE_OPENS.match(best.text))
    going_on: list[Candidate] = []
    for c in ranked[1:]:
        if len(chosen) + len(going_on) >= limit:
            break
        goes_on = sequence and c.chunk.source == best.chunk.source and bool(_SEQUENCE_GOES_ON.match(c.text))
        if c.score < tuning.close_to_best * best.score and not goes_on:
            if sequence:
                continue  # the sequence's later items may rank lower still
            break
        if words + _words(c.text) > max_words:
            continue
        if _repeats(c, chosen + going_on, tuning):
            continue
        (going_on if goes_on else chosen).append(c)
        words += _words(c.text)
    return chosen + sorted(going_on, key=lambda c: (c.chunk.order, c.index))  # a sequence reads in the document's order


class _Draft:
    """An answer being arranged: which sentences of which passages it holds, in what order, and how many words.
    Each cohesion rule is one method; ``arrange`` runs them in turn."""

    def __init__(
        self,
        plan: Plan,
        chosen: list[Candidate],
        max_words: int,
        tuning: Tuning,
        following: Callable[[Chunk], Chunk | None] | None,
        preceding: Callable[[Chunk], Chunk | None] | None,
    ):
        self.plan, self.chosen, self.max_words, self.tuning = plan, chosen, max_words, tuning
        self.following, self.preceding = following, preceding
        self.budget = max_words + tuning.cohesion_words
        self.continued: dict[str, Chunk] = {}  # passage id -> the next passage, where the answer goes on
        self.moved: set[str] = set()  # the passages in continued's values: each reads after the passage it continues
        self.keys: dict[str, set[int]] = {}  # passage id -> the numbers of its sentences the answer holds
        self.order: list[Chunk] = []
        self.total = 0
        for c in chosen:
            self.hold(c)

    def hold(self, c: Candidate) -> None:
        """A ranked sentence joins the answer (its passage after those it already holds)."""
        if c.chunk.id not in self.keys:
            self.keys[c.chunk.id] = set()
            self.order.append(c.chunk)
        self.keys[c.chunk.id].add(c.index)
        self.total += _words(c.text)

    # ------------------------------------------------------------------ taking sentences and passages
    def take(self, chunk: Chunk, texts: list[str], j: int) -> bool:
        """Add sentence ``j`` of ``chunk`` when it exists, is not in yet and fits the budget."""
        if not 0 <= j < len(texts) or j in self.keys[chunk.id] or self.total + _words(texts[j]) > self.budget:
            return False
        self.keys[chunk.id].add(j)
        self.total += _words(texts[j])
        return True

    def next_passage(self, chunk: Chunk) -> Chunk | None:
        """The passage a list or a short answer goes on into: the one ``chunk`` already goes on into, else the next of
        its section (a passage ends where the index cut the text, not where the writer did)."""
        if chunk.id in self.continued:
            return self.continued[chunk.id]
        after = self.following(chunk) if self.following is not None else None
        if after is None or after.section != chunk.section or not after.sentences or after.id in self.moved:
            return None
        return after

    def go_on(self, chunk: Chunk, after: Chunk) -> None:
        """``after`` reads right after ``chunk`` (moved up there when the answer already holds it)."""
        self.continued[chunk.id] = after
        self.moved.add(after.id)
        self.keys.setdefault(after.id, set())

    def enter_next(self, at: Chunk, limit: int) -> Chunk | None:
        """The next passage of ``at``'s section, read right after it, its first sentence in the answer (taken within
        ``limit`` words, or already there); None when there is none or it does not fit."""
        after = self.next_passage(at)
        if after is None:
            return None
        fresh = after.id not in self.keys
        self.keys.setdefault(after.id, set())
        opening = after.sentence_texts()[0]
        if 0 not in self.keys[after.id] and (self.total + _words(opening) > limit or not self.take(after, after.sentence_texts(), 0)):
            if fresh:
                del self.keys[after.id]
            return None
        self.go_on(at, after)
        return after

    def announces_list(self, chunk: Chunk, texts: list[str], i: int) -> bool:
        """Sentence ``i`` announces a list: it ends with ':', or it counts what the marked items right after it give
        ("The tool provides four monitor commands.", "The peak can be wrong, for two reasons." before "- ...")."""
        if not self.plan.uses("announced_list"):
            return False
        if texts[i].rstrip().endswith(":"):
            return True
        counted = _COUNTS.search(texts[i])
        if counted is None or _MARKED_ITEM.match(texts[i]):
            return False  # an item counts nothing for the items after it
        after = self.next_passage(chunk)
        upcoming = texts[i + 1 :] + (after.sentence_texts() if after is not None else [])
        items = sum(1 for t in upcoming if _MARKED_ITEM.match(t))
        number = (counted.group(1) or "2").lower()  # "the following": two or more
        wanted = _NUMBER_WORDS.get(number) or int(number)
        return bool(upcoming) and bool(_MARKED_ITEM.match(upcoming[0])) and items >= wanted

    def held_terms(self) -> set[str]:
        """The content words of every sentence the answer holds so far."""
        chunks = {c.id: c for c in self.order} | {c.id: c for c in self.continued.values()}
        return {t for cid, chunk in chunks.items() for i in self.keys.get(cid, ()) for t in content_terms(chunk.sentence_texts()[i])}

    def cover(self, ranked: list[Candidate]) -> None:
        """`coverage`: a question asks about two things ("How much larger than sed are awk and perl?") and the best
        sentences answer one (awk).
        A question word no sentence of the answer holds, held by one of the next-ranked sentences the reranker still
        gives a fair chance, brings that sentence, best first, within the answer's word limit.
        Last of the rules, so a short answer first goes on with the sentence after its best one (`continuation`)."""
        tuning = self.tuning
        # "an example?" asks for a form of answer: the answer need not hold the word "example"
        typed = set(content_terms(self.plan.question))
        asked = typed - FORM_WORDS if typed else set(content_terms(self.plan.query))  # "why?" is read with its turn
        held = self.held_terms()
        taken = list(self.chosen)
        for c in ranked[1 : tuning.coverage_depth]:
            missing = asked - held
            if not missing:
                return
            terms = set(content_terms(c.text))
            if c.index in self.keys.get(c.chunk.id, ()) or c.score < tuning.coverage_floor * ranked[0].score or not missing & terms:
                continue
            if self.total + _words(c.text) > self.max_words or _repeats(c, taken, tuning):
                continue
            self.hold(c)
            taken.append(c)
            held |= terms

    # ------------------------------------------------------------------ the rules, in the order arrange runs them
    def cohere(self) -> None:
        """`antecedent`, `introduced`, `quotation` and `announced_list` for every sentence chosen."""
        plan = self.plan
        for chunk in self.order:
            texts = chunk.sentence_texts()
            for i in sorted(self.keys[chunk.id]):
                if plan.uses("antecedent") and i > 0 and _refers_back(texts[i]):
                    j = i - 1  # an antecedent that itself refers back brings its own
                    while self.take(chunk, texts, j) and j > 0 and _refers_back(texts[j]):
                        j -= 1
                elif plan.uses("antecedent") and _explains_item(texts, i):
                    self.take(chunk, texts, i - 1)  # the item it explains: "* Lzma (method 14)" before "Only supported if ..."
                elif plan.uses("introduced") and i > 0 and texts[i - 1].rstrip().endswith(":"):
                    self.take(chunk, texts, i - 1)
                elif plan.uses("introduced") and i == 0 and self.preceding is not None and chunk.id not in self.moved:
                    self.introduce_across(chunk)
                if plan.uses("quotation") and _open_quote(texts[i]):
                    # a quotation cut off mid-way goes on to its end (within the budget)
                    j = i + 1
                    while self.take(chunk, texts, j) and _open_quote(" ".join(texts[i : j + 1])):
                        j += 1
                if self.announces_list(chunk, texts, i):
                    self.bring_list(chunk, texts, i)

    def bring_list(self, chunk: Chunk, texts: list[str], i: int) -> None:
        """Sentence ``i`` announces a list: the next sentence, and those after it that continue it (an item, not a
        new sentence, or a sentence explaining an item when another item follows it); an item already chosen does
        not stop it. Announced at the end of a passage, or with items that run on past its end, the list goes on
        in the next passage of the same section; one the answer already holds moves up to follow it."""

        def item_at(target: Chunk, items: list[str], k: int) -> bool:
            """Sentence ``k`` is an item; past the passage's end, the next passage opens with a marked one."""
            if k < len(items):
                return bool(_LIST_ITEM.match(items[k]))
            after = self.next_passage(target)
            return after is not None and bool(_MARKED_ITEM.match(after.sentence_texts()[0]))

        target, items, j = chunk, texts, i + 1
        while True:
            if j == len(items):
                after = self.next_passage(target)
                announced_at_end = target is chunk and j == i + 1
                if after is None or not (announced_at_end or item_at(target, items, j)):
                    return
                opening = after.sentence_texts()[0]
                if 0 not in self.keys.get(after.id, ()) and self.total + _words(opening) > self.budget:
                    return
                self.go_on(target, after)
                target, items, j = after, after.sentence_texts(), 0
            if j not in self.keys[target.id] and not self.take(target, items, j):
                return
            j += 1
            if j < len(items) and not item_at(target, items, j) and not item_at(target, items, j + 1):
                return  # neither an item nor a sentence that explains the item before it and is followed by another

    def bring_siblings(self) -> None:
        """`sibling_items`: a list is asked for ("What are the four conditions ...?") and a chosen sentence is one item of
        a list its passage announces ("... provided that You meet the following conditions:" | "(a) ..." "(b) ..."
        "(c) ..."): the announcement and the list join (`announced_list`), within the budget. The reranker finds the item
        that shares the question's words; the question asked for all of them."""
        if not (self.plan.wants_list and self.plan.uses("sibling_items") and self.plan.uses("announced_list")):
            return
        for c in self.chosen:
            if not _MARKED_ITEM.match(c.text):
                continue
            found = self.announcement(c.chunk, c.index)
            if found is None:
                continue
            at, k = found
            if self.hold_sentence(at, k):
                self.bring_list(at, at.sentence_texts(), k)

    def announcement(self, chunk: Chunk, i: int) -> tuple[Chunk, int] | None:
        """The sentence ending with ':' that announces the list sentence ``i`` of ``chunk`` is an item of: back over
        the items before it, into the passages before in its section (the index cuts a list of long items apart)."""
        at, j = chunk, i - 1
        for _ in range(self.tuning.sibling_reach):
            if j < 0:
                before = self.preceding(at) if self.preceding is not None else None
                if before is None or before.section != at.section or not before.sentences or before.id in self.continued:
                    return None
                at, j = before, len(before.sentences) - 1
            text = at.sentence_texts()[j]
            if text.rstrip().endswith(":"):
                return at, j
            if not _LIST_ITEM.match(text):
                return None
            j -= 1
        return None

    def introduce_across(self, chunk: Chunk) -> None:
        """A passage that opens on what the passage before announced ("... is granted by a Contributor:" | "(a) for
        any code ..."): the announcement joins, and the passage reads after it (the index cut there, not the writer)."""
        before = self.preceding(chunk)
        if before is None or before.section != chunk.section or before.id in self.continued or not before.sentences:
            return
        last = len(before.sentences) - 1
        announces = before.sentence_texts()[last].rstrip().endswith(":")
        if announces and last not in self.keys.get(before.id, ()) and self.hold_sentence(before, last):
            self.go_on(before, chunk)

    def hold_sentence(self, at: Chunk, k: int) -> bool:
        """Sentence ``k`` of ``at``, a passage the answer may not hold yet, joins it (the passage after those it holds);
        False when it does not fit the budget (and a passage new to the answer stays out)."""
        fresh = at.id not in self.keys
        self.keys.setdefault(at.id, set())
        if k in self.keys[at.id] or self.take(at, at.sentence_texts(), k):
            if fresh:
                self.order.append(at)
            return True
        if fresh:
            del self.keys[at.id]
        return False

    def goes_on(self, at: Chunk, j: int) -> bool:
        """Does the answer go on with sentence ``j`` of ``at`` (past its end: the next passage's first)? While it is
        short (`continuation`), or when that sentence refers back to the one before it (`follow_on`: "However, ...",
        "This means ...": the rest of the thought the answer's best sentence begins), within the answer's own word
        limit: with the allowance cohesion has beyond it, a chain of "This ..." sentences made answers up to 17
        words longer. A sentence the answer already holds is gone past only when it refers back (a list it holds ends
        the answer)."""
        plan = self.plan
        if j < len(at.sentences) and j in self.keys[at.id]:
            return plan.uses("follow_on") and _refers_back(at.sentence_texts()[j])
        if j < len(at.sentences):
            upcoming = at.sentence_texts()[j]
        else:
            after = self.next_passage(at)
            if after is None:
                return False
            upcoming = after.sentence_texts()[0]
        short = self.total < self.tuning.continuation_below_words
        if plan.uses("continuation") and short and not _another_record(self.chosen[0].text, upcoming) and not _next_entry(upcoming):
            return True
        return plan.uses("follow_on") and _refers_back(upcoming) and self.total + _words(upcoming) <= self.max_words

    def go_on_from_best(self) -> None:
        """`continuation` and `follow_on` after the best sentence, into the next passage of its section."""
        if not self.chosen:
            return
        best = self.chosen[0]
        at, j = best.chunk, best.index + 1
        while self.goes_on(at, j):
            if j == len(at.sentences):  # the sentence after is the next passage's first
                after = self.enter_next(at, self.budget)
                if after is None:
                    break
                at, j = after, 0
            elif j not in self.keys[at.id] and not self.take(at, at.sentence_texts(), j):
                break
            texts = at.sentence_texts()
            if self.announces_list(at, texts, j):  # the answer went on to a sentence that announces a list: the list follows it
                self.bring_list(at, texts, j)
                break
            j += 1

    def follow_others(self) -> None:
        """`follow_on` after every other chosen sentence: the sentences after it in its passage that refer back to it,
        within the allowance cohesion has, as an antecedent is ("However, You may do so only on Your own behalf." says
        what the sentence before it allows)."""
        if not self.plan.uses("follow_on"):
            return
        for other in self.chosen[1:]:
            at, texts, j = other.chunk, other.chunk.sentence_texts(), other.index + 1
            while j < len(texts) and _refers_back(texts[j]) and (
                j in self.keys[at.id] or self.take(at, texts, j)
            ):
                j += 1

    def answer_questions(self) -> None:
        """`document_question` for every sentence of the answer that asks, in the passages reached by going on too."""
        if not self.plan.uses("document_question"):
            return
        held = {c.id: c for c in self.order} | {c.id: c for c in self.continued.values()}
        for chunk in list(held.values()):
            for i in sorted(self.keys[chunk.id]):
                if _asks(chunk.sentence_texts()[i]) or _restates_heading(chunk, i):
                    self.answer_to(chunk, i)

    def answer_to(self, chunk: Chunk, i: int) -> None:
        """Sentence ``i`` of ``chunk`` is a question the document asks (a FAQ's); the sentences after it answer it, in
        the next passage of its section when its own ends, up to the next question and within the answer's word
        limit. A FAQ's question matches a user's best, and its answer shares few of their words."""
        at, j = chunk, i + 1
        while True:
            if j == len(at.sentences):
                after = self.next_passage(at)
                if after is None or _asks(after.sentence_texts()[0]) or self.enter_next(at, self.max_words) is None:
                    return
                at, j = after, 1
                continue
            texts = at.sentence_texts()
            if (_asks(texts[j]) and not _restates_heading(at, j)) or (
                j not in self.keys[at.id] and (self.total + _words(texts[j]) > self.max_words or not self.take(at, texts, j))
            ):
                return
            j += 1

    def fill_sequence(self) -> None:
        """`enumeration`: when a list is asked for and the best sentence opens a counted sequence, the sequence's items
        that lie between its opening and a later item the answer holds ("Second, ..." in the passage between "The first
        lesson ..." and "Third, ...", which retrieval did not bring) join it."""
        plan, chosen = self.plan, self.chosen
        if not (plan.wants_list and plan.uses("enumeration") and chosen and _SEQUENCE_OPENS.match(chosen[0].text)):
            return
        opener = chosen[0]
        later = [c for c in chosen[1:] if c.chunk.source == opener.chunk.source and _SEQUENCE_GOES_ON.match(c.text)]
        if not later or self.following is None:
            return
        last = max(later, key=lambda c: (c.chunk.order, c.index))
        if (last.chunk.order, last.index) < (opener.chunk.order, opener.index):
            return
        between: list[tuple[Chunk, int]] = []
        chunk: Chunk | None = opener.chunk
        start = opener.index + 1
        for _ in range(self.tuning.sequence_gap_passages + 1):
            if chunk is None or chunk.source != opener.chunk.source:
                return
            texts = chunk.sentence_texts()
            end = last.index if chunk.id == last.chunk.id else len(texts)
            if chunk.section == opener.chunk.section:
                between += [(chunk, j) for j in range(start, end) if _SEQUENCE_ITEM.match(texts[j])]
            if chunk.id == last.chunk.id:
                break
            chunk, start = self.following(chunk), 0
        else:
            return  # the later item is further away than a sequence runs
        for chunk, j in between:
            if chunk.id not in self.keys:
                self.keys[chunk.id] = set()
                # before the first passage of the document that comes after it: the sequence reads in order
                after = [k for k, o in enumerate(self.order) if o.source == chunk.source and o.order > chunk.order]
                self.order.insert(after[0] if after else len(self.order), chunk)
            self.take(chunk, chunk.sentence_texts(), j)

    def pieces(self) -> list[Piece]:
        """The sentences in reading order, each passage followed by those it goes on into; a section's first sentence
        that refers back (chosen or brought) is shown under the heading it refers to (`heading_antecedent`), and so is
        one under a heading that names a code term (`heading_term`)."""

        def with_continuations(chunk: Chunk) -> list[Chunk]:
            return [chunk] + (with_continuations(self.continued[chunk.id]) if chunk.id in self.continued else [])

        plan, keys = self.plan, self.keys
        order = [c for chunk in self.order if chunk.id not in self.moved for c in with_continuations(chunk)]
        headed = {
            chunk.id
            for chunk in order
            if 0 in keys[chunk.id]
            and _opens_section(chunk, self.preceding)
            and (
                (plan.uses("heading_antecedent") and _refers_back(chunk.sentence_texts()[0]))
                or (plan.uses("heading_term") and _names_code(chunk.section) and chunk.section not in chunk.sentence_texts()[0])
            )
        }
        pieces: list[Piece] = []
        for chunk in order:
            for i in sorted(keys[chunk.id]):
                text = _shown(chunk, i, plan, name_speaker=not _speaker_goes_on(chunk, i, keys[chunk.id]))
                text = f"{chunk.section}: {text}" if i == 0 and chunk.id in headed else text
                if pieces and plan.uses("gap_mark") and self.skips(pieces[-1], chunk, i):
                    text = f"{_GAP} {text}"
                pieces.append(Piece(chunk, i, text))
        return pieces

    def skips(self, before: Piece, chunk: Chunk, i: int) -> bool:
        """Does sentence ``i`` of ``chunk``, shown right after ``before``, leave out sentences between them (rule
        `gap_mark`)? Within one passage, or across into the passage it goes on into."""
        if before.chunk.id == chunk.id:
            return i > before.index + 1
        if before.chunk.id in self.continued and self.continued[before.chunk.id].id == chunk.id:
            return i > 0 or before.index < len(before.chunk.sentence_texts()) - 1
        return False


def arrange(
    plan: Plan,
    chosen: list[Candidate],
    max_words: int,
    tuning: Tuning = TUNING,
    following: Callable[[Chunk], Chunk | None] | None = None,
    preceding: Callable[[Chunk], Chunk | None] | None = None,
    ranked: list[Candidate] | None = None,
) -> list[Piece]:
    """Order the chosen sentences (by passage, in reading order within one) and add what cohesion needs.
    ``following`` gives the passage after a passage, for a list that goes on past the end of one; ``preceding``
    the passage before, to tell whether a passage opens its section; ``ranked``, every candidate best first, where
    the answer finds a sentence for a part of the question it has not answered."""
    draft = _Draft(plan, chosen, max_words, tuning, following, preceding)
    draft.cohere()
    draft.bring_siblings()
    draft.go_on_from_best()
    draft.follow_others()
    draft.answer_questions()
    draft.fill_sequence()
    if ranked and plan.uses("coverage"):
        draft.cover(ranked)
    return draft.pieces()


# A code term in a heading: Markdown code, a flag, a call, an element, an environment variable.
_CODE_TERM = re.compile(r"`[^`]+`|(?:^|[\s,(])--?[A-Za-z]|\w\(\)|^<[\w:-]+>|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b")


def _names_code(heading: str) -> bool:
    """A short heading that names a code term ("`-c`, `--check`", "sha256_init()", "<match>", "NODE_OPTIONS=options"). In a
    reference manual its section's first sentence is about that term and often does not name it ("Syntax check the
    script without executing."): the answer shows the heading, or the term asked for is nowhere in it."""
    return len(heading.split()) <= 8 and bool(_CODE_TERM.search(heading))


def _opens_section(chunk: Chunk, preceding: Callable[[Chunk], Chunk | None] | None) -> bool:
    """The passage is the first of a section that has a heading: what its first sentence refers back to is the heading."""
    if preceding is None or not chunk.section or chunk.section == INTRODUCTION:
        return False
    before = preceding(chunk)
    return before is None or before.section != chunk.section


# "[1]" or "[2, 3]" written in a document ("FORCE_COLOR=[1, 2, 3]", "argv[1]") reads as a citation marker, which
# ``renumber`` would renumber or drop: a zero-width space after the bracket keeps the text as shown and no longer a marker.
_DOCUMENT_BRACKETS = re.compile(r"\[(?=\d+(?:\s*,\s*\d+)*\])")


def to_answer(pieces: list[Piece], retrieved: list[Retrieved], **base) -> Answer:
    """The answer text, one ``[n]`` per sentence, and its citations with the quoted sentences."""
    numbers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    chunks: dict[str, Chunk] = {}
    parts: list[str] = []
    for p in pieces:
        n = numbers.setdefault(p.chunk.id, len(numbers) + 1)
        chunks[p.chunk.id] = p.chunk
        quotes.setdefault(p.chunk.id, []).append(p.chunk.sentence_texts()[p.index])
        shown = _DOCUMENT_BRACKETS.sub("[\u200b", p.text)
        parts.append(f"{shown} [{n}]")
    citations = [citation_for(n, chunks[cid], " … ".join(quotes[cid])) for cid, n in numbers.items()]
    text, citations = renumber(" ".join(parts), citations)
    return Answer(answer=text, citations=citations, retrieved=retrieved, **base)
