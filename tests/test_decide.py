"""What the decider reads: the title words a question names to say which document it means are not what it asks."""
from __future__ import annotations

import numpy as np

from assistant.answering.candidates import Candidate
from assistant.answering.decide import DECIDE_FEATURES, Decider, count_first, gives_count, question_features, title_terms
from assistant.answering.heads import LinearHead
from assistant.answering.plan import read
from assistant.retrieval import Hit
from assistant.text import stem
from assistant.types import Chunk, Sentence

BEYOND = DECIDE_FEATURES.index("beyond_title")


def passage(cid: str, text: str, section: str = "Harbour Guide", order: int = 0) -> Chunk:
    return Chunk(id=cid, text=text, source="source/harbour-guide.md", section=section, order=order,
                 sentences=(Sentence(start=0, end=len(text)),))  # fmt: skip


def ranked(*chunks: Chunk) -> list[Candidate]:
    out = []
    for score, ch in zip((0.9, 0.5, 0.3), chunks):
        c = Candidate(ch, 0, ch.text, np.ones(4, dtype=np.float32) / 2, Hit(ch, 1.0, 0.5))
        c.score = score
        out.append(c)
    return out


def test_a_documents_title_and_file_name_are_its_title_words():
    titles = title_terms([passage("a", "Ferries leave every hour."), passage("b", "Tickets are sold at the pier.", "Tickets", 1)])
    assert titles["source/harbour-guide.md"] >= {"harbour", "guid"}  # the first passage's heading and the file's name, as terms


def test_a_sentence_that_only_repeats_the_title_has_not_answered():
    plan = read("Is the Harbour Guide approved by the city council?")
    notice = passage("n", "This text is the Harbour Guide, second edition.")
    answer = passage("a", "The city council approved the Harbour Guide in May.", order=1)
    titles = title_terms([notice, answer])
    known = lambda term: True  # noqa: E731
    assert question_features(plan, ranked(notice), known, titles)[BEYOND] == 0.0
    assert question_features(plan, ranked(notice), known)[BEYOND] > 0  # without titles, "harbour guide" counts
    assert question_features(plan, ranked(notice, answer), known, titles)[BEYOND] == 1.0  # one of the best holds it all


def test_a_question_that_names_only_title_words_asks_about_the_documents_subject():
    # "What is the Harbour Guide?" asks what the document is about: no word of it is beyond the title, so all count
    plan = read("What is the Harbour Guide?")
    notice = passage("n", "The Harbour Guide tells visitors where the ferries leave.")
    other = passage("o", "Tickets are sold at the pier.", order=1)
    titles = title_terms([notice, other])
    known = lambda term: True  # noqa: E731
    assert question_features(plan, ranked(notice), known, titles)[BEYOND] == 1.0
    assert question_features(plan, ranked(other), known, titles)[BEYOND] == 0.0


def test_a_sentence_gives_a_count_of_the_thing_a_number_stands_before():
    assert gives_count("The harbour runs twelve blue ferries in summer.", stem("ferries"))
    assert gives_count("Ferries leave 4 times an hour from 3 piers.", stem("piers"))
    assert not gives_count("Several ferries leave every hour.", stem("ferries"))  # not a number
    assert not gives_count("Ferries leave 4 times an hour.", stem("ferries"))  # a number, of something else


def _declining_decider() -> Decider:
    n = len(DECIDE_FEATURES)  # a head that gives every question a probability under its threshold
    return Decider(LinearHead(DECIDE_FEATURES, np.zeros(n), np.ones(n), np.zeros(n), -5.0, threshold=0.5))


def test_how_many_is_answered_when_one_of_the_best_sentences_gives_that_count():
    counted = ranked(passage("a", "The harbour runs twelve ferries to the island."), passage("b", "Tickets are sold at the pier.", order=1))
    known = lambda term: True  # noqa: E731
    assert read("How many ferries does the harbour run?").counted == stem("ferries")
    assert _declining_decider().decide(read("How many ferries does the harbour run?"), counted, known).answer
    assert not _declining_decider().decide(read("How many piers does the harbour have?"), counted, known).answer
    switched_off = read("How many ferries does the harbour run?", disabled=frozenset({"count"}))
    assert not _declining_decider().decide(switched_off, counted, known).answer


def test_the_sentence_rule_count_answered_by_leads_the_answer():
    cands = ranked(
        passage("a", "Tickets are sold at the pier."), passage("b", "The ferry museum opens at nine.", order=1),
        passage("c", "The harbour runs twelve ferries to the island.", order=2),
    )  # fmt: skip  (the counting sentence ranked third)
    first = count_first(cands, stem("ferries"))
    assert first[0].text.startswith("The harbour runs twelve") and first[0].score == cands[0].score
    assert [c.text for c in first[1:]] == [cands[0].text, cands[1].text]
    assert count_first(cands, stem("piers")) == cands  # no sentence gives that count: the order stands


def test_the_brief_says_how_many_consortia_it_features(assistant):
    # rule `count`: the decider declined it; "the leaders of four CCPT consortia" says how many
    answer = assistant.ask("How many consortia are featured?")
    assert not answer.refused and "four" in answer.answer
    assert any("four CCPT consortia" in c.text for c in answer.citations)
    assert answer.notice is None  # the rule found the count: no "may not answer this directly" (rule `hedge`)


FERRIES = """# Harbour ferries

Ferries to the island leave from the north pier every hour between six in the morning and ten at night.
Tickets are sold only at the kiosk beside the pier.
"""


def _answering_with(probability: float) -> Decider:
    n = len(DECIDE_FEATURES)  # a head that gives every question this probability, and answers from 0.2 up
    logit = float(np.log(probability / (1 - probability)))
    return Decider(LinearHead(DECIDE_FEATURES, np.zeros(n), np.ones(n), np.zeros(n), logit, threshold=0.2))


def test_an_answer_under_even_odds_says_the_documents_may_not_answer_it_directly(written_pipeline):
    # rule `hedge`: the decider answers down to a low probability so that few answerable questions are declined; an
    # answer it gives less than even odds says so, as wrong-but-confident is the worst an answer can be
    from assistant.prompts import load_prompts

    pipeline = written_pipeline("ferries.md", FERRIES)
    pipeline.decider = _answering_with(0.35)
    hedged = pipeline.answer("When do ferries leave for the island?")
    assert not hedged.refused and hedged.citations and hedged.notice == load_prompts().render("hedge")
    pipeline.decider = _answering_with(0.8)
    assert pipeline.answer("When do ferries leave for the island?").notice is None
    pipeline.decider, pipeline.disabled = _answering_with(0.35), frozenset({"hedge"})
    assert pipeline.answer("When do ferries leave for the island?").notice is None


def test_a_reply_is_known_as_the_template_it_was_rendered_from():
    from assistant.prompts import load_prompts

    prompts = load_prompts()
    reply = prompts.render("refusal", detail="", topics="Overview; Counting")
    assert prompts.rendered(reply, ("refusal",)) and not prompts.rendered(reply, ("misuse",))
    assert not prompts.rendered("Each jar has an SKU printed on its lid. [1]", ("refusal", "misuse", "small_talk"))
