"""Composing an answer from ranked sentences: cohesion and citations, on text written for the test."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from assistant.answering.candidates import Candidate
from assistant.answering.compose import arrange, choose, to_answer
from assistant.answering.plan import read
from assistant.retrieval import Hit
from assistant.tuning import TUNING
from assistant.types import Chunk, Sentence


def chunk(cid: str, sentences: list[str], speakers: list[str | None] | None = None) -> Chunk:
    text, spans = "", []
    for k, s in enumerate(sentences):
        if text:
            text += " "
        spans.append(Sentence(start=len(text), end=len(text) + len(s), speaker=(speakers or [None] * len(sentences))[k]))
        text += s
    return Chunk(id=cid, text=text, source="source/guide.md", section="Boats", sentences=tuple(spans))


def cand(ch: Chunk, i: int, score: float, vector=None) -> Candidate:
    v = np.zeros(4, dtype=np.float32)
    v[i % 4] = 1.0
    c = Candidate(ch, i, ch.sentence_texts()[i], v if vector is None else vector, Hit(ch, 1.0, 0.5))
    c.score = score
    return c


BOATS = chunk("b", ["Ferries leave the pier every hour.", "This schedule changes in winter.", "Three kinds of ticket are sold:", "day tickets, week tickets and season passes.", "The kiosk opens at six."])


def test_the_best_sentence_leads_and_weak_ones_stay_out():
    ranked = [cand(BOATS, 4, 0.9), cand(BOATS, 0, 0.2)]
    chosen = choose(read("When does the kiosk open?"), ranked, 90)
    assert [c.index for c in chosen] == [4]


def test_nearly_as_good_sentences_join_in_reading_order():
    ranked = [cand(BOATS, 4, 0.9, np.array([0, 0, 0, 1.0])), cand(BOATS, 0, 0.8)]
    plan = read("What are the hours?", disabled=frozenset({"follow_on"}))  # "This schedule ..." would follow sentence 0
    pieces = arrange(plan, choose(plan, ranked, 90), 90)
    assert [p.index for p in pieces] == [0, 4]


def test_a_repeated_sentence_is_not_chosen_twice():
    same = np.array([1, 0, 0, 0], dtype=np.float32)
    ranked = [cand(BOATS, 0, 0.9, same), cand(BOATS, 4, 0.85, same)]
    assert len(choose(read("hours?"), ranked, 90)) == 1


NO_CONTINUATION = frozenset({"continuation", "follow_on"})  # tests of the other rules see them alone


def test_a_sentence_that_refers_back_brings_its_antecedent():
    plan = read("Does the timetable change?", disabled=NO_CONTINUATION)
    pieces = arrange(plan, [cand(BOATS, 1, 0.9)], 90)
    assert [p.index for p in pieces] == [0, 1]
    off = read("Does the timetable change?", disabled=NO_CONTINUATION | {"antecedent"})
    assert [p.index for p in arrange(off, [cand(BOATS, 1, 0.9)], 90)] == [1]


def test_there_is_introduces_something_new_unless_it_is_relative_to_what_came_before():
    tips = chunk("t", ["Rinse the hull after each trip.", "There are three reasons to wax it.", "There are other ways to protect it.", "There is one exception."])
    plan = read("Why wax a hull?", disabled=NO_CONTINUATION)
    assert [p.index for p in arrange(plan, [cand(tips, 1, 0.9)], 90)] == [1]  # "There are three reasons": nothing before it is needed
    assert [p.index for p in arrange(plan, [cand(tips, 2, 0.9)], 90)] == [1, 2]  # "other ways": other than what was said
    assert [p.index for p in arrange(plan, [cand(tips, 3, 0.9)], 90)][-2:] == [2, 3]  # an exception to what was said


def test_an_antecedent_that_refers_back_brings_its_own():
    build = chunk("b", ["Use --small to save memory.", "This option suits tiny systems.", "Note that such builds run slower."])
    plan = read("Are small builds slower?", disabled=NO_CONTINUATION)
    # "Note that ..." refers back to "This option ...", which refers back to the option itself
    assert [p.index for p in arrange(plan, [cand(build, 2, 0.9)], 90)] == [0, 1, 2]
    tight = replace(TUNING, cohesion_words=0)
    assert [p.index for p in arrange(plan, [cand(build, 2, 0.9)], 12, tuning=tight)] == [1, 2]  # within the budget only


def test_a_sentence_introduced_by_a_colon_brings_the_sentence_that_introduces_it():
    # an example or command on its own says nothing without the sentence that announces it
    guide = chunk("g", ["Old scripts break on the new shell.", "Quote the variable to keep its spaces, like so:", 'cp "$src" "$dst"', "Test it on a copy first."])
    plan = read("How do I fix the copy command?", disabled=NO_CONTINUATION)
    assert [p.index for p in arrange(plan, [cand(guide, 2, 0.9)], 90)] == [1, 2]
    off = read("How do I fix the copy command?", disabled=NO_CONTINUATION | {"introduced"})
    assert [p.index for p in arrange(off, [cand(guide, 2, 0.9)], 90)] == [2]
    # a sentence after one that does not end with a colon stands alone
    assert [p.index for p in arrange(plan, [cand(guide, 3, 0.9)], 90)] == [3]


def test_a_passage_that_opens_on_what_the_passage_before_announced_brings_the_announcement():
    # the index cut between "... no refund is given:" and its items; an item alone does not say what it is an item of
    terms = chunk("t1", ["Tickets are sold at the pier.", "Except as stated in Section 2, no refund is given:"])
    items = chunk("t2", ["(a) for a ticket already used; or", "(b) for a missed ferry.", "Kiosks close at six."]).model_copy(update={"order": 1})
    plan = read("Can I get my money back for a ticket I used?", disabled=NO_CONTINUATION)
    pieces = arrange(plan, [cand(items, 0, 0.9)], 90, following=lambda c: items if c.id == "t1" else None, preceding=lambda c: terms if c.id == "t2" else None)
    assert [(p.chunk.id, p.index) for p in pieces][:2] == [("t1", 1), ("t2", 0)]  # announced, then the item, in reading order
    assert to_answer(pieces, []).answer.startswith("Except as stated in Section 2, no refund is given: [1] (a) for a ticket already used; or [2]")
    off = read("Can I get my money back for a ticket I used?", disabled=NO_CONTINUATION | {"introduced"})
    assert [p.chunk.id for p in arrange(off, [cand(items, 0, 0.9)], 90, preceding=lambda c: terms if c.id == "t2" else None)] == ["t2"]
    # a passage before that ends without announcing anything, or belongs to another section, is not brought
    plain = chunk("t1", ["Tickets are sold at the pier.", "Refunds are rare."])
    assert [p.chunk.id for p in arrange(plan, [cand(items, 0, 0.9)], 90, preceding=lambda c: plain if c.id == "t2" else None)] == ["t2"]
    other = terms.model_copy(update={"section": "Fares"})
    assert [p.chunk.id for p in arrange(plan, [cand(items, 0, 0.9)], 90, preceding=lambda c: other if c.id == "t2" else None)] == ["t2"]


def test_an_announced_list_brings_its_items():
    plan = read("What tickets are there?")
    pieces = arrange(plan, [cand(BOATS, 2, 0.9)], 90)
    assert [p.index for p in pieces] == [2, 3]


def test_an_announced_list_goes_on_past_a_sentence_that_explains_an_item():
    tools = chunk("t", ["Three tools ship with the kit:", "- a wrench", "It fits every bolt on the frame.", "- a pump", "- a patch set", "Rides start at nine.", "Bring water."])
    plan = read("Which tools ship with the kit?", disabled=NO_CONTINUATION)
    # the explanation of the wrench is followed by another item, so the list goes on; it ends at a sentence that is neither
    assert [p.index for p in arrange(plan, [cand(tools, 0, 0.9)], 90)] == [0, 1, 2, 3, 4]


def test_an_announced_list_of_defined_terms_brings_every_entry():
    terms = chunk("d", ["A good lock should have these properties:", "Strong: it resists a saw for an hour.", "Quiet: it opens without a click.", "Locks are sold in pairs."])
    plan = read("What properties should a good lock have?", disabled=NO_CONTINUATION)
    assert [p.index for p in arrange(plan, [cand(terms, 0, 0.9)], 90)] == [0, 1, 2]


def test_a_list_announced_at_the_end_of_a_passage_is_taken_from_the_next():
    intro = chunk("p1", ["The harbour office sells passes.", "Three kinds are on offer:"])
    items = chunk("p2", ["- day passes", "- week passes", "- season passes", "Prices rise in May."]).model_copy(update={"order": 1})
    elsewhere = items.model_copy(update={"id": "p3", "section": "Prices"})
    plan = read("What passes can I buy?", disabled=NO_CONTINUATION)
    pieces = arrange(plan, [cand(intro, 1, 0.9)], 90, following=lambda c: items if c.id == "p1" else None)
    assert [(p.chunk.id, p.index) for p in pieces] == [("p1", 1), ("p2", 0), ("p2", 1), ("p2", 2)]
    assert to_answer(pieces, []).answer.endswith("- season passes [2]")
    # the next passage of another section is not the list's continuation; without ``following`` nothing is added
    assert [p.chunk.id for p in arrange(plan, [cand(intro, 1, 0.9)], 90, following=lambda c: elsewhere if c.id == "p1" else None)] == ["p1"]
    assert [p.chunk.id for p in arrange(plan, [cand(intro, 1, 0.9)], 90)] == ["p1"]


def test_a_list_whose_items_run_on_into_the_next_passages_goes_on_there():
    intro = chunk("p1", ["Four flags are supported.", "The flags are:", "+ N: replace the Nth match", "If N is omitted, the first."])
    rest = chunk("p2", ["+ g: replace all", "+ p: print the result"]).model_copy(update={"order": 1})
    last = chunk("p3", ["+ w: write to a file", "Flags combine."]).model_copy(update={"order": 2})
    after = {"p1": rest, "p2": last}
    plan = read("Which flags are there?", disabled=NO_CONTINUATION)
    pieces = arrange(plan, [cand(intro, 1, 0.9)], 90, following=lambda c: after.get(c.id))
    assert [(p.chunk.id, p.index) for p in pieces] == [("p1", 1), ("p1", 2), ("p1", 3), ("p2", 0), ("p2", 1), ("p3", 0)]
    # a next passage that does not open with a marked item is not the list's continuation
    prose = chunk("p4", ["systemd units run it.", "+ p: print the result"]).model_copy(update={"order": 1})
    pieces = arrange(plan, [cand(intro, 1, 0.9)], 90, following=lambda c: prose if c.id == "p1" else None)
    assert [(p.chunk.id, p.index) for p in pieces] == [("p1", 1), ("p1", 2)]  # nor is the explanation, with no item after it


def test_a_list_goes_on_into_a_passage_the_answer_already_holds_and_reads_in_order():
    intro = chunk("p1", ["Four flags are supported.", "The flags are:", "- N: replace the Nth match"])
    rest = chunk("p2", ["- g: replace all", "- p: print the result", "Flags combine."]).model_copy(update={"order": 1})
    plan = read("Which flags are there?", disabled=NO_CONTINUATION)
    # the second passage's later item ranks first: its earlier item is not skipped, and the announcement reads first
    pieces = arrange(plan, [cand(rest, 1, 0.95), cand(intro, 1, 0.9)], 90, following=lambda c: rest if c.id == "p1" else None)
    assert [(p.chunk.id, p.index) for p in pieces] == [("p1", 1), ("p1", 2), ("p2", 0), ("p2", 1)]


def test_code_fence_marks_are_not_shown_in_the_answer():
    code = chunk("c", ["Print lines 12 to 18 with -n and p:", "```sh # the p stands for print sed -n 12,18p myfile ```", "```"])
    plan = read("How do I print lines 12 to 18?", disabled=NO_CONTINUATION | {"introduced"})
    answer = to_answer(arrange(plan, [cand(code, 1, 0.9), cand(code, 2, 0.85)], 90), [])
    assert answer.answer.startswith("# the p stands for print sed -n 12,18p myfile [1]")
    assert "```" in answer.answer  # a sentence that is nothing but a fence stays as written, not as an empty piece
    assert "```sh" in answer.citations[0].text  # the passage cited is the document's own text


def test_a_justified_texts_spaces_and_tabs_show_as_one_space():
    page = chunk("m", ["If both are given, the ferry  will use the\tone given last.", "Tickets  cost\tfive pounds."])
    answer = to_answer(arrange(read("Which option wins?", disabled=NO_CONTINUATION), [cand(page, 0, 0.9)], 90), [])
    assert answer.answer == "If both are given, the ferry will use the one given last. [1]"
    assert "\t" in answer.citations[0].text  # the passage cited is the document's own text


def test_a_quotation_is_shown_with_the_speaker_the_document_gives_it():
    quote = chunk("q", ["“We never run late,” the captain said.", "“Storms are the exception.”"], ["the captain", "the captain"])
    pieces = arrange(read("Are the ferries late?"), [cand(quote, 1, 0.9), cand(quote, 0, 0.8)], 90)
    shown = [p.text for p in pieces]
    assert shown[0] == "“We never run late,” the captain said."  # already named: shown as written
    assert shown[1] == "“Storms are the exception.” (the captain)"


def test_a_quotation_of_several_sentences_names_its_speaker_once_after_the_last_one_shown():
    said = ["“We sail at dawn.", "The tide decides the rest.", "Nobody argues with the tide.”", "The harbour opened in 1890."]
    quote = chunk("q", said, ["the pilot", "the pilot", "the pilot", None])
    shown = [p.text for p in arrange(read("When do the boats sail?"), [cand(quote, 0, 0.9), cand(quote, 1, 0.8)], 90)]
    assert shown == ["“We sail at dawn.", "The tide decides the rest. (the pilot)"]
    # two sentences of the quotation that are not shown one after the other each name it
    plan = read("When do the boats sail?", disabled=NO_CONTINUATION | {"quotation"})
    apart = [p.text for p in arrange(plan, [cand(quote, 0, 0.9), cand(quote, 2, 0.8)], 90)]
    assert apart == ["“We sail at dawn. (the pilot)", "… Nobody argues with the tide.” (the pilot)"]  # rule `gap_mark`


def test_every_sentence_carries_the_marker_of_its_passage():
    other = chunk("o", ["Bikes ride free on weekdays."])
    pieces = arrange(read("What does it cost?", disabled=NO_CONTINUATION | {"introduced"}), [cand(BOATS, 3, 0.9), cand(other, 0, 0.8)], 90)
    answer = to_answer(pieces, [])
    assert answer.answer.count("[1]") == 1 and answer.answer.count("[2]") == 1
    assert [c.chunk_id for c in answer.citations] == ["b", "o"]
    assert answer.citations[0].quote == "day tickets, week tickets and season passes."


def test_a_short_answer_goes_on_with_the_sentence_after_its_best_one():
    fix = chunk("f", ["The pump stalls when the filter clogs.", "Rinse the filter weekly to prevent it.", "Spare filters are sold in packs of two.", "The pump is rated for ten years."])
    plan = read("Why does my pump stall?")
    # the best sentence alone is 7 words: the answer goes on while it stays under the tuning's word floor
    pieces = arrange(plan, [cand(fix, 0, 0.9)], 90, TUNING)
    assert [p.index for p in pieces] == [0, 1, 2, 3]
    assert [p.index for p in arrange(plan, [cand(fix, 0, 0.9)], 90, replace(TUNING, continuation_below_words=14))] == [0, 1]
    # an answer already long enough, or a best sentence that ends its document's text, does not go on
    assert [p.index for p in arrange(plan, [cand(fix, 0, 0.9)], 90, replace(TUNING, continuation_below_words=5))] == [0]
    assert [p.index for p in arrange(plan, [cand(fix, 3, 0.9)], 90, TUNING)] == [3]
    # a best sentence that ends its passage goes on in the next passage of its section (the index cut there, not the
    # writer), which reads right after it; a passage of another section is not the sentence after
    more = chunk("g", ["Its warranty covers the motor.", "Keep the receipt."]).model_copy(update={"order": 1})
    elsewhere = more.model_copy(update={"section": "Prices"})
    other = chunk("o", ["Hoses are sold apart."]).model_copy(update={"source": "source/hoses.md"})
    pieces = arrange(plan, [cand(fix, 3, 0.9), cand(other, 0, 0.5)], 90, TUNING, following=lambda c: more if c.id == "f" else None)
    assert [(p.chunk.id, p.index) for p in pieces] == [("f", 3), ("g", 0), ("g", 1), ("o", 0)]
    assert [(p.chunk.id, p.index) for p in arrange(plan, [cand(fix, 3, 0.9)], 90, TUNING, following=lambda c: elsewhere if c.id == "f" else None)] == [("f", 3)]
    off = read("Why does my pump stall?", disabled=NO_CONTINUATION)
    assert [p.index for p in arrange(off, [cand(fix, 0, 0.9)], 90, TUNING)] == [0]


def test_a_sentence_that_refers_back_to_the_best_one_follows_it_however_long_the_answer():
    rules = chunk("r", ["Cyclists may ride on the towpath between March and October.", "However, they must give way to walkers at the locks.", "This also applies to horses.", "The towpath is four miles long.", "Dogs must be on a lead."])
    plan = read("Can I cycle on the towpath?", disabled=frozenset({"continuation"}))
    # "However, ..." and "This also ..." each go on with the sentence before; "The towpath is ..." starts anew
    assert [p.index for p in arrange(plan, [cand(rules, 0, 0.9)], 90, TUNING)] == [0, 1, 2]
    # only while the sentence after refers back ("Dogs must be on a lead." does not)
    assert [p.index for p in arrange(plan, [cand(rules, 3, 0.9)], 90, TUNING)] == [3]
    # within the answer's own word limit (not the allowance cohesion has beyond it): 10 + 10 words fit 22, 25 do not
    assert [p.index for p in arrange(plan, [cand(rules, 0, 0.9)], 22, TUNING)] == [0, 1]
    # a sentence the answer already holds that refers back carries the chain on, into the next passage
    two = chunk("x", ["Cyclists may ride on the towpath.", "However, they must give way."])
    then = chunk("y", ["This also applies to horses.", "Parking is free."]).model_copy(update={"order": 1})
    pieces = arrange(plan, [cand(two, 0, 0.9), cand(two, 1, 0.8)], 90, TUNING, following=lambda c: then if c.id == "x" else None)
    assert [(p.chunk.id, p.index) for p in pieces] == [("x", 0), ("x", 1), ("y", 0)]
    # a best sentence that ends its passage: the next passage of its section, when it opens by referring back
    more = chunk("s", ["That rule dates from 1990.", "Parking is free."]).model_copy(update={"order": 1})
    pieces = arrange(plan, [cand(rules, 4, 0.9)], 90, TUNING, following=lambda c: more if c.id == "r" else None)
    assert [(p.chunk.id, p.index) for p in pieces] == [("r", 4), ("s", 0)]
    off = read("Can I cycle on the towpath?", disabled=NO_CONTINUATION)
    assert [p.index for p in arrange(off, [cand(rules, 0, 0.9)], 90, TUNING)] == [0]


def test_a_sentence_that_refers_back_to_another_chosen_one_follows_it_within_its_passage():
    rules = chunk("r", ["Cyclists may ride on the towpath.", "Dogs must be on a lead.", "This keeps the swans safe.", "Parking is free."])
    other = chunk("o", ["The towpath closes at dusk."])
    plan = read("What are the towpath rules?", disabled=frozenset({"continuation"}))
    pieces = arrange(plan, [cand(other, 0, 0.9), cand(rules, 1, 0.6)], 90, TUNING)
    assert [(p.chunk.id, p.index) for p in pieces] == [("o", 0), ("r", 1), ("r", 2)]
    off = read("What are the towpath rules?", disabled=NO_CONTINUATION)
    assert [(p.chunk.id, p.index) for p in arrange(off, [cand(other, 0, 0.9), cand(rules, 1, 0.6)], 90, TUNING)] == [("o", 0), ("r", 1)]
    # within the allowance cohesion has beyond the answer's word limit: "However, You may do so only on Your own
    # behalf." qualifies the sentence it follows however long the answer already is (5 + 5 + 5 words: 12 is exceeded)
    both = [cand(other, 0, 0.9), cand(rules, 1, 0.6)]
    assert [(p.chunk.id, p.index) for p in arrange(plan, both, 12, TUNING)] == [("o", 0), ("r", 1), ("r", 2)]
    tight = TUNING.__class__(cohesion_words=0)
    assert [(p.chunk.id, p.index) for p in arrange(plan, both, 12, tight)] == [("o", 0), ("r", 1)]


def test_a_question_the_document_asks_brings_its_answer():
    faq = chunk("q", ["2.1. | Why does the pump stall?", "Its filter clogs.", "Rinse it weekly.", "2.2. | How loud is the pump?", "Quiet."])
    plan = read("my pump keeps stalling, why", disabled=NO_CONTINUATION)
    # the FAQ's question matches best; its answer is what follows it, up to the next question
    assert [p.index for p in arrange(plan, [cand(faq, 0, 0.9)], 90)] == [0, 1, 2]
    assert [p.index for p in arrange(plan, [cand(faq, 0, 0.9)], 12)] == [0, 1]  # within the answer's word limit
    # a question that ends its passage is answered in the next passage of its section
    asked = chunk("a", ["The pump is small.", "How do I clean it?"])
    answer = chunk("b", ["Unscrew the cap.", "Rinse the filter.", "Can I run it dry?", "No."]).model_copy(update={"order": 1})
    pieces = arrange(plan, [cand(asked, 1, 0.9)], 90, following=lambda c: answer if c.id == "a" else None)
    assert [(p.chunk.id, p.index) for p in pieces] == [("a", 1), ("b", 0), ("b", 1)]
    off = read("my pump keeps stalling, why", disabled=NO_CONTINUATION | {"document_question"})
    assert [p.index for p in arrange(off, [cand(faq, 0, 0.9)], 90)] == [0]
    # a question reached by going on into the next passage is answered too
    short = chunk("s", ["Pumps need care."])
    opens = chunk("t", ["So how do I clean the pump?", "Rinse the filter.", "Pumps are cheap to run."]).model_copy(update={"order": 1})
    plan_on = read("pump care", disabled=frozenset({"follow_on"}))  # continuation goes on: the answer is short
    pieces = arrange(plan_on, [cand(short, 0, 0.9)], 90, replace(TUNING, continuation_below_words=5), following=lambda c: opens if c.id == "s" else None)
    assert [(p.chunk.id, p.index) for p in pieces] == [("s", 0), ("t", 0), ("t", 1), ("t", 2)]
    # a question the document quotes is part of its story, not a question it answers
    story = chunk("w", ['At the door Anna asked, "Where does the night train leave from?"', "It was raining.", "The mayor resigned."])
    assert [p.index for p in arrange(plan, [cand(story, 0, 0.9)], 90)] == [0]


def test_a_question_that_titles_its_section_brings_its_answer_without_a_question_mark():
    # a FAQ's question is its entry's heading and its first sentences; it need not end with "?" ("... fails like this:")
    title = "2.1. The build stops with an error. Is the compiler too old?"
    entry = chunk("e", ["2.1. The build stops with an error.", "Is the compiler too old?", "Probably.", "Install a newer one.", "Then build again."])
    entry = entry.model_copy(update={"section": title})
    plan = read("the build stops with an error, what now", disabled=NO_CONTINUATION)
    # the answer goes past the heading's own question ("Is the compiler too old?") to the end of the entry
    assert [p.index for p in arrange(plan, [cand(entry, 0, 0.9)], 90)] == [0, 1, 2, 3, 4]
    # the same sentence in a section of another title announces nothing
    plain = entry.model_copy(update={"section": "Building"})
    assert [p.index for p in arrange(plan, [cand(plain, 0, 0.9)], 90)] == [0]
    off = read("the build stops with an error, what now", disabled=NO_CONTINUATION | {"document_question"})
    assert [p.index for p in arrange(off, [cand(entry, 0, 0.9)], 90)] == [0]


def test_a_clause_about_what_was_just_said_refers_back():
    glob = chunk("g", ["The first pattern is the main extension.", "While this does not change matching, this can help a save dialog.", "Given that the file exists, it is read."])
    plan = read("Which extension does a save dialog pick?", disabled=NO_CONTINUATION)
    assert [p.index for p in arrange(plan, [cand(glob, 1, 0.9)], 90)] == [0, 1]  # "While this ..." brings what "this" is
    assert [p.index for p in arrange(plan, [cand(glob, 2, 0.9)], 90)] == [2]  # "Given that ..." joins clauses: it points nowhere


def test_an_answer_that_goes_on_to_an_announced_list_brings_the_list():
    intro = chunk("p1", ["Most commands take a prefix.", "Without one they act on every line.", "Two commands take none:"])
    items = chunk("p2", ["- labels", "- comments", "Prefixes can be ranges."]).model_copy(update={"order": 1})
    plan = read("Which commands take no prefix?")
    # the best sentence is short, so the answer goes on; the sentence it goes on to announces a list in the next passage
    pieces = arrange(plan, [cand(intro, 0, 0.9)], 90, TUNING, following=lambda c: items if c.id == "p1" else None)
    assert [(p.chunk.id, p.index) for p in pieces] == [("p1", 0), ("p1", 1), ("p1", 2), ("p2", 0), ("p2", 1)]
    # with a word floor the answer reaches at its announcement, the list still follows; without the rule it does not
    floor = replace(TUNING, continuation_below_words=15)  # the passage's three sentences hold 15 words
    assert [p.chunk.id for p in arrange(plan, [cand(intro, 0, 0.9)], 90, floor, following=lambda c: items if c.id == "p1" else None)] == ["p1", "p1", "p1", "p2", "p2"]
    off = read("Which commands take no prefix?", disabled=frozenset({"announced_list"}))
    assert [p.chunk.id for p in arrange(off, [cand(intro, 0, 0.9)], 90, floor, following=lambda c: items if c.id == "p1" else None)] == ["p1", "p1", "p1"]


KNOTS = chunk("k", ["Sailors rely on a few knots.", "The first knot to learn is the bowline, which makes a fixed loop.", "Harbours charge a mooring fee."])
KNOTS_2 = chunk("k2", ["Second, the clove hitch ties a line to a post.", "Finally, the reef knot joins two ropes of equal size.", "Tides turn twice a day."])
KNOTS_2 = KNOTS_2.model_copy(update={"order": 1})


def test_a_counted_sequence_goes_on_when_a_list_is_asked_for():
    axes = np.eye(5, dtype=np.float32)  # five different sentences, none repeating another
    ranked = [cand(KNOTS, 1, 0.9, axes[0]), cand(KNOTS, 2, 0.5, axes[1]), cand(KNOTS_2, 1, 0.2, axes[2]), cand(KNOTS_2, 2, 0.15, axes[3]), cand(KNOTS_2, 0, 0.1, axes[4])]
    plan = read("What are the knots a sailor should learn?")
    assert plan.wants_list
    # the sequence's items join in the document's order, though "Finally" ranked above "Second"
    assert [(c.chunk.id, c.index) for c in choose(plan, ranked, 90)] == [("k", 1), ("k", 2), ("k2", 0), ("k2", 1)]
    off = read("What are the knots a sailor should learn?", disabled=frozenset({"enumeration"}))
    assert [(c.chunk.id, c.index) for c in choose(off, ranked, 90)] == [("k", 1), ("k", 2)]
    single = read("Which knot makes a fixed loop?")
    assert [(c.chunk.id, c.index) for c in choose(single, ranked, 90)] == [("k", 1), ("k", 2)]


def test_a_counted_sequence_takes_the_items_between_its_opening_and_a_later_one_from_the_passages_between():
    opening = chunk("s1", ["Boats need care.", "The first rule is to rinse the hull after every trip."])
    middle = chunk("s2", ["Salt eats paint.", "Second, check the ropes each spring.", "Old ropes snap."]).model_copy(update={"order": 1})
    later = chunk("s3", ["Third, store the sails dry.", "Winter is long."]).model_copy(update={"order": 2})
    far = chunk("s9", ["Fourth, sell the boat."]).model_copy(update={"order": 9})
    fillers = [chunk(f"f{n}", [f"Second, filler {n}."]).model_copy(update={"order": n}) for n in range(3, 9)]
    passages = {c.order: c for c in (opening, middle, later, far, *fillers)}
    following = lambda c: passages.get(c.order + 1)  # noqa: E731
    plan = read("What are the rules for looking after a boat?", disabled=NO_CONTINUATION)
    pieces = arrange(plan, [cand(opening, 1, 0.9), cand(later, 0, 0.3)], 90, following=following)
    # "Second" was not retrieved: it is taken from the passage between, and the answer reads in the document's order
    assert [(p.chunk.id, p.index) for p in pieces] == [("s1", 1), ("s2", 1), ("s3", 0)]
    off = read("What are the rules for looking after a boat?", disabled=NO_CONTINUATION | {"enumeration"})
    assert [(p.chunk.id, p.index) for p in arrange(off, [cand(opening, 1, 0.9), cand(later, 0, 0.3)], 90, following=following)] == [("s1", 1), ("s3", 0)]
    # a later item further away than a sequence runs brings nothing between (passages run on to it: the limit stops it)
    assert [(p.chunk.id, p.index) for p in arrange(plan, [cand(opening, 1, 0.9), cand(far, 0, 0.3)], 90, following=following)] == [("s1", 1), ("s9", 0)]
    # the items taken read in the document's order among passages of other documents and later items already chosen
    other = chunk("x", ["Ferries leave hourly."]).model_copy(update={"source": "source/ferry.md"})
    fourth = chunk("s4", ["Fourth, paint the deck."]).model_copy(update={"order": 3})
    passages[3] = fourth
    mixed = arrange(plan, [cand(opening, 1, 0.9), cand(other, 0, 0.5), cand(later, 0, 0.3), cand(fourth, 0, 0.3)], 90, following=following)
    assert [(p.chunk.id, p.index) for p in mixed] == [("s1", 1), ("x", 0), ("s2", 1), ("s3", 0), ("s4", 0)]
    # sentences that only look like items ("Next, ...", "Last year ...") are not taken from passages nobody ranked
    loose = chunk("s2", ["Last year two boats sank.", "Next, the harbour closed.", "Second, check the ropes each spring."]).model_copy(update={"order": 1})
    passages[1] = loose
    assert [(p.chunk.id, p.index) for p in arrange(plan, [cand(opening, 1, 0.9), cand(later, 0, 0.3)], 90, following=following)] == [("s1", 1), ("s2", 2), ("s3", 0)]


def test_a_section_opening_that_refers_back_is_shown_under_its_heading():
    """'This option ...' at the start of a section refers to the section's heading, which the answer then shows."""
    before = chunk("o1", ["Options change how the tool runs.", "Each is given on the command line."])
    flag = chunk("o2", ["This option prints every step.", "It is off by default."]).model_copy(update={"section": "--verbose", "order": 1})
    more = chunk("o3", ["This also slows the run.", "Logs grow large."]).model_copy(update={"section": "--verbose", "order": 2})
    at = {c.order: c for c in (before, flag, more)}
    preceding = lambda c: at.get(c.order - 1)  # noqa: E731
    plan = read("What does verbose do?", disabled=NO_CONTINUATION | {"heading_term"})  # this test is about sentences that refer back
    # chosen: the second sentence, which refers back; `antecedent` brings the first, which opens the section
    pieces = arrange(plan, [cand(flag, 1, 0.9)], 90, TUNING, preceding=preceding)
    assert [p.text for p in pieces] == ["--verbose: This option prints every step.", "It is off by default."]
    # a passage that goes on with its section does not open it: no heading
    assert [p.text for p in arrange(plan, [cand(more, 0, 0.9)], 90, TUNING, preceding=preceding)] == ["This also slows the run."]
    # a sentence that does not refer back, and the rule switched off, are shown as they are
    plain = chunk("o4", ["Colours are on in a terminal."]).model_copy(update={"section": "--color", "order": 3})
    assert [p.text for p in arrange(plan, [cand(plain, 0, 0.9)], 90, TUNING, preceding=lambda c: more)] == ["Colours are on in a terminal."]
    off = read("What does verbose do?", disabled=NO_CONTINUATION | {"heading_antecedent", "heading_term"})
    assert [p.text for p in arrange(off, [cand(flag, 1, 0.9)], 90, TUNING, preceding=preceding)] == ["This option prints every step.", "It is off by default."]


