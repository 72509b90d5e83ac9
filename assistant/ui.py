"""Answers and documents as HTML: the chat's messages (``render_answer``) and the source view (``/source``).

Answers are rendered to HTML here, by us, with every piece of text escaped
(``html.escape``) and only our own tags around it; the chatbot shows that HTML with
markdown rendering off, so nothing in a question or a passage is ever interpreted as
markup (``<script>``, ``<img onerror>``, ``[x](javascript:...)`` all show as text).

A citation ``[n]`` is a link to the passage in the source view (``/source``, each
document by title and section, one anchor per passage, the supporting sentences
highlighted) with a card showing the passage; under each answer a "Sources" list names
each source by document title and section with its quoted sentence, and opens it in place.
Documents are named by title, never by their path in the source folder.
"""
import html
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

from .documents import humanize_file_name
from .types import Answer, Chunk, Citation

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


# ---------------------------------------------------------------------------- HTML pieces
def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def where(c: Citation | Chunk) -> str:
    return c.section + (f", p. {c.page}" if c.page is not None else "")


def title_of(c: Citation) -> str:
    """The cited document's title (never its internal path)."""
    return c.document or humanize_file_name(c.source)


def cited_where(c: Citation) -> str:
    """"Document title · Section, p. 3": which document and where in it."""
    return f"{title_of(c)} · {where(c)}"


def shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def quote_line(c: Citation) -> str:
    """The quoted sentence(s), shortened: what tells two sources of one section apart."""
    return shorten(c.quote or c.text)


def highlight(text: str, quote: str) -> str:
    """The passage, escaped, with the quoted sentence(s) (pieces joined by ' … ') in <mark>."""
    spans: list[tuple[int, int]] = []
    for piece in (p.strip() for p in (quote or "").split(" … ")):
        if not piece:
            continue
        at = text.find(piece)
        if at >= 0:
            spans.append((at, at + len(piece)))
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(esc(text[pos:start]) + "<mark>" + esc(text[start:end]) + "</mark>")
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def quoted_sentences(chunk: Chunk | None, quote: str) -> list[int]:
    if chunk is None or not quote:
        return []
    return [i for i, s in enumerate(chunk.sentence_texts()) if s.strip() and s.strip() in quote]


def source_url(c: Citation, sentences: Iterable[int] = ()) -> str:
    query = {"cite": c.chunk_id}
    idx = ",".join(str(i) for i in sentences)
    if idx:
        query["s"] = idx
    return f"/source?{urlencode(query)}#c-{c.chunk_id}"


def plain_answer(answer: Answer) -> str:
    """An answer as people copy it: the text with its [n] markers, then a "Sources" list (no markup)."""
    lines = ([answer.notice, ""] if answer.notice else []) + [answer.answer.strip()]  # the notice qualifies what follows
    if answer.citations and not answer.refused:
        lines += ["", "Sources"]
        lines += [f"[{c.n}] {cited_where(c)}: “{quote_line(c)}”" for c in answer.citations]
    return "\n".join(lines)


def topic_question(topic: str) -> str:
    return f"What do the documents say about {topic}?"


def render_refusal(answer: Answer) -> str:
    """A refusal names the covered topics once, each a button that asks about it (chat.js)."""
    chips = "".join(f'<button type="button" class="topic" value="{esc(topic_question(t))}">{esc(t)}</button>' for t in answer.suggestions)
    listed = "; ".join(answer.suggestions)
    text = answer.answer
    at = text.rfind(listed) if listed else -1
    if chips and at >= 0:  # the sentence already lists them: the buttons stand in their place
        rest = text[at + len(listed) :].strip()
        body = f'{esc(text[:at].rstrip())} <span class="topics">{chips}</span>{esc(rest) if rest.strip(".") else ""}'
    elif chips:
        body = f'{esc(text)}</p><p class="topics">{chips}'
    else:
        body = esc(text)
    return f'<div class="answer refusal" data-plain="{esc(plain_answer(answer))}"><p>{body}</p></div>'


