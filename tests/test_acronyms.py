"""Rule `acronym`: a question about a set of initials is searched with the name the documents spell out for them."""
from __future__ import annotations

import pytest

from assistant.answering.acronyms import Acronyms, asked_acronym, spelled_out
from assistant.answering.plan import read


@pytest.mark.parametrize(
    "question, initials, asks_name",
    [
        ("What does RWB stand for?", "RWB", True),
        ("what does RWB actually mean", "RWB", True),
        ("RWB is short for what?", "RWB", True),
        ("The permits page mentions the RWB a lot - what does RWB stand for?", "RWB", True),  # the name, whatever else it says
        ("What is the RWB?", "RWB", False),  # what it is, which a document may say without spelling it out
        ("What are RWBs?", "RWB", False),
        ("RWB = ?", "RWB", False),
        ("What does meaning mean in an RWB permit?", None, None),
    ],
)
def test_a_question_about_initials_names_them_and_whether_it_asks_their_name(question, initials, asks_name):
    assert asked_acronym(question) == ((initials, asks_name) if initials else None)


@pytest.mark.parametrize(
    "question",
    [
        "What is the RWB's budget?",  # asks something else about what the initials name
        "Who chairs the RWB?",
        "What do RWB and HPA stand for?",  # two sets of initials
        "WHAT IS THE BOARD?",  # written in capitals: its words are not initials
        "What is the board?",
    ],
)
def test_a_question_that_asks_something_else_names_no_initials(question):
    assert asked_acronym(question) is None


@pytest.mark.parametrize(
    "sentence, initials, name",
    [
        ("Permits are issued by the Regional Water Board (RWB) each spring.", "RWB", "Regional Water Board"),
        ("The Department of Harbour Affairs (DHA, based in Leith) sets the fees.", "DHA", "Department of Harbour Affairs"),
        ("The Cross-Sector Pilot Council (CSPC) met twice.", "CSPC", "Cross-Sector Pilot Council"),
        ('HPA (short for "Harbour Pilots Association") trains new pilots.', "HPA", "Harbour Pilots Association"),
        ("Fees are set by the Office of Harbour Fees (OHF) each year.", "OHF", "Office of Harbour Fees"),  # "of" is left out
        ("The Department of Education (DOE) said so.", "DOE", "Department of Education"),  # ... or gives its letter
        ('It governs your use of a harbour permit kit ("HPK").', "HPK", "harbour permit kit"),  # quoted in the brackets
        ("The LIDAR Depth Survey (LIDS) maps the channel.", "LIDS", "LIDAR Depth Survey"),  # initials of initials
        ("It sets the level of HARPO (Harbour Patrol Office) cover.", "HARPO", "Harbour Patrol Office"),  # a word's first letters
        ("Harbour support for tidal acknowledgement (TACK) is new.", "TACK", "tidal acknowledgement"),
        ("RWB: Regional Water Board, the body that issues permits", "RWB", "Regional Water Board"),  # a glossary's colon
        ("RWB - Regional Water Board, the body that issues permits", "RWB", "Regional Water Board"),  # ... or dash
        ("* HPA (P) - Harbour Pilots Association, which trains new pilots.", "HPA", "Harbour Pilots Association"),  # after an aside
        ("RWB — Regional Water Board.", "RWB", "Regional Water Board"),
    ],
)
def test_the_name_is_the_words_whose_initials_the_letters_are(sentence, initials, name):
    assert spelled_out(sentence, initials) == name


@pytest.mark.parametrize(
    "sentence, initials",
    [
        ("The board met in the old town hall (RWB) last week.", "RWB"),  # brackets, but the words before are not its name
        ("The RWB (founded long ago) meets monthly.", "RWB"),
        ("Fees rose again this year.", "RWB"),
        ("RWB-funded Regional Water Board projects start in spring.", "RWB"),  # a hyphen ties a word on, it glosses nothing
    ],
)
def test_brackets_beside_words_of_other_initials_spell_nothing(sentence, initials):
    assert spelled_out(sentence, initials) is None


def test_capitalised_words_that_spell_initials_without_brackets_may_name_them():
    found = Acronyms(["Short for *Regional Water Board*.", "The HPA meets monthly.", "Permits come from the harbour office."])
    assert found.name("RWB") is None and found.may_name("RWB")  # a glossary entry: the name, not tied by brackets
    assert not found.may_name("HPA")


