"""Load the documents in ``source/`` and clean them into sentences with section and page.

The brief is text extracted from a PDF: lines broken mid-sentence and separated by
blank lines, words hyphenated across lines, all-caps headings dropped wherever the
layout put them (often mid-sentence, at the foot of the page they head), stray page
numbers and footnote markers glued to words. Each loader turns its format into pages
of lines or into ready paragraphs; the cleaner turns those into ``Paragraph`` records
whose sentences know their section and page.
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from itertools import accumulate
from pathlib import Path

from .text import LIST_LINE, split_sentences

SUPPORTED_SUFFIXES = (".txt", ".md", ".rst", ".pdf", ".html", ".htm", ".docx")
INTRODUCTION = "Introduction"


class DocumentError(Exception):
    """A source file that cannot be read; the message names the file and the reason."""


@dataclass(frozen=True)
class SentenceRecord:
    text: str
    section: str
    page: int | None


@dataclass(frozen=True)
class Paragraph:
    """Consecutive sentences of one paragraph that share a section."""

    section: str
    sentences: tuple[SentenceRecord, ...]
    part: int = 0  # which heading opened it: two sections of one name, apart, are two sections (chunks never join them)
    context: str = ""  # the title of the heading its own heading sits under, where the format says (Markdown's "#" levels)

    @property
    def page(self) -> int | None:
        return self.sentences[0].page if self.sentences else None


@dataclass
class SourceDocument:
    source: str  # path as shown to users, e.g. "source/brief.txt"
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def sections(self) -> list[str]:
        seen: dict[str, None] = {}
        for p in self.paragraphs:
            seen.setdefault(p.section, None)
        return list(seen)


# --------------------------------------------------------------------------- headings
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,3}\s*$", re.IGNORECASE)
_FOOTNOTE_MARK = re.compile(r"(?:(?<=[a-z,;:!?”\"’)])|(?<=[a-z]\.))(\d{1,2})(?=\s|$)")  # "program.1" but not "2.7"
_TERMINAL = re.compile(r"[.!?:][\"'”’)\]]*$")


# what a title in capitals never holds and a line of syntax does ("OLDNAME NEWNAME[:NEWID]", "PNG_USER_CONFIG=1")
_CODE_MARKS = re.compile(r"[\[\]{}<>=|\\$_]")


def is_heading(line: str) -> bool:
    """An all-caps line of at least two words (e.g. ``START WITH SUSTAINABILITY``)."""
    s = line.strip()
    letters = [c for c in s if c.isalpha()]
    if len(letters) < 10 or any(c.islower() for c in letters):
        return False
    if _BULLET.match(s) or s.endswith((";", ",")):  # an item of a list ("• OBJECT IDENTIFIER;") is no title
        return False
    if _TERMINAL.search(s) or len(s.split()) < 2 or len(s) > 120 or _CODE_MARKS.search(s):
        return False
    return True


def heading_title(text: str) -> str:
    """``CHANGE SYSTEMS TO ENSURE SUSTAINABILITY`` -> ``Change Systems to Ensure Sustainability``; a title already in
    mixed case stays as written ("2.2. The source XML files")."""
    if any(c.islower() for c in text):
        return " ".join(text.split())
    small = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}
    out = []
    for i, w in enumerate(text.split()):
        lw = w.lower()
        if i and lw in small:
            out.append(lw)
        else:
            out.append("-".join(part[:1].upper() + part[1:].lower() for part in w.split("-")))
    return " ".join(out)


# --------------------------------------------------------------------------- flow cleaning
@dataclass
class _Line:
    text: str
    page: int | None
    page_start: bool
    after_heading: bool = False  # the first line under a heading (a PDF's: it opens a paragraph)


def _strip_footnotes(line: str, names: frozenset[str] = frozenset()) -> str:
    """``program.1  Instead`` -> ``program.  Instead``; keeps numbers that are words (``K-12``, ``$500``), and a name
    that ends in digits (``names``: "libtasn1", "asn1"), which a document writes more than once, where a footnote's
    mark is printed once."""

    def mark(m: re.Match) -> str:
        word = _WORD_END.search(line, 0, m.start())
        return m.group(1) if word is not None and (word.group(0) + m.group(1)).lower() in names else ""

    return _FOOTNOTE_MARK.sub(mark, line)


_WORD_END = re.compile(r"[A-Za-z][\w-]*$")  # the word a number is glued to ("libtasn" of "libtasn1")
_NAME_WITH_NUMBER = re.compile(r"\b[A-Za-z][\w-]*?[a-z]\d{1,2}\b")  # "libtasn1", "asn1", "sha1": a footnote mark glued on reads alike


def _numbered_names(pages: list[tuple[int | None, list[str]]]) -> frozenset[str]:
    """The words ending in digits that a document writes more than once: names ("asn1"), not a footnote's mark."""
    seen = Counter(m.group(0).lower() for _, lines in pages for line in lines for m in _NAME_WITH_NUMBER.finditer(line))
    return frozenset(w for w, n in seen.items() if n > 1)


_LINE_BREAK_HYPHENS = ("\u2010", "\u00ad")  # a hyphen and a soft hyphen, as typesetters (groff's `man`) break words at a line's end


def _join(left: str, right: str, vocabulary: set[str]) -> str:
    """Join two lines of one paragraph, repairing words hyphenated across the break."""
    left = left.rstrip()
    right = right.lstrip()
    if left.endswith(_LINE_BREAK_HYPHENS) and len(left) > 1 and left[-2].isalpha():  # groff breaks words with U+2010
        left = left[:-1] + "-"
    if left.endswith("-") and len(left) > 1 and left[-2].isalpha():
        head = re.search(r"(\w+)-$", left)
        tail = re.match(r"(\w+)", right)
        if head and tail:
            joined = (head.group(1) + tail.group(1)).lower()
            hyphenated = (head.group(1) + "-" + tail.group(1)).lower()
            # A soft hyphen only when the joined word occurs elsewhere and the hyphenated one does not.
            if joined in vocabulary and hyphenated not in vocabulary:
                return left[:-1] + right
        return left + right
    if left.endswith(("—", "–", "/")):
        return left + right
    if left.endswith("_") and len(left) > 1 and left[-2].isalnum() and right[:1].isalnum():
        return left + right  # a name broken after its underscore ("ASN1_" / "MAX_LENGTH_SIZE") is one name
    return left + " " + right


_BULLET = re.compile(r"^[•▪◦●]\s")
_CONTENTS_ENTRY = re.compile(r"(?:\.\s?){4,}\s*[\divxlc]+\s*$")  # a table of contents' line: "2.1 Syntax . . . . . 3"
# A numbered section's title: "2.2. The source XML files", "1.2. What is this spec?", "2. Unified system"; short, no
# sentence punctuation but a closing question mark. Groups: the first number, the dotted rest, the dot after a single one.
_NUMBERED_TITLE = re.compile(r"^(\d{1,3})((?:\.\d{1,3})*)(\.?)\s+[A-Z](?:[^.!?:;]|\.(?=\w))*\??$")  # "ASN.1", "v2.0": a dot inside a word
_NUMBERED_TITLE_WORDS = 8
# ... or a Roman number's or a letter's, in capitals ("IV. Writing", "IX. Changes to Libpng from version 1.0.x to 1.2.x",
# "C. Configuration")
_ROMAN_TITLE = re.compile(r"^(?:[IVXLC]{1,7}|[A-Z])\.\s+[A-Z](?:[^.!?:;]|\.(?=\w))*\??$")
_ROMAN_TITLE_WORDS = 12


def _numbered(line: str) -> re.Match | None:
    m = _NUMBERED_TITLE.match(line)
    return m if m and len(line.split()) <= _NUMBERED_TITLE_WORDS else None


def _numbered_title(line: str) -> bool:
    """A line that may be a numbered clause's title ("2.1. Grants", "IV. Writing"): a sub-heading of plain text when a
    body follows it. Only a dotted number or a Roman one: "1. Install it" alone may be a list item."""
    m = _numbered(line)
    return bool(m and m.group(2)) or bool(_ROMAN_TITLE.match(line) and len(line.split()) <= _ROMAN_TITLE_WORDS)


def _pdf_numbered_title(lines: list[str], n: int) -> bool:
    """Line ``n`` of a PDF page as a numbered section title: a dotted number ("2.2."), or a single number with a dot
    that is not an item of a numbered list ("1. Install it" / "2. Run it": the line before or after holds the number
    before or after it)."""
    m = _numbered(lines[n].strip())
    if not m:
        return False
    if m.group(2):
        return True
    if not m.group(3):
        return False  # "4 Card32 N_aliases" is a table's row; a section is numbered "4." or "4.1"
    k = int(m.group(1))
    prev = next((lines[i].strip() for i in range(n - 1, -1, -1) if lines[i].strip()), "")
    nxt = next((lines[i].strip() for i in range(n + 1, len(lines)) if lines[i].strip()), "")
    return not (re.match(rf"{k + 1}[.)]\s", nxt) or re.match(rf"{k - 1}[.)]\s", prev) or prev.endswith(":"))