def render_answer(answer: Answer, passages: Mapping[str, Chunk] | None = None) -> str:
    """An answer as safe HTML: linked [n] markers with hover cards, then the sources list.

    ``data-plain`` carries the answer as plain text: what the copy button copies and
    screen readers hear (chat.js reads it from the message's content; the chat's
    sanitizer drops data- and aria- attributes from what it shows, so a link is named by its text).
    """
    passages = passages or {}
    if answer.refused:
        return render_refusal(answer)

    by_n = {c.n: c for c in answer.citations}
    urls = {c.n: source_url(c, quoted_sentences(passages.get(c.chunk_id), c.quote)) for c in answer.citations}

    def marker(match: re.Match) -> str:
        links = []
        for n in (int(x) for x in re.split(r"\s*,\s*", match.group(1))):
            c = by_n.get(n)
            if c is None:
                links.append(esc(f"[{n}]"))
                continue
            links.append(
                f'<span class="cite-wrap"><a class="cite" href="{esc(urls[n])}" target="_blank" rel="noopener" '
                f'title="{esc(cited_where(c))}">[{n}]<span class="sr-only"> source: {esc(cited_where(c))}</span></a>'
                f'<span class="cite-pop"><span class="where">[{n}] {esc(cited_where(c))}</span>'
                f'<a class="open" href="{esc(urls[n])}" target="_blank" rel="noopener">Open in the document ↗</a>{highlight(c.text, c.quote)}</span></span>'
            )
        return "".join(links)

    body, pos = [], 0
    for m in MARKER.finditer(answer.answer):
        body.append(esc(answer.answer[pos : m.start()]))
        body.append(marker(m))
        pos = m.end()
    body.append(esc(answer.answer[pos:]))
    parts = [f'<div class="answer" data-plain="{esc(plain_answer(answer))}">']
    if answer.notice:  # read before the answer it qualifies ("The documents may not answer this directly: ...")
        parts.append(f'<p class="notice caution" role="note">{esc(answer.notice)}</p>')
    parts.append(f'<p>{"".join(body)}</p>')
    if answer.citations:
        parts.append('<div class="sources"><div class="sources-title">Sources</div>')
        for c in answer.citations:
            parts.append(
                f'<details class="source"><summary>[{c.n}] <span class="src-quote">“{esc(quote_line(c))}”</span>'
                f'<span class="src-where">{esc(cited_where(c))}</span></summary>'
                f"<blockquote>{highlight(c.text, c.quote)}</blockquote>"
                f'<a href="{esc(urls[c.n])}" target="_blank" rel="noopener">Open in the document ↗</a></details>'
            )
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


PAGE_CSS = """
:root { color-scheme: light; --accent: #1f5fbf; }
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; padding: 0 1rem 4rem; max-width: 46rem;
  background: #fff; color: #1b1b1f; }
header { position: sticky; top: 0; background: #fff; padding: .6rem 0; border-bottom: 1px solid #ccc; z-index: 1; }
a { color: var(--accent); }
h1 { font-size: 1.4rem; margin: 1.2rem 0 .4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.toc-label { font-weight: 600; margin: .4rem 0 0; }
nav ol { padding-left: 1.2rem; margin-top: .2rem; } nav li { padding: .15rem 0; }
.chunk { padding: .4rem .6rem; border-radius: 6px; scroll-margin-top: 5rem; }
.chunk:target, .chunk.cited { background: #fff7d6; outline: 2px solid #b38600; color: #111; }
.page { font-size: .8rem; color: #545459; margin-left: .4rem; white-space: nowrap; }
.here { display: block; font-size: .85rem; color: #3f3f46; margin-top: .15rem; }
mark { background: #ffe58a; color: #111; }
"""


def source_page(chunks: list[Chunk], *, cite: str = "", sentences: str = "", titles: Mapping[str, str] | None = None) -> str:
    """The documents by section, one anchor ``#c-<chunk id>`` per passage; ``cite`` marks a cited passage.

    Each document is headed by its title (``titles``: ``Chunk.source`` -> title), never its path.
    """
    titles = titles or {}
    marked = {int(x) for x in sentences.split(",") if x.strip().isdigit()}
    by_source: dict[str, list[Chunk]] = {}
    for c in sorted(chunks, key=lambda c: (c.source, c.order)):
        by_source.setdefault(c.source, []).append(c)
    body, seen = [], set()
    names = [titles.get(source) or humanize_file_name(source) for source in by_source]
    for (source, items), name in zip(by_source.items(), names):
        toc, parts, section = [], [], None
        for c in items:
            if c.section != section:
                section = c.section
                slug = _slug(section)
                while slug in seen:
                    slug += "-x"
                seen.add(slug)
                toc.append(f'<li><a href="#{esc(slug)}">{esc(section)}</a></li>')
                parts.append(f'<h2 id="{esc(slug)}">{esc(section)}</h2>')
            cited = c.id == cite
            if cited and marked:
                texts = c.sentence_texts()
                quote = " … ".join(texts[i] for i in sorted(marked) if i < len(texts))
                text = highlight(c.text, quote)
            else:
                text = esc(c.text)
            page = f'<span class="page">p. {c.page}</span>' if c.page is not None else ""
            parts.append(f'<p class="chunk{" cited" if cited else ""}" id="c-{esc(c.id)}">{text}{page}</p>')
        body.append(
            f'<article><h1>{esc(name)}</h1><nav aria-label="Sections of {esc(name)}"><p class="toc-label">Sections</p><ol>{"".join(toc)}</ol></nav>'
            f'{"".join(parts)}</article>'
        )
    title = names[0] if len(names) == 1 else "The documents, by section"
    cited = next((c for c in chunks if c.id == cite), None)
    here = f' <span class="here">{esc(titles.get(cited.source) or humanize_file_name(cited.source))} · {esc(where(cited))}</span>' if cited else ""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{PAGE_CSS}</style></head><body>"
        f'<header><a href="/">← Ask the assistant</a>{here}</header>'
        f'<main>{"".join(body)}</main></body></html>'
    )
