"""Candidate features a follow-up reads: what the previous answer said, in its own words or in others."""
from __future__ import annotations

import pytest

from assistant.answering.candidates import FEATURES

SAID, FOLLOWS = FEATURES.index("said_before"), FEATURES.index("follows_said")

GUIDE = """# Harbour ferries

Ferries to the island leave from the north pier every hour between six in the morning and ten at night.
Tickets are sold only at the kiosk beside the pier, and the kiosk accepts cash and cards.
Bicycles travel free, but dogs must stay on a lead for the whole crossing.

# Parking

The harbour car park opens at five and charges two pounds an hour.
"""


@pytest.fixture(scope="module")
def pipeline(written_pipeline):
    return written_pipeline("ferries.md", GUIDE)


def _features(pipeline, question, history):
    got = pipeline.gather(question, history)
    assert got.plan.follow_up
    return {c.text.split(",")[0].split(" ")[0]: c.features for c in got.candidates}


def test_a_sentence_the_previous_answer_said_in_other_words_was_said(pipeline):
    # the previous answer paraphrases the first sentence: no word-for-word overlap to find it by
    history = [("When do boats go to the island?", "Hourly, from the north pier, from 6 am until 10 pm.")]
    f = _features(pipeline, "and where do I buy a ticket for it?", history)
    assert f["Ferries"][SAID] > max(f["Tickets"][SAID], f["The"][SAID]) + 0.1
    assert f["Tickets"][FOLLOWS] > 0.1 > f["The"][FOLLOWS]  # the sentence after what was said goes on from it


def test_a_sentence_said_word_for_word_is_said_entirely(pipeline):
    said = "Tickets are sold only at the kiosk beside the pier, and the kiosk accepts cash and cards."
    f = _features(pipeline, "what about bikes?", [("Where are tickets sold?", said)])
    assert f["Tickets"][SAID] == pytest.approx(1.0, abs=1e-5)  # a cosine of one vector with itself: 1.0000001 on some CPUs
    assert f["Bicycles"][FOLLOWS] > 0.5


def test_a_long_previous_answer_is_read_only_so_far(pipeline, monkeypatch):
    # a client may send a whole page as the previous answer: a follow-up embeds only its first sentences
    from assistant.tuning import TUNING

    embedded: list[int] = []
    embed_many = pipeline.embeddings.embed_many
    monkeypatch.setattr(pipeline.embeddings, "embed_many", lambda texts: embedded.append(len(texts)) or embed_many(texts))
    page = " ".join(f"Ferry number {n} leaves from the north pier." for n in range(500))
    got = pipeline.gather("and where do I buy a ticket for it?", [("When do boats go?", page)])
    assert got.plan.follow_up and got.candidates
    assert embedded and max(embedded) <= 2 + TUNING.said_sentences


RULES = """# Mooring rules

In these rules, the word “must” marks a rule and the word “should” marks advice.
Boats must be registered with the harbour office before they moor.
Skippers should check the tide tables before they leave the pier.
"""


def test_a_sentence_that_quotes_what_the_question_quotes_speaks_of_the_words(written_pipeline):
    # 'What does "must" mean?' asks about the word itself: the sentence that quotes it says what it means, while every
    # rule that uses it only uses it
    from assistant.answering.candidates import quotations

    assert quotations("What does 'must' mean? It's the skipper's rule") == {"must"}  # apostrophes are no quotation marks
    assert quotations("the words “Must” and \"must not\"") == {"must", "must not"}
    mentions = FEATURES.index("mentions")
    pipeline = written_pipeline("rules.md", RULES)
    got = {c.text.split(" ")[0]: c.features[mentions] for c in pipeline.gather('What does "must" mean in these rules?', []).candidates}
    assert got == {"In": 1.0, "Boats": 0.0, "Skippers": 0.0}
    plain = pipeline.gather("What must boats do before they moor?", []).candidates
    assert all(c.features[mentions] == 0.0 for c in plain)  # nothing quoted, nothing mentioned