def _paragraphs_from_lines(lines: list[_Line], *, bullets: bool = False) -> list[tuple[str, list[tuple[int, int]]]]:
    """Re-join broken lines into paragraphs: (text, [(offset, line index)] for each line). With ``bullets`` a bulleted
    line opens a paragraph of its own (an item, not the end of the sentence before it)."""
    vocabulary = {w.lower() for w in re.findall(r"\w+(?:-\w+)*", " ".join(ln.text for ln in lines))}
    by_page: dict[int | None, list[int]] = {}
    for ln in lines:
        by_page.setdefault(ln.page, []).append(len(ln.text.strip()))
    medians = {page: statistics.median(lengths) for page, lengths in by_page.items()}

    paragraphs: list[tuple[str, list[tuple[int, int]]]] = []
    cur = ""
    marks: list[tuple[int, int]] = []
    for i, ln in enumerate(lines):
        s = ln.text.strip()
        if cur:
            p = lines[i - 1].text.strip()
            ends_sentence = bool(_TERMINAL.search(p))
            short = len(p) < 0.8 * medians[lines[i - 1].page]
            opens_quote = s[:1] in "“\"‘"
            item = bullets and (_BULLET.match(s) or (LIST_LINE.match(s) and (p.endswith(":") or ends_sentence)))
            if (ends_sentence and (short or ln.page_start or opens_quote)) or item or (bullets and ln.after_heading):
                paragraphs.append((cur, marks))
                cur, marks = "", []
        if not cur:
            cur, marks = s, [(0, i)]
        else:
            joined = _join(cur, s, vocabulary)
            marks.append((len(joined) - len(s), i))
            cur = joined
    if cur:
        paragraphs.append((cur, marks))
    return paragraphs


def clean_pages(pages: list[tuple[int | None, list[str]]], *, page_headings: bool = True, pdf: bool = False) -> list[Paragraph]:
    """Clean pages of raw PDF lines into paragraphs of sentences with section and page.

    With ``page_headings`` a heading names the page it is printed on (PDF layouts often
    print it at the foot of that page's text); without, a heading starts a section where it stands.
    With ``pdf`` (lines as a PDF file gives them, one per printed line): a numbered title on its own line is a
    heading too ("2.2. The source XML files"), and a bulleted line opens a paragraph ("• A standard way ...").
    """
    lines: list[_Line] = []
    headings: list[tuple[int | None, int, str]] = []  # (page, index of the next body line, title)
    names = _numbered_names(pages)
    for page, raw_lines in pages:
        first = True
        last_was_heading = False
        for n, raw in enumerate(raw_lines):
            s = raw.strip()
            if not s or _PAGE_NUMBER.match(s) or re.fullmatch(r"https?://\S+", s) or _CONTENTS_ENTRY.search(s):
                continue
            if pdf and s.startswith(_PDF_TITLE):  # printed larger than the text: a title, whole (``_pdf_titles_marked``)
                headings.append((page, len(lines), s[len(_PDF_TITLE) :]))
                last_was_heading = False  # the next title is another one, not the rest of this one
                continue
            numbered = pdf and _pdf_numbered_title(raw_lines, n)
            if (is_heading(s) and not (pdf and s[:1].isdigit())) or numbered:  # a PDF's "4 CARD32 N_ALIASES" is a table row
                if last_was_heading and headings and not numbered:  # a title on two lines; a numbered one is a new title
                    p, pos, title = headings[-1]
                    headings[-1] = (p, pos, f"{title} {s}")
                else:
                    headings.append((page, len(lines), s))
                last_was_heading = True
                continue
            last_was_heading = False
            lines.append(_Line(_strip_footnotes(raw.rstrip(), names), page, first, pdf and bool(headings) and headings[-1][1] == len(lines)))
            first = False

    def section_at(line_index: int) -> str:
        page = lines[line_index].page
        if page_headings:
            on_page = [h for h in headings if h[0] == page]
            if on_page:
                before = [h for h in on_page if h[1] <= line_index]
                return heading_title((before[-1] if before else on_page[0])[2])
            earlier = [h for h in headings if h[0] is not None and page is not None and h[0] < page]
            return heading_title(earlier[-1][2]) if earlier else INTRODUCTION
        before = [h for h in headings if h[1] <= line_index]
        return heading_title(before[-1][2]) if before else INTRODUCTION

    paragraphs: list[Paragraph] = []
    for text, marks in _paragraphs_from_lines(lines, bullets=pdf):
        current: list[SentenceRecord] = []
        current_section: str | None = None
        for s, e in split_sentences(text):
            line_index = max(idx for off, idx in marks if off <= s)
            section = section_at(line_index)
            if current and section != current_section:
                paragraphs.append(Paragraph(current_section or INTRODUCTION, tuple(current)))
                current = []
            current_section = section
            current.append(SentenceRecord(text[s:e], section, lines[line_index].page))
        if current:
            paragraphs.append(Paragraph(current_section or INTRODUCTION, tuple(current)))
    return paragraphs


def _item_sentences(lines: list[str]) -> list[str]:
    """A block's sentences, where every list item starts a sentence even when the item before it
    did not end like one ("- g: Global replace ... - p: Print ..." is two items, not one sentence). A line opens an
    item when it starts with a marker (``LIST_LINE``) after a line that ended a sentence or an announcement, or
    after another item: prose wrapped onto a line that starts with "2." or "- " goes on ("room\n2. It was ...")."""
    items: list[str] = []
    in_list = False
    for ln in lines:
        opens = bool(LIST_LINE.match(ln)) and (not items or in_list or items[-1].rstrip().endswith((".", ":", "!", "?", ";")))
        in_list = in_list or opens
        if opens or not items:
            items.append(ln)
        elif items[-1].endswith(_LINE_BREAK_HYPHENS) and items[-1][-2:-1].isalpha():
            items[-1] = items[-1][:-1] + ln  # a word a typesetter broke at the line's end ("con‐" "taining")
        elif items[-1].endswith("-") and items[-1][-2:-1].isalpha() and ln[:1].islower():
            items[-1] += ln  # a compound broken at its hyphen ("type-" "tagging"): one word, as written
        else:
            items[-1] += " " + ln
    return [item[s:e] for item in items for s, e in split_sentences(item)]


# A Markdown (GFM) pipe table: a header row, a delimiter row ("|---|:--:|"), then its body rows.
_TABLE_DELIMITER = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?$|^\|\s*:?-+:?\s*\|$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")  # a pipe not escaped ("a \| b" is one cell)


def _cells(row: str) -> list[str]:
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return [c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(row)]


def _table_row(headers: list[str], row: str) -> str:
    """A body row as one sentence that names each cell by its column ("Permit: Parking, visitors; Fee: £5"): a row
    is one fact, and its cells alone ("£5 | 1 day") do not say what they are. Cells past the header's are dropped,
    as GitHub drops them."""
    parts = []
    for header, cell in zip(headers, _cells(row)):
        if cell:
            parts.append(f"{header}: {cell}" if header and header != cell else cell)
    return "; ".join(parts)


def _block_sentences(lines: list[str], fenced: list[bool]) -> list[str]:
    """A block's sentences: its pipe tables a row at a time (``_table_row``), the rest as ``_item_sentences`` reads
    it. Without this a table was one "sentence" of every row, its delimiter row ("|---|---|") included. A table shown
    in a code fence (``fenced``: each line's, as ``_fenced`` finds them) stays code."""
    sentences: list[str] = []
    prose: list[str] = []
    i = 0
    while i < len(lines):
        if not fenced[i] and "|" in lines[i] and i + 1 < len(lines) and not fenced[i + 1] and _TABLE_DELIMITER.match(lines[i + 1]):
            sentences += _item_sentences(prose) if prose else []
            prose = []
            headers = _cells(lines[i])
            rows: list[str] = []
            i += 2
            while i < len(lines) and "|" in lines[i] and not fenced[i]:
                if not _TABLE_DELIMITER.match(lines[i]):  # a rule drawn inside the body is no row
                    rows.append(_table_row(headers, lines[i]))
                i += 1
            # a table without rows says what its header says
            sentences += [r for r in rows if r] if rows else [" | ".join(h for h in headers if h)]
            continue
        prose.append(lines[i])
        i += 1
    return sentences + (_item_sentences(prose) if prose else [])


# Plain text's own typography, outside code fences: a box drawn around text ("*  text  *" lines between rules of
# "*"), a rule line ("=====", "-----", "* * *"), and a title underlined by one (Markdown's setext headings, reST's
# and plain text's habit).
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_FRAMED = re.compile(r"^\s*([*#])(?:\s+(\S(?:.*\S)?))?\s*\1\s*$")  # each part starts and ends on a non-space: no backtracking
_RULE = re.compile(r"^\s*(?:=(?:=){2,}|-(?:-){2,}|_(?:_){2,}|\*(?:\s*\*){2,}|#{3,})\s*$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?:[\w-]+[ \t]*:.*\n|[ \t]+.*\n|-[ \t].*\n){1,40}---[ \t]*(?:\n|\Z)")
_CODE_INDENT = re.compile(r"^(?: {4}|\t)")  # a line indented as code (Markdown's indented code block, reST's literal block)
_FRAME_RUN = 3  # framed lines in a row that make a box
_UNDERLINED_WORDS = 12  # a title is short
_COLUMNS = re.compile(r"\S {3,}\S")  # words set apart in columns: a table's header over its rule, not a title


def _fenced(lines: list[str]) -> list[bool]:
    """Which lines are inside a code fence (its marks included). A fence closes on a line of the same marks, at least
    as many; one never closed is not a fence (a reST underline of "~~~", a decorative line)."""
    fenced = [False] * len(lines)
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m:
            mark = m.group(1)
            close = next((j for j in range(i + 1, len(lines)) if re.fullmatch(rf"\s*{re.escape(mark[0])}{{{len(mark)},}}\s*", lines[j])), None)
            if close is not None:
                for k in range(i, close + 1):
                    fenced[k] = True
                i = close
        i += 1
    return fenced


