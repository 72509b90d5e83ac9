"""Rule ``typo``: a misspelt word of a question is read as the documents' word it was meant to be.

A contraction typed without its apostrophe ("whats", "dont") reads as the contraction.

"what sources of randomnes does the manual sugest" finds nothing by its exact words ("randomnes" is in no
passage) and, to the decider, names something the documents never mention. A word is taken for a typo only
when neither the documents nor English know it (pyspellchecker's English word list), it is written in lower
case (a capitalised word is a name: "Parisi" is not "Paris"), and it is one edit (a letter added, dropped,
changed or two swapped) from an English word the documents write in lower case: one edit from a technical
name is often another name ("memcmp" is not "memcpy", "vsnprintf" is not "snprintf"), and a word the documents
only capitalise is a name ("Andersson" is not "Anderson"). Among several, the one the documents use most.
Written here because no library corrects against a vocabulary of the user's own documents with that
guard; pyspellchecker gives the English list and the one-edit candidates.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from ..tuning import TUNING

# a word as typed: letters only (a token glued to digits, underscores or other marks is a name, not a typo)
_WORD = re.compile(r"(?<![\w'’/.\\$`@#%-])[A-Za-z]+(?![\w/\\`-]|['’]\w|\.\w)")
_LETTERS = re.compile(r"[a-z]+")
_LOWER = re.compile(r"(?<![A-Za-z])[a-z]+")


# Contractions typed without their apostrophe, as chat writes them ("whats RWB", "dont"); not those that are also words
# ("its", "wont", "lets", "ill", "id", "were", "shed").
_CONTRACTIONS = {
    w.replace("'", ""): w
    for w in "what's where's who's how's that's there's here's don't doesn't didn't isn't aren't wasn't weren't can't couldn't "
    "shouldn't wouldn't haven't hasn't hadn't i'm i've you're they're we're".split()
}


@lru_cache(maxsize=1)
def _english():
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)


class Spelling:
    """Corrects a question's typos against the words of the indexed documents."""

    def __init__(self, texts: Iterable[str]):
        self.counts: Counter[str] = Counter()  # every word of the documents, in lower case
        self.common: Counter[str] = Counter()  # ... those they write in lower case somewhere (a word, not only a name)
        for text in texts:
            self.counts.update(_LETTERS.findall(text.lower()))
            self.common.update(_LOWER.findall(text))
        _english()  # loaded with the index (0.2 s), not on the first question with an unknown word

    def correction(self, word: str) -> str | None:
        """The documents' word ``word`` was meant to be, or None when it is not taken for a typo."""
        low = word.lower()
        if low in _CONTRACTIONS and low not in self.counts:  # "whats" is "what's", unless the documents write "whats"
            return _CONTRACTIONS[low]
        if len(low) < TUNING.typo_min_letters or low in self.counts:
            return None
        english = _english()
        if english.known([low]):
            return None
        used = [c for c in english.edit_distance_1(low) if c in self.common and english.known([c])]
        if not used:
            return None
        return max(used, key=lambda c: (self.common[c], c))

    def correct(self, text: str) -> str:
        """``text`` with each typo replaced by the documents' word (in the typed word's case: "Editon" -> "Edition")."""

        def fix(m: re.Match) -> str:
            word = m.group(0)
            opens = not text[: m.start()].strip() or bool(re.search(r"[.!?]\s*$", text[: m.start()]))
            if word != word.lower() and not (opens and word[1:] == word[1:].lower()):
                return word  # a name, an acronym, CamelCase; only a sentence's first word is capitalised as a word
            got = self.correction(word)
            if got is None:
                return word
            return got.capitalize() if word[0].isupper() else got

        return _WORD.sub(fix, text)
