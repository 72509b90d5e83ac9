"""Cleaning PDF-extracted text: every artefact the brief has, one test each."""
from pathlib import Path

import pytest

from assistant.documents import DocumentError, clean_pages, is_heading, load_document, looks_pdf_extracted, split_layout_pages

BRIEF = Path(__file__).resolve().parent.parent / "source" / "ccpt-regional-sustainability-brief.txt"


def _flow(pages):
    return [s.text for p in clean_pages(pages) for s in p.sentences]


def _layout(text: str) -> list[str]:
    """Lines as the extractor wrote them: every line followed by a blank line."""
    return [ln for ln in text.split("\n")]


def test_broken_lines_are_rejoined_into_sentences():
    sentences = _flow([(1, ["The grant period was ", "relatively short, and leaders ", "struggled."])])
    assert sentences == ["The grant period was relatively short, and leaders struggled."]


def test_words_hyphenated_across_lines_keep_their_hyphen():
    sentences = _flow([(1, ["They built cross-", "sector partnerships with LA HI-", "TECH partners."])])
    assert sentences == ["They built cross-sector partnerships with LA HI-TECH partners."]


def test_soft_hyphen_is_removed_when_the_joined_word_exists():
    sentences = _flow([(1, ["A partnership matters.", "Every partner-", "ship needs trust."])])
    assert sentences[-1] == "Every partnership needs trust."


def test_heading_mid_sentence_is_removed_from_the_flow_and_names_its_page():
    pages = [
        (1, ["Intro text ends here."]),
        (2, ["Leaders look at students in a bigger ", "CO-CREATE STRUCTURES FOR REGIONAL ACTION", "way than before."]),
    ]
    paragraphs = clean_pages(pages)
    assert [s.text for p in paragraphs for s in p.sentences][-1] == "Leaders look at students in a bigger way than before."
    assert paragraphs[-1].section == "Co-Create Structures for Regional Action"
    assert paragraphs[0].section == "Introduction"


def test_two_line_heading_is_one_section():
    pages = [(1, ["Some text.", "DIFFERENT OUTCOMES", "REQUIRE DIFFERENT LEADERSHIP STRATEGIES", "More text."])]
    assert {p.section for p in clean_pages(pages)} == {"Different Outcomes Require Different Leadership Strategies"}


def test_page_numbers_are_dropped():
    assert _flow([(1, ["Systemic change is ", "9", "people change."])]) == ["Systemic change is people change."]


def test_a_name_ending_in_digits_that_a_pdf_writes_twice_is_no_footnote_mark():
    sentences = _flow([(1, ["The libtasn1 library parses asn1 files.", "Build libtasn1 with make and read asn1 specs.", "See the program.3 Then stop."])])
    assert sentences[0] == "The libtasn1 library parses asn1 files."
    assert sentences[-2:] == ["See the program.", "Then stop."]  # a mark after a sentence's end is still a footnote's


def test_a_name_broken_after_its_underscore_at_a_lines_end_is_one_name():
    assert _flow([(1, ["The limit is ASN1_", "MAX_LENGTH_SIZE bytes; call asn1_der_", "decoding() first.", "Keep it _ short."])]) == [
        "The limit is ASN1_MAX_LENGTH_SIZE bytes; call asn1_der_decoding() first.", "Keep it _ short."]


def test_footnote_markers_glued_to_words_are_stripped():
    sentences = _flow([(1, ["the potential of this program.1  Instead they planned.", "It had 12 partners and K-12 schools."])])
    assert sentences[0] == "the potential of this program."
    assert sentences[1] == "Instead they planned."
    assert "12 partners" in sentences[2] and "K-12" in sentences[2]


def test_heading_detection():
    assert is_heading("START WITH SUSTAINABILITY")
    assert is_heading("BUILD COALITIONS OF THE WILLING ")
    assert not is_heading("LA HI-TECH")  # too short: an acronym inside text
    assert not is_heading("TECH. “CCPT allowed potential")
    assert not is_heading("In the NCCPA, a consortium")
    # a line of syntax in capitals is no title: a release note's "OLDNAME NEWNAME[:NEWID]" titled the rest of the file
    assert not is_heading("OLDNAME NEWNAME[:NEWID]") and not is_heading("PNG_USER_CONFIG DEFAULT")
    assert is_heading("INPUT/OUTPUT AND FILE HANDLING")


def test_the_brief_cleans_into_its_sections_with_pages():
    doc = load_document(BRIEF, "source/brief.txt")
    assert doc.sections == [
        "Introduction",
        "Start with Sustainability",
        "Build Coalitions of the Willing",
        "Co-Create Structures for Regional Action",
        "Change Systems to Ensure Sustainability",
        "Different Outcomes Require Different Leadership Strategies",
    ]
    text = " ".join(s.text for p in doc.paragraphs for s in p.sentences)
    assert "cross-sector" in text and "HI-TECH" in text and "Tulare-Kings" in text
    assert "program.1" not in text and "CHANGE SYSTEMS" not in text
    assert "in a bigger way, and looking at them as valuable" in text
    pages = [s.page for p in doc.paragraphs for s in p.sentences]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] >= 10
    first = doc.paragraphs[0].sentences[0]
    assert first.text.startswith("Over the past three years, JFF has engaged deeply") and first.page == 1


def test_layout_detection_and_pages():
    raw = BRIEF.read_text(encoding="utf-8")
    assert looks_pdf_extracted(raw)
    assert not looks_pdf_extracted("# Title\n\nA paragraph.\nStill the paragraph.\n\nAnother one.\n" * 3)
    assert len(split_layout_pages(raw)) >= 10


def test_markdown_headings_become_sections(tmp_path):
    md = tmp_path / "notes.md"
    md.write_text("# Funding\n\nThe grant lasted four years.\n\n## Lessons\n\nTake risks. Learn together.\n", encoding="utf-8")
    doc = load_document(md, "source/notes.md")
    assert [(p.section, [s.text for s in p.sentences]) for p in doc.paragraphs] == [
        ("Funding", ["The grant lasted four years."]),
        ("Lessons", ["Take risks.", "Learn together."]),
    ]


KETTLE_CHANGES = """# Changelog

## [3.2.0] - 2024-05-02

### Fixed

- The timer no longer stops at midnight.

### Added

- A quiet mode for the alarm.

## [3.1.0] - 2024-02-11

### Fixed

- Printing a chart keeps its legend.

## Support

Write to the list before you file a bug.
"""


def test_a_heading_the_document_repeats_is_named_with_the_heading_it_sits_under(tmp_path):
    md = tmp_path / "changes.md"
    md.write_text(KETTLE_CHANGES, encoding="utf-8")
    doc = load_document(md, "source/changes.md")
    assert [(p.section, p.sentences[0].section, p.sentences[0].text) for p in doc.paragraphs] == [
        ("[3.2.0] - 2024-05-02 › Fixed", "[3.2.0] - 2024-05-02 › Fixed", "- The timer no longer stops at midnight."),
        ("[3.2.0] - 2024-05-02 › Added", "[3.2.0] - 2024-05-02 › Added", "- A quiet mode for the alarm."),
        ("[3.1.0] - 2024-02-11 › Fixed", "[3.1.0] - 2024-02-11 › Fixed", "- Printing a chart keeps its legend."),
        ("Support", "Support", "Write to the list before you file a bug."),  # a heading said once names itself
    ]


def test_a_changelogs_fix_is_cited_under_its_version(written_pipeline):
    pipeline = written_pipeline("changes.md", KETTLE_CHANGES)
    answer = pipeline.answer("Which version fixed the chart's legend?")
    assert not answer.refused and "legend" in answer.answer
    assert answer.citations[0].section == "[3.1.0] - 2024-02-11 › Fixed"  # the version the fix is listed under, not "Fixed"