def _unframe(lines: list[str], fenced: list[bool]) -> None:
    """A box: a run of framed lines ("*  text  *") right under or above a rule of its own mark ("*****"); each line
    becomes its text. A run of Markdown items that end in emphasis ("* Use **fast mode**") has no such rule."""
    i = 0
    while i < len(lines):
        m = None if fenced[i] or _RULE.match(lines[i]) else _FRAMED.match(lines[i])
        j = i
        while m and j < len(lines) and not fenced[j] and not _RULE.match(lines[j]):
            mj = _FRAMED.match(lines[j])
            if not mj or mj.group(1) != m.group(1):
                break
            j += 1
        ruled = any(0 <= k < len(lines) and _RULE.match(lines[k]) and lines[k].strip()[0] == m.group(1) for k in (i - 1, j)) if m else False
        if j - i >= _FRAME_RUN and ruled:
            for k in range(i, j):
                lines[k] = _FRAMED.match(lines[k]).group(2) or ""
            i = j
        else:
            i += 1


# A manual page's running title as `man` prints it: "XARGS(1)   General Commands Manual   XARGS(1)" at its top, and the
# same name at the end of its last line ("GNU Findutils 4.9.0   2022-01-02   XARGS(1)", or the name alone).
_PAGE_NAME = re.compile(r"[A-Za-z][\w.:+-]*\(\d\w{0,4}\)")


def _without_page_title_lines(lines: list[str]) -> list[str]:
    """``lines`` without a manual page's running title (first line) and its footer (last line): a page's furniture,
    not a sentence of it ("XARGS(1) General Commands Manual XARGS(1)" had answered "What does xargs do?")."""
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        return lines
    head = lines[first].split()
    if len(head) < 2 or head[0] != head[-1] or not _PAGE_NAME.fullmatch(head[0]):
        return lines
    out = lines[:first] + [""] + lines[first + 1 :]
    last = max((i for i, ln in enumerate(out) if ln.strip()), default=None)
    if last is not None and out[last].split()[-1] == head[0]:
        out[last] = ""
    return out


def plain_structure(text: str) -> str:
    """``text`` with front matter dropped, boxes unframed, rule lines dropped, and underlined titles written as
    Markdown headings ("1. Definitions\n--------------" -> "# 1. Definitions"): licences and READMEs are drawn so."""
    text = _FRONT_MATTER.sub("", text, count=1)
    lines = _without_page_title_lines(text.split("\n"))
    fenced = _fenced(lines)
    _unframe(lines, fenced)
    out: list[str] = []
    for i, ln in enumerate(lines):
        if fenced[i] or not _RULE.match(ln):
            out.append(ln)
            continue
        title = out[-1].strip() if out else ""
        alone = len(out) < 2 or not out[-2].strip()
        in_code = _indent(ln) >= 4 and bool(out) and _indent(out[-1]) >= 4  # "Parameters" over "----------" in an indented example
        if (
            ln.strip()[0] in "=-" and title and alone and not in_code and len(ln.strip()) <= len(title) + 3
            and len(title.split()) <= _UNDERLINED_WORDS and not _TERMINAL.search(title) and not title.startswith("#")
            and not _COLUMNS.search(title)
        ):
            out[-1] = "# " + title
        out.append("")  # a rule line is no text; it ends the block above it
    return "\n".join(out)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


_OUTDENTED_TITLE = re.compile(r"^[A-Za-z/](?:(?!\s{3})[^.!?:;,]){0,60}$")  # short, no sentence punctuation, no table columns
_BODY_WORDS = 8  # a line of at least this many words is body text


def _body_indent(lines: list[str], fenced: list[bool]) -> int:
    """How far a document indents its body text, when it indents all of it (a manual page: "NAME" at the margin,
    its text seven spaces in): the least indentation of its long lines, if nearly all of them are indented at least
    three spaces; else 0, and no title is read from indentation."""
    long = [_indent(line) for line, code in zip(lines, fenced) if not code and len(line.split()) >= _BODY_WORDS]
    if not long or sum(i >= 3 for i in long) < 0.9 * len(long):
        return 0
    return min(i for i in long if i >= 3)


# Characters that draw rather than write: box drawing, block elements, arrows ("┌──┐", "│", "▶", "→")
_DRAWING = re.compile(r"[\u2190-\u21ff\u2500-\u259f\u25a0-\u25ff]")
_DRAWN_SHARE = 0.3  # a line this much drawn is part of a drawing


def _drawing(lines: list[str]) -> bool:
    """A diagram drawn in characters ("┌─────────┐ / │ unpacked │ / └────┬────┘"): at least half its lines are drawn.
    Its labels are not sentences, and read as one they made an "answer" of box corners."""
    drawn = sum(len(_DRAWING.findall(line)) >= _DRAWN_SHARE * len(line.replace(" ", "")) for line in lines)
    return drawn * 2 >= len(lines)


def clean_plain(text: str) -> list[Paragraph]:
    """Text whose paragraphs are separated by blank lines (markdown-like or plain prose). Digits that end a word
    are kept: "python3", "c99" are words here; footnote marks glued to words come from PDF text (``clean_pages``)."""
    text = plain_structure(text)
    section = INTRODUCTION
    part = 0
    context = ""
    above: list[tuple[int, str]] = []  # the Markdown headings open at this point: (level, title)
    paragraphs: list[Paragraph] = []
    all_lines = text.split("\n")
    fenced = _fenced(all_lines)
    body = _body_indent(all_lines, fenced)
    # blocks of lines between blank lines, each line with whether it is inside a code fence (one runs across blank lines)
    blocks: list[list[tuple[str, bool]]] = [[]]
    code_first: list[bool] = []  # a block that opens in code: in a fence, or indented as Markdown's and reST's code blocks
    outdented: list[int] = []  # how many of a block's first lines are titles set left of an indented body (a manual page's)
    for line, in_fence in zip(all_lines, fenced):
        if line.strip():
            if not blocks[-1]:
                code_first.append(in_fence or _CODE_INDENT.match(line) is not None)
                outdented.append(0)
            if body and not in_fence and outdented[-1] == len(blocks[-1]) and _indent(line) < body and _OUTDENTED_TITLE.match(line.strip()):
                outdented[-1] += 1
            blocks[-1].append((line.strip(), in_fence))
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    clauses = _numbered_clauses(blocks)
    contents = _plain_contents(blocks, clauses)
    for n, block in enumerate(blocks):
        if n in contents:
            continue
        if outdented[n]:  # "DESCRIPTION", then "  Encoding Names": the last names the section
            section = heading_title(block[outdented[n] - 1][0])
            part += 1
            block = block[outdented[n] :]
            if not block:
                continue
        lines = [line for line, _ in block]
        md = None if code_first[n] or outdented[n] else re.match(r"^#{1,6}\s+(.*)$", lines[0])  # "# install the tools" in code is a comment
        # text follows, not another title: a title read here must not turn on whether a heading comes after it
        after = blocks[n + 1] if n + 1 < len(blocks) else None
        body_follows = after is not None and not (
            (len(after) == 1 and (_numbered_title(after[0][0]) or is_heading(after[0][0])))
            or (not code_first[n + 1] and not outdented[n + 1] and re.match(r"^#{1,6}\s", after[0][0]))
        )
        numbered = n in clauses or (_numbered_title(lines[0]) and body_follows)
        if md or (len(lines) == 1 and (is_heading(lines[0]) or numbered)):
            section = (md.group(1).strip() if md else heading_title(lines[0])) or section
            part += 1
            level = len(lines[0]) - len(lines[0].lstrip("#")) if md else 0
            while above and level and above[-1][0] >= level:
                above.pop()
            context = above[-1][1] if above and level else ""
            if level:
                above.append((level, section))
            block = block[1:]
            if not block:
                continue
        if _drawing(lines):
            continue
        # "999" a command printed, in a fence or an indented block of code, is text
        kept = [(line, f) for line, f in block if f or code_first[n] or not _PAGE_NUMBER.match(line)]
        texts = _block_sentences([line for line, _ in kept], [f for _, f in kept])
        sentences = tuple(SentenceRecord(t, section, None) for t in texts)
        if sentences:
            paragraphs.append(Paragraph(section, sentences, part, context))
    return paragraphs


