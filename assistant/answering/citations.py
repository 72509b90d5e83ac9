"""Citation markers ``[n]`` and the passages they point to, kept consistent.

Every marker in an answer has exactly one citation and every citation is referenced:
``renumber`` enforces it after sentences are added, reordered or removed.
"""
from __future__ import annotations

import re

from ..types import Chunk, Citation

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def markers_in(text: str) -> list[int]:
    """Marker numbers in order of first appearance."""
    seen: list[int] = []
    for group in MARKER.findall(text):
        for n in re.split(r"\s*,\s*", group):
            if int(n) not in seen:
                seen.append(int(n))
    return seen


def citation_for(n: int, chunk: Chunk, quote: str = "") -> Citation:
    return Citation(n=n, chunk_id=chunk.id, source=chunk.source, section=chunk.section, page=chunk.page, text=chunk.text, quote=quote)


def renumber(text: str, citations: list[Citation]) -> tuple[str, list[Citation]]:
    """Number citations 1..N in order of first use; drop unused ones and markers with no citation."""
    by_n = {c.n: c for c in citations}
    order = [n for n in markers_in(text) if n in by_n]
    mapping = {old: new for new, old in enumerate(order, start=1)}

    def fix(match: re.Match) -> str:
        nums = [mapping[int(n)] for n in re.split(r"\s*,\s*", match.group(2)) if int(n) in mapping]
        nums = sorted(set(nums))
        return f"{match.group(1)}[{', '.join(str(n) for n in nums)}]" if nums else ""  # a dropped marker takes its space

    # only the space a dropped marker leaves goes: the text's own is kept ("cp /etc/hosts .", "foo() { :; }")
    new_text = re.sub(r"(\s*)" + MARKER.pattern, fix, text)
    new_text = re.sub(r"[ \t]{2,}", " ", new_text).strip()
    return new_text, [by_n[old].model_copy(update={"n": new}) for old, new in mapping.items()]


def format_citation_line(c: Citation) -> str:
    where = c.section + (f", p. {c.page}" if c.page is not None else "")
    quote = (c.quote or c.text).strip()
    shown = quote if quote[:1] in "“\"‘" else f"“{quote}”"  # a quotation keeps its own marks, not doubled ones
    title = c.document or c.source.rsplit("/", 1)[-1]  # the document's title, as the chat and widget show it; never a folder path
    return f"[{c.n}] {title} · {where}: {shown}"
