"""The evaluation's own tools, on question sets written for the test."""
from __future__ import annotations

from assistant.evaluation import asked_mid_conversation

SET = [
    {"id": "a", "question": "How deep is the Cedar?", "answerable": True, "evidence": ["The Cedar is two metres deep."]},
    {"id": "b", "question": "Who built the ford?", "answerable": False, "evidence": []},
    {"id": "c", "question": "why?", "history": [["Is the ford closed?", "Yes [1]."]], "answerable": True, "evidence": ["It floods."]},
    {"id": "d", "question": "When does the ferry run?", "answerable": True, "evidence": ["The ferry runs in summer."]},
]


def test_every_question_asked_alone_is_asked_again_after_the_answerable_turn_before_it():
    mid = {q["id"]: q for q in asked_mid_conversation(SET)}
    assert set(mid) == {"a-mid", "b-mid", "d-mid"}  # the follow-up already has its turn
    assert mid["b-mid"]["history"] == [["How deep is the Cedar?", "The Cedar is two metres deep."]]
    assert mid["d-mid"]["history"][0][0] == "How deep is the Cedar?"  # the turn before that answers, not the unanswerable one
    assert mid["a-mid"]["history"][0][0] == "When does the ferry run?"  # the first one: the set's last answerable turn
    assert mid["b-mid"]["answerable"] is False and mid["a-mid"]["evidence"] == SET[0]["evidence"]  # what is expected stays


def test_a_set_without_an_answerable_turn_gives_nothing():
    assert asked_mid_conversation([{"id": "x", "question": "Who?", "answerable": False}]) == []