def _numbered_clauses(blocks: list[list[tuple[str, bool]]]) -> set[int]:
    """The blocks that title a policy's numbered clauses: "1. Purpose", "2. Scope", "3. Roles and Responsibilities",
    each a line of its own in title case with text after it, two or more numbered one after another. A numbered step
    ("1. Install the package", then what it does) is in sentence case and stays text."""
    found: list[tuple[int, int]] = []  # (block, its number)
    for n, block in enumerate(blocks[:-1]):
        m = _numbered(block[0][0]) if len(block) == 1 else None
        if not m or m.group(2) or not m.group(3) or not _title_case(block[0][0].split(None, 1)[1]):
            continue  # "1. Purpose": one number with its dot ("2.1. Grants" is a title already)
        if not (len(blocks[n + 1]) == 1 and _numbered(blocks[n + 1][0][0])):  # text follows it, not the next item
            found.append((n, int(m.group(1))))
    runs: list[list[int]] = []  # the blocks of each run of numbers that go up by one
    for i, (n, k) in enumerate(found):
        if i and k == found[i - 1][1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return {n for run in runs if len(run) >= 2 for n in run}


def _title_case(title: str) -> bool:
    """Every word of four letters or more opens with a capital ("Roles and Responsibilities", "Purpose")."""
    return all(w[:1].isupper() for w in title.split() if sum(ch.isalpha() for ch in w) >= 4)


def _plain_contents(blocks: list[list[tuple[str, bool]]], clauses: set[int]) -> set[int]:
    """The blocks that are a table of contents: two lines or more, nearly each the title of a later section ("I.
    Introduction", "II. Structures", then "I. Introduction" over its text; a contents may misspell one). Read as text,
    a contents is one long run-on sentence of every title; it repeats the headings, as a site's contents do
    (``_html_contents``). ``clauses``: the blocks that title a policy's numbered clauses (``_numbered_clauses``)."""

    def key(line: str) -> str:
        return " ".join(line.split()).lower()

    titles: dict[str, int] = {}  # a title's key -> the last block it heads
    for n, block in enumerate(blocks):
        if len(block) == 1 and (n in clauses or is_heading(block[0][0]) or _numbered_title(block[0][0])):
            titles[key(block[0][0])] = n
    return {
        n for n, block in enumerate(blocks)
        if len(block) >= _CONTENTS_LINKS  # indented or not: no code is a list of the titles that follow it
        and sum(titles.get(key(line), -1) > n for line, _ in block) >= _CONTENTS_SHARE * len(block)
    }  # fmt: skip


def looks_pdf_extracted(text: str) -> bool:
    """Most lines separated by blank lines, and lines of column width: text pulled out of a PDF."""
    lines = text.split("\n")
    nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
    if len(nonblank) < 20:
        return False
    followed_by_blank = sum(1 for i in nonblank if i + 1 < len(lines) and not lines[i + 1].strip())
    return followed_by_blank / len(nonblank) > 0.8


def split_layout_pages(text: str) -> list[tuple[int | None, list[str]]]:
    """A new page starts at each line indented by a space (how the extractor marked page blocks)."""
    pages: list[tuple[int | None, list[str]]] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if line[:1].isspace() or not pages:
            pages.append((len(pages) + 1, []))
        pages[-1][1].append(line)
    return pages


# --------------------------------------------------------------------------- HTML
# HTML: block elements start paragraphs; text outside any block is a paragraph of its own.
_HTML_SKIP = frozenset({"head", "script", "style", "noscript", "template", "nav", "svg", "math", "iframe", "object", "embed",
                        "canvas", "button", "select", "textarea", "input", "img", "map", "audio", "video", "dialog"})
_HTML_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# ARIA landmarks that are page chrome wherever they sit: a site's menus, its search box, its banner and its footer
_HTML_CHROME_ROLES = frozenset({"navigation", "search", "banner", "contentinfo"})
# what a permalink shows: "¶" after a Sphinx heading, "#" or "§" beside a heading, "↩" back to a footnote's reference
_HTML_PERMALINK = re.compile(r"[^\w\s]{1,2}")
_HTML_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dir", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "header", "hr", "html", "legend", "li", "listing", "main", "menu",
    "ol", "p", "plaintext", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "xmp",
} | _HTML_HEADINGS)
_HTML_PRE = frozenset({"pre", "listing", "plaintext", "xmp"})
_HTML_CELLS = frozenset({"td", "th"})
_CELL = "\x1f"  # where a table cell starts, while its row is read
_PAGER_WORDS = 8  # words outside its links that a navigation bar may hold ("Next:", "Previous:", "Up:", "[", "]")
_PAGER_TAGS = 24  # elements a navigation bar may hold: a bar is small, and a bigger element is not looked through
_PAGER_RELS = frozenset({"next", "prev", "previous", "up", "contents", "index", "start", "first", "last"})
# ... and the access keys DocBook's pages give the same links instead of ``rel`` ("p", "n", "u", "h": <a accesskey="n">)
_PAGER_ACCESS_KEYS = {"p": "prev", "n": "next", "u": "up", "h": "start"}
_PAGER_CONTENT = _HTML_HEADINGS | {"pre", "table", "dl", "ul", "ol", "li", "blockquote", "figure"}
_CONTENTS_TAGS = 2000  # elements a table of contents may hold (Ninja's manual's: about 300)
_CONTENTS_LINKS = 2  # links a list needs to be a table of contents
_CONTENTS_SHARE = 0.75  # ... the share of a plain-text block's lines that must be titles of later sections
# what a table of contents holds besides its links: numbers ("1.1.", "(a)", "IV."), bullets, "Chapter"
_CONTENTS_NUMBER = re.compile(r"[(\[]?(?:\d+|[ivxlc]{1,5}|[IVXLC]{1,5}|[A-Za-z])(?:\.\d+)*[.):\]]?|[-–—•·|]|(?i:chapter|section|part|appendix)")
_CONTENTS_PROSE = frozenset({"p", "pre", "table", "blockquote", "figure", "img"})
_ROW_BREAKS = (_HTML_BLOCKS - _HTML_CELLS) | {"br"}  # in a row, these make its cells blocks of their own
_ROW_TAGS = 200  # elements a data row may hold
_HTML_FOOTNOTE_REF = re.compile(r"\[?\s*(?:\d{1,3}|[a-z*†‡§])\s*\]?")


def _html_skipped(el) -> bool:
    """Page chrome and non-text: scripts, navigation, hidden elements, a page-level header/footer, footnote references."""
    name = el.name
    if name in _HTML_SKIP or _hidden(el):
        return True
    if str(el.get("role", "")).lower() in _HTML_CHROME_ROLES:  # <div role="navigation">: a <nav> by another name
        return True
    if name == "a" and str(el.get("href", "")).startswith("#") and _HTML_PERMALINK.fullmatch(el.get_text().strip()):
        return True  # a permalink ("Versions¶"): the heading's title is "Versions"
    if name in ("header", "footer", "aside"):  # the site's banner, footer and sidebar, not an article's own (its title, a callout)
        return el.find_parent(["article", "main", "section"]) is None
    if name == "sup":  # ``word<sup><a href="#fn1">1</a></sup>``: a footnote marker, not part of the sentence
        return bool(el.find("a", href=True)) and bool(_HTML_FOOTNOTE_REF.fullmatch(el.get_text().strip()))
    if name in ("ul", "ol", "dl", "tr") and _html_contents(el):
        return True
    if name in ("div", "p", "table", "ul"):
        return _html_pager(el)
    return False


def _elements_within(el, limit: int) -> list | None:
    """The elements inside ``el``, or None when there are more than ``limit``. Bounded, because every block of a page
    is asked: bs4's find_all(limit=) and .descendants first walk to the element's last descendant, as deep as unclosed
    <p>s nest (quadratic on such a page)."""
    from bs4 import Tag

    inside: list = []
    walk = [iter(el.contents)]
    while walk:
        node = next(walk[-1], None)
        if node is None:
            walk.pop()
        elif isinstance(node, Tag):
            inside.append(node)
            if len(inside) > limit:
                return None
            walk.append(iter(node.contents))
    return inside


def _data_row(tr) -> bool:
    """A row of a data table: its cells hold text, not paragraphs, line breaks or tables (a layout table's do)."""
    inside = _elements_within(tr, _ROW_TAGS)
    return inside is not None and not any(t.name in _ROW_BREAKS for t in inside)


def _html_contents(el) -> bool:
    """A table of contents: a list (or a table row) of links that each lead to a place in a document of the site
    (``href="#..."``, ``"faq.html#..."``), with nothing besides them but their numbers ("1.1."). It repeats the
    headings, and in a FAQ every question, so a search met the contents instead of the text they point to. Links to
    another site, a link that is its own anchor (a FAQ's question), or a word outside the links (a definition) are
    content."""
    inside = _elements_within(el, _CONTENTS_TAGS)
    if inside is None:
        return False
    links = [t for t in inside if t.name == "a" and t.has_attr("href")]
    if len(links) < _CONTENTS_LINKS or any(t.name in _CONTENTS_PROSE for t in inside):
        return False
    for a in links:
        target, _, fragment = str(a["href"]).partition("#")
        if not fragment or "://" in target or target.startswith(("/", "mailto:")) or fragment in (a.get("id"), a.get("name")):
            return False
    linked = {id(s) for a in links for s in a.find_all(string=True)}
    own = [w for s in el.find_all(string=True) if id(s) not in linked for w in str(s).split()]
    return all(_CONTENTS_NUMBER.fullmatch(w) for w in own)


def _html_pager(el) -> bool:
    """A page's "Next: ..., Previous: ..., Up: ..." bar (links marked ``rel="next"``/``"prev"``, or with DocBook's access
    keys, and another kind, little text besides, no heading or list): navigation that generated manuals (texinfo, Sphinx,
    javadoc, DocBook) repeat on every page, not content. A sentence with one link to the next chapter is content."""
    inside = _elements_within(el, _PAGER_TAGS)
    if inside is None:
        return False
    if any(t.name in _PAGER_CONTENT for t in inside):
        return False
    links = [t for t in inside if t.name == "a" and t.has_attr("href")]
    rels = {r for a in links for r in (a.get("rel") or ())}
    rels = (rels | {_PAGER_ACCESS_KEYS.get(k.lower()) for a in links for k in a.get_attribute_list("accesskey") if k}) & _PAGER_RELS
    if not rels & {"next", "prev", "previous"} or len(rels) < 2:
        return False
    own = len(el.get_text(" ").split()) - sum(len(a.get_text(" ").split()) for a in links)
    return own <= _PAGER_WORDS