def test_markdown_keeps_digits_that_end_a_word(tmp_path):
    # footnote marks glued to words come from PDF text; in a written document "python3" and "c99" are words
    md = tmp_path / "policy.md"
    md.write_text("# Packages\n\nThe python3 package provides python3-minimal. Write c99 code, not c89 code.\n", encoding="utf-8")
    doc = load_document(md, "source/policy.md")
    assert [s.text for p in doc.paragraphs for s in p.sentences] == ["The python3 package provides python3-minimal.", "Write c99 code, not c89 code."]


def _markdown_sentences(tmp_path, text: str) -> list[str]:
    """The sentences ``text`` reads as, written to a Markdown file."""
    md = tmp_path / "guide.md"
    md.write_text(text, encoding="utf-8")
    return [s.text for p in load_document(md, "source/guide.md").paragraphs for s in p.sentences]


def test_markdown_comments_are_not_read_but_code_that_shows_one_is(tmp_path):
    # a reader never sees an HTML comment (version notes, editor hints); a stray "<!--" must not hide what follows it
    sentences = _markdown_sentences(
        tmp_path,
        "# Check\n\n<!-- YAML\nadded: v10.0.0\n-->\n\nThe check option parses the file without running it. <!-- TODO: link -->\n\n"
        "Write `<!--` to open a comment in a page.\n\n```xml\n<!-- fonts for this user -->\n<dir>fonts</dir>\n```\n\n"
        "A stray <!-- is never closed here.\n\nThe rest of the file stays.\n",
    )
    text = " ".join(sentences)
    assert not any(word in text for word in ("YAML", "v10.0.0", "TODO"))
    assert "The check option parses the file without running it." in sentences
    assert "Write `<!--` to open a comment in a page." in sentences
    assert "<!-- fonts for this user -->" in text  # code shows it as it is
    assert "A stray <!-- is never closed here." in sentences and "The rest of the file stays." in sentences


def test_html_in_markdown_reads_as_its_text_and_a_placeholder_or_code_stays(tmp_path):
    # a README's collapsed part ("<details><summary>") and anchors ('<a id=...>') are tags a reader never sees
    sentences = _markdown_sentences(
        tmp_path,
        "# Ferries\n\n<details>\n<summary>Winter timetable</summary>\n\nThe night ferry leaves at ten.<br>It returns at six.\n"
        "</details>\n\n<a id=\"tickets\"></a>Tickets are sold at the pier.\n\nBook with `<br>` in `book <name>`, or run book <name> "
        "at the kiosk.\n\n```html\n<details>open</details>\n<table><tr><td>1</td></tr></table>\n<dir>/srv/fonts</dir>\n```\n\n"
        "Run DROP TABLE <table> at closing.\n\n## <dir prefix=\"cwd\">\n\nIt may hold a <dir> for each pier.\n",
    )
    text = " ".join(sentences)
    assert "Winter timetable" in sentences  # the collapsed part's heading is its own line, not glued to a tag
    assert "The night ferry leaves at ten." in sentences and "It returns at six." in sentences
    assert "Tickets are sold at the pier." in sentences
    assert "Book with `<br>` in `book <name>`, or run book <name> at the kiosk." in sentences  # code and a placeholder stay
    assert "<details>open</details>" in text  # a fence shows it as code
    assert "Run DROP TABLE <table> at closing." in sentences  # closed only in code: the prose's is a placeholder
    # a guide to an XML format names its elements as HTML might ("dir"), with attributes of its own: they stay
    assert "It may hold a <dir> for each pier." in sentences
    assert '<dir prefix="cwd">' in [p.section for p in load_document(tmp_path / "guide.md", "source/guide.md").paragraphs]  # its heading
    assert "<summary>" not in text and "<a id" not in text and "</details>" not in text.replace("<details>open</details>", "")


def test_a_comment_in_code_is_no_heading(tmp_path):
    # "# ..." opens a section only outside code: a shell comment in a fence (after a blank line inside it), in an
    # indented code block, or in a reST literal block left the prose after the example under the comment as its section
    md = tmp_path / "guide.md"
    md.write_text(
        "# Installing\n\nRun the installer first.\n\n```sh\n./configure\n\n# then build it\nmake\n```\n\n"
        "The build takes a minute.\n\n    # a comment in indented code\n    make check\n\nThe checks run last.\n",
        encoding="utf-8",
    )
    rst = tmp_path / "guide.rst"
    rst.write_text(
        "Sessions\n========\n\nA session keeps cookies::\n\n    s = Session()\n\n    # both cookies are sent\n    s.get(url)\n\n"
        "Sessions close on exit.\n\n.. code-block:: sh\n   :caption: setup\n\n  # install it\n  pip install x\n\n"
        ".. note::\n\n   Use ``https://`` URLs.\n",
        encoding="utf-8",
    )
    expected = [
        (md, "Installing", "The build takes a minute."), (md, "Installing", "The checks run last."), (rst, "Sessions", "Sessions close on exit."),
    ]  # fmt: skip
    for path, section, after in expected:
        doc = load_document(path, f"source/{path.name}")
        assert {p.section for p in doc.paragraphs} == {section}
        assert any(s.text == after for p in doc.paragraphs for s in p.sentences)
    assert "# then build it" in " ".join(s.text for p in load_document(md, "source/guide.md").paragraphs for s in p.sentences)
    rst_sentences = [s.text for p in load_document(rst, "source/guide.rst").paragraphs for s in p.sentences]
    assert "Use https:// URLs." in rst_sentences  # a note's text is text, not code


def test_markdown_links_images_and_bold_read_as_their_text(tmp_path):
    # a README's "[rbenv](https://github.com/rbenv/rbenv)" was read, searched and shown with its address
    text = (
        "# Ferries\n\n[![Build](https://ci.example/badge.svg)](https://ci.example) "
        "Ferries leave from [Pier 3](https://x.org/pier(3) \"map\").\n\n"
        "See the [timetable][tt] or the [`--late` flag](#late) for **night** sailings.\n\n"
        "Call `f(**args, **more)` to book.\n\n```py\nbook(**{'seat': 2})  # [not](a link)\n```\n\n[tt]: https://x.org/timetable\n\n"
        "The timetable is [kept on\nthe harbour site](https://x.org/hs) and posted at the pier.\n"
    )
    got = [t for _, t in _read(tmp_path, "ferries.md", text)]
    assert got[:2] == ["Build Ferries leave from Pier 3.", "See the timetable or the `--late` flag for night sailings."]
    assert "Call `f(**args, **more)` to book." in got  # code is as written
    assert any("book(**{'seat': 2})  # [not](a link)" in t for t in got)
    assert not any("x.org" in t for t in got)  # a link's definition is not text, nor a link's address
    assert "The timetable is kept on the harbour site and posted at the pier." in got  # a link wrapped onto the next line


def test_markdown_footnotes_are_read_where_they_stand_without_their_marks(tmp_path):
    # a policy converted to Markdown (pandoc writes "[^1]"): the mark glued "cities.[^1] Grants" into one sentence, and
    # the footnote itself was dropped as if it were a link's definition
    text = (
        "# Funding\n\nThe board allocates transit grants to member cities.[^1] Grants are awarded once a year.[^late]\n\n"
        "Match `[^}]` or [^anything-but-this] to skip braces; `s/[^1]//` drops ones.\n\n```\nsed 's/[^1]//'\n```\n\n"
        "[^1]: The board was created by the Regional Transit Act of 2009.\n[^late]: The spring review ends on 30 April.\n"
    )
    got = [t for _, t in _read(tmp_path, "policy.md", text)]
    assert got[:2] == ["The board allocates transit grants to member cities.", "Grants are awarded once a year."]
    assert "The board was created by the Regional Transit Act of 2009." in got and "The spring review ends on 30 April." in got
    # no footnote is labelled "anything-but-this": a regular expression, not a mark; code stays as written
    assert "Match `[^}]` or [^anything-but-this] to skip braces; `s/[^1]//` drops ones." in got
    assert any("sed 's/[^1]//'" in t for t in got)