TOWN = "\n\n".join(
    f"# {topic.title()}\n\n" + " ".join(f"The {topic} {fact}." for fact in facts)
    for topic, facts in {
        "ferry": ["leaves the north pier every hour", "carries bicycles free", "stops when the wind passes gale force", "sells tickets at the kiosk"],
        "bakery": ["opens at six", "sells rye bread on Fridays", "closes on Mondays", "takes cash only"],
        "library": ["lends books for three weeks", "has a reading room upstairs", "runs a story hour on Saturdays", "charges no fines"],
        "museum": ["shows whaling tools", "is free on Sundays", "holds a map of the old harbour", "closes in January"],
        "school": ["teaches two hundred pupils", "starts at nine", "has a sailing club", "closes for the summer"],
        "church": ["rings its bell at noon", "dates from 1320", "holds a choir on Thursdays", "has a crooked spire"],
        "market": ["runs on Wednesdays", "sells fish from the boats", "fills the square", "ends at two"],
        "pub": ["serves crab on Fridays", "has a fire in winter", "hosts a quiz on Tuesdays", "stays open late in summer"],
        "clinic": ["sees patients in the morning", "has one nurse", "calls the island doctor by radio", "closes at weekends"],
        "lighthouse": ["keeper is paid by the county", "keeper earns a small salary plus lodging", "lamp turns twice a minute", "stands on the point"],
        "harbour": ["dues are paid monthly", "wall was rebuilt in 1990", "holds forty boats", "silts up every spring"],
        "beach": ["has a lifeguard in August", "is sandy at the east end", "allows dogs in winter", "floods at spring tides"],
        **{
            place: [f"opens at {hour}", f"was painted {colour} last year", f"is run by the {owner}", "is busy in summer"]
            for place, hour, colour, owner in [
                ("post office", "eight", "red", "county"), ("garage", "seven", "blue", "Moss family"), ("bank", "ten", "grey", "mainland"),
                ("hotel", "noon", "white", "Ward sisters"), ("chip shop", "five", "green", "Rossi family"), ("boatyard", "six", "black", "Keel brothers"),
                ("chandlery", "nine", "yellow", "harbour trust"), ("police station", "eight", "brown", "constabulary"), ("surgery", "nine", "cream", "health board"),
                ("cinema", "four", "purple", "film club"), ("campsite", "seven", "orange", "Hill farm"), ("dairy", "five", "pink", "co-operative"),
            ]
        },
    }.items()
)


def test_a_follow_up_also_searches_the_words_just_typed(written_pipeline, monkeypatch):
    """A follow-up is searched with the turn it leans on; the best passages for what was just typed join them, so a
    next question on a topic of its own is not lost under the last answer's words."""
    import dataclasses

    from assistant.answering import pipeline as pipeline_module

    town = written_pipeline("town.md", TOWN)
    history = [("When does the ferry leave and what does it carry?", "The ferry leaves the north pier every hour. The ferry carries bicycles free.")]
    question = "and what reward does the guardian of that light get?"
    got = town.gather(question, history)
    assert got.plan.follow_up and got.plan.query != question
    ids = [h.chunk.id for h in got.retrieval.hits]
    leaning = [h.chunk.id for h in town.searcher.search(got.plan.query).hits]
    typed = [h.chunk.id for h in town.searcher.search(question).hits]
    assert ids[: len(leaning)] == leaning  # the follow-up's own passages first, as they were
    assert set(typed[:3]) <= set(ids) and len(ids) <= len(leaning) + 3  # ... and the typed words' best ones, at most three more
    assert got.retrieval.hits[ids.index(typed[0])].chunk.section == "Lighthouse"
    monkeypatch.setattr(pipeline_module, "TUNING", dataclasses.replace(pipeline_module.TUNING, typed_passages=0))
    assert [h.chunk.id for h in town.gather(question, history).retrieval.hits] == leaning


MONITOR = """# Checking interval

Pulse checks each site every 60 seconds by default.
The interval can be changed for one site with the every setting, for example every = 10 checks that site every ten seconds.

# Alerts

Pulse sends an alert when a site fails three checks in a row.
Here's an example of an alert sent by email to the site's owner:

    pulse alert --email owner@example.org
"""


def test_asked_for_an_example_the_answer_stays_with_the_last_turns_subject(written_pipeline):
    """"an example?" after a question is read with that turn; the words "example" alone would find the document's
    other examples (the alert command) and answer with one of them."""
    monitor = written_pipeline("monitor.md", MONITOR)
    first = monitor.answer("how often does pulse check a site?")
    assert not first.refused and first.citations[0].section == "Checking interval"
    follow = monitor.answer("an example?", [("how often does pulse check a site?", first.answer)])
    assert not follow.refused and {c.section for c in follow.citations} == {"Checking interval"}


JARS = """# Overview

Jarcount is a small library for the counting, labels and storage of jars.
Each jar has an SKU printed on its lid.

# Counting

The count function walks a shelf and returns how many jars it holds.
"""


def test_a_turn_the_assistant_declined_lends_a_follow_up_nothing(written_pipeline):
    """A decline's words are the assistant's, not the documents': its list of topics ("They do cover: Overview;
    Counting ...") searched with "why?" found the passage that names them. "why?" after a decline has nothing to explain."""
    jars = written_pipeline("jars.md", JARS)
    declined = jars.answer("what does SKU stand for?")
    assert declined.refused
    history = [("what does SKU stand for?", declined.answer)]
    got = jars.gather("why?", history)
    assert got.plan.follow_up and "cover" not in got.plan.query and "Counting" not in got.plan.query
    assert jars.answer("why?", history).refused