def _qanda_question(el) -> bool:
    """A question of a question-and-answer set, as DocBook and FAQ generators mark it (``<tr class="question">``,
    ``<div class="question">``, ``<dt class="question">``)."""
    return el.name in ("tr", "div", "dt") and "question" in (el.get("class") or [])


def _prose_of(el) -> str:
    """``el``'s text without what it shows as code (``<pre>``), what is not shown (``_html_skipped``), comments or
    processing instructions."""
    from bs4.element import PreformattedString

    def shown(t) -> bool:
        if isinstance(t, PreformattedString):
            return False
        for parent in t.parents:
            if parent is el:
                return True
            if parent.name in _HTML_PRE or _html_skipped(parent):
                return False
        return True

    return "".join(str(t) for t in el.find_all(string=True) if shown(t))


def _html_blocks(soup) -> list[tuple[str, str]]:
    """("heading" | "text" | "pre" | "term", text) in document order, and ("list", "") where a definition list
    (``<dl>``) opens or ends or a definition (``<dd>``) ends; every text node is used exactly once.

    A tree walk rather than ``get_text`` of each block: parsers nest unclosed tags (``<p>`` left
    open runs to the end of its parent), so a block's text includes its descendants' blocks.
    """
    from bs4 import NavigableString, Tag
    from bs4.element import PreformattedString

    blocks: list[tuple[str, str]] = []
    buffer: list[str] = []
    state = {"heading": 0, "pre": 0, "term": 0, "row": 0, "breaks": 0}
    mark = [""]  # a list item's mark ("- ", "2. "), waiting for the item's first text

    def flush() -> None:
        raw = "".join(buffer)
        buffer.clear()
        if mark[0] and raw.strip() and not (state["heading"] or state["term"] or state["pre"]):
            raw, mark[0] = mark[0] + raw.lstrip(), ""
        if _CELL in raw:  # the cells of a row that hold text, parted by " | "
            raw = " | ".join(c.strip() for c in raw.split(_CELL) if c.strip())
        state["breaks"] = 0
        if not raw.strip():
            return
        if state["heading"]:
            blocks.append(("heading", " ".join(raw.split())))
        elif state["term"]:
            blocks.append(("term", " ".join(raw.split())))
        elif state["pre"]:
            blocks.append(("pre", raw))
        else:
            blocks.append(("text", " ".join(raw.split())))

    # An explicit stack, not recursion: unclosed tags nest as deep as the page is long.
    # Each entry: (the element's remaining children, its kind: "inline", "block", "item" (a list item), "heading" or "pre").
    stack: list[tuple[Iterator, str]] = [(iter(soup.children), "block")]
    while stack:
        children, kind = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if kind != "inline":
                flush()  # the end of a block
                if kind in ("heading", "pre", "term", "row"):
                    state[kind] = max(0, state[kind] - 1)
                if kind == "item":
                    mark[0] = ""  # an item without text of its own marks nothing after it
                if kind in ("dl", "dd"):  # a term whose list or definition ended without text stays alone
                    blocks.append(("list", ""))
            continue
        if isinstance(child, NavigableString):
            if isinstance(child, PreformattedString):  # comments, doctype, CDATA, processing instructions
                continue
            buffer.append(str(child))
            if str(child).strip():
                state["breaks"] = 0
            continue
        if not isinstance(child, Tag) or _html_skipped(child):
            continue
        name = child.name
        if name == "br":
            state["breaks"] += 1
            if state["breaks"] >= 2 and not state["pre"]:  # <br><br>: a paragraph break in old-style HTML
                flush()
            else:
                buffer.append("\n")
            continue
        if name in _HTML_CELLS and state["row"] and not state["pre"]:
            # a row of a data table reads as one line, its cells parted by " | ": "CONFIG | 1024 | Monitor which
            # config files are loaded" is one fact; cell by cell, "1024" was a sentence of its own
            buffer.append(_CELL)
            stack.append((iter(child.children), "inline"))
            continue
        if name not in _HTML_BLOCKS:
            stack.append((iter(child.children), "inline"))  # its text joins the current paragraph
            continue
        flush()
        if _qanda_question(child) and not state["pre"]:
            # A FAQ's question titles its answer, as a heading does: the answer is its section, so the sentences
            # after the question are the next entry's no more. It stays a sentence too, for the words a user's
            # question shares with it to find the entry. What it shows in <pre> (an error message) stays code.
            shown = child.find_all(list(_HTML_PRE))
            cells = child.find_all(list(_HTML_CELLS)) or [child]  # a row's cells are words apart ("2.1." "Why ...?")
            title = " ".join(" ".join(_prose_of(cell) for cell in cells).split())
            if title:
                blocks += [("heading", title), ("text", title)]
            blocks.extend(("pre", pre.get_text()) for pre in shown)
            continue
        if state["heading"] and name not in _HTML_HEADINGS:
            state["heading"] = 0  # a block inside a heading (an unclosed <h2>): the heading ended before it
        if name == "dl":
            blocks.append(("list", ""))  # a new definition list: a term left without a definition stays alone
        kind = (
            "heading" if name in _HTML_HEADINGS else "pre" if name in _HTML_PRE else "term" if name == "dt"
            else "dl" if name == "dl" else "dd" if name == "dd"
            else "row" if name == "tr" and not state["pre"] and _data_row(child)
            else "block"
        )  # fmt: skip
        if kind in ("heading", "pre", "term", "row"):
            state[kind] += 1
        if name == "li" and not state["pre"] and kind == "block":
            # an item reads with its mark, as Markdown's does: "- The brew uses ..." is an item of the list its
            # paragraph announces; without the mark an answer gave the announcement and the first item only
            mark[0], kind = _item_mark(child), "item"
        stack.append((iter(child.children), kind))
    flush()
    return blocks


def _item_mark(item) -> str:
    """A list item's mark: its number in an ordered list ("3. "), a dash in any other."""
    parent = item.parent
    if parent is None or parent.name != "ol":
        return "- "
    try:
        start = int(parent.get("start", 1))
    except ValueError:
        start = 1
    return f"{start + len(item.find_previous_siblings('li'))}. "


def clean_html_blocks(blocks: list[tuple[str, str]]) -> list[Paragraph]:
    """Paragraphs of sentences from HTML blocks; a heading opens a section (and a new part).

    Unlike ``clean_plain`` nothing is guessed: HTML marks its headings, so an all-caps paragraph
    stays text, a paragraph starting with ``#`` (a C ``#include``) is not a heading, and digits are
    never footnote markers (``Version 1.4`` keeps its ``4``; real footnote references are ``<sup>``).
    A ``<pre>`` block is kept (code and its comments are content: versions, constants, calls),
    one paragraph per run of lines between blank lines, whitespace collapsed.
    """
    section = INTRODUCTION
    part = 0
    paragraphs: list[Paragraph] = []
    terms: list[str] = []  # a definition list's terms (<dt>) waiting for their definition (<dd>)

    def add(body: str) -> None:
        sentences = tuple(SentenceRecord(body[s:e], section, None) for s, e in split_sentences(body))
        if sentences:
            paragraphs.append(Paragraph(section, sentences, part))

    for kind, text in blocks:
        if kind == "term":
            terms.append(text)
            continue
        if kind in ("heading", "list"):
            if terms:  # terms without a definition stay text
                add("; ".join(terms))
                terms.clear()
            if kind == "list":
                continue
            section = text
            part += 1
            continue
        bodies = [b for b in (" ".join(b.split()) for b in re.split(r"\n\s*\n", text)) if b] if kind == "pre" else [text]
        if terms and bodies:
            # a definition opens with its term: "depfile: path to an optional Makefile ..." (on its own, "path to
            # an optional Makefile ..." never says what it defines)
            lead = "; ".join(terms)
            # "depfile: path to ...", "Is the pool heated?: Yes."; a term that ends its own sentence ("... in turns per
            # minute.") is followed by its definition, not glued to it
            bodies = [f"{lead}{'' if lead.endswith((':', '.')) else ':'} {bodies[0]}"] + bodies[1:]
            terms.clear()
        for body in bodies:
            add(body)
    if terms:
        add("; ".join(terms))
    return paragraphs


# --------------------------------------------------------------------------- loaders
def _load_txt(path: Path) -> list[Paragraph]:
    text = path.read_text(encoding="utf-8")
    if looks_pdf_extracted(text):
        return clean_pages(split_layout_pages(text), page_headings=True)
    return clean_plain(text)


# Where an HTML comment in Markdown may open (with the blanks before it); an inline code span is matched first, as it is
# code ("`<!--`")
_COMMENT_OPENING = re.compile(r"`[^`\n]*`|[ \t]*<!--")
_BLANKS = re.compile(r"[ \t]*")


def markdown_visible(text: str) -> str:
    """Markdown without its HTML comments (``<!-- ... -->``, over one line or several), which a reader never sees:
    version notes, editor hints, lint pragmas. A comment is a blank: one that fills its line ends the block above it,
    as an HTML block does. Inside a code fence or inline code it is code and stays; a "<!--" never closed is text."""
    last = text.rfind("-->")  # no comment opened after the last "-->" closes
    if last < 0:
        return text
    lines = text.split("\n")
    fenced = _fenced(lines)
    line_starts = list(accumulate((len(line) + 1 for line in lines), initial=0))
    kept: list[str] = []
    at = pos = 0
    while m := _COMMENT_OPENING.search(text, pos, last):
        pos = m.end()
        if m.group().startswith("`") or fenced[bisect_right(line_starts, m.start()) - 1]:
            continue
        kept += [text[at : m.start()], " "]
        at = pos = _BLANKS.match(text, text.index("-->", m.end()) + 3).end()
    return "".join(kept) + text[at:]