KIOSK = chunk("k", ["The kiosk opens at six.", "It closes at noon on Sundays.", "Day tickets cost four euros.", "Season passes are sold online."])


def test_a_part_of_the_question_the_answer_left_out_brings_the_ranked_sentence_that_answers_it():
    # both further sentences rank too low to join on their score; only the one holding an asked word comes in
    ranked = [cand(KIOSK, 0, 0.9), cand(KIOSK, 3, 0.25), cand(KIOSK, 2, 0.2)]
    question = "When does the kiosk open, and what does a day ticket cost?"
    plan = read(question, disabled=NO_CONTINUATION)
    assert [p.index for p in arrange(plan, choose(plan, ranked, 90), 90, ranked=ranked)] == [0, 2]
    off = read(question, disabled=NO_CONTINUATION | {"coverage"})
    assert [p.index for p in arrange(off, choose(off, ranked, 90), 90, ranked=ranked)] == [0]


def test_coverage_keeps_to_its_depth_floor_and_word_limit():
    ranked = [cand(KIOSK, 0, 0.9), cand(KIOSK, 3, 0.25), cand(KIOSK, 2, 0.2)]
    plan = read("When does the kiosk open, and what does a day ticket cost?", disabled=NO_CONTINUATION)

    def indices(max_words: int = 90, **tuning) -> list[int]:
        t = replace(TUNING, **tuning)
        return [p.index for p in arrange(plan, choose(plan, ranked, max_words, t), max_words, t, ranked=ranked)]

    assert indices() == [0, 2]
    assert indices(coverage_depth=2) == [0]  # the sentence holding "ticket" ranks third
    assert indices(coverage_floor=0.25) == [0]  # 0.2 is under a quarter of the best's 0.9
    assert indices(max_words=9) == [0]  # 5 + 5 words would pass the answer's limit of 9
    assert indices(max_words=10) == [0, 2]