def test_a_markdown_table_of_contents_is_not_read(tmp_path):
    # a README's contents repeated every heading as a sentence of its opening section
    text = (
        "# Harbour guide\n\n<!-- TOC -->\n\n* [Moorings](#moorings)\n  * [Fees](#fees)\n\n* [Ferries](docs/ferries.md#times)\n\n"
        "<!-- /TOC -->\n\n## Moorings\n\nA mooring costs 40 pounds a night.\n\n"
        "* [Read the fees](#fees) before you book.\n* [Ferries](#ferries)\n\n## Links\n\n* [Fees](#fees)\n\n"
        "1. [The trust](https://example.org/#about)\n2. [Tides](tides.md)\n"
    )
    got = _read(tmp_path, "guide.md", text)
    assert got[0] == ("Moorings", "A mooring costs 40 pounds a night.")
    # an item with words besides its link, a lone link, links to another site or to a whole page: content
    assert [t for _, t in got[1:]] == ["* Read the fees before you book.", "* Ferries", "* Fees", "1. The trust", "2. Tides"]


def test_every_list_item_starts_a_sentence(tmp_path):
    md = tmp_path / "flags.md"
    md.write_text(
        "# Flags\n\nFour flags are supported. They are:\n\n- N: Replace the Nth match. If N is omitted, the first.\n"
        "- g: Global replace\n- p: Print the result, even\nwhen quiet.\n1. Numbered items too.\n",
        encoding="utf-8",
    )
    doc = load_document(md, "source/flags.md")
    assert [s.text for s in doc.paragraphs[1].sentences] == [
        "- N: Replace the Nth match.", "If N is omitted, the first.", "- g: Global replace", "- p: Print the result, even when quiet.", "1. Numbered items too.",
    ]  # fmt: skip


def test_a_markdown_pipe_table_reads_a_row_at_a_time_with_its_column_names(tmp_path):
    md = tmp_path / "fees.md"
    md.write_text(
        "# Fees\n\nThe council charges these fees.\n| Permit | Fee | Valid for |\n|:---|---:|:-:|\n"
        "| Parking, residents | £40 | 12 months |\n| Skip \\| on the road | £60 | |\nFees are paid online.\n\n"
        "Not a table: a | b here.\nNor | this line.\n",
        encoding="utf-8",
    )
    doc = load_document(md, "source/fees.md")
    assert [s.text for p in doc.paragraphs for s in p.sentences] == [
        "The council charges these fees.",
        "Permit: Parking, residents; Fee: £40; Valid for: 12 months",  # a row is one fact, each cell named by its column
        "Permit: Skip | on the road; Fee: £60",  # an escaped pipe stays in its cell; an empty cell says nothing
        "Fees are paid online.",
        "Not a table: a | b here.",  # pipes without a delimiter row under a header are text
        "Nor | this line.",
    ]  # fmt: skip


def test_a_pipe_table_in_a_code_fence_stays_code_and_odd_tables_keep_their_text(tmp_path):
    md = tmp_path / "tables.md"
    md.write_text(
        "# Syntax\n\nWrite a table like this:\n\n```\n| a | b |\n|---|---|\n\n| 1 | 2 |\n```\n\n"
        "| Only | Header |\n|---|---|\n\n| Day | Fee |\n|---|---|\n| Mon | £5 | extra |\n|---|---|\n| Tue | £6 |\n",
        encoding="utf-8",
    )
    got = [s.text for p in load_document(md, "source/tables.md").paragraphs for s in p.sentences]
    assert "a: 1; b: 2" not in got and any("| a | b |" in s for s in got)  # the fenced table is code, across its blank line
    assert "Only | Header" in got  # a table without rows says what its header says
    assert got[-2:] == ["Day: Mon; Fee: £5", "Day: Tue; Fee: £6"]  # a cell past the header's and a rule in the body are dropped


def test_a_number_a_command_prints_in_a_code_fence_is_kept_though_a_page_number_alone_is_dropped(tmp_path):
    md = tmp_path / "limits.md"
    md.write_text("# Limits\n\nQuery them:\n\n```\n$ limit --max\n999\n$ limit --min\n61184\n```\n\nThe end.\n\n12\n", encoding="utf-8")
    got = " ".join(s.text for p in load_document(md, "source/limits.md").paragraphs for s in p.sentences)
    assert "--max 999 $" in got and "61184" in got
    assert not got.endswith("12")  # a number alone on its line outside code is a page's number


def test_prose_wrapped_onto_a_line_that_starts_like_an_item_goes_on(tmp_path):
    txt = tmp_path / "notes.txt"
    txt.write_text("The meeting moved from room 1 to room\n2. It was smaller. He paid for the ticket\n- a fair price - and left.\n", encoding="utf-8")
    doc = load_document(txt, "source/notes.txt")
    assert [s.text for p in doc.paragraphs for s in p.sentences] == [
        "The meeting moved from room 1 to room 2.", "It was smaller.", "He paid for the ticket - a fair price - and left.",
    ]  # fmt: skip