# Markdown's inline markup, as a reader sees it: an image shows its alt text, a link its text (inline "[text](url)" or
# by reference "[text][ref]"), bold text its text; a link's definition ("[ref]: https://...") is not shown at all.
_MD_TEXT = r"([^\]\n]*(?:\n[^\]\n]+)?)"  # a link's text, over two lines at most (Markdown wrapped at a width)
_MD_IMAGE = re.compile(r"!\[" + _MD_TEXT + r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)")
_MD_LINK = re.compile(r"\[" + _MD_TEXT + r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)")
_MD_REFERENCE = re.compile(r"\[" + _MD_TEXT + r"\]\[[^\]\n]*\]")
_MD_BOLD = re.compile(r"(\*\*)(?=\S)(.+?)(?<=\S)\*\*|(?<!\w)(__)(?=\S)(.+?)(?<=\S)__(?!\w)")  # "__" not inside a word: "a__b__c"
_MD_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s+\S+.*$")
# a footnote ("[^1]: The board was created in 2009."): its text is read where it stands, its mark is not; the mark that
# refers to it ("... member cities.[^1]") is dropped, as an HTML footnote's is. "[^}]" in a regular expression, whose
# label no footnote defines, stays.
_MD_FOOTNOTE = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:[ \t]*")
_MD_CODE_SPAN = re.compile(r"(`+)[^`\n]*?\1")
# an item of a table of contents: a bullet or number and one link to a place in a document ("* [Triagers](#triagers)")
_MD_CONTENTS_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[^\]\n]+\]\((?![a-z][\w+.-]*:)[^()\s#]*#[^()\s]+\)\s*$", re.I)


def markdown_inline(text: str) -> str:
    """Markdown as it reads: links, images and bold text as their text, link definitions dropped, footnotes read where
    they stand without their marks, code (fenced or ``inline``) as written; an indented line is read too (a nested
    list's item is indented as code is). A README's
    "[rbenv](https://github.com/rbenv/rbenv)" was a sentence's words, its address searched and shown."""
    lines = text.split("\n")
    fenced = _fenced(lines)
    notes = {m.group(1) for line, code in zip(lines, fenced) if not code and (m := _MD_FOOTNOTE.match(line))}
    marks = re.compile(r"\[\^(?:" + "|".join(re.escape(n) for n in sorted(notes)) + r")\]") if notes else None
    out: list[str] = []
    prose: list[str] = []  # the lines since the last code, read together: a link's text may wrap onto the next line

    def flush() -> None:
        read = [_MD_FOOTNOTE.sub("", line) if notes else line for line in _without_contents(prose)]
        joined = "\n".join(line for line in read if not _MD_DEFINITION.match(line))
        joined = _MD_REFERENCE.sub(r"\1", _MD_LINK.sub(r"\1", _MD_IMAGE.sub(r"\1", joined)))  # a link's text may hold code
        out.extend(_as_read(line, marks) for line in joined.split("\n") if prose)
        prose.clear()

    for line, code in zip(lines, fenced):
        if code:
            flush()
            out.append(line)
        else:
            prose.append(line)
    flush()
    return "\n".join(out)


def _without_contents(lines: list[str]) -> list[str]:
    """``lines`` without a table of contents: a list of two or more items that are each only a link to a place in a
    document (blank lines between them aside). It repeats the headings, as a site's contents do (``_html_contents``)."""
    kept: list[str] = []
    run: list[str] = []  # the contents items met since the last other line, and the blank lines between them
    for line in lines + [""]:
        if _MD_CONTENTS_ITEM.match(line) or (run and not line.strip()):
            run.append(line)
            continue
        items = sum(1 for r in run if r.strip())
        kept += [r for r in run if not r.strip()] if items >= _CONTENTS_LINKS else run
        run = []
        kept.append(line)
    return kept[:-1]


def _outside_code(line: str, read: Callable[[str], str]) -> str:
    """``line`` with ``read`` applied to its text between code spans, the spans kept as written."""
    parts, at = [], 0
    for m in _MD_CODE_SPAN.finditer(line):
        parts += [read(line[at : m.start()]), m.group()]
        at = m.end()
    return "".join(parts + [read(line[at:])])


def _as_read(line: str, marks: re.Pattern | None = None) -> str:
    """``line`` without bold marks, and without the footnote ``marks``, outside its code spans ("**kwargs" in code is no
    bold, "`[^1]`" no footnote mark)."""

    def prose(part: str) -> str:
        part = _MD_BOLD.sub(lambda b: b.group(2) or b.group(4), part)
        return marks.sub("", part) if marks is not None else part

    return _outside_code(line, prose)


# HTML that Markdown passes through ("<details>", "<summary>Manual steps</summary>", '<a id="x"></a>', "used.<br>Also"):
# a reader sees what the tags hold, not the tags. A tag is HTML's when HTML names it and it is void ("<br>"), has
# HTML's attributes ('<a id="x">') or is closed in the document's text ("</details>"). "ping <address>" or "DROP
# TABLE <table>" is a placeholder, and a guide to an XML format ('<dir prefix="default">' in fontconfig's, whose
# "</dir>" is only in its examples of code) names its own elements: both stay.
_MD_HTML_NAMES = _HTML_BLOCKS | {"a", "abbr", "b", "br", "code", "em", "i", "img", "kbd", "picture", "span", "strong", "sub", "sup", "wbr"}
_MD_HTML_VOID = frozenset({"br", "hr", "img", "wbr"})
_MD_HTML_ATTRIBUTES = frozenset(
    "id name href src srcset alt title class style align valign width height border target rel open lang type media loading colspan rowspan".split()
)
_MD_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(\s[^<>]*)?/?>")
_MD_ATTRIBUTE_NAME = re.compile(r"([A-Za-z][\w:.-]*)\s*=")


def markdown_html(text: str) -> str:
    """Markdown without the HTML tags it holds (``_MD_HTML_NAMES``), their text kept; a line left blank ends its
    paragraph, as the block it marked did. Code, fenced or ``inline``, stays as written. Without this "<details>" and
    "</details>" were sentences of a README, and a heading of a collapsed part ("<summary>...") was glued to them."""
    if "<" not in text:
        return text
    lines = text.split("\n")
    prose = [n for n, (line, code) in enumerate(zip(lines, _fenced(lines))) if not code and "<" in line]
    # closed in the document's own text: a "</table>" in an example of code does not make "DROP TABLE <table>" a tag
    closed = {m.group(2).lower() for n in prose for m in _MD_HTML_TAG.finditer(_MD_CODE_SPAN.sub(" ", lines[n])) if m.group(1)}

    def shown(m: re.Match) -> str:
        name = m.group(2).lower()
        attributes = [a.lower() for a in _MD_ATTRIBUTE_NAME.findall(m.group(3) or "")]
        html_attributes = any(a in _MD_HTML_ATTRIBUTES or a.startswith(("data-", "aria-")) for a in attributes)
        is_html = name in _MD_HTML_NAMES and (name in _MD_HTML_VOID or html_attributes or (name in closed and not attributes))
        return " " if is_html else m.group(0)

    for n in prose:
        lines[n] = _outside_code(lines[n], lambda part: _MD_HTML_TAG.sub(shown, part))
        if not lines[n].strip():
            lines[n] = ""  # a line of tags alone ends its paragraph, as the block it marked did
    return "\n".join(lines)


def _load_md(path: Path) -> list[Paragraph]:
    return clean_plain(markdown_inline(markdown_html(markdown_visible(path.read_text(encoding="utf-8")))))


# reStructuredText's markup, as plain text reads it: an explicit markup line (".. note::", ".. _target:", a comment),
# a role (":ref:`Text <target>`"), a link ("`Text <url>`_"), a literal ("``x``"), "::" that opens a literal block, and
# a title's adornment in any of reST's characters (read as a rule, so ``plain_structure`` finds the title).
_RST_MARKUP_LINE = re.compile(r"^\s*\.\.(?:\s|$)")
_RST_ROLE = re.compile(r":[\w.-]+:`([^`<]*?)\s*(?:<[^`>]*>)?`")
_RST_LINK = re.compile(r"`([^`<]+?)\s*<[^`>]*>`_{1,2}")
_RST_LITERAL = re.compile(r"``([^`]+)``")
_RST_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+_:.])\1{2,}\s*$")
# a substitution reference ("|Logo|", "|Build Status|_"): a badge or an image set elsewhere, not words of the text
# (a grid table's "| cell |" has a space inside its bars)
_RST_SUBSTITUTION = re.compile(r"(?<![\w|])\|(?=\S)[^|\n]*?\S\|(?:__?)?(?![\w|])")


_RST_CODE_DIRECTIVE = re.compile(r"^\s*\.\.\s+(?:code-block|code|sourcecode|literalinclude|doctest|parsed-literal)::")
_RST_OPTION = re.compile(r"^\s*:[\w-]+:")  # a directive's option, on the lines under it: ":target: https://..."