def test_a_section_opening_under_a_heading_that_names_a_code_term_is_shown_under_it():
    """A reference manual's entry: the heading is the term, its first sentence says what it does without naming it."""
    intro = chunk("m0", ["The tool reads options from the command line."]).model_copy(update={"section": "Options", "order": 0})
    flag = chunk("m1", ["Check the syntax without running anything.", "The exit code says whether it passed."])
    flag = flag.model_copy(update={"section": "`-c`, `--check`", "order": 1})
    prose = chunk("m2", ["Most users never need more than two options."]).model_copy(update={"section": "Choosing options", "order": 2})
    at = {c.order: c for c in (intro, flag, prose)}
    preceding = lambda c: at.get(c.order - 1)  # noqa: E731
    plan = read("Which flag checks the syntax?", disabled=NO_CONTINUATION)
    assert [p.text for p in arrange(plan, [cand(flag, 0, 0.9)], 90, TUNING, preceding=preceding)] == ["`-c`, `--check`: Check the syntax without running anything."]
    # a later sentence of the section, a heading in plain words, and the rule switched off: shown as written
    assert [p.text for p in arrange(plan, [cand(flag, 1, 0.9)], 90, TUNING, preceding=preceding)] == ["The exit code says whether it passed."]
    assert [p.text for p in arrange(plan, [cand(prose, 0, 0.9)], 90, TUNING, preceding=preceding)] == ["Most users never need more than two options."]
    off = read("Which flag checks the syntax?", disabled=NO_CONTINUATION | {"heading_term"})
    assert [p.text for p in arrange(off, [cand(flag, 0, 0.9)], 90, TUNING, preceding=preceding)] == ["Check the syntax without running anything."]


