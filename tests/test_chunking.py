"""Chunks follow the document's structure and have stable ids."""
from pathlib import Path

from assistant.chunking import chunk_document
from assistant.documents import load_document
from assistant.quotes import attribute, is_named

BRIEF = Path(__file__).resolve().parent.parent / "source" / "ccpt-regional-sustainability-brief.txt"


def _chunks(**kw):
    return chunk_document(load_document(BRIEF, "source/brief.txt"), **kw)


def test_chunks_never_cross_a_heading_and_keep_reading_order():
    doc = load_document(BRIEF, "source/brief.txt")
    chunks = chunk_document(doc)
    sections = [c.section for c in chunks]
    # each section is one contiguous run of chunks
    runs = [s for i, s in enumerate(sections) if i == 0 or s != sections[i - 1]]
    assert runs == doc.sections
    # every sentence of the document is in exactly one chunk, in order
    flat = [s.text for p in doc.paragraphs for s in p.sentences]
    assert [t for c in chunks for t in c.sentence_texts()] == flat


def test_chunk_sizes_respect_the_limit():
    chunks = _chunks(max_words=80, min_words=20)
    for c in chunks:
        longest_sentence = max(len(t.split()) for t in c.sentence_texts())
        assert len(c.text.split()) <= max(80 * 1.5, longest_sentence)


def test_ids_are_stable_across_runs_and_change_with_the_text():
    first, second = _chunks(), _chunks()
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)
    doc = load_document(BRIEF, "source/brief.txt")
    old = doc.paragraphs[0].sentences[0]
    edited = old.__class__(old.text.replace("three years", "four years"), old.section, old.page)
    doc.paragraphs[0] = doc.paragraphs[0].__class__(doc.paragraphs[0].section, (edited,) + doc.paragraphs[0].sentences[1:])
    changed = chunk_document(doc)
    assert changed[0].id != first[0].id
    assert [c.id for c in changed[1:]] == [c.id for c in first[1:]]


def test_sentence_offsets_quote_the_chunk_exactly():
    for c in _chunks():
        for s in c.sentences:
            assert c.text[s.start : s.end].strip() == c.text[s.start : s.end]
            assert c.text[s.start : s.end]


def test_quotations_carry_their_speaker():
    sentences = [
        "“In a collaborative, you can’t tell people what to do.",
        "You can’t mandate one thing.",
        "It’s all based on trust,” one leader said.",
        "Leaders agreed.",
        "As one leader of the NCCPA put it, “We learned a lot.”",
    ]
    assert attribute(sentences) == ["one leader", "one leader", "one leader", None, "one leader of the NCCPA"]
    assert not is_named("one leader") and is_named("one leader of the NCCPA") and is_named("the LA HI-TECH leader")


def test_pronoun_speakers_resolve_to_the_named_leader():
    sentences = ["The leader from the Tulare-Kings consortium described a process.", "“We built a system,” she said."]
    assert attribute(sentences)[1] == "The leader from the Tulare-Kings consortium"
