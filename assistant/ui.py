"""What people see: the Gradio chat (mounted at ``/``), the source view and the embed page.

Answers are rendered to HTML here, by us, with every piece of text escaped
(``html.escape``) and only our own tags around it; the chatbot shows that HTML with
markdown rendering off, so nothing in a question or a passage is ever interpreted as
markup (``<script>``, ``<img onerror>``, ``[x](javascript:...)`` all show as text).

A citation ``[n]`` is a link to the passage in the source view (``/source``, the brief
by section, one anchor per passage, the supporting sentences highlighted) with a hover
card showing the passage; under each answer a "Sources" list opens each passage in place.
"""
import html
import os
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no calls home

from .documents import humanize_file_name
from .types import Answer, Chunk, Citation

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")

CSS = """
.gradio-container { max-width: 960px !important; margin: 0 auto !important; }
#chat .message-wrap { font-size: 1rem; }
.answer p { margin: 0 0 .5em 0; }
.answer { position: relative; }
.cite-wrap { position: static; display: inline; }
a.cite { text-decoration: none; font-weight: 600; font-size: .85em; vertical-align: super; padding: 0 .1em; }
.cite-pop { display: none; position: absolute; z-index: 50; left: 0; right: 0; margin-top: .3em; max-height: 50vh; overflow-y: auto;
  background: var(--background-fill-primary, #fff); color: var(--body-text-color, #111); border: 1px solid var(--border-color-primary, #ccc);
  border-radius: 8px; padding: .6em .8em; box-shadow: 0 6px 24px rgba(0,0,0,.18); font-size: .85rem; font-weight: 400; line-height: 1.4; }
.cite-wrap:hover .cite-pop, .cite-wrap:focus-within .cite-pop { display: block; }
.where { display: block; font-weight: 600; margin-bottom: .3em; }
mark { background: #ffe58a; color: inherit; padding: 0 .1em; border-radius: 2px; }
.sources { margin-top: .6em; border-top: 1px solid var(--border-color-primary, #ddd); padding-top: .4em; font-size: .9rem; }
.sources-title { font-weight: 600; margin-bottom: .2em; }
.sources details { margin: .25em 0; }
.sources summary { cursor: pointer; }
.sources blockquote { margin: .3em 0 .3em .4em; padding-left: .6em; border-left: 3px solid var(--border-color-primary, #ccc); }
.refusal { font-style: normal; }
.refusal ul { margin: .3em 0 0 1.2em; }
.notice { font-size: .85rem; opacity: .8; }
@media (max-width: 640px) {
  .gradio-container { padding: 4px !important; }
  #chat { height: 62vh !important; }
  .cite-pop { position: fixed; left: 4vw; right: 4vw; top: 20vh; width: auto; }
}
"""


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


def render_answer(answer: Answer, passages: Mapping[str, Chunk] | None = None) -> str:
    """An answer as safe HTML: linked [n] markers with hover cards, then the sources list."""
    passages = passages or {}
    if answer.refused:
        parts = [f'<div class="answer refusal"><p>{esc(answer.answer)}</p>']
        if answer.suggestions:
            parts.append("<p>Topics the brief does cover:</p><ul>" + "".join(f"<li>{esc(t)}</li>" for t in answer.suggestions) + "</ul>")
        parts.append("</div>")
        return "".join(parts)

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
                f'data-chunk="{esc(c.chunk_id)}" aria-label="source {n}: {esc(cited_where(c))}">[{n}]</a>'
                f'<span class="cite-pop" role="tooltip"><span class="where">[{n}] {esc(cited_where(c))}</span>{highlight(c.text, c.quote)}</span></span>'
            )
        return "".join(links)

    body, pos = [], 0
    for m in MARKER.finditer(answer.answer):
        body.append(esc(answer.answer[pos : m.start()]))
        body.append(marker(m))
        pos = m.end()
    body.append(esc(answer.answer[pos:]))
    parts = [f'<div class="answer"><p>{"".join(body)}</p>']
    if answer.notice:
        parts.append(f'<p class="notice">{esc(answer.notice)}</p>')
    if answer.citations:
        parts.append('<div class="sources"><div class="sources-title">Sources</div>')
        for c in answer.citations:
            parts.append(
                f'<details class="source" data-chunk="{esc(c.chunk_id)}"><summary>[{c.n}] <span class="src-quote">“{esc(quote_line(c))}”</span>'
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
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{PAGE_CSS}</style></head><body>"
        '<header><a href="/">← Ask the assistant</a></header>'
        f'<main>{"".join(body)}</main></body></html>'
    )