def test_numbers_in_brackets_that_a_document_writes_are_not_read_as_citation_markers():
    from assistant.answering.citations import markers_in

    code = chunk("c", ["Set FORCE_COLOR=[1, 2, 3] to force colours, or read argv[1] first."])
    plan = read("How do I force colours?", disabled=NO_CONTINUATION)
    answer = to_answer(arrange(plan, [cand(code, 0, 0.9)], 90), [])
    assert markers_in(answer.answer) == [1] and len(answer.citations) == 1
    assert answer.answer.replace("\u200b", "") == "Set FORCE_COLOR=[1, 2, 3] to force colours, or read argv[1] first. [1]"


def test_a_chosen_item_of_an_announced_list_brings_the_announcement_and_its_siblings_when_a_list_is_asked_for():
    # the index cut a list of long items apart: the announcement ends one passage, the items fill the next two
    terms = chunk("s1", ["Boats may be hired by the day.", "A hirer must meet the following conditions:"])
    first = chunk("s2", ["(a) You must hold a licence; and", "(b) You must wear a life jacket; and"]).model_copy(update={"order": 1})
    last = chunk("s3", ["(c) You must return the boat by dusk.", "Hire desks open at nine."]).model_copy(update={"order": 2})
    after, before = {"s1": first, "s2": last}, {"s2": terms, "s3": first}
    kw = dict(following=lambda c: after.get(c.id), preceding=lambda c: before.get(c.id))
    plan = read("What are the conditions for hiring a boat?", disabled=NO_CONTINUATION)
    pieces = arrange(plan, [cand(last, 0, 0.9)], 90, **kw)
    # the reranker found the item that shares the question's words; the answer reads the whole list, in order
    assert [(p.chunk.id, p.index) for p in pieces] == [("s1", 1), ("s2", 0), ("s2", 1), ("s3", 0)]
    # a question that does not ask for a list, or the rule switched off, keeps the item alone
    one = read("When must the boat be back?", disabled=NO_CONTINUATION)
    assert [(p.chunk.id, p.index) for p in arrange(one, [cand(last, 0, 0.9)], 90, **kw)] == [("s3", 0)]
    off = read("What are the conditions for hiring a boat?", disabled=NO_CONTINUATION | {"sibling_items"})
    assert [(p.chunk.id, p.index) for p in arrange(off, [cand(last, 0, 0.9)], 90, **kw)] == [("s3", 0)]
    # an item whose list no sentence announces brings nothing
    loose = chunk("s1", ["Boats may be hired by the day.", "Hirers sign a form."])
    kw_loose = dict(following=lambda c: after.get(c.id), preceding=lambda c: {"s2": loose, "s3": first}.get(c.id))
    assert [(p.chunk.id, p.index) for p in arrange(plan, [cand(last, 0, 0.9)], 90, **kw_loose)] == [("s3", 0)]



