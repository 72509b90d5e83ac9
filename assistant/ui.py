"""What people see: the Gradio chat (mounted at ``/``), the source view and the embed page.

Answers are rendered to HTML here, by us, with every piece of text escaped
(``html.escape``) and only our own tags around it; the chatbot shows that HTML with
markdown rendering off, so nothing in a question or a passage is ever interpreted as
markup (``<script>``, ``<img onerror>``, ``[x](javascript:...)`` all show as text).

A citation ``[n]`` is a link to the passage in the source view (``/source``, the brief
by section, one anchor per passage, the supporting sentences highlighted) with a hover
card showing the passage; under each answer a "Sources" list opens each passage in place.
"""
import hashlib
import html
import os
import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlencode

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no calls home

from .documents import humanize_file_name
from .types import Answer, Chunk, Citation

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")

STATIC = Path(__file__).resolve().parent / "static"  # chat.css and chat.js: the chat page's own style and behaviour


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
    lines = [answer.answer.strip()]
    if answer.notice:
        lines += ["", answer.notice]
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
    parts = [f'<div class="answer" data-plain="{esc(plain_answer(answer))}"><p>{"".join(body)}</p>']
    if answer.notice:
        parts.append(f'<p class="notice">{esc(answer.notice)}</p>')
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


# ---------------------------------------------------------------------------- Gradio chat
WORD_PACE = 0.025  # seconds between the words of an offline answer as they are shown (it is computed at once)


def stream_words(text: str, pace: float) -> Iterable[str]:
    """``text`` growing a few words at a time, ``pace`` seconds apart: visible streaming of an answer made at once."""
    words = text.split(" ")
    for end in range(2, len(words) + 2, 2):
        if pace:
            time.sleep(pace)
        yield " ".join(words[:end])