# ---------------------------------------------------------------------------- Gradio chat
def build_chat(assistant, *, limiter=None, feedback=None):
    """The Gradio Blocks of the chat page."""
    import gradio as gr

    def user_html(text: str) -> str:
        return f"<p>{esc(text)}</p>"

    def respond(message: str, chat: list, turns: list, request: gr.Request | None = None):
        chat = list(chat or [])
        turns = list(turns or [])
        message = message or ""
        if not message.strip():
            gr.Warning("Type a question first.")
            yield chat, turns, message
            return
        if limiter is not None and request is not None:
            client = request.client.host if getattr(request, "client", None) else "unknown"
            wait = limiter.hit(client)
            if wait:
                gr.Warning(f"Too many questions; try again in {int(wait) + 1} s.")
                yield chat, turns, message
                return
        history = [(t["question"], t["answer"]) for t in turns][-assistant.settings.max_history_turns :]
        chat.append({"role": "user", "content": user_html(message)})
        chat.append({"role": "assistant", "content": '<p class="notice">Looking in the documents…</p>'})
        yield chat, turns, ""
        text = ""
        try:
            for event in assistant.stream(message, history):
                if event["type"] == "delta":
                    text += event["text"]
                    chat[-1] = {"role": "assistant", "content": f'<div class="answer"><p>{esc(text.strip())}</p></div>'}
                    yield chat, turns, ""
                elif event["type"] == "replace":  # an LLM draft after verification removed what its passages do not support
                    text = event["text"]
                    chat[-1] = {"role": "assistant", "content": f'<div class="answer"><p>{esc(text.strip())}</p></div>'}
                    yield chat, turns, ""
                elif event["type"] == "done":
                    answer = Answer.model_validate(event["answer"])
                    passages = {c.chunk_id: assistant.passage(c.chunk_id) for c in answer.citations}
                    chat[-1] = {"role": "assistant", "content": render_answer(answer, passages)}
                    turns.append(
                        {
                            "msg": len(chat) - 1,
                            "question": message,
                            "answer": answer.answer,
                            "citations": [{"n": c.n, "chunk_id": c.chunk_id, "section": c.section, "page": c.page} for c in answer.citations],
                        }
                    )
                    yield chat, turns, ""
        except ValueError as exc:  # QuestionError: too long, malformed history
            chat[-1] = {"role": "assistant", "content": f'<p class="refusal">Sorry, I cannot take that question: {esc(exc)}.</p>'}
            yield chat, turns, ""

    def on_like(turns: list, data: gr.LikeData):
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = next((t for t in turns or [] if t["msg"] == index), None)
        if turn is None or feedback is None:
            return
        vote = "up" if data.liked is True or data.liked == "Like" else "down" if data.liked is False or data.liked == "Dislike" else None
        if vote is None:  # an un-vote
            return
        feedback.append({"question": turn["question"], "answer": turn["answer"], "citations": turn["citations"], "vote": vote, "via": "chat"})
        gr.Info("Thanks for the feedback.")

    def pick_example(chat, turns, evt: gr.SelectData, request: gr.Request):
        value = evt.value.get("text") if isinstance(evt.value, dict) else str(evt.value)
        yield from respond(value, chat, turns, request)

    name = assistant.settings.product_name
    with gr.Blocks(title=name, analytics_enabled=False, fill_height=True) as demo:
        gr.HTML(
            '<div style="display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:.5em">'
            f"<h2 style='margin:0'>{esc(name)}</h2>"
            '<span><a href="/source" target="_blank" rel="noopener">Read the documents by section ↗</a> · '
            '<a href="/api/docs" target="_blank" rel="noopener">API</a></span></div>'
            "<p style='margin:.2em 0 0'>Answers come only from the documents, "
            "with numbered citations: hover or open a [n] to see the passage.</p>"
        )
        turns = gr.State([])
        chatbot = gr.Chatbot(
            elem_id="chat",
            label="Conversation",
            height="62vh",
            render_markdown=False,
            sanitize_html=True,
            line_breaks=False,
            feedback_options=("Like", "Dislike"),
            examples=[{"text": q} for q in assistant.settings.starters],
            placeholder="Ask a question about the brief, or start with one of these:",
            buttons=["copy"],
        )
        with gr.Row(equal_height=True):
            box = gr.Textbox(
                placeholder="Ask about the brief…",
                show_label=False,
                scale=5,
                max_lines=4,
                max_length=assistant.settings.max_question_chars,
                elem_id="question",
                autofocus=True,
            )
            send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask")
        clear = gr.Button("Clear chat", size="sm", elem_id="clear")

        outputs = [chatbot, turns, box]
        box.submit(respond, [box, chatbot, turns], outputs, concurrency_limit=4, show_progress="minimal")
        send.click(respond, [box, chatbot, turns], outputs, concurrency_limit=4, show_progress="minimal")
        chatbot.example_select(pick_example, [chatbot, turns], outputs, concurrency_limit=4)
        chatbot.like(on_like, [turns], None)
        clear.click(lambda: ([], [], ""), None, outputs, queue=False)
        chatbot.clear(lambda: ([], [], ""), None, outputs, queue=False)
    return demo


def mount_chat(app, assistant, *, limiter=None, feedback=None, path: str = "/"):
    """Mount the Gradio chat on ``app`` (after every other route: a mount at "/" matches everything)."""
    import gradio as gr

    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    return gr.mount_gradio_app(
        app,
        build_chat(assistant, limiter=limiter, feedback=feedback),
        path=path,
        footer_links=[],
        run_history=False,
        show_error=False,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        enable_monitoring=False,
        theme=theme,
        css=CSS,
    )
