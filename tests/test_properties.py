"""Property tests (hypothesis) for the cleaner and the chunker: any Unicode text.

For any text: cleaning and chunking do not crash; every character of the cleaned text
(every sentence the cleaner keeps) lands in exactly one chunk, at the offsets the chunk
records, in reading order; chunk ids are unique, the same on every run, and do not move
when text is added after them.
"""
from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.chunking import chunk_document
from assistant.documents import SourceDocument, clean_pages, clean_plain, split_layout_pages

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Prose-like text: words, punctuation, quotes, digits, headings, blank lines, and any Unicode at all.
WORD = st.sampled_from(
    "the consortium partners built trust. Leaders said “we” ‘must’ act! Why? K-12 $500 program.1 cross- sector "
    "START WITH SUSTAINABILITY # Heading e.g. Dr. J. — – / ( ) [ ] 42 \u00e9t\u00e9 \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 "
    "\U0001f600 \u200f \u202e \x00 \x0c \u2028 \u00ad".split(" ")
)
SEP = st.sampled_from([" ", " ", " ", "\n", "\n\n", "\n ", ". ", "\t", "\r\n"])
PROSE = st.lists(st.tuples(WORD, SEP), max_size=120).map(lambda ps: "".join(w + s for w, s in ps))
ANY_TEXT = st.one_of(st.text(max_size=400), PROSE, st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
PAGES = st.lists(st.tuples(st.one_of(st.none(), st.integers(1, 40)), st.lists(ANY_TEXT, max_size=8)), max_size=5)


def _sentences(paragraphs) -> list[str]:
    return [s.text for p in paragraphs for s in p.sentences]


def _check_chunks(paragraphs, max_words: int = 110, min_words: int = 30):
    doc = SourceDocument("source/doc.txt", paragraphs)
    chunks = chunk_document(doc, max_words=max_words, min_words=min_words)
    cleaned = _sentences(paragraphs)
    placed: list[str] = []
    for c in chunks:
        pieces = [c.text[s.start : s.end] for s in c.sentences]
        assert c.text == " ".join(pieces), "a chunk holds exactly its sentences, joined by one space"
        assert all(0 <= s.start < s.end <= len(c.text) for s in c.sentences)
        assert [s.start for s in c.sentences] == sorted(s.start for s in c.sentences)
        placed.extend(pieces)
    # Every sentence once, in reading order: so every character of the cleaned text is in exactly one chunk.
    assert placed == cleaned
    assert sum(map(len, placed)) == sum(map(len, cleaned))
    assert len({c.id for c in chunks}) == len(chunks), "chunk ids are unique"
    assert [c.order for c in chunks] == list(range(len(chunks)))
    # Stable: the same input gives the same ids.
    again = chunk_document(SourceDocument("source/doc.txt", paragraphs), max_words=max_words, min_words=min_words)
    assert [c.id for c in again] == [c.id for c in chunks]
    return chunks


@SETTINGS
@given(ANY_TEXT)
def test_clean_plain_any_text(text):
    paragraphs = clean_plain(text)
    for p in paragraphs:
        assert p.sentences, "no empty paragraphs"
        for s in p.sentences:
            assert s.text and s.text == s.text.strip(), "sentences are non-empty and trimmed"
    _check_chunks(paragraphs)


@SETTINGS
@given(PAGES, st.booleans())
def test_clean_pages_any_lines(pages, page_headings):
    paragraphs = clean_pages(pages, page_headings=page_headings)
    for p in paragraphs:
        for s in p.sentences:
            assert s.text and s.text == s.text.strip()
            assert s.page is None or s.page in {pg for pg, _ in pages}
    _check_chunks(paragraphs)


@SETTINGS
@given(ANY_TEXT)
def test_pdf_layout_path_any_text(text):
    """The path .txt files extracted from PDFs take: split into layout pages, then clean."""
    _check_chunks(clean_pages(split_layout_pages(text), page_headings=True))


@SETTINGS
@given(PROSE, st.integers(20, 200), st.integers(1, 60))
def test_every_size_limit_keeps_every_sentence(text, max_words, min_words):
    _check_chunks(clean_plain(text), max_words=max_words, min_words=min_words)


@SETTINGS
@given(PROSE, PROSE)
@example("J. Leaders ", "")  # a lettered title had been read as one only when a heading came after it
def test_ids_of_earlier_sections_do_not_move_when_a_section_is_appended(first, second):
    base = clean_plain(first)
    before = chunk_document(SourceDocument("source/doc.txt", base))
    grown = clean_plain(first + "\n\n# Appendix Zeta\n\n" + second)
    after = chunk_document(SourceDocument("source/doc.txt", grown))
    assert [c.id for c in after[: len(before)]] == [c.id for c in before]
    assert [c.text for c in after[: len(before)]] == [c.text for c in before]


def test_a_heading_repeated_after_another_starts_a_new_section():
    """Found by the property above: an appended section whose first heading is followed at once by
    the first section's heading again must not join that first section's passage ("the" -> "the the")."""
    first = "SUSTAINABILITY K-12\n\nthe "
    before = chunk_document(SourceDocument("source/doc.txt", clean_plain(first)))
    after = chunk_document(SourceDocument("source/doc.txt", clean_plain(first + "\n\n# Appendix Zeta\n\n" + first)))
    assert [c.text for c in after] == ["the", "the"]
    assert after[0].id == before[0].id


def test_ids_depend_on_the_source_name():
    paragraphs = clean_plain("The consortium built trust across the region. It took years.")
    a = chunk_document(SourceDocument("source/a.txt", paragraphs))
    b = chunk_document(SourceDocument("source/b.txt", paragraphs))
    assert a[0].text == b[0].text and a[0].id != b[0].id
