"""Reading a question's form: what it asks for. Pure rules, no model."""
import pytest

from assistant.answering.extractive import demonstratives
from assistant.answering.questions import without_asker, _counted_noun, about_document, asked_head_noun, defined_term, has_duration, listed_terms, states_span, asked_noun, asks_overview, names_in, asked_speaker, classify, figures_in, holds_amount, question_parts, wanted_figure


@pytest.mark.parametrize(
    "question, noun",
    [
        ("What pension do retired teachers draw?", "pension"),
        ("What is the population of Kings County?", "population"),
        ("What shade of blue is the cover?", "shade"),
        ("Which software vendors did the alliance hire?", "vendors"),
        ("What brand of tablets did the schools order?", "tablets"),
        ("What did the county treasurer say about deficits?", "treasurer"),
        ("What's the chief hurdle for new partners?", "hurdle"),
        # an irregular past tense ends the noun as "-ed" does: not "out" of "came out of"
        ("What sort of clinic came out of the county's work?", "clinic"),
    ],
)
def test_the_asked_for_noun_is_read_from_the_question_form(question, noun):
    assert asked_noun(question) == noun


def test_what_the_asker_says_of_themselves_first_is_not_the_question():
    assert without_asker("Speaking as a county treasurer, I'd like it brief: which agencies paid?") == "which agencies paid?"
    assert without_asker("For my thesis; how did the county fund the plan?") == "how did the county fund the plan?"
    # the rest leans on what came before, or nothing is said of the asker: the whole question
    assert without_asker("I heard the county paid $5 million. Is that right?") == "I heard the county paid $5 million. Is that right?"
    assert without_asker("I teach in the county. How did those agencies pay?") == "I teach in the county. How did those agencies pay?"
    assert without_asker("The county's plan: what did it fund?") == "The county's plan: what did it fund?"


def test_how_much_time_asks_how_long_not_how_much():
    kind = classify("How much time did the county say the planning takes?")
    assert kind.asks_duration and not kind.asks_amount
    assert classify("How much money did the county spend on planning?").asks_amount


def test_a_stated_span_of_time_says_how_long_and_long_term_does_not():
    assert states_span("It sometimes takes a whole year.") and states_span("the four-year grant period")
    assert has_duration("a long-term investment") and not states_span("a long-term investment")


def test_what_a_list_request_asks_to_be_listed():
    assert listed_terms("list the funding sources each county relied on") == {"fund", "sourc"}
    assert listed_terms("List all of the 2 partners that Fresno trusted") == {"partner"}  # no number
    assert listed_terms("List the Fresno partners") == {"partner"}  # a name says whose, not what
    assert listed_terms("What are the funding sources?") == frozenset()


def test_a_definition_question_sets_its_words_apart_in_quotation_marks():
    assert defined_term("What counts as 'shared governance' in the report?") == "shared governance"
    assert defined_term("What's meant by a “braided fund” here?") == "braided fund"  # the apostrophe of "what's" is no quotation mark
    assert defined_term("What did the 'braided fund' pay for?") is None  # not a definition question
    assert defined_term("What counts as shared governance?") is None


def test_the_asked_noun_right_after_what_is_surely_what_is_asked():
    assert asked_head_noun("What sort of clinic came out of the county's work?") == "clinic"
    assert asked_head_noun("Which vendors did the alliance hire?") == "vendors"
    # the noun read from further on may belong to another phrase of the question
    assert asked_noun("What were the big tasks the districts had?") == "districts"
    assert asked_head_noun("What were the big tasks the districts had?") is None


@pytest.mark.parametrize(
    "question",
    ["Why did partners hesitate?", "How did the region change its hiring?", "What happened after the money ran out?", "Who led the workgroups?"],
)
def test_questions_without_an_asked_for_noun_give_none(question):
    assert asked_noun(question) is None


