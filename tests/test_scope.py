"""Rule `named_document`: in a library of several documents, a question that names one is answered from it alone."""
from __future__ import annotations

import pytest

from assistant.answering.decide import title_terms
from assistant.answering.scope import named_document, naming_terms
from assistant.chunking import chunk_document
from assistant.documents import load_document
from assistant.text import content_terms

INKWELL = """# Inkwell notes

Inkwell is a note-taking app for the desktop that keeps every notebook as plain files in one folder.

# Backups

Inkwell backs up every notebook each night, into the backups folder beside the notebooks.
Each nightly backup of a notebook is kept for thirty days and then deleted.

# Sharing

A notebook is shared by sending its folder; Inkwell has no accounts and no server.
"""

QUILL = """# Quill guide

Quill is a note-taking app for phones that stores notebooks in the cloud under the owner's account.

# Sync

Quill syncs every notebook to the cloud when the phone is charging and on wifi.
A notebook edited on two phones at once keeps both versions side by side.

# Themes

Quill offers a light and a dark theme, and follows the phone's setting unless one is picked.
"""


def _chunks(tmp_path, docs: dict[str, str]):
    chunks = []
    for name, text in docs.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        chunks += chunk_document(load_document(path, f"source/{name}"), max_words=80, min_words=5)
    return chunks


def _terms(chunks):
    return [frozenset(content_terms(f"{c.section} {c.text}")) for c in chunks]


def test_a_word_only_one_document_uses_in_its_title_names_it_and_a_shared_word_names_neither(tmp_path):
    chunks = _chunks(tmp_path, {"inkwell.md": INKWELL, "quill-guide.md": QUILL})
    naming = naming_terms(chunks, _terms(chunks), title_terms(chunks))
    assert naming.get("quill") == "source/quill-guide.md" and naming.get("inkwell") == "source/inkwell.md"
    assert "note" not in naming and "notes" not in naming  # Inkwell's title word, but Quill's text says "note-taking" too
    assert named_document("How often does Quill back up my notebooks?", naming) == "source/quill-guide.md"
    assert named_document("Is Quill or Inkwell better for phones?", naming) is None  # names both
    assert named_document("How are notebooks shared?", naming) is None  # names neither


def test_no_document_is_named_in_a_library_of_one(tmp_path):
    chunks = _chunks(tmp_path, {"quill-guide.md": QUILL})
    assert naming_terms(chunks, _terms(chunks), title_terms(chunks)) == {}


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from assistant.service import Assistant
    from assistant.settings import Settings

    def build(disabled: str = ""):
        base = tmp_path_factory.mktemp("two-apps")
        (base / "source").mkdir()
        (base / "source" / "inkwell.md").write_text(INKWELL, encoding="utf-8")
        (base / "source" / "quill-guide.md").write_text(QUILL, encoding="utf-8")
        assistant = Assistant(Settings(source_dir=base / "source", index_dir=base / "index", disabled_rules=disabled))
        assistant.index()
        return assistant

    return build


def test_a_question_naming_one_document_is_not_answered_from_another(library):
    assistant = library()
    # Inkwell's backup passage holds every word but the app's name: without the rule it answers for Quill
    got = assistant.ask("How often does Quill back up notebooks?")
    assert all(c.source == "source/quill-guide.md" for c in got.citations)
    assert "thirty days" not in got.answer and "each night" not in got.answer
    inkwell = assistant.ask("How often does Inkwell back up notebooks?")
    assert not inkwell.refused and inkwell.citations[0].source == "source/inkwell.md" and "each night" in inkwell.answer
    # a follow-up that names the other document is searched there: "what about X?" asks the same of X
    turn = [("How often does Inkwell back up notebooks?", inkwell.answer)]
    other = assistant.ask("what about Quill?", turn)
    assert all(c.source == "source/quill-guide.md" for c in other.citations)


def test_switched_off_the_question_is_searched_in_every_document(library):
    got = library("named_document").ask("How often does Quill back up notebooks?")
    assert any(c.source == "source/inkwell.md" for c in got.citations)