def _read(tmp_path, name: str, text: str) -> list[tuple[str, str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [(p.section, s.text) for p in load_document(path, f"source/{name}").paragraphs for s in p.sentences]


def test_a_pdf_chapters_own_running_header_with_its_page_number_is_not_text():
    from assistant.documents import without_running_lines

    words = ["boats", "berths", "tides", "ferries", "piers", "tickets", "lights", "moorings", "cranes", "buoys"]
    body = {n: [f"The {w} are checked each spring.", f"The master keeps a list of {w}."] for n, w in enumerate(words, 1)}
    chapter = {2: "Chapter 1: Boats", 3: "Chapter 1: Boats", 5: "Chapter 2: Berths", 6: "Chapter 2: Berths", 7: "Chapter 2: Berths", 9: "Chapter 3: Tides", 10: "Chapter 3: Tides"}
    pages = [(n, ([f"{chapter[n]} {n + 4}"] if n in chapter else []) + body[n]) for n in body]  # printed page numbers run 4 ahead
    # each chapter's header recurs on two pages or more, ending on a number that counts as the pages do
    assert without_running_lines(pages) == [(n, body[n]) for n in body]
    # text with a number inside recurs so as a page's number does not; a header on two pages is text
    inside = [(n, ([f"Step {n} of the check"] if n <= 3 else []) + body[n]) for n in body]
    assert without_running_lines(inside) == inside
    twice = [(n, (["Harbour 1"] if n < 3 else []) + body[n]) for n in body]  # the same number on two pages: no page's
    assert without_running_lines(twice) == twice


def test_a_pdf_file_loses_its_running_header_and_keeps_numbered_titles_and_bullets():
    from assistant.documents import without_running_lines

    pages = [
        (1, ["Harbour Guide", "1. Ferries", "1.1. Timetable", "Ferries leave every hour. The first", "leaves at six.", "Page 1 of 3"]),
        (2, ["Harbour Guide", "1.2. Tickets", "Three tickets are sold:", "• day tickets", "• week tickets", "Page 2 of 3"]),
        (3, ["Harbour Guide", "2. Parking", "Parking is free at night.", "4 CARD32 N_ENTRIES", "To leave:", "1. Pay at the kiosk", "2. Show the ticket", "Page 3 of 3"]),
    ]
    stripped = without_running_lines(pages)
    assert all("Harbour Guide" not in lines and not any(ln.startswith("Page ") for ln in lines) for _, lines in stripped)
    got = [(p.section, s.text) for p in clean_pages(stripped, page_headings=False, pdf=True) for s in p.sentences]
    assert got[:5] == [
        ("1.1. Timetable", "Ferries leave every hour."),  # a title under a title is a new section, not a longer title
        ("1.1. Timetable", "The first leaves at six."),
        ("1.2. Tickets", "Three tickets are sold:"),
        ("1.2. Tickets", "• day tickets"),  # a bullet opens an item of its own
        ("1.2. Tickets", "• week tickets"),
    ]
    # a table's capitalised row and a numbered list's items stay text
    assert ("2. Parking", "4 CARD32 N_ENTRIES To leave:") in got
    assert got[-2:] == [("2. Parking", "1. Pay at the kiosk"), ("2. Parking", "2. Show the ticket")]
    # a line on fewer than half the pages is text (and the brief's PDF text is read as before: pdf=False)
    assert without_running_lines(pages[:1] + [(2, ["Other"]), (3, ["Else"])]) == pages[:1] + [(2, ["Other"]), (3, ["Else"])]


def _write_pdf(path: Path, pages: list[list[tuple]]) -> None:
    """A PDF of ``pages``, each a list of lines top to bottom: (text, size) in Helvetica, (text, size, "bold") in
    Helvetica-Bold, or (text, size, "twice") drawn a second time half a point higher, as a browser draws a bold its
    font lacks."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>"]  # fmt: skip
    kids = []
    for lines in pages:
        y, ops = 760.0, []
        for text, size, *how in lines:
            y -= size * 1.6
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            font = "F2" if how == ["bold"] else "F1"
            ops += [f"BT /{font} {size} Tf 72 {y + dy:.1f} Td ({escaped}) Tj ET" for dy in ((0, 0.5) if how == ["twice"] else (0,))]
        stream = "\n".join(ops)
        objects.append(f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream")
        resources = "/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >>"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] {resources} /Contents {len(objects)} 0 R >>")
        kids.append(len(objects))
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode() + b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    path.write_bytes(out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())


def test_a_pdf_titles_its_sections_by_printing_them_larger_or_in_bold(tmp_path):
    # a report printed from a web page titled its sections in a larger font, neither numbered nor in capitals: every
    # sentence was in one section, "Adding a new target New targets typically start ..."
    pdf = tmp_path / "guide.pdf"
    _write_pdf(pdf, [
        [("Harbour Guide", 26), ("Published by the Harbour Trust", 14), ("The harbour has two piers and a slipway.", 11),
         ("Moorings and", 16), ("visiting boats", 16), ("A mooring costs forty pounds a night.", 11),
         ("Fees", 16, "twice"), ("Fees are paid at the office.", 11)],
        [('"The harbour never sleeps,"', 16), ("said the harbour master.", 11), ("Night arrivals", 16), ("Boats may arrive at night.", 11),
         ("Lights and", 11, "bold"), ("signals", 11, "bold"), ("A green light means enter.", 11),
         ("Never moor in the", 11, "bold"), ("fairway at night.", 11, "bold"), ("Anchors must be lit.", 11)],
    ])  # fmt: skip
    got = [(p.section, s.text) for p in load_document(pdf, "source/guide.pdf").paragraphs for s in p.sentences]
    assert got == [
        ("Introduction", "Harbour Guide Published by the Harbour Trust The harbour has two piers and a slipway."),  # a cover is text
        ("Moorings and visiting boats", "A mooring costs forty pounds a night."),  # a title wrapped over two lines
        ("Fees", "Fees are paid at the office."),  # a title drawn twice over itself, read once
        ("Fees", '"The harbour never sleeps," said the harbour master.'),  # a larger quotation is no title
        ("Night arrivals", "Boats may arrive at night."),
        ("Lights and signals", "A green light means enter."),  # a title in bold at the text's size
        ("Lights and signals", "Never moor in the fairway at night."),  # a sentence in bold is text
        ("Lights and signals", "Anchors must be lit."),
    ]


def test_typeset_ligatures_read_as_their_letters(tmp_path):
    got = _read(tmp_path, "notes.txt", "The policy de\ufb01nes the e\ufb00ort a \ufb02ag needs.\n")
    assert got == [("Introduction", "The policy defines the effort a flag needs.")]


def test_a_pdf_manuals_contents_capitalised_items_and_dotted_names_are_read_as_they_are():
    # a table of contents' dotted leaders were read as sentences, an all-caps item of a list ("• DAY TICKET;") as a
    # section title, and a numbered title naming "v2.0" or "ASN.1" as text
    pages = [
        (1, ["Table of Contents", "1 Ferries . . . . . . . . . . . . . 2", "1.1 Timetable v2.0 . . . . . . . . 2"]),
        (2, ["1.1 Timetable v2.0", "Prices are shown at the pier. Two tickets are sold:", "• DAY TICKET;", "• SEASON TICKET;"]),
    ]
    got = [(p.section, s.text) for p in clean_pages(pages, page_headings=False, pdf=True) for s in p.sentences]
    assert got == [
        ("Introduction", "Table of Contents"),
        ("1.1 Timetable v2.0", "Prices are shown at the pier."),
        ("1.1 Timetable v2.0", "Two tickets are sold:"),
        ("1.1 Timetable v2.0", "• DAY TICKET;"),
        ("1.1 Timetable v2.0", "• SEASON TICKET;"),
    ]


def test_restructuredtext_is_read_as_the_text_it_says(tmp_path):
    text = (
        "=========\n The Guide\n=========\n\n.. contents::\n\nOverview\n--------\n\n"
        "Use :ref:`the loader <loader>` or ``load()`` to read files. See `the site <https://x.org>`_.\n\n"
        "Example::\n\n    load('a.txt')\n\nDetails\n~~~~~~~\n\n.. note::\n\n   Files are cached.\n"
    )
    assert _read(tmp_path, "guide.rst", text) == [
        ("Overview", "Use the loader or load() to read files."),
        ("Overview", "See the site."),
        ("Overview", "Example:"),
        ("Overview", "load('a.txt')"),
        ("Details", "Files are cached."),  # a directive's content stays, its markup line does not
    ]


def test_restructuredtext_images_badges_and_their_options_are_not_text(tmp_path):
    text = (
        "Kettle\n======\n\n|Logo| |Build Status|_\n\nKettle is a timer for tea.\n\n"
        ".. |Logo| image:: https://img.example.org/logo.png\n   :alt: Kettle logo\n   :target: https://example.org/video\n\n"
        "``retry``\n~~~~~~~~~\n\nFailed downloads are tried again.\n\n"
        "API\n---\n\n.. code:: python\n\n    def smooth(values):\n        \"\"\"\n        Parameters\n        ----------\n"
        "        values : list\n        \"\"\"\n\n+------+------+\n| cell | cell |\n+------+------+\n"
    )
    read = _read(tmp_path, "kettle.rst", text)
    assert ("Kettle", "Kettle is a timer for tea.") in read  # no "|Logo|", no ":alt: Kettle logo :target: ..."
    assert not any("Logo" in t or "target" in t or "Build Status" in t for _, t in read)
    assert ("retry", "Failed downloads are tried again.") in read  # a literal title is a title: its adornment fits once read
    assert {section for section, _ in read} == {"Kettle", "retry", "API"}  # "Parameters" over a rule in code is code
    assert any("| cell | cell |" in t for _, t in read)  # a grid table's bars are not a substitution


def test_plain_text_titles_underlined_by_a_rule_are_sections(tmp_path):
    text = (
        "Garden Lease Version 1.0\n========================\n\n1. Definitions\n--------------\n\n"
        "1.1. \"Plot\"\n    means the bed you rent.\n\n2. Rent\n-------\n\n2.1. Payment\n\nRent is due monthly, v. 2.0 of the form.\n"
    )
    assert _read(tmp_path, "lease.txt", text) == [
        ("1. Definitions", '1.1. "Plot" means the bed you rent.'),  # the clause's number opens its sentence
        ("2.1. Payment", "Rent is due monthly, v. 2.0 of the form."),  # a numbered clause's title alone is a sub-heading
    ]


def test_a_box_drawn_around_text_is_read_as_its_text(tmp_path):
    text = (
        "Intro line.\n\n"
        "**********************************\n*                                *\n*  3. Warranty                   *\n"
        "*  -----------                   *\n*                                *\n*  The plot is provided as is.   *\n"
        "*  No warranty of any kind.      *\n**********************************\n"
    )
    assert _read(tmp_path, "box.txt", text)[1:] == [("3. Warranty", "The plot is provided as is."), ("3. Warranty", "No warranty of any kind.")]


def test_plain_text_drawing_rules_leave_ordinary_text_as_it_was(tmp_path):
    # one-line numbered entries with no body under them are entries, not titles (a changelog)
    log = "Changelog\n=========\n\n1.4.2 Fixed a crash when saving\n\n1.4.1 Added dark mode\n\n1.4.0 Dropped Python 2 support\n"
    assert [t for _, t in _read(tmp_path, "CHANGES.md", log)] == ["1.4.2 Fixed a crash when saving", "1.4.1 Added dark mode", "1.4.0 Dropped Python 2 support"]
    # Markdown items that end in emphasis are items, not a box (no rule of "*" around them)
    items = "# Tips\n\n* Use **fast mode**\n* Avoid **slow mode**\n* Prefer *caching*\n"
    assert [t for _, t in _read(tmp_path, "tips.md", items)] == ["* Use fast mode", "* Avoid slow mode", "* Prefer *caching*"]
    # a "~~~" that no fence closes is an underline, and what follows it is still read; front matter is not text
    underlined = "---\ntitle: My Guide\n---\n\nSub\n~~~\n\nText here.\n\nNext\n----\n\nMore text.\n"
    got = _read(tmp_path, "guide.md", underlined)
    assert ("Next", "More text.") in got and not any("title" in t for _, t in got)
    # a long framed-looking line reads in linear time
    assert _read(tmp_path, "long.txt", "*" + " " * 20000 + "x\n")


def test_plain_text_titles_numbered_in_roman_or_by_letter_and_its_contents(tmp_path):
    # a plain-text manual titled by Roman numbers was one section, "Table of Contents", its contents one run-on sentence
    text = (
        "HARBOUR MANUAL\n\n TABLE OF CONTENTS\n\n    I. Moorings\n   II. Ferries\n  III. Fees\n   IV. Tides\n\n"
        "I. Moorings\n\nVisitors moor at the north pier.\n\nA. Long stays\n\nA stay over a week needs a permit.\n\n"
        "II. Ferries\n\nFerries leave every hour.\n\nIII. Fees\n\nI. M. Pei designed the ticket office.\n"
        "A. Smith sells the tickets.\n\nIV. Tides\n\nHigh tide is at noon.\n"
    )
    got = _read(tmp_path, "manual.txt", text)
    assert got == [
        ("I. Moorings", "Visitors moor at the north pier."),
        ("A. Long stays", "A stay over a week needs a permit."),  # a letter's title too
        ("II. Ferries", "Ferries leave every hour."),
        ("III. Fees", "I. M. Pei designed the ticket office."),  # initials in a sentence are no title
        ("III. Fees", "A. Smith sells the tickets."),
        ("IV. Tides", "High tide is at noon."),
    ]  # the contents (its "III. Fees" misspelt as "III. Fares" would not matter either) are not read
    misspelt = text.replace("  III. Fees\n", "  III. Fares\n")
    assert _read(tmp_path, "manual.txt", misspelt) == got
    # a list of lines that are not the later titles is text
    listed = "Bring:\n\nI. A licence\nII. A chart\n\nI. Moorings\n\nVisitors moor here.\n"
    kit = _read(tmp_path, "kit.txt", listed)
    assert kit[0] == ("Introduction", "Bring:") and ("Introduction", "I. A licence II.") in kit
    assert kit[-1] == ("I. Moorings", "Visitors moor here.")


def test_a_plain_text_policys_numbered_clauses_are_its_sections(tmp_path):
    # "1. Purpose", "2. Scope", ... each a line of its own over its text: the whole policy was one section
    policy = ("Harbour Access Policy\n\n1. Purpose\n\nThis policy says who may use the harbour.\n\n2. Scope\n\n"
              "It covers the slipways.\n\n3. Roles and Responsibilities\n\nThe harbour master keeps the register.\n")
    assert _read(tmp_path, "policy.txt", policy) == [
        ("Introduction", "Harbour Access Policy"),
        ("1. Purpose", "This policy says who may use the harbour."),
        ("2. Scope", "It covers the slipways."),
        ("3. Roles and Responsibilities", "The harbour master keeps the register."),
    ]
    # its contents, the clause titles listed before them, are not read
    listed = policy.replace("Harbour Access Policy\n\n", "Harbour Access Policy\n\n1. Purpose\n2. Scope\n3. Roles and Responsibilities\n\n")
    assert _read(tmp_path, "listed.txt", listed) == _read(tmp_path, "policy.txt", policy)
    # steps in sentence case, a lone numbered line, numbers that do not follow on: text
    steps = "1. Install the package\n\nThis takes a minute.\n\n2. Run the tool\n\nIt prints a report.\n"
    assert {s for s, _ in _read(tmp_path, "steps.txt", steps)} == {"Introduction"}
    apart = "1. Purpose\n\nThis policy says who may moor.\n\n3. Scope\n\nIt covers the slipways.\n"
    assert {s for s, _ in _read(tmp_path, "apart.txt", apart)} == {"Introduction"}


def test_rule_lines_inside_code_and_table_underlines_are_left_alone(tmp_path):
    text = (
        "# Values\n\n```\nName     Value    Meaning\n--------------------------------------\nDEBUG    1        Print\n```\n\n"
        "* Note *\n\nA table written as text:\nName  Value\n--------------------------\nA     1\n"
    )
    got = _read(tmp_path, "values.md", text)
    assert all(section == "Values" for section, _ in got)  # neither underline made a heading
    assert any("--------" in t for _, t in got)  # the fenced table keeps its rule
    assert ("Values", "* Note *") in got  # a single starred line is not a box


@pytest.mark.parametrize(
    "name, content, reason",
    [("bad.txt", b"\xff\xfe\x00broken", "not UTF-8"), ("empty.md", b"   \n\n", "no text"), ("scan.pdf", b"%PDF-1.4 garbage", "cannot be parsed")],
)
def test_unreadable_files_raise_a_clear_error(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=reason) as info:
        load_document(path, f"source/{name}")
    assert name in str(info.value)


# --------------------------------------------------------------------------- HTML
ZLIB_PAGE = Path(__file__).resolve().parent.parent / "eval" / "other" / "docs" / "zlib-usage.html"


def _html(tmp_path, body: str):
    path = tmp_path / "page.html"
    path.write_text(f"<html><head><title>Page title</title><style>p {{ color: red }}</style></head><body>{body}</body></html>", encoding="utf-8")
    return load_document(path, "source/page.html")


def _html_sentences(doc) -> list[str]:
    return [s.text for p in doc.paragraphs for s in p.sentences]


def test_html_nested_unclosed_paragraphs_give_each_text_once(tmp_path):
    # html.parser nests each unclosed <p> inside the previous one: get_text of the outer <p> is the whole rest.
    doc = _html(tmp_path, "<p>Alpha starts here.<p>Beta follows it.<p>Gamma ends the page.")
    assert [[s.text for s in p.sentences] for p in doc.paragraphs] == [["Alpha starts here."], ["Beta follows it."], ["Gamma ends the page."]]


def test_html_text_outside_any_block_is_kept_in_order(tmp_path):
    doc = _html(
        tmp_path,
        "We often get questions about <tt>deflate()</tt>. So here is an example."
        "<p>First paragraph.<pre>int x;</pre>Text after the code.</p>"
        "<div>A run in a div.<p>Inside.</p>A run after.</div><!-- a comment --><script>var hidden = 1;</script>",
    )
    assert [" ".join(s.text for s in p.sentences) for p in doc.paragraphs] == [
        "We often get questions about deflate(). So here is an example.",
        "First paragraph.",
        "int x;",
        "Text after the code.",
        "A run in a div.",
        "Inside.",
        "A run after.",
    ]
    assert "Page title" not in " ".join(_html_sentences(doc)) and "hidden" not in " ".join(_html_sentences(doc))


def test_html_headings_set_sections(tmp_path):
    doc = _html(tmp_path, "Before any heading.<h1>Funding</h1><p>The grant lasted four years.<h2>Lessons</h2><li>Take risks.<li>Learn together.")
    assert [(p.section, p.part, [s.text for s in p.sentences]) for p in doc.paragraphs] == [
        ("Introduction", 0, ["Before any heading."]),
        ("Funding", 1, ["The grant lasted four years."]),
        ("Lessons", 2, ["- Take risks."]),  # a list item reads with its mark, as Markdown's does
        ("Lessons", 2, ["- Learn together."]),
    ]


def test_html_a_faq_question_titles_its_answer(tmp_path):
    # DocBook's question-and-answer set: each question row opens the section its answer is read in, so an answer
    # never runs on into the next entry; the question stays a sentence, and the error it shows stays code
    doc = _html(
        tmp_path,
        "<h2>2. Building</h2><table>"
        '<tr class="question"><td><b>2.1.</b></td><td><b>The build stops with this:</b><pre>ld: cannot find -lc</pre></td></tr>'
        '<tr class="answer"><td></td><td><p>Install the static C library. Then build again.</p></td></tr>'
        '<tr class="question"><td><b>2.2.</b></td><td><b>Why is the build slow?</b><span hidden>internal note</span><script>x()</script></td></tr>'
        '<tr class="answer"><td></td><td><p>It compiles every tool.</p></td></tr></table>'
        '<div class="question">Can I skip the tests?</div><div class="answer"><p>Yes, with --no-tests.</p></div>',
    )
    assert [(p.section, [s.text for s in p.sentences]) for p in doc.paragraphs] == [
        ("2.1. The build stops with this:", ["2.1. The build stops with this:"]),
        ("2.1. The build stops with this:", ["ld: cannot find -lc"]),
        ("2.1. The build stops with this:", ["Install the static C library.", "Then build again."]),
        ("2.2. Why is the build slow?", ["2.2. Why is the build slow?"]),
        ("2.2. Why is the build slow?", ["It compiles every tool."]),
        ("Can I skip the tests?", ["Can I skip the tests?"]),
        ("Can I skip the tests?", ["Yes, with --no-tests."]),
    ]
    plain = _html(tmp_path, '<h2>Q</h2><table><tr class="row"><td>A question?</td><td>An answer.</td></tr></table>')
    assert [p.section for p in plain.paragraphs] == ["Q"]  # a row of another class is a row


def test_html_a_definition_opens_with_its_term(tmp_path):
    doc = _html(
        tmp_path,
        "<p>A rule may set these variables:</p><dl><dt><code>depfile</code></dt><dd><p>path to an optional Makefile. "
        "It lists extra inputs.</p></dd><dt>restat</dt><dt>generator</dt><dd>both mark special rules</dd></dl>"
        "<dl><dt>Context struct: <b>struct foo_ctx</b></dt></dl><dl><dt>Constant: FOO_SIZE</dt><dd>The size of a foo.</dd></dl>",
    )
    assert _html_sentences(doc) == [
        "A rule may set these variables:",
        "depfile: path to an optional Makefile.",
        "It lists extra inputs.",
        "restat; generator: both mark special rules",
        "Context struct: struct foo_ctx",  # a term without a definition in its own list stays alone
        "Constant: FOO_SIZE: The size of a foo.",
    ]


def test_html_a_table_row_reads_as_one_line(tmp_path):
    doc = _html(
        tmp_path,
        "<table><tr><th>Name</th><th>Value</th><th>Meaning</th></tr><tr><td>CONFIG</td><td></td><td>1024</td>"
        "<td>Monitor which config files are loaded</td></tr></table><p>After the table.</p>",
    )
    assert _html_sentences(doc) == ["Name | Value | Meaning", "CONFIG | 1024 | Monitor which config files are loaded", "After the table."]


def test_html_a_next_previous_bar_is_navigation_not_content(tmp_path):
    bar = '<div class="header"><p>Next: <a href="#b" rel="next">Linking</a>, Previous: <a href="#a" rel="prev">Example</a>, Up: <a href="#t" rel="up">Top</a> [<a href="#c">Contents</a>]</p></div>'
    text = '<p>The <a href="#n" rel="next">next chapter</a> explains how the library is linked into a program.</p>'
    doc = _html(tmp_path, f"{bar}<h2>Example</h2><p>A simple example follows.</p>{text}")
    assert _html_sentences(doc) == ["A simple example follows.", "The next chapter explains how the library is linked into a program."]
    # one link to the next chapter in a short sentence is content; a short section holding a bar is not a bar
    short = _html(tmp_path, '<p>The <a href="#n" rel="next">next chapter</a> covers linking.</p>'
                            f'<div class="section">{bar}<h3>Speed</h3><p>Foo is fast.</p></div>')
    assert _html_sentences(short) == ["The next chapter covers linking.", "Foo is fast."]


def test_html_docbooks_navigation_tables_by_access_key_are_not_content(tmp_path):
    header = ('<div><table class="nav" summary="Navigation header"><tr><td><a accesskey="p" href="ch8.html"><img alt="Prev" src="p.png"></a></td>'
              '<th>Tool User Manual</th><td><a accesskey="n" href="ch10.html"><img alt="Next" src="n.png"></a></td></tr></table></div>')
    footer = ('<div><table class="nav" summary="Navigation footer"><tr><td><a accesskey="p" href="ch8.html">&lt;&lt; 8. Racer: a thread checker</a></td>'
              '<td><a accesskey="u" href="manual.html">Up</a></td><td><a accesskey="n" href="ch10.html">10. Leaky: a leak finder &gt;&gt;</a></td></tr>'
              '<tr><td><a accesskey="h" href="index.html">Home</a></td></tr></table></div>')
    doc = _html(tmp_path, f"{header}<h1>9. Heapy</h1><p>Heapy is a heap profiler.</p>{footer}")
    assert _html_sentences(doc) == ["Heapy is a heap profiler."]


def test_html_a_table_of_contents_is_navigation_not_content(tmp_path):
    toc = ('<div class="toc"><ul><li>1. <a href="#intro">Introduction</a><ul><li><a href="#why">Why boats float</a></li></ul></li>'
           '<li>2. <a href="faq.html#keel">How deep is the keel?</a></li></ul></div>')
    row = '<table><tr class="toc"><td>2.1. <a href="#keel">How deep is the keel?</a><br>2.2. <a href="#mast">How tall is the mast?</a></td></tr></table>'
    body = '<h2>Keels</h2><p>How deep is the keel? The keel is two metres deep.</p>'
    doc = _html(tmp_path, f"{toc}{row}{body}")
    assert _html_sentences(doc) == ["How deep is the keel?", "The keel is two metres deep."]  # the question once, where it is answered
    # links to other pages, or links in prose, are content
    links = '<ul><li><a href="keels.html">Keels</a> explains hull shapes.</li><li><a href="https://example.org/">The boat club</a></li></ul>'
    prose = '<ul><li>See <a href="#a">the keel</a> and <a href="#b">the mast</a> sections before you sail for the first time.</li></ul>'
    assert _html_sentences(_html(tmp_path, links + prose)) == ["- Keels explains hull shapes.", "- The boat club", "- See the keel and the mast sections before you sail for the first time."]
    # a FAQ whose questions are their own anchors, a glossary, links to another site: content, however short
    faq = '<dl><dt><a id="q1" href="#q1">Is the pool heated?</a></dt><dd>Yes, always.</dd><dt><a name="q2" href="#q2">Can dogs swim?</a></dt><dd>No.</dd></dl>'
    glossary = '<dl><dt><a href="#keel">Keel</a></dt><dd>Two metres</dd><dt><a href="#mast">Mast</a></dt><dd>Ten metres</dd></dl>'
    away = '<ul><li><a href="https://docs.example.org/re.html#search">re.search</a></li><li><a href="https://example.org/wiki#History">History</a></li></ul>'
    got = _html_sentences(_html(tmp_path, faq + glossary + away))
    assert got == ["Is the pool heated?: Yes, always.", "Can dogs swim?: No.", "Keel: Two metres", "Mast: Ten metres", "- re.search", "- History"]


def test_html_a_page_that_marks_its_main_content_is_read_there(tmp_path):
    # an mdBook page's help pop-up ("Press S or / to search in the book") is hidden by its style sheet, not its markup
    chrome = ('<div id="help"><h2>Keyboard shortcuts</h2><p>Press S to search the book.</p></div>'
              '<div class="menu"><p>Ferries, Moorings</p></div>')
    cookies = '<div class="cookies"><p>We use cookies.</p></div>'
    page = f"{chrome}<main><h1>Moorings</h1><p>A mooring costs 40 pounds a night.</p></main>{cookies}"
    doc = _html(tmp_path, page)
    assert _html_sentences(doc) == ["A mooring costs 40 pounds a night."] and doc.sections == ["Moorings"]
    # Sphinx marks it with a role; its heading's permalink and its related-pages bar are no text
    sphinx = ('<div class="related" role="navigation"><p>Harbour guide 2.0 documentation »</p></div>'
              '<div class="body" role="main"><h2 id="fees">Fees<a class="headerlink" href="#fees">¶</a></h2>'
              '<p>Fees are paid at the office.</p></div>')
    doc = _html(tmp_path, sphinx)
    assert _html_sentences(doc) == ["Fees are paid at the office."] and doc.sections == ["Fees"]
    # a hidden second <main> does not count; two shown, or an empty one, and the whole page is read
    hidden = f'<main hidden><p>Old text.</p></main>{page}'
    assert _html_sentences(_html(tmp_path, hidden)) == ["A mooring costs 40 pounds a night."]
    two = '<main><p>First part.</p></main><p>Between them.</p><main><p>Second part.</p></main>'
    assert _html_sentences(_html(tmp_path, two)) == ["First part.", "Between them.", "Second part."]
    assert _html_sentences(_html(tmp_path, '<main> </main><p>All the text.</p>')) == ["All the text."]


def test_html_a_sidebar_beside_the_article_is_no_text_but_a_callout_in_it_is(tmp_path):
    body = ('<aside><h3>Recent posts</h3><ul><li>Winter moorings</li></ul></aside>'
            '<article><h2>Tides</h2><p>High tide is at noon.</p><aside><p>Tide tables change in March.</p></aside></article>')
    assert _html_sentences(_html(tmp_path, body)) == ["High tide is at noon.", "Tide tables change in March."]


def test_html_landmarks_of_page_chrome_and_permalinks_are_no_text(tmp_path):
    body = ('<div role="banner"><p>Harbour Trust</p></div><div role="search"><p>Search the site</p></div>'
            '<h2 id="tides">Tides <a href="#tides">#</a></h2><p>High tide is at noon.<a href="#ref-1">↩</a></p>'
            '<p>Read <a href="#tides">tides</a> and <a href="#a">§ 4</a> first.</p><div role="contentinfo"><p>© 2026</p></div>')
    doc = _html(tmp_path, body)
    assert _html_sentences(doc) == ["High tide is at noon.", "Read tides and § 4 first."]  # a link with words is text
    assert doc.sections == ["Tides"]


def test_html_a_term_whose_list_or_definition_ends_without_text_stays_alone(tmp_path):
    doc = _html(tmp_path, "<dl><dt>Alpha</dt></dl><p>A paragraph about something else.</p>"
                          "<dl><dt>gamma</dt><dd></dd><dt>delta</dt><dd>The second value.</dd></dl>")
    assert _html_sentences(doc) == ["Alpha", "A paragraph about something else.", "gamma", "delta: The second value."]


def test_html_a_layout_table_keeps_its_cells_apart(tmp_path):
    doc = _html(tmp_path, "<table><tr><td>Home<br>About</td><td><p>Zlib is a compression library.</p></td></tr></table>")
    assert _html_sentences(doc) == ["Home About", "Zlib is a compression library."]


def test_html_keeps_version_numbers_and_hashes(tmp_path):
    doc = _html(tmp_path, "<p>Version 1.4 of 11 December 2005 added a hack.</p><pre>#include &lt;stdio.h&gt;\n#define CHUNK 16384</pre>")
    sentences = _html_sentences(doc)
    assert sentences[0] == "Version 1.4 of 11 December 2005 added a hack."
    assert sentences[1] == "#include <stdio.h> #define CHUNK 16384"  # code stays text, not a markdown heading
    assert doc.sections == ["Introduction"]


def test_html_footnote_references_are_dropped(tmp_path):
    doc = _html(tmp_path, '<p>Leaders agreed<sup><a href="#fn1">1</a></sup> on a plan. The room was 20 m<sup>2</sup>.</p>')
    assert _html_sentences(doc) == ["Leaders agreed on a plan.", "The room was 20 m2."]


def test_html_deeply_nested_unclosed_tags(tmp_path):
    doc = _html(tmp_path, "".join(f"<p>Paragraph {i} is here." for i in range(3000)))
    assert len(doc.paragraphs) == 3000 and _html_sentences(doc)[-1] == "Paragraph 2999 is here."


def test_html_zlib_page_text_is_extracted_once():
    if not ZLIB_PAGE.exists():
        pytest.skip("zlib-usage.html not present")
    from bs4 import BeautifulSoup

    doc = load_document(ZLIB_PAGE, "docs/zlib-usage.html")
    body = BeautifulSoup(ZLIB_PAGE.read_text(encoding="utf-8"), "html.parser").body
    visible = " ".join(body.get_text().split())
    sentences = _html_sentences(doc)
    extracted = sum(len(s) for s in sentences)
    assert 0.9 * len(visible) < extracted < len(visible)  # nothing repeated, nothing large lost
    text = " ".join(sentences)
    assert sentences[0].startswith("We often get questions about how the deflate() and inflate() functions")
    assert text.count("Without further adieu, here is the program zpipe.c:") == 1
    assert text.count("The inner do-loop passes our chunk of input data to deflate()") == 1
    assert "Version 1.4 11 December 2005" in text
    assert doc.sections == ["zlib Usage Example"]


def test_a_word_tables_rows_are_read_in_place_each_naming_its_cells(tmp_path):
    # a Word file's tables were not read at all: a fee schedule in one could not be asked about
    import docx

    d = docx.Document()
    d.add_heading("Permit fees", level=1)
    d.add_paragraph("The harbour office sells two permits.")
    table = d.add_table(rows=3, cols=3)
    for i, row in enumerate([["Permit", "Fee", "Valid for"], ["Mooring", "£40", "one month"], ["Visitor | day", "£5", "x"]]):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    table.cell(2, 1).merge(table.cell(2, 2)).text = "£5 a day"
    d.add_paragraph("Fees are paid at the office.")
    d.save(str(tmp_path / "fees.docx"))
    read = [(p.section, s.text) for p in load_document(tmp_path / "fees.docx", "source/fees.docx").paragraphs for s in p.sentences]
    assert read == [
        ("Permit fees", "The harbour office sells two permits."),
        ("Permit fees", "Permit: Mooring; Fee: £40; Valid for: one month"),
        ("Permit fees", "Permit: Visitor | day; Fee: £5 a day"),  # a merged cell once, under its first column
        ("Permit fees", "Fees are paid at the office."),
    ]


def test_a_word_paragraph_in_bold_throughout_is_a_title(tmp_path):
    # a Word file titled its sections by bolding a line, without a heading style: one section held the whole file
    import docx

    d = docx.Document()
    d.add_paragraph("Harbour Access Policy", style="Title")
    d.add_paragraph("This policy says who may use the harbour.")
    d.add_paragraph().add_run("Eligibility").bold = True
    d.add_paragraph("Residents moor free of charge.")
    lead = d.add_paragraph()
    lead.add_run("Note: ").bold = True
    lead.add_run("fees change each April.")
    d.add_paragraph().add_run("Boats must be registered before they moor.").bold = True
    d.save(str(tmp_path / "policy.docx"))
    read = [(p.section, s.text) for p in load_document(tmp_path / "policy.docx", "source/policy.docx").paragraphs for s in p.sentences]
    assert read == [
        ("Harbour Access Policy", "This policy says who may use the harbour."),
        ("Eligibility", "Residents moor free of charge."),
        ("Eligibility", "Note: fees change each April."),  # a bold lead-in is text
        ("Eligibility", "Boats must be registered before they moor."),  # and so is a bold sentence
    ]


def test_an_html_page_in_its_declared_charset_is_read(tmp_path):
    # an older page saved as ISO-8859-1 was refused as "not UTF-8 text"
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><title>Café</title></head>'
    page += "<body><h1>Caf\u00e9 hours</h1><p>The caf\u00e9 opens at nine, \u00a3 accepted.</p></body></html>"
    (tmp_path / "cafe.html").write_bytes(page.encode("latin-1"))
    read = [(p.section, s.text) for p in load_document(tmp_path / "cafe.html", "source/cafe.html").paragraphs for s in p.sentences]
    assert read == [("Caf\u00e9 hours", "The caf\u00e9 opens at nine, \u00a3 accepted.")]


def test_a_manual_page_as_text_has_its_titles_at_the_margin(tmp_path):
    # a manual page (man, perldoc) sets its titles left of a body indented throughout; they were read as sentences
    # ("NAME tcp - TCP protocol") and the whole page was one section
    page = (
        "ferry(7)\n\nNAME\n       ferry - the harbour ferry service\n\nDESCRIPTION\n  Timetable\n"
        "       Ferries leave the north pier every hour from six in the morning until late.\n\n"
        "   Tickets and fares\n       A day ticket costs five pounds and is sold on board by the crew.\n"
        "       Columns:   Fare    Price\n\nSEE ALSO\n       harbour(7), pier(5)\n"
    )
    got = _read(tmp_path, "ferry.7.txt", page)
    assert ("Name", "ferry - the harbour ferry service") in got
    assert ("Timetable", "Ferries leave the north pier every hour from six in the morning until late.") in got
    assert ("Tickets and fares", "A day ticket costs five pounds and is sold on board by the crew.") in got
    assert ("See Also", "harbour(7), pier(5)") in got
    # a table's header over its rule, its columns set apart, is no title either
    table = "Fares\n=====\n\nThe fares are:\n\nTicket     Price     Valid\n--------------------------\nDay        5         one day\n"
    assert {s for s, _ in _read(tmp_path, "fares.txt", table)} == {"Fares"}
    # a document whose body starts at the margin reads no title from indentation
    prose = "Ferries leave the north pier every hour from six in the morning.\n\n    Tickets are sold on board\n"
    assert {s for s, _ in _read(tmp_path, "notes.txt", prose)} == {"Introduction"}


def test_a_diagram_drawn_in_box_characters_is_not_read_as_a_sentence(tmp_path):
    text = """Ferry states
============

A ferry that misses its slot waits at the buoy until the harbour master calls it in.

       ┌────────────┐
       │  waiting   │
       └─────┬──────┘
             │ (called in)
             v
       ┌────────────┐
       │   docked   │
       └────────────┘

A docked ferry leaves when its cargo is loaded.
"""
    f = tmp_path / "ferries.txt"
    f.write_text(text, encoding="utf-8")
    sentences = [s.text for p in load_document(f, f.name).paragraphs for s in p.sentences]
    assert sentences == [
        "A ferry that misses its slot waits at the buoy until the harbour master calls it in.",
        "A docked ferry leaves when its cargo is loaded.",
    ]


def test_a_manual_page_printed_by_man_reads_without_its_running_title_and_with_its_broken_words_whole(tmp_path):
    # `man ferry > ferry.txt`: the running title and footer are the page's furniture ("FERRY(1) General Commands Manual
    # FERRY(1)" had answered "What does ferry do?"), and groff breaks words at a line's end with U+2010 ("con‐" "taining")
    page = (
        "FERRY(1)\t\t    General Commands Manual\t\t      FERRY(1)\n\nNAME\n       ferry - sail the harbour\n\n"
        "DESCRIPTION\n       Ferries leave the north pier every hour; a ticket is sold on board, and a sys\u2010\n"
        "       tem-wide pass covers every route.  The type-\n       tagging of tickets is done by the crew.\n\n"
        "GNU Harbour 1.0\t\t\t2024-01-02\t\t\tFERRY(1)\n"
    )
    got = _read(tmp_path, "ferry.txt", page)
    texts = [t for _, t in got]
    assert not [t for t in texts if "FERRY(1)" in t]
    assert ("Description", "Ferries leave the north pier every hour; a ticket is sold on board, and a system-wide pass covers every route.") in got
    assert "The type-tagging of tickets is done by the crew." in texts
    # a first line that is not a manual page's title stays ("ferry(1)" names the page in a plain note)
    note = _read(tmp_path, "note.txt", "ferry(1) and pier(5) are the manuals to read.\n\nThey are short.\n")
    assert [t for _, t in note][0] == "ferry(1) and pier(5) are the manuals to read."


KETTLE_HTML = """<html><head><title>Kettle guide</title></head><body>
<h1>Brewing rules</h1>
<p>Kettle follows a few brewing rules. The rules of a Kettle brew are simple:</p>
<ul>
<li>The brew uses a pot with four cups of water.</li>
<li><p>The water is heated to the temperature the recipe names.</p></li>
<li>A recipe may name at most three infusions of the same leaves.</li>
<li>The brew ends when the last infusion is poured.</li>
</ul>
<p>To start a brew, follow these steps:</p>
<ol start="3"><li>Fill the pot.</li><li>Press start.</li></ol>
<h1>Output</h1>
<p>Kettle prints the schedule as plain text, one step a line.</p>
</body></html>
"""


def test_an_html_list_item_reads_with_its_mark(tmp_path):
    read = _read(tmp_path, "kettle.html", KETTLE_HTML)
    assert [t for _, t in read][1:8] == [
        "The rules of a Kettle brew are simple:",
        "- The brew uses a pot with four cups of water.",
        "- The water is heated to the temperature the recipe names.",  # its text in a <p> of its own
        "- A recipe may name at most three infusions of the same leaves.",
        "- The brew ends when the last infusion is poured.",
        "To start a brew, follow these steps:",
        "3. Fill the pot.",  # an ordered list counts from its start
    ]


def test_an_html_list_item_without_text_marks_nothing_after_it(tmp_path):
    doc = _html(tmp_path, "<ul><li><img src='a.png'></li></ul><p>The kettle whistles when the water boils.</p>")
    assert _html_sentences(doc) == ["The kettle whistles when the water boils."]


def test_an_html_list_is_answered_whole(written_pipeline):
    pipeline = written_pipeline("kettle.html", KETTLE_HTML)
    answer = pipeline.answer("what are the rules of a kettle brew?")
    assert not answer.refused
    for item in ("four cups of water", "temperature the recipe names", "three infusions", "last infusion is poured"):
        assert item in answer.answer


def test_a_number_printed_in_an_indented_example_is_kept(tmp_path):
    text = "Counting\n========\n\nCount the lids::\n\n    >>> jarcount.count_lids()\n    12\n\nThe count is cached.\n"
    assert ("Counting", ">>> jarcount.count_lids() 12") in _read(tmp_path, "jars.rst", text)  # "12" is output, not a page number


def test_an_html_term_that_ends_its_sentence_is_not_glued_to_its_definition(tmp_path):
    doc = _html(tmp_path, "<dl><dt>The speed is set in turns per minute.</dt><dd>The factory default is forty turns.</dd><dt>depfile</dt><dd>path to a Makefile</dd></dl>")
    assert _html_sentences(doc) == ["The speed is set in turns per minute.", "The factory default is forty turns.", "depfile: path to a Makefile"]
