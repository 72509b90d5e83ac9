"""Rule `definition`: "What is a widget?" also reads the passages that say "A widget is ...", found by their shape."""
from __future__ import annotations

import pytest

from assistant.answering.definitions import Definitions, defined_term
from assistant.types import Chunk, Sentence


@pytest.mark.parametrize(
    "question, term",
    [
        ("What is a tide gauge?", "tide gauge"),
        ("in plain terms, what's a slipway?", "slipway"),
        ("define moorage", "moorage"),
        ("What does the guide mean by a 'berth'?", "berth"),
        ("What is the `pilot` flag for?", "pilot flag"),
        ("Who is the Harbour Trust for the Isles?", "Harbour Trust for the Isles"),  # a name may hold "for"
        ("What is the default fee of a berth?", None),  # a property of a thing, not a term
        ("What is the best way to moor in a gale?", None),
        ("what is it you need?", None),
        ("How do I book a berth?", None),
    ],
)
def test_a_question_that_only_asks_what_a_short_term_is_names_the_term(question, term):
    assert defined_term(question) == term


def _chunk(*sentences: str) -> Chunk:
    text, spans = "", []
    for s in sentences:
        start = len(text)
        text += s + " "
        spans.append(Sentence(start=start, end=start + len(s)))
    return Chunk(id="c1", source="harbour.md", section="Terms", text=text.strip(), order=0, sentences=tuple(spans))


def test_a_sentence_defines_a_term_by_its_shape():
    found = Definitions(
        [
            _chunk(
                "Berths are let by the month.",  # says something of berths, defines nothing: still the copula's shape
                "A tide gauge (or tide staff) is a marked post that shows the height of the water.",
                '"Moorage" shall mean the fee for a mooring.',
                "The harbour has a tide gauge at each pier.",
            )
        ]
    )
    assert [i for _, i in found.of("tide gauge")] == [1]
    assert [i for _, i in found.of("tide gauges")] == [1]  # asked in the plural
    assert [i for _, i in found.of("moorage")] == [2]
    assert found.of("slipway") == []


def test_the_shape_alone_decides_which_sentences_are_read_the_reranker_whether_they_answer():
    found = Definitions([_chunk("Berths are let by the month.", "The berth fees rise in May.")])
    assert [i for _, i in found.of("berths")] == [0]  # a copula after the term: read, though it defines nothing
    assert found.of("berth fee") == []  # "The berth fees rise": no copula after the term


HARBOUR = """# Tide gauge readings

What is a tide gauge? Ask at the office, where the tide gauge readings are posted each morning.
Tide gauge readings: what is the tide gauge telling us today? The tide gauge readings are posted at the office,
and the tide gauge readings of the week are kept in a book. Ask the office what the tide gauge reads.

# Licences and fees

Boat licences are issued each spring at the harbour office, and every boat owner must show the licence on request.
Fees are paid by the month, and a late fee is added after the tenth day. Owners who moor for a season pay less.
A tide gauge is a marked post that shows the height of the water. The office also sells charts and tide tables.
"""


def test_the_passage_that_defines_the_term_joins_the_passages_the_reranker_reads(written_pipeline):
    pipeline = written_pipeline("harbour.md", HARBOUR)
    pipeline.searcher.pool = 1  # retrieval brings one passage: the one that asks the question back, not the one that answers it
    pipeline.disabled = frozenset({"definition"})
    off = pipeline.gather("What is a tide gauge?")
    assert off.plan.defines is None
    assert [h.chunk.section for h in off.retrieval.hits] == ["Tide gauge readings"]
    pipeline.disabled = frozenset()
    got = pipeline.gather("What is a tide gauge?")
    assert got.plan.defines == "tide gauge"
    assert [h.chunk.section for h in got.retrieval.hits] == ["Tide gauge readings", "Licences and fees"]
    assert any(c.text.startswith("A tide gauge is a marked post") for c in got.candidates)  # the reranker reads it