def rst_literal_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) line of each literal block: the indented lines after a paragraph that ends in "::" or after a code
    directive (".. code-block:: cmake"; not another directive, ".. note::"), up to the next line indented no deeper
    than the line that opened it."""
    blocks: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        opens = line.rstrip().endswith("::") and not _RST_MARKUP_LINE.match(line)  # ".. note::" holds text, not code
        if not (opens or _RST_CODE_DIRECTIVE.match(line)):
            i += 1
            continue
        base, j = _indent(line), i + 1
        while j < len(lines) and _RST_CODE_DIRECTIVE.match(line) and _RST_OPTION.match(lines[j]):
            j += 1  # the directive's options (":caption: ...")
        first = last = None
        while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > base):
            if lines[j].strip():
                first, last = first if first is not None else j, j
            j += 1
        if first is not None:
            blocks.append((first, last))
        i = max(j, i + 1)
    return blocks


def rst_as_plain(text: str) -> str:
    """reStructuredText as the plain text it says: markup lines dropped (a directive's indented content stays), roles,
    links and literals reduced to their text, titles' adornments read as rules, and literal blocks left as they are,
    indented as code at least as deep as Markdown's (so "# then build it" in one is a comment, not a heading)."""
    lines = text.split("\n")
    code = [False] * len(lines)
    for first, last in rst_literal_blocks(lines):
        code[first : last + 1] = [True] * (last + 1 - first)
    out = []
    options = False  # the lines under a directive that set its options, up to the first that does not
    for n, line in enumerate(lines):
        if code[n]:
            out.append(" " * max(0, 4 - _indent(line)) + line if line.strip() else line)
            continue
        options = options and bool(_RST_OPTION.match(line))
        if _RST_MARKUP_LINE.match(line) or line.strip() == "::" or options:
            options = options or bool(_RST_MARKUP_LINE.match(line))
            out.append("")
            continue
        line = _RST_SUBSTITUTION.sub("", line)
        if _RST_ADORNMENT.match(line):  # as long as the title above reads once its markup is gone ("``retry``" as "retry")
            above = out[-1].strip() if out else ""
            out.append("-" * (max(3, min(len(line.strip()), len(above))) if above else len(line.strip())))
            continue
        line = _RST_LITERAL.sub(r"\1", _RST_LINK.sub(r"\1", _RST_ROLE.sub(r"\1", line)))
        out.append(re.sub(r"(?<=\S)::\s*$", ":", line))
    return "\n".join(out)


def _load_rst(path: Path) -> list[Paragraph]:
    return clean_plain(rst_as_plain(path.read_text(encoding="utf-8")))


def _load_pdf(path: Path) -> list[Paragraph]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages = _pdf_titles_marked([(i + 1, _pdf_page_lines(page)) for i, page in enumerate(reader.pages)])
    return clean_pages(without_running_lines(pages), page_headings=False, pdf=True)


def _pdf_page_lines(page) -> list[tuple[str, float, bool]]:
    """A PDF page's lines as pypdf extracts them, each with the size its smallest letter is printed at (0 when the
    page does not say) and whether every letter is bold. pypdf hands each run of text to ``visit`` with its font, size
    and matrices, in the order its text is built from them."""
    runs: list[tuple[str, float, bool, bool]] = []  # (text, size, bold, drawn again where it was drawn: a synthetic bold)
    drawn: dict[str, list[tuple[float, float]]] = {}

    def visit(text, cm, tm, font, size) -> None:
        # the text's height on the page: its font size times the vertical scale of text and page matrices together
        c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
        height = float(size or 0.0) * (c * c + d * d) ** 0.5
        x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        near = text.strip() and any(abs(x - x0) + abs(y - y0) <= 0.25 * height for x0, y0 in drawn.get(text, ()))
        bold = bool(_PDF_BOLD.search(str((font or {}).get("/BaseFont", ""))))
        runs.append((text, height, bold, bool(near)))
        drawn.setdefault(text, []).append((x, y))

    text = page.extract_text(visitor_text=visit) or ""
    if "".join(t for t, _, _, _ in runs) != text:
        return [(line, 0.0, False) for line in text.split("\n")]
    texts, sizes, weights = [""], [[]], [[]]
    for run, size, bold, again in runs:
        if again:  # "2.1. 2.1. distutilsdistutils": a heading drawn twice over itself is read once
            continue
        for k, part in enumerate(run.split("\n")):
            if k:
                texts.append("")
                sizes.append([])
                weights.append([])
            texts[-1] += part
            sizes[-1] += [size] * sum(ch.isalnum() for ch in part)
            weights[-1] += [bold] * sum(ch.isalnum() for ch in part)
    return [(t, min(z) if z else 0.0, bool(w) and all(w)) for t, z, w in zip(texts, sizes, weights)]


def _pdf_titles_marked(pages: list[tuple[int, list[tuple[str, float, bool]]]]) -> list[tuple[int, list[str]]]:
    """The pages' lines, a title marked (``_PDF_TITLE``) where the PDF sets a line apart from its body text (the size
    most letters are printed at): printed larger, or in bold throughout. Most reports title their sections so,
    neither numbered nor in capitals ("Adding a new target"). Lines set apart alike in a row are one title, so one
    wrapped over two lines is read whole; a quotation or a sentence set apart (one that opens on a quotation mark or
    ends as sentences end, "Boats must be registered.") is no title."""
    letters: dict[float, int] = {}
    for _, lines in pages:
        for text, size, _ in lines:
            letters[round(size, 1)] = letters.get(round(size, 1), 0) + sum(ch.isalnum() for ch in text)
    body = max(letters, key=letters.__getitem__, default=0.0)
    if body <= 0:
        return [(page, [t for t, _, _ in lines]) for page, lines in pages]

    def apart(text: str, size: float, bold: bool) -> bool:
        print_apart = size >= body * _PDF_TITLE_SCALE or (bold and size >= body * 0.98)
        return print_apart and sum(ch.isalpha() for ch in text) >= 3

    marked = []
    front = True  # a cover's lines (title, authors, publisher), before the first line of body text, stay text
    for page, lines in pages:
        out = [t for t, _, _ in lines]
        n = 0
        while n < len(lines):
            text, size, bold = lines[n]
            if not apart(text, size, bold):
                front = front and not (text.strip() and body * 0.98 <= size < body * _PDF_TITLE_SCALE)
                n += 1
                continue
            end = n + 1
            while end < len(lines) and apart(*lines[end]) and abs(lines[end][1] - size) <= 0.02 * size and lines[end][2] == bold:
                end += 1
            title = " ".join(" ".join(t for t, _, _ in lines[n:end]).split())
            if not front and _reads_as_title(title):
                out[n : end] = [_PDF_TITLE + title] + [""] * (end - n - 1)
            n = end
        marked.append((page, out))
    return marked


_RUNNING_EDGE = 2  # lines at the top and at the foot of a page where a running header or footer is printed
_PAGE_NUMBER_AT_EDGE = re.compile(r"^(\d{1,4})\b|\b(\d{1,4})$")  # a header's or footer's page number, first or last
_PDF_TITLE = "\x02"  # opens a line the PDF prints as a title (``_pdf_titles_marked``), for ``clean_pages``
_PDF_TITLE_SCALE = 1.15  # a title's letters are printed at least this much larger than the body text's (or in bold)
_PDF_BOLD = re.compile(r"bold|black|heavy|demi|semibold", re.I)  # a bold font's name ("OpenSans-Bold", "Arial,Bold")
_TITLE_WORDS = 20  # a title set apart by its print (larger, bold) is no longer than this
# ... and a line set apart so that is no title when it is a quotation (opens on a quotation mark) or a sentence (ends as one does)
_NOT_TITLE = re.compile(r"^[\"“‘'«]|[.,;:][\"”’'»)]*$")


def _reads_as_title(text: str) -> bool:
    """Text set apart by its print (a PDF's larger or bold line, a Word paragraph in bold) that reads as a title: short,
    not a list item, not a quotation or a sentence ("Boats must be registered.")."""
    return len(text.split()) <= _TITLE_WORDS and not _NOT_TITLE.search(text) and not _BULLET.match(text)


def without_running_lines(pages: list[tuple[int | None, list[str]]]) -> list[tuple[int | None, list[str]]]:
    """Pages without their running header and footer: a line at a page's top or foot that recurs there on at least
    half the pages (three or more), numbers aside ("Shared MIME-info Database", "Page 3 of 17", "Annual Report 2024"),
    or on two pages or more opening or ending on its page's number (a chapter's own header: "Chapter 2: Setup 4")."""

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.split())).lower()

    def edges(raw: list[str]) -> list[int]:
        idx = [i for i, ln in enumerate(raw) if ln.strip()]
        return sorted(set(idx[:_RUNNING_EDGE] + idx[-_RUNNING_EDGE:]))

    at_edges = [set(edges(raw)) for _, raw in pages]
    seen: dict[str, int] = {}
    numbered: dict[str, set[int]] = {}  # a line that opens or ends on a number: that number less its page's, each time
    for (page, raw), edge in zip(pages, at_edges):
        keys = {i: key(raw[i]) for i in edge}
        for k in set(keys.values()):
            seen[k] = seen.get(k, 0) + 1
        for i, k in keys.items():
            number = _PAGE_NUMBER_AT_EDGE.search(raw[i].strip())
            if page is not None and number is not None:
                numbered.setdefault(k, set()).add(int(number.group(1) or number.group(2)) - page)
    running = {k for k, n in seen.items() if n >= max(3, len(pages) / 2)}
    # ... or on two pages or more with its page's number, which counts as the pages do: a chapter's own ("Chapter 2: Setup 4")
    running |= {k for k, offsets in numbered.items() if seen[k] >= 2 and len(offsets) == 1}
    if not running:
        return pages
    return [(page, [ln for i, ln in enumerate(raw) if not (i in edge and key(ln) in running)]) for (page, raw), edge in zip(pages, at_edges)]


