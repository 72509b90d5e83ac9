"""Citation markers and citations stay consistent."""
from assistant.answering.citations import format_citation_line, markers_in, renumber
from assistant.types import Citation


def _cite(n, cid="c", text="passage"):
    return Citation(n=n, chunk_id=cid + str(n), source="source/b.txt", section="S", page=3, text=text, quote=text)


def test_markers_in_order_of_first_use():
    assert markers_in("a [2] b [1, 3] c [2]") == [2, 1, 3]


def test_renumber_orders_drops_unused_and_unknown_markers():
    text, cites = renumber("First [3]. Second [1, 9]. Third [3].", [_cite(1), _cite(2), _cite(3)])
    assert text == "First [1]. Second [2]. Third [1]."
    assert [(c.n, c.chunk_id) for c in cites] == [(1, "c3"), (2, "c1")]


def test_renumber_keeps_the_space_a_text_sets_before_punctuation():
    # code and commands stay as written: "foo() { :; }" is not "foo() {:; }", "cp a ." is not "cp a."
    text, _ = renumber("Write foo() { :; } instead [1]. Run cp /etc/hosts . [2] Done [9].", [_cite(1), _cite(2)])
    assert text == "Write foo() { :; } instead [1]. Run cp /etc/hosts . [2] Done."


def test_citation_line_shows_section_page_and_quote():
    line = format_citation_line(_cite(1, text="Sustainability is the result of systems change."))
    assert line == "[1] b.txt · S, p. 3: “Sustainability is the result of systems change.”"  # no folder path
    titled = format_citation_line(_cite(1, text="Ferries leave hourly.").model_copy(update={"document": "Harbour Guide"}))
    assert titled == "[1] Harbour Guide · S, p. 3: “Ferries leave hourly.”"
