"""Rule `overview`: a question about a document as a whole is answered with the document's opening."""
from __future__ import annotations

import pytest

from assistant.answering.overview import asks_overview
from assistant.answering.plan import read


@pytest.mark.parametrize(
    "question",
    [
        "What is this guide about?",
        "Summarize the report.",
        "What are the main findings?",
        "Can you give me a quick overview, please?",
        "What's the purpose of this document?",
        "tl;dr?",
        "Summarize the report in three bullet points",  # the form wanted names nothing of the documents
        "Give me a quick summary of this guide in 3 bullets",
        "hey, what's this guide about in a nutshell?",  # a greeting and a figure of speech name nothing either
        "summarize it in plain English",
    ],
)
def test_a_question_about_the_whole_document_asks_for_an_overview(question):
    assert asks_overview(question, leans_on_history=False)


@pytest.mark.parametrize(
    "question",
    [
        "What are the main lessons about ferries?",  # names something of its own
        "What is the ferry timetable about?",
        "Who wrote this guide?",  # asks no gist
        "How much does a ticket cost?",
    ],
)
def test_a_question_that_names_something_of_its_own_does_not(question):
    assert not asks_overview(question, leans_on_history=False)


def test_after_a_turn_it_asks_about_the_document_only_when_it_names_it():
    history = [("Who runs the ferries?", "The harbour board runs them.")]
    assert not read("what is it about?", history).overview  # "it" is what the turn before spoke of
    assert read("so what is this guide about?", history).overview
    assert not read("What is this guide about?", disabled=frozenset({"overview"})).overview


GUIDE = """# Navigation

Press ← or → to navigate between chapters of the book.
Press S or / to search in the book.
Press ? to show this help.

# The harbour guide

This guide explains how visitors reach the island by ferry, where they buy tickets and what the crossing costs.
It also covers parking at the harbour and the rules for bicycles and dogs on board.

# Ferries

Ferries to the island leave from the north pier every hour between six in the morning and ten at night.
In summer an extra ferry leaves at half past every hour from the south pier.
The crossing takes forty minutes, or an hour when the sea is rough.
Ferries do not sail in storms, and the harbour office posts cancellations on the pier.

# Tickets

Tickets are sold only at the kiosk beside the pier, and the kiosk accepts cash and cards.
A return ticket costs twelve pounds for adults and six pounds for children.
Islanders pay half the fare when they show their residence card at the kiosk.

# On board

Bicycles travel free, but dogs must stay on a lead for the whole crossing.
Passengers may bring food on board, and a small cafe on the upper deck sells tea.

# Parking

The harbour car park opens at five and charges two pounds an hour for cars and vans.
Coaches park in the lower lot by the ferry terminal and pay a flat fee for the day.
Visitors staying on the island overnight can leave their car in the long-stay park behind the harbour office.
The long-stay park is fenced and lit, and a warden walks round it twice a night.

# Accessibility

Every ferry has a ramp for wheelchairs, and the crew will help passengers on and off the boat.
The kiosk keeps a wheelchair that visitors can borrow for the crossing free of charge.
Passengers who need help should tell the kiosk when they buy their ticket.

# Weather

The harbour office checks the sea forecast every morning before the first ferry leaves.
When strong winds are forecast, the last ferry of the day may leave an hour early.
Passengers caught on the island by a storm can stay at the island inn at a reduced rate.

# Contacts

The harbour office on the north pier answers questions about ferries, tickets and parking.
Lost property handed in on a ferry is kept at the harbour office for three months.
"""


@pytest.fixture(scope="module")
def pipeline(written_pipeline):
    return written_pipeline("harbour.md", GUIDE)


@pytest.mark.parametrize("question", ["What is this guide about?", "What are the main points?", "Give me a quick overview."])
def test_the_overview_is_the_documents_opening_past_its_navigation(pipeline, question):
    answer = pipeline.answer(question)
    assert not answer.refused
    first = answer.answer.split(" [1]")[0]
    assert first.endswith("This guide explains how visitors reach the island by ferry, where they buy tickets and what the crossing costs.")
    assert "Press" not in answer.answer
    assert answer.citations and "This guide explains" in answer.citations[0].text


def test_the_brief_is_summarised_from_its_opening(assistant):
    answer = assistant.ask("What is this brief about?")
    assert not answer.refused
    assert any("engaged deeply with California Career Pathways Trust" in c.text for c in answer.citations)


def test_a_greeting_is_answered_with_what_the_assistant_does_not_with_the_documents_not_saying(pipeline):
    # rule `small_talk`, through the whole pipeline on the real reader
    for message in ("hi", "ok thanks!"):
        answer = pipeline.answer(message)
        assert answer.refused and not answer.citations
        assert answer.answer.startswith("Hello! I answer questions from the documents") and "don't say" not in answer.answer
        assert answer.suggestions  # a few sections the documents cover, to ask about
    assert "don't say" in pipeline.answer("what is the capital of Peru?").answer


GARDEN = """# Garden club notes

The garden club looks after the allotments behind the village school and shares its tools among members.

# Meetings

Garden club members meet on Saturday mornings at the allotments to weed, water and plan the next season.

# Fees

New members of the garden club pay a small fee that buys seeds and keeps the club's shared tools in repair.
The village school lends the club its hall when it rains, and the allotments close in January.
"""


def test_asked_about_all_the_documents_of_a_library_each_documents_opening_answers(tmp_path):
    from assistant.service import Assistant
    from assistant.settings import Settings

    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "harbour.md").write_text(GUIDE, encoding="utf-8")
    (tmp_path / "source" / "garden.md").write_text(GARDEN, encoding="utf-8")
    assistant = Assistant(Settings(source_dir=tmp_path / "source", index_dir=tmp_path / "index"))
    assistant.index()
    for question in ("What are these documents about?", "summarize the docs"):
        answer = assistant.ask(question)
        assert not answer.refused
        assert {c.source for c in answer.citations} == {"source/garden.md", "source/harbour.md"}
        assert "allotments behind the village school" in answer.answer and "This guide explains how visitors reach the island" in answer.answer
    # a question about one document, named by its title, is answered from that one's opening
    one = assistant.ask("What are the garden club notes about?")
    assert {c.source for c in one.citations} == {"source/garden.md"}