def test_the_documents_first_spelling_out_is_the_name():
    found = Acronyms([
        "The RWB meets monthly.",
        "Permits are issued by the Regional Water Board (RWB) each spring.",
        "The Regional Waste Bureau (RWB) is another body.",
    ])  # fmt: skip
    assert found.name("RWB") == "Regional Water Board"
    assert found.name("HPA") is None


def test_a_question_that_asks_what_initials_stand_for_stands_alone_in_a_conversation():
    history = [("What are the main lessons?", "Leaders have to be willing to take risks.")]
    assert not read("and what does RWB stand for?", history).follow_up  # it names all it asks about
    assert read("and the RWB?", history).follow_up  # what the turn before asked, about the RWB


def test_the_plan_names_the_initials_unless_the_rule_is_off():
    plan = read("What does RWB stand for?")
    assert plan.acronym == "RWB" and plan.asks_name
    assert read("What does RWB stand for?", disabled=frozenset({"acronym"})).acronym is None


GUIDE = """# Harbour permits

The RWB publishes its permit calendar every January.
Anyone mooring for more than a week needs a permit from the RWB.
Permits are issued by the Regional Water Board (RWB) each spring, after the harbour survey.
The RWB charges a fee that depends on the length of the boat.
Pilots licensed by the HPA guide larger boats into the harbour.
Fishing boats pay half the fee when they land their catch at the harbour market.
"""


@pytest.fixture(scope="module")
def pipeline(written_pipeline):
    return written_pipeline("permits.md", GUIDE)


def test_a_question_about_initials_is_searched_with_their_name_and_the_answer_gives_it(pipeline):
    got = pipeline.gather("What does RWB stand for?")
    assert "Regional Water Board" in got.plan.query
    answer = pipeline.answer("What does RWB stand for?")
    assert not answer.refused and "Regional Water Board" in answer.answer
    assert pipeline.gather("How much does the RWB charge?").plan.query == "How much does the RWB charge?"  # asks something else


def test_a_question_about_initials_the_documents_never_spell_out_is_declined(pipeline):
    assert pipeline.answer("What does HPA stand for?").refused  # the guide uses "HPA" but never says what it stands for
    assert not pipeline.answer("What does RWB stand for?").refused


def test_a_glossary_entry_set_apart_by_a_dash_names_its_initials():
    found = Acronyms(["Bodies that fall under these rules are:", "* HPA (P) - Harbour Pilots Association, which trains pilots."])
    assert found.name("HPA") == "Harbour Pilots Association"


def test_words_in_capitals_spell_initials_without_brackets_from_three_letters():
    found = Acronyms(["The TSA inspects every boat.", "Complaints go to the Tide Safety Authority office.", "Ferries sail to Los Angeles."])
    assert found.loose_name("TSA") == "Tide Safety Authority"
    assert found.loose_name("LA") is None and found.may_name("LA")  # two capitalised words in a row are common by chance


LOOSE = """# Harbour rules

## Inspections

The TSA inspects every boat before the summer season, from the hull to the radio.
Boats that fail the inspection may not leave the harbour until the TSA inspects them again.
The TSA publishes the list of boats it inspected each week on the board by the ticket office.
An inspection takes about an hour for a small boat and half a day for a ferry.

## Moorings

Moorings are let by the season, and a boat may change its mooring once a season.
The harbour master keeps a waiting list for the moorings nearest the slipway.
Visitors may moor at the outer pontoon for three nights at most.

## Pilots

Pilots guide larger boats into the harbour at high tide.
A pilot boards outside the breakwater and stays on the bridge until the boat is moored.

## Complaints

Complaints about an inspection go to the office of the Tide Safety Authority on the east pier, open on weekdays.
A complaint is answered within a month.
"""


def test_what_initials_stand_for_is_answered_by_words_in_capitals_that_spell_them(written_pipeline):
    pipeline = written_pipeline("rules.md", LOOSE)
    assert "Tide Safety Authority" in pipeline.gather("What does TSA stand for?").plan.query
    answer = pipeline.answer("What does TSA stand for?")
    assert not answer.refused and "Tide Safety Authority" in answer.answer
