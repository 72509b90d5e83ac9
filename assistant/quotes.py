"""Who is quoted: attach a speaker to every sentence of a quotation.

Reports are often built from quotations whose attribution sits in one sentence of a
multi-sentence quote ("“... together,” one leader said.") or before it ("As one
leader of the partnership put it, “...”"). Answers to "who said ..." need that speaker on
whichever sentence of the quote answers the question, so it is computed once here,
at indexing time, from the quotation marks and reporting verbs.
"""
from __future__ import annotations

import re

_VERBS = r"(?:said|says|explained|added|continued|reported|observed|reflected|noted|put it|recalled|stated|argued|remarked|described|told us|agreed)"
_SUBJECT = r"((?:the|a|an|one|another|some|two|several)\s+[^,.;“”\"]{2,80}?|[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*)*|she|he|they)"
_AFTER_QUOTE = [
    re.compile(rf"[,?!]?[”\"]\s*{_VERBS}\s+{_SUBJECT}\s*(?:[.,;]|$)"),  # ”, said the project director.
    re.compile(rf"[,?!]?[”\"]\s*{_SUBJECT}\s+(?:\w+ly\s+)?{_VERBS}\b"),  # ,” a teacher from the district said.
]
_BEFORE_QUOTE = re.compile(rf"\b[Aa]s\s+{_SUBJECT}\s+(?:\w+ly\s+)?{_VERBS}\s*,\s*(?:[^“”\",.]{{0,40}}\s)?[“\"]")  # As one member of the board put it, “
# A person named by role and affiliation: "the director from the Harbour Trust", "one teacher of the Alder School",
# "the Harbour Trust director" (any role noun; the affiliation is a capitalised name, maybe with a kind after it).
_ROLE = r"[a-z]+(?:[\s\-][a-z]+)?"
_MENTION = re.compile(
    rf"\b((?:[Tt]he|[Aa]|[Oo]ne)\s+{_ROLE}\s+(?:from|of)\s+(?:the\s+)?[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)*(?:\s+[a-z]+(?=[\s,.;:]))?"
    r"|[Tt]he\s+[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)*\s+(?:leader|director|head|chair|president|manager|officer|founder|author|spokesperson|teacher|principal))"
)
_PRONOUNS = {"she", "he", "they"}


def _speaker_in(sentence: str) -> str | None:
    for pattern in _AFTER_QUOTE:
        m = pattern.search(sentence)
        if m:
            return m.group(1).strip()
    m = _BEFORE_QUOTE.search(sentence)
    if m:
        return m.group(1).strip()
    return None


def is_named(speaker: str | None) -> bool:
    """True when the speaker is identified (an organisation, a place, a person), not just 'one member'."""
    if not speaker:
        return False
    return any(w[:1].isupper() for w in speaker.split()[1:]) or speaker[:1].isupper() and speaker.split()[0].lower() not in {"the", "a", "an", "one", "another", "some"}


def attribute(sentences: list[str]) -> list[str | None]:
    """The speaker of each sentence (None outside quotations), for the sentences of one section.

    A quotation runs from an opening to its closing mark, across sentences; its speaker is
    the attribution found in any of its sentences. A quotation that follows an attributed
    one in the same run with no attribution of its own continues the same voice, and
    pronouns ("she said") take the last named speaker.
    """
    speakers: list[str | None] = [None] * len(sentences)
    last_named: str | None = None
    previous_speaker: str | None = None
    i = 0
    while i < len(sentences):
        s = sentences[i]
        mention = _MENTION.search(s)
        if mention:
            last_named = mention.group(1)
        if "“" not in s and '"' not in s and not s.startswith("‘"):
            previous_speaker = None
            i += 1
            continue
        # Gather the sentences of this quotation: until the quote marks balance.
        j = i
        depth = s.count("“") - s.count("”")
        while depth > 0 and j + 1 < len(sentences):
            j += 1
            depth += sentences[j].count("“") - sentences[j].count("”")
        found = None
        for k in range(i, j + 1):
            found = _speaker_in(sentences[k])
            if found:
                break
        if found and found.lower() in _PRONOUNS:
            found = last_named or found
        if found is None:
            found = previous_speaker
        if found:
            if is_named(found):
                last_named = found
            for k in range(i, j + 1):
                speakers[k] = found
        previous_speaker = found
        i = j + 1
    return speakers