def test_a_short_answer_from_a_tables_row_does_not_go_on_into_the_next_rows():
    # a row is a whole record: `continuation` went on into the rows after it while the answer was short
    table = chunk("t", [
        "Ferry: Puffin; Captain: Okafor; First sailing: 07:15",
        "Ferry: Skua; Captain: Lind; First sailing: 07:50",
        "Ferry: Eider; Captain: Castro",  # a row with an empty cell names fewer columns
        "Tickets are sold on board.",
    ])  # fmt: skip
    plan = read("Which ferry does Captain Okafor sail?")
    assert [p.index for p in arrange(plan, [cand(table, 0, 0.9)], 90, TUNING)] == [0]
    prose = chunk("p", ["Captain Okafor sails the Puffin: 07:15 daily.", "Ferry: the Skua; Captain: Lind; First sailing: 07:50"])
    assert [p.index for p in arrange(plan, [cand(prose, 0, 0.9)], 90, TUNING)] == [0, 1]  # prose goes on as before


def test_a_short_answer_from_a_bullet_does_not_go_on_into_the_next_bullet_but_a_step_does():
    # each bullet of a release note is a change of its own: `continuation` went on from the one asked about into the next
    notes = chunk("n", [
        '* "ferry --stdin" has been deprecated; use "ferry --read-stdin" instead.',
        "* The timetable command learned to print weekend sailings.",
    ])  # fmt: skip
    plan = read("What was deprecated in the ferry command?")
    assert [p.index for p in arrange(plan, [cand(notes, 0, 0.9)], 90, TUNING)] == [0]
    bullet_then_prose = chunk("b", ["* The timetable command learned to print weekend sailings.", "It reads them from the harbour feed."])
    assert [p.index for p in arrange(plan, [cand(bullet_then_prose, 0, 0.9)], 90, TUNING)] == [0, 1]  # the bullet's own next sentence
    steps = chunk("s", ["1. Buy a ticket at the kiosk.", "2. Show it to the deckhand when boarding."])
    assert [p.index for p in arrange(read("How do I board the ferry?"), [cand(steps, 0, 0.9)], 90, TUNING)] == [0, 1]  # a procedure goes on


