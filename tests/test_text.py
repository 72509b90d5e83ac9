"""Word-level helpers shared by retrieval and answering."""
from assistant.text import content_terms, split_sentences, stem, words


def split(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_possessives_are_the_word_itself():
    assert words("The region’s leaders and the brief's account") == ["the", "region", "leaders", "and", "the", "brief", "account"]
    assert content_terms("the consortium's partners") == content_terms("the consortium partners")


def test_hyphenated_compounds_count_whole_and_by_part():
    terms = content_terms("cross-sector partnerships")
    assert stem("cross-sector") in terms and "sector" in terms and stem("partnerships") in terms


def test_a_one_letter_command_line_option_is_a_term():
    # "What does ferry -q do?" must meet the manual's "`-q`, `--quiet`" heading: a one-letter word is no term, an option is
    assert "-q" in content_terms("What does ferry -q do?") and "-q" in content_terms("`-q`, `--quiet`: Print nothing.")
    assert "-j" in content_terms("run it with -j 4")
    # a hyphen inside a word, a dash between words and a bullet are not options
    assert not [t for t in content_terms("K-12 pupils, a-z ranges - and a dash — too\n- a bullet") if t.startswith("-")]


def test_a_numbered_item_keeps_its_number():
    assert split("The steps are: 1. Update the tools. 2. Run the fixer 3. Edit the file.") == [
        "The steps are:", "1. Update the tools.", "2. Run the fixer", "3. Edit the file.",
    ]  # fmt: skip
    assert split("1. First thing. 2. Second thing.") == ["1. First thing.", "2. Second thing."]
    # a number that ends a sentence stays with it
    assert split("The team grew to 12. Then it shrank. There were 2. But 3 left.") == ["The team grew to 12.", "Then it shrank.", "There were 2.", "But 3 left."]


def test_a_lettered_item_keeps_its_letter():
    # a licence's clauses in running text: "b." had ended the clause before it, and "(b)" joined it
    assert split("a. No rights are waived by this document. b. The Owner offers the Work as-is. c. The Owner disclaims it.") == [
        "a. No rights are waived by this document.", "b. The Owner offers the Work as-is.", "c. The Owner disclaims it.",
    ]  # fmt: skip
    assert split("Meet these conditions: a) The work must carry notices. It must say so. (b) is not next. b) The work must carry a date.") == [
        "Meet these conditions:", "a) The work must carry notices.", "It must say so. (b) is not next.", "b) The work must carry a date.",
    ]  # fmt: skip
    assert split("Terms: (a) The work must carry notices. (b) The work must carry a date.") == [
        "Terms:", "(a) The work must carry notices.", "(b) The work must carry a date.",
    ]  # fmt: skip
    # a letter that ends a sentence, with no list before it, stays with it
    assert split("Take vitamin a. The dose is small. He ran to plan b. It failed.") == [
        "Take vitamin a.", "The dose is small.", "He ran to plan b.", "It failed.",
    ]  # fmt: skip


def test_a_middle_initial_does_not_end_the_sentence():
    assert split("The tool was written by the late Ada B. Lovelace in 1843. It still runs.") == [
        "The tool was written by the late Ada B. Lovelace in 1843.", "It still runs.",
    ]  # fmt: skip
    # a capital letter that ends a sentence before a word that is not a name still ends it
    assert split("They chose plan B. 12 people left.") == ["They chose plan B.", "12 people left."]
    assert split("He said it was I. Then he left.") == ["He said it was I.", "Then he left."]


def test_a_capital_before_a_word_that_opens_sentences_ends_the_sentence():
    """"is C. This ..." is a sentence that ends on a one-letter name, not a middle initial before a name."""
    assert split("The language people use for that is C. This is often needed.") == [
        "The language people use for that is C.", "This is often needed.",
    ]  # fmt: skip


def test_a_sentence_may_open_on_code():
    assert split("The `limit` option caps the jobs. `timeout` sets how long one may run.") == [
        "The `limit` option caps the jobs.", "`timeout` sets how long one may run.",
    ]  # fmt: skip
    assert split("``` I scanned 12 directories. ```") == ["``` I scanned 12 directories. ```"]  # a fence's closing marks
    assert split("Type it in a box, eg. `man foobar`.") == ["Type it in a box, eg. `man foobar`."]  # an abbreviation before code


def test_a_lower_case_v_before_a_number_or_a_name_does_not_end_a_sentence():
    def sentences(t):
        return [t[a:b] for a, b in split_sentences(t)]

    assert sentences("It is the Public License, v. 2.0. If a copy is lost, ask.") == ["It is the Public License, v. 2.0.", "If a copy is lost, ask."]
    assert sentences("Roe v. Wade was decided. It stands.") == ["Roe v. Wade was decided.", "It stands."]
    assert sentences("Press Ctrl+V. Then save the file.") == ["Press Ctrl+V.", "Then save the file."]
