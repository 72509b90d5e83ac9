"""Rule `typo`: a misspelt question word is read as the documents' word, and nothing else is touched."""
from __future__ import annotations

from assistant.answering.plan import read
from assistant.answering.spelling import Spelling

DOCUMENTS = [
    "The generator gathers randomness from several sources before it writes the seed file.",
    "Call memcpy or snprintf to copy the buffer; the encoding step runs inside the same function.",
    "Fontconfig reads its configuration at startup. Users should keep one edition of the file.",
    "Anderson wrote the tokenizer module in Paris.",
]


def test_a_typo_of_a_word_the_documents_use_is_read_as_that_word():
    spelling = Spelling(DOCUMENTS)
    assert spelling.correct("which sources of randomnes feed the generator?") == "which sources of randomness feed the generator?"
    assert spelling.correct("Editon of the file, insde the fucntion?") == "Edition of the file, inside the function?"


def test_words_that_are_not_typos_stay_as_typed():
    spelling = Spelling(DOCUMENTS)
    # English words the documents never use, short words, and names
    for text in ("Does it support hiking?", "Is there a cpu limit?", "What about memcmp?", "Is FONTCONFG set?", "Does MemCopy work?",
                 "is vsnprintf safe?",  # one edit from a name the documents use is another name, not a typo of it
                 "how do I configure fontconfg?",  # nor is a word that is not English
                 "did Andersson or Parisi write it?", "Andersson wrote what?"):  # a capitalised word is a name
        assert spelling.correct(text) == text
    # glued to digits, underscores or paths: a name, not a misspelt word
    for text in ("set encodng_mode=2", "see /usr/lib/randomnes", "the randomnes2 flag", "what is $randomnes?", "what does `randomnes` hold?"):
        assert spelling.correct(text) == text


def test_the_plan_reads_the_corrected_question_unless_the_rule_is_off():
    spelling = Spelling(DOCUMENTS).correct
    assert read("where does the randomnes come from?", spelling=spelling).query == "where does the randomness come from?"
    history = [("what does the generatr gather?", "It gathers randomness from several sources.")]
    plan = read("why?", history, spelling=spelling)
    assert "generator" in plan.query and "generatr" not in plan.query  # the previous turn is read corrected too
    off = read("where does the randomnes come from?", disabled=frozenset({"typo"}), spelling=spelling)
    assert off.query == "where does the randomnes come from?"


def test_a_contraction_typed_without_its_apostrophe_reads_as_the_contraction():
    spelling = Spelling(DOCUMENTS)
    assert spelling.correct("whats the seed file?") == "what's the seed file?"
    assert spelling.correct("Whats in the seed file? i dont know") == "What's in the seed file? i don't know"
    # words that are also English stay ("its", "wont"), and so does one the documents write as it is
    assert spelling.correct("its seed wont change") == "its seed wont change"
    assert Spelling(DOCUMENTS + ["Run dont --now to skip it."]).correct("what does dont do?") == "what does dont do?"
    # the typo rule off reads the question as typed
    assert read("whats the seed file?", disabled=frozenset({"typo"}), spelling=spelling.correct).query == "whats the seed file?"