def test_a_sentence_that_explains_a_list_items_label_brings_the_label():
    # "Only supported if ... is installed." alone, after the list's previous item, read as that item's condition
    ch = chunk("z", [
        "* Ferry (route 1)",
        "Runs every hour.",
        "* Hovercraft (route 9)",
        "Only runs if the tide is high.",
    ])  # fmt: skip
    plan = read("When does the hovercraft run?")
    assert [p.index for p in arrange(plan, [cand(ch, 3, 0.9)], 90, TUNING)] == [2, 3]
    prose = chunk("q", ["* The hovercraft was retired in May after a long and busy service.", "Only the ferry runs now."])
    assert [p.index for p in arrange(plan, [cand(prose, 1, 0.9)], 90, TUNING)] == [1]  # an item that says something is no label
    items = chunk("r", ["Ferries today:", "* Puffin (route 1)", "* Skua (route 2)", "Only one sails when the tide is low."])
    assert [p.index for p in arrange(plan, [cand(items, 3, 0.9)], 90, TUNING)] == [3]  # prose after a run of items explains none


def test_sentences_of_one_passage_shown_apart_from_each_other_mark_the_gap():
    ranked = [cand(BOATS, 4, 0.9, np.array([0, 0, 0, 1.0])), cand(BOATS, 0, 0.8)]
    plan = read("What are the hours?", disabled=frozenset({"follow_on"}))  # "This schedule ..." would follow sentence 0
    assert to_answer(arrange(plan, choose(plan, ranked, 90), 90), []).answer == "Ferries leave the pier every hour. [1] … The kiosk opens at six. [1]"
    off = read("What are the hours?", disabled=frozenset({"follow_on", "gap_mark"}))
    assert to_answer(arrange(off, choose(off, ranked, 90), 90), []).answer == "Ferries leave the pier every hour. [1] The kiosk opens at six. [1]"
    # sentences that follow each other, within a passage or across into the next one it goes on into, show no gap
    with_next = read("What are the hours?")
    assert "…" not in to_answer(arrange(with_next, [cand(BOATS, 0, 0.9)], 90), []).answer
    intro = chunk("p1", ["Four flags are supported.", "The flags are:", "+ N: replace the Nth match"])
    rest = chunk("p2", ["+ g: replace all", "+ p: print the result"]).model_copy(update={"order": 1})
    listed = read("Which flags are there?", disabled=NO_CONTINUATION)
    pieces = arrange(listed, [cand(intro, 1, 0.9)], 90, following=lambda c: rest if c.id == "p1" else None)
    assert [(p.chunk.id, p.index) for p in pieces] == [("p1", 1), ("p1", 2), ("p2", 0), ("p2", 1)]
    assert "…" not in to_answer(pieces, []).answer