@pytest.mark.parametrize(
    "question, amount, date",
    [
        ("What wage do apprentices earn?", True, False),
        ("What ranking did the district get?", True, False),
        ("What enrollment did the academy reach?", True, False),
        ("What deadline did the state give?", False, True),
        ("What lesson did the leaders learn?", False, False),
    ],
)
def test_nouns_answered_by_a_figure_or_a_date_make_the_question_ask_for_one(question, amount, date):
    kind = classify(question)
    assert (kind.asks_amount, kind.asks_date) == (amount, date)


def test_a_score_needs_a_figure_and_a_wage_needs_a_sum_of_money():
    assert not holds_amount("What ranking did the district get?", "The district was one of four consortia.")
    assert holds_amount("What ranking did the district get?", "It placed 3rd of 40.")
    assert not holds_amount("What wage do apprentices earn?", "Apprentices earn while they learn, in three sectors.")
    assert holds_amount("What wage do apprentices earn?", "Apprentices earn $18 an hour.")


@pytest.mark.parametrize(
    "question, counted",
    [("how many business partners did they sign?", "partners"), ("how many employers joined the alliance?", "employers"), ("how many dollars did districts pledge?", "dollars")],
)
def test_how_many_reads_the_counted_noun(question, counted):
    assert _counted_noun(question) == counted


def test_how_many_dollars_needs_a_sum_of_money():
    assert not holds_amount("How many dollars did the districts pledge?", "In one region, districts made considerable commitments.")
    assert holds_amount("How many dollars did the districts pledge?", "They pledged $2 million.")


@pytest.mark.parametrize(
    "question, speaker",
    [
        ("What did a company owner in the region say about interns?", "owner"),
        ("What did one leader from Fresno say about money?", "leader"),
        ("What did JFF say about the grant?", None),  # a name, not a kind of person
        ("What did they say next?", None),
        ("How did the leaders think about regions?", None),  # thinking is not saying
    ],
)
def test_the_speaker_a_question_asks_about(question, speaker):
    assert asked_speaker(question) == speaker


def test_quantities_are_read_whatever_their_spelling():
    assert set(figures_in("a four-year grant, 4 years, four years")) == {(4.0, "year")}
    assert set(figures_in("more than $500 million dollars")) == {(500.0, "million")}
    assert set(figures_in("$1,200 and 30 percent")) == {(1200.0, "dollar"), (30.0, "percent")}
    assert figures_in("a whole year") == {}
    # a kind of college or degree, not a length of time
    assert figures_in("two-year colleges, four-year universities and a four-year degree") == {}
    assert set(figures_in("two-year grants at four-year colleges")) == {(2.0, "year")}


def test_the_name_of_a_quoted_leader_asks_for_a_person_but_which_leader_said_asks_for_a_speaker():
    assert classify("What is the name of the leader who is quoted about trust?").asks_person
    assert not classify("Which leader said that trust matters?").asks_person


@pytest.mark.parametrize(
    "question, overview, whole",
    [
        ("What's this paper about?", True, True),
        ("Please summarize the report", True, True),
        ("What are the key findings?", True, True),
        ("Which districts does the report profile?", False, True),
        ("What does the report say about trust?", False, False),
        ("Summarize what the leaders said about money", False, False),
    ],
)
def test_questions_about_the_whole_document(question, overview, whole):
    assert asks_overview(question) == overview
    assert about_document(question) == whole


@pytest.mark.parametrize("question", ["and why did they wait?", "ok so why did they wait?", "Well, why did they wait?"])
def test_a_chatty_opener_does_not_hide_the_question_form(question):
    assert classify(question).asks_why_how


def test_a_person_s_title_asks_for_a_person_and_family_questions_are_personal():
    from assistant.answering.questions import asks_personal_advice

    assert classify("And what is his job title?").asks_person
    assert not classify("What role did employers play?").asks_person
    assert asks_personal_advice("Which pathway should my daughter pick?")
    assert not asks_personal_advice("Our district wants a coalition like these; where do we start?")


