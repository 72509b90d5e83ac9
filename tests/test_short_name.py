"""Rule `short_name`: a thing is searched by the short name the documents go on to use for it; and `listed_item`'s
"tell me more about the second one" gives something the list did not already say."""
from __future__ import annotations

import pytest

from assistant.answering.acronyms import Acronyms, aside_name


@pytest.mark.parametrize(
    "item, name",
    [
        ("the Point Ash, Birch and Fir light (or Ash Light, run by the county)", "Ash Light"),
        ("the Harbour Pilots Association (HPA, based in Leith)", "HPA"),
        ("the harbour ferry (also known as the Blue Boat)", "Blue Boat"),
        ("the Cape Wren light (run by the county since 1990)", None),  # says something else of it
        ("the Isle Dun light (Isle Dun Harbour Trust)", None),  # who runs it, not a short name
        ("the Isle Dun light", None),
    ],
)
def test_an_item_gives_its_short_name_in_brackets(item, name):
    assert aside_name(item) == name


def test_a_name_written_out_is_searched_with_the_initials_the_documents_give_it():
    found = Acronyms(["Permits are issued by the Regional Water Board (RWB) each spring.", "The RWB meets monthly."])
    assert found.initials_of("tell me more about the regional water board") == ["RWB"]
    assert found.initials_of("What does the Regional Water Board (RWB) do?") == []  # it gives them itself
    assert found.initials_of("tell me about the water board") == []  # not the whole name


LIGHTS = """# Harbour lights

The harbour keeps three lighthouses—the Cape Wren light, the Point Ash, Birch and Fir light (or Ash Light, run by the county), and the Isle Dun light.

# Keeping the lights

Ash Light was rebuilt in stone after the storm of 1911 and still burns oil on winter nights.
Ash Light's keeper rows out every Sunday to trim the wick and log the tides.
The Cape Wren light was automated long ago and needs no keeper at all.
The Isle Dun light flashes green so that ferries can tell it from the others.
"""


@pytest.fixture(scope="module")
def pipeline(written_pipeline):
    return written_pipeline("lights.md", LIGHTS)


def test_the_second_one_is_searched_by_its_short_name_and_not_answered_with_the_list_again(pipeline):
    listed = pipeline.answer("Which lighthouses does the harbour keep?")
    assert "three lighthouses" in listed.answer  # the list sentence answers the first question
    history = [("Which lighthouses does the harbour keep?", listed.answer)]
    got = pipeline.answer("tell me more about the second one", history)
    assert not got.refused
    assert got.query == "tell me more about Ash Light"
    assert "three lighthouses" not in got.answer and "Ash Light" in got.answer


def test_with_the_rule_off_the_item_is_searched_by_its_whole_text(written_pipeline):
    off = written_pipeline("lights.md", LIGHTS)
    off.disabled = frozenset({"short_name"})
    listed = off.answer("Which lighthouses does the harbour keep?")
    got = off.answer("tell me more about the second one", [("Which lighthouses does the harbour keep?", listed.answer)])
    assert "Point Ash, Birch and Fir light" in got.query


STEPS = """# Joining the rowing club

To join the rowing club:

1. Fill in the membership form at the boathouse desk.
2. Pay the yearly membership fee of forty pounds.
3. Bring a passport photo for your club card.

# Moorings

Boats may moor at the east pier from April to October.
The harbour master assigns the berths every spring.
"""


def test_the_second_one_of_a_numbered_list_said_in_full_is_answered_with_that_item_not_with_what_the_list_left_out(written_pipeline):
    pipeline = written_pipeline("steps.md", STEPS)
    listed = pipeline.answer("What are the steps to join the rowing club?")
    assert "1. Fill in" in listed.answer and "3. Bring" in listed.answer
    got = pipeline.answer("tell me more about the second one", [("What are the steps to join the rowing club?", listed.answer)])
    assert got.query.endswith("Pay the yearly membership fee of forty pounds")
    assert not got.refused and "forty pounds" in got.answer and "moor" not in got.answer