def test_a_sentence_that_counts_the_marked_items_after_it_brings_them_as_an_announced_list_does():
    tools = chunk("t", ["The kit holds three tools.", "- a saw for the planks", "- a mallet for the pegs", "- a plane for the edges", "Keep them dry."])
    plan = read("What tools are in the kit?", disabled=NO_CONTINUATION)
    assert [p.index for p in arrange(plan, [cand(tools, 0, 0.9)], 90)] == [0, 1, 2, 3]
    # a sentence that counts nothing, or that no marked item follows, announces no list
    plain = chunk("u", ["The kit holds tools.", "- a saw for the planks", "- a mallet for the pegs"])
    assert [p.index for p in arrange(plan, [cand(plain, 0, 0.9)], 90)] == [0]
    prose = chunk("v", ["The kit holds three tools.", "They are kept dry.", "- a saw"])
    assert [p.index for p in arrange(plan, [cand(prose, 0, 0.9)], 90)] == [0]
    more = chunk("w", ["The shop sells 12 kits a week.", "- a saw for the planks", "- a mallet for the pegs"])  # 12 is not 2 items
    assert [p.index for p in arrange(plan, [cand(more, 0, 0.9)], 90)] == [0]
    off = read("What tools are in the kit?", disabled=NO_CONTINUATION | {"announced_list"})
    assert [p.index for p in arrange(off, [cand(tools, 0, 0.9)], 90)] == [0]