def build_chat(assistant, *, limiter=None, feedback=None, pace: float = WORD_PACE):
    """The Gradio Blocks of the chat page."""
    import gradio as gr

    settings = assistant.settings
    paced = pace if assistant.generator is None else 0.0  # an LLM's tokens stream by themselves

    def user_html(text: str) -> str:
        return f"<p>{esc(text)}</p>"

    def streaming_html(text: str) -> str:
        return f'<div class="answer streaming" data-plain="{esc(text.strip())}"><p>{esc(text.strip())}</p></div>'

    def buttons(running: bool):
        return gr.update(visible=not running), gr.update(visible=running)

    def respond(message: str, chat: list, turns: list, request: gr.Request | None = None):
        chat = list(chat or [])
        turns = list(turns or [])
        message = message or ""
        idle = buttons(False)
        if not message.strip():
            gr.Warning("Type a question first.")
            yield chat, turns, message, *idle
            return
        if limiter is not None and request is not None:
            client = request.client.host if getattr(request, "client", None) else "unknown"
            wait = limiter.hit(client)
            if wait:
                gr.Warning(f"Too many questions; try again in {int(wait) + 1} s.")
                yield chat, turns, message, *idle
                return
        history = [(t["question"], t["answer"]) for t in turns][-settings.max_history_turns :]
        chat.append({"role": "user", "content": user_html(message)})
        chat.append({"role": "assistant", "content": '<p class="notice">Looking in the documents…</p>'})
        yield chat, turns, "", *buttons(True)
        skip = (gr.skip(), gr.skip())
        text = ""
        try:
            for event in assistant.stream(message, history):
                if event["type"] in ("delta", "replace"):  # replace: an LLM draft after verification removed what its passages do not support
                    shown = text
                    text = text + event["text"] if event["type"] == "delta" else event["text"]
                    pieces = stream_words(event["text"], paced) if paced and event["type"] == "delta" else [text[len(shown) :]]
                    for piece in pieces:
                        chat[-1] = {"role": "assistant", "content": streaming_html(shown + piece)}
                        yield chat, turns, gr.skip(), *skip
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
                    yield chat, turns, gr.skip(), *idle
        except ValueError as exc:  # QuestionError: too long, malformed history
            chat[-1] = {"role": "assistant", "content": f'<p class="refusal">Sorry, I cannot take that question: {esc(exc)}.</p>'}
            yield chat, turns, gr.skip(), *idle

    def stopped(chat: list):
        chat = list(chat or [])
        if chat and chat[-1].get("role") == "assistant":
            content = chat[-1]["content"]  # Gradio sends a message's content back as a list of parts
            text = content if isinstance(content, str) else "".join(p.get("text", "") for p in content if isinstance(p, dict))
            chat[-1] = {"role": "assistant", "content": text + '<p class="notice">Stopped.</p>'}
        return chat, *buttons(False)

    def on_like(turns: list, data: gr.LikeData):
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = next((t for t in turns or [] if t["msg"] == index), None)
        if turn is None or feedback is None:
            return
        liked = data.liked
        vote = "up" if liked is True or liked == "Like" else "down" if liked is not None and liked != "" else None
        if vote is None:  # an un-vote
            return
        reason = liked if isinstance(liked, str) and liked not in ("Like", "Dislike") else None
        record = {"question": turn["question"], "answer": turn["answer"], "citations": turn["citations"], "vote": vote, "via": "chat"}
        feedback.append({**record, **({"reason": reason} if reason else {})})
        gr.Info("Thanks for the feedback.")

    def pick_example(chat, turns, evt: gr.SelectData, request: gr.Request):
        value = evt.value.get("text") if isinstance(evt.value, dict) else str(evt.value)
        yield from respond(value, chat, turns, request)

    name = settings.product_name
    with gr.Blocks(title=name, analytics_enabled=False, fill_height=True) as demo:
        with gr.Row(elem_id="top", equal_height=True):
            gr.HTML(
                f'<header class="top"><h1>{esc(name)}</h1>'
                '<p class="intro">Answers come only from the documents, with numbered citations: hover or tap a [n] to see the passage. '
                '<a href="/source" target="_blank" rel="noopener">Read the documents ↗</a> · '
                '<a href="/api/docs" target="_blank" rel="noopener">API</a></p></header>',
                elem_id="masthead",
            )
            new_chat = gr.Button("New chat", size="sm", scale=0, min_width=90, elem_id="new-chat")
        turns = gr.State([])
        # The conversation in the browser's localStorage, kept across reloads. It is the person's own
        # conversation in their own browser: the secret only has to stay the same across server restarts.
        secret = hashlib.sha256(f"{name}|{settings.index_dir.resolve()}".encode()).hexdigest()[:32]
        saved = gr.BrowserState({"chat": [], "turns": []}, storage_key="assistant-conversation", secret=secret)
        chatbot = gr.Chatbot(
            elem_id="chat",
            label="Conversation",
            show_label=False,
            autoscroll=False,  # chat.js keeps the new question at the top while its answer arrives
            height="62vh",
            layout="panel",
            render_markdown=False,
            sanitize_html=True,
            line_breaks=False,
            feedback_options=("Like", "Dislike", "Wrong source", "Incomplete"),
            examples=[{"text": q} for q in settings.starters],
            placeholder="Ask a question about the documents, or start with one of these:",
            buttons=["copy"],
        )
        with gr.Row(equal_height=True, elem_id="ask-row"):
            box = gr.Textbox(
                placeholder="Ask about the documents…",
                show_label=False,
                scale=5,
                max_lines=4,
                max_length=settings.max_question_chars,
                elem_id="question",
                autofocus=True,
            )
            send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask")
            stop = gr.Button("Stop", variant="stop", scale=1, min_width=80, elem_id="stop", visible=False)

        def save(chat, kept):
            return {"chat": chat or [], "turns": kept or []}

        def restore(state):
            state = state if isinstance(state, dict) else {}
            return state.get("chat") or [], state.get("turns") or []

        outputs = [chatbot, turns, box, send, stop]
        asked = [
            box.submit(respond, [box, chatbot, turns], outputs, concurrency_limit=4, show_progress="hidden"),
            send.click(respond, [box, chatbot, turns], outputs, concurrency_limit=4, show_progress="hidden"),
            chatbot.example_select(pick_example, [chatbot, turns], outputs, concurrency_limit=4, show_progress="hidden"),
        ]
        for event in asked:
            event.then(save, [chatbot, turns], saved, queue=False, show_progress="hidden")
        stop.click(stopped, [chatbot], [chatbot, send, stop], cancels=asked, queue=False).then(save, [chatbot, turns], saved, queue=False)
        chatbot.like(on_like, [turns], None)
        new_chat.click(lambda: ([], [], "", {"chat": [], "turns": []}), None, [chatbot, turns, box, saved], queue=False)
        demo.load(restore, [saved], [chatbot, turns], queue=False, show_progress="hidden")
    return demo


def mount_chat(app, assistant, *, limiter=None, feedback=None, path: str = "/", pace: float = WORD_PACE):
    """Mount the Gradio chat on ``app`` (after every other route: a mount at "/" matches everything)."""
    import gradio as gr

    theme = gr.themes.Default(primary_hue="blue", font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]).set(
        # WCAG AA: white on blue-700 is 6.7:1 (Gradio's default orange is 2.8:1); placeholders neutral-500 (4.8:1 on white)
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_background_fill_dark="*primary_700",
        button_primary_background_fill_hover_dark="*primary_800",
        button_primary_text_color="white",
        button_primary_text_color_dark="white",
        button_cancel_background_fill="#b91c1c",  # Stop: white on red-700, 6.5:1
        button_cancel_background_fill_hover="#991b1b",
        button_cancel_background_fill_dark="#b91c1c",
        button_cancel_background_fill_hover_dark="#991b1b",
        button_cancel_text_color="white",
        button_cancel_text_color_dark="white",
        input_placeholder_color="*neutral_500",
        input_placeholder_color_dark="*neutral_400",
    )
    return gr.mount_gradio_app(
        app,
        build_chat(assistant, limiter=limiter, feedback=feedback, pace=pace),
        path=path,
        footer_links=[],
        run_history=False,
        show_error=False,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        enable_monitoring=False,
        theme=theme,
        # in the head, not css=: Gradio scopes css= under its content area, and the page's padding is outside it
        head=f"<style>{(STATIC / 'chat.css').read_text(encoding='utf-8')}</style><script>{(STATIC / 'chat.js').read_text(encoding='utf-8')}</script>",
    )