def _load_html(path: Path) -> list[Paragraph]:
    from bs4 import BeautifulSoup

    raw = path.read_bytes()
    try:
        soup = BeautifulSoup(raw.decode("utf-8"), "html.parser")
    except UnicodeDecodeError:  # an older page in its declared charset (<meta ... charset=ISO-8859-1>)
        soup = BeautifulSoup(raw, "html.parser")
    return clean_html_blocks(_html_blocks(_main_content(soup) or soup))


def _hidden(el) -> bool:
    """``el`` is marked hidden (``hidden``, ``aria-hidden="true"``)."""
    return el.has_attr("hidden") or str(el.get("aria-hidden", "")).lower() == "true"


def _html_hidden(el) -> bool:
    """``el``, or an element it lies in, is hidden or never shown (``<template>``)."""
    return any(e.name in _HTML_SKIP or _hidden(e) for e in (el, *el.parents))


def _main_content(soup):
    """The page's main content, when the page marks it (``<main>``, ``role="main"``) once and it holds text: the
    dominant content of the page, as HTML defines it. A help pop-up, a sidebar, a cookie notice or a banner is
    elsewhere (an mdBook page's "Press S or / to search in the book", hidden only by its style sheet)."""
    marked = [el for el in soup.find_all(lambda t: t.name == "main" or t.get("role") == "main") if not _html_hidden(el)]
    if len(marked) != 1:
        return None
    return marked[0] if marked[0].get_text(strip=True) else None


def _docx_table(table) -> str:
    """A Word table as a Markdown pipe table, so that each row is read as one sentence naming its cells by their
    column (``_table_row``); a cell merged across columns is read once, under its first column."""
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            cells.append("" if cell._tc is previous else " ".join(cell.text.split()).replace("|", "\\|"))
            previous = cell._tc
        if any(cells):
            rows.append(cells)
    if not rows:
        return ""
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows[1:]])


def _load_docx(path: Path) -> list[Paragraph]:
    """A Word file's paragraphs and tables in document order; a paragraph styled as a heading or title opens a section."""
    import docx
    from docx.table import Table

    parts: list[str] = []
    for block in docx.Document(str(path)).iter_inner_content():
        if isinstance(block, Table):
            parts.append(_docx_table(block))
            continue
        text = " ".join(block.text.split())
        if not text:
            continue
        style = (block.style.name or "").lower() if block.style is not None else ""
        parts.append(f"# {text}" if style.startswith(("heading", "title")) or _docx_bold_title(block, text) else text)
    return clean_plain("\n\n".join(p for p in parts if p))


def _docx_bold_title(paragraph, text: str) -> bool:
    """A paragraph in bold throughout, short, that does not end as a sentence does: a title typed by hand ("Eligibility"),
    as many Word files title their sections without a heading style. A bold lead-in ("Note: ...") is text."""
    from docx.text.hyperlink import Hyperlink

    runs = [r for item in paragraph.iter_inner_content() for r in (item.runs if isinstance(item, Hyperlink) else [item]) if r.text.strip()]
    style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
    bold = bool(runs) and all(r.bold or (r.bold is None and style_bold) for r in runs)
    return bold and _reads_as_title(text)


_LOADERS = {".txt": _load_txt, ".md": _load_md, ".rst": _load_rst, ".pdf": _load_pdf, ".html": _load_html, ".htm": _load_html, ".docx": _load_docx}


def load_document(path: Path, display_name: str) -> SourceDocument:
    """Read and clean one file; raises ``DocumentError`` naming the file and the reason."""
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise DocumentError(f"{display_name}: unsupported file type {path.suffix or '(none)'}; use one of {', '.join(SUPPORTED_SUFFIXES)}")
    try:
        paragraphs = loader(path)
    except UnicodeDecodeError:
        raise DocumentError(f"{display_name}: not UTF-8 text") from None
    except OSError as exc:
        raise DocumentError(f"{display_name}: cannot be read ({exc.strerror or exc})") from None
    except Exception as exc:  # a corrupt PDF/DOCX raises library-specific errors
        raise DocumentError(f"{display_name}: cannot be parsed ({type(exc).__name__}: {exc})") from None
    if not paragraphs:
        raise DocumentError(f"{display_name}: contains no text")
    return SourceDocument(display_name, _in_context([_unligated(p) for p in paragraphs]))


_CONTEXT_MARK = " › "


def _in_context(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """A heading the document repeats under other headings ("Fixed" under each version of a changelog, "Parameters"
    under each function) names its section with the heading it sits under ("[1.2.4] › Fixed"): alone it says nothing of
    which version or function, and a question that asks for one ("What was fixed in 1.2.4?") finds no word of it. So
    do the headings beside it, under the same heading ("Added" beside a "Fixed"), which are of the same kind."""
    seen: dict[str, set[int]] = {}
    for p in paragraphs:
        seen.setdefault(p.section, set()).add(p.part)
    repeated = {title for title, parts in seen.items() if len(parts) > 1}
    parents = {p.context for p in paragraphs if p.context and p.section in repeated}  # headings over a repeated one
    out = []
    for p in paragraphs:
        if p.context in parents:
            name = f"{p.context}{_CONTEXT_MARK}{p.section}"
            p = replace(p, section=name, sentences=tuple(replace(r, section=name) for r in p.sentences))
        out.append(p)
    return out


# A typeset ligature ("ﬁ" in "deﬁnes", as PDFs give it) as its letters, so that the word is the word a reader searches.
_LIGATURES = str.maketrans({chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)})
_LIGATURE = re.compile("[\ufb00-\ufb06]")


def _unligated(paragraph: Paragraph) -> Paragraph:
    if not any(_LIGATURE.search(s.text) or _LIGATURE.search(s.section) for s in paragraph.sentences):
        return paragraph
    sentences = tuple(replace(s, text=s.text.translate(_LIGATURES), section=s.section.translate(_LIGATURES)) for s in paragraph.sentences)
    return replace(paragraph, section=paragraph.section.translate(_LIGATURES), sentences=sentences)


def _visible_files(source_dir: Path) -> list[Path]:
    """Files under ``source_dir`` (recursively), hidden ones skipped, in a stable order."""
    if not source_dir.is_dir():
        return []
    return sorted(p for p in source_dir.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(source_dir).parts))


def find_documents(source_dir: Path) -> list[Path]:
    """The files under ``source_dir`` of a type that is read."""
    return [p for p in _visible_files(source_dir) if p.suffix.lower() in SUPPORTED_SUFFIXES]


def unsupported_files(source_dir: Path) -> list[Path]:
    """The files under ``source_dir`` of a type that is not read: named in the index report, so that a user who added
    "diagram.svg" learns why it is not answered from."""
    return [p for p in _visible_files(source_dir) if p.suffix.lower() not in SUPPORTED_SUFFIXES]


def display_name(path: Path, source_dir: Path) -> str:
    return f"{source_dir.name}/{path.relative_to(source_dir).as_posix()}"


# --------------------------------------------------------------------------- titles
def humanize_file_name(source: str) -> str:
    """A file name as words ("regional-sustainability_brief.txt" -> "Regional sustainability brief")."""
    stem = Path(source).stem
    words = re.sub(r"[-_.]+", " ", stem).split()
    text = " ".join(words) or stem
    return text[:1].upper() + text[1:]


def _title_line(chunk) -> str:
    """The first sentence when it reads as a title line: a few words, capitalised, no closing punctuation."""
    texts = chunk.sentence_texts() if chunk.sentences else []
    first = texts[0].strip() if texts else ""
    if first and first[0].isupper() and len(first.split()) <= 12 and not _TERMINAL.search(first) and len(texts) > 1:
        return first
    return ""


_MANUAL_NAME = "name"  # the section a manual page (man, perldoc, pod2text) opens with: its one line names the page


def document_titles(chunks, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The title people see for each document (``Chunk.source`` -> title), read from its chunks.

    A title set in settings (by file name) wins; else the document's own title, i.e. the
    heading over its first passage (a Markdown ``# Title``, an HTML ``<h1>``, a text file's
    first heading line, or a short first line without a full stop, as in "Harbour Notes"; a
    manual page's NAME line rather than "Name");
    other documents are named by their file name in words. Never the internal path.
    """
    overrides = overrides or {}
    first: dict[str, object] = {}
    for c in chunks:
        if c.source not in first or c.order < first[c.source].order:
            first[c.source] = c
    titles = {}
    for source, chunk in first.items():
        name = Path(source).name
        if name in overrides:
            titles[source] = overrides[name]
        elif chunk.section and chunk.section.strip().lower() == _MANUAL_NAME and chunk.sentence_texts():
            titles[source] = chunk.sentence_texts()[0]  # a manual page's NAME line: "xargs - build and execute command lines ..."
        elif chunk.section and chunk.section != INTRODUCTION:
            titles[source] = chunk.section
        elif _title_line(chunk):
            titles[source] = _title_line(chunk)
        else:
            titles[source] = humanize_file_name(source)
    return titles