def test_a_short_answer_does_not_go_on_into_a_faqs_next_question():
    faq = chunk("q", ["Q: How do I reset the widget?", "A: Hold the red button.", "Q: Can I paint the widget?", "A: No, paint blocks the vents."])
    plan = read("How do I reset the widget?")
    assert [p.index for p in arrange(plan, [cand(faq, 1, 0.9)], 90)] == [1]
    # a question that is no entry of its own goes on ("What's happening? It is the cache.")
    prose = chunk("r", ["The widget slows down after a week.", "What's happening?", "The cache fills up.", "Clear it monthly."])
    assert [p.index for p in arrange(read("Why is my widget slow?"), [cand(prose, 0, 0.9)], 90)][:3] == [0, 1, 2]


WIDGET = """# Tuning widgets

The script above uses some methods that need explaining. The `start` method powers the widget up and waits until it
spins freely. The `brake` method slows the widget gradually until it stops. The `flush` method empties the oil tray
into the drain cup. The `label` method prints the serial number on the shell.

# Storage

Keep widgets in a dry box away from sunlight.
"""


def test_a_short_answer_does_not_go_on_into_the_next_of_a_run_of_parallel_definitions(written_pipeline):
    """"The `brake` method ..." then "The `flush` method ...": a list written as prose, each sentence a record of its own
    (rule `continuation` does not go on into the next, as it does not from a table's row into the next row)."""
    from assistant.answering.compose import _parallel

    assert _parallel("The `brake` method slows it.", "The `flush` method empties it.")
    assert not _parallel("The default is 5.", "The maximum is 10.")  # a frame of function words goes on
    answer = written_pipeline("widgets.md", WIDGET).answer("What does the brake method do?")
    assert not answer.refused and "slows the widget gradually" in answer.answer
    assert "oil tray" not in answer.answer and "serial number" not in answer.answer