def test_a_word_that_starts_a_later_sentence_is_not_a_name():
    assert names_in("Who does the report cover? List them.") == set()
    assert names_in("In Fresno. The LA HI-TECH leader said so.") == {"Fresno", "LA", "HI-TECH"}


def test_a_figure_for_the_whole_needs_one_stated_for_the_whole():
    q = "How many pathways were launched statewide?"
    assert not holds_amount(q, "The four consortia launched 12 pathways.")
    assert holds_amount(q, "In total, 1,200 pathways were launched statewide.")


def test_how_do_i_apply_is_personal_advice():
    from assistant.answering.questions import asks_personal_advice

    assert asks_personal_advice("so how do I apply for an internship in Fresno?")
    assert not asks_personal_advice("How do I build a coalition of the willing, according to the brief?")


def test_how_much_was_spent_asks_for_a_sum_of_money_not_any_number():
    q = "How much did the county pour into apprenticeships?"
    assert not holds_amount(q, "The apprenticeships ran for three years.")
    assert holds_amount(q, "The county committed $4 million to apprenticeships.")
    assert wanted_figure(q) == "money"
    assert wanted_figure("In what year did the county start?") == "date"
    assert wanted_figure("How did the county start?") is None
    assert wanted_figure("What did the apprenticeship program cost the county?") == "money"
    # the size of an award is a sum of money; the size of a program need not be
    assert wanted_figure("How large was the award the county got?") == "money"
    assert wanted_figure("How big was the county's grant, in dollars?") == "money"
    assert wanted_figure("How big was the apprenticeship grant program?") is None


def test_a_figure_for_each_part_is_not_the_total():
    q = "How much money did each school receive?"
    assert not holds_amount(q, "Schools shared a total of $9 million statewide.")
    assert holds_amount(q, "Each school received $30,000.")


@pytest.mark.parametrize(
    "question, meets_a_problem",
    [
        ("How did the partners get past the turf wars?", True),
        ("What did the alliance do about the shortage of mentors?", True),
        ("how were disputes over the budget handled?", True),
        ("How did the partners build trust?", False),
        ("What did the alliance build?", False),
    ],
)
def test_a_question_about_meeting_a_problem_is_recognised(question, meets_a_problem):
    assert classify(question).asks_response is meets_a_problem


@pytest.mark.parametrize(
    "sentence, nouns",
    [
        ("These gaps closed once employers joined.", ["gaps"]),
        ("The board eased that rivalry by pooling staff.", ["rivalry"]),
        ("With those tools in hand, teachers moved faster.", ["tools"]),
        ("The audit found that the program worked.", []),  # "that" opens a clause
        ("Observers noted that grantees moved slowly.", []),  # a clause again, after a reporting verb
        ("In this report we profile two regions.", []),  # the document speaking of itself
    ],
)
def test_demonstratives_that_refer_back_are_found(sentence, nouns):
    assert demonstratives(sentence) == nouns


@pytest.mark.parametrize(
    "question, parts",
    [
        ("Why did the alliance stall, and what did its leaders try next?", ("Why did the alliance stall", "what did its leaders try next?")),
        ("Who chairs the board? When was it founded?", ("Who chairs the board", "When was it founded?")),
        ("How and why did the partners share data?", ()),  # one question about two things
        ("What did trust and communication have to do with it?", ()),
    ],
)
def test_a_compound_question_is_split_into_its_questions(question, parts):
    assert question_parts(question) == parts


@pytest.mark.parametrize(
    "question, compares",
    [
        ("How were the featured regions different from most others?", True),
        ("In what ways did the profiled leaders differ from typical grantees?", True),
        ("What set these four apart from the rest?", True),
        ("Compared with other consortia, how did they organise themselves?", True),
        ("What was the difference between their approach and the usual one?", True),
        # "different" as an ordinary adjective compares nothing
        ("Did different partners need different things?", False),
        ("What did the leaders do differently?", False),
    ],
)
def test_a_question_comparing_two_groups_is_recognised(question, compares):
    assert classify(question).compares is compares
