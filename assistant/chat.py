"""The chat page: Gradio's Chatbot at ``/``, with what a chat product needs around it.

Answers stream in word by word (the offline answer is made at once; showing it
progressively is presentational), Stop cancels one, New chat empties the conversation,
and the conversation is kept in the browser (``BrowserState``) across reloads. What
Gradio's Chatbot lacks is done in the page (``static/chat.js``): copy and screen readers
get plain text, the new question stays at the top while its answer arrives, citation
cards open on tap and close on Escape, refusal topics ask when clicked, focus returns to
the question box. ``static/chat.css`` holds the styles: AA contrast, a phone layout with
44 px targets.
"""
import hashlib
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no calls home

from .types import Answer
from .ui import esc, render_answer

log = logging.getLogger("assistant.chat")
STATIC = Path(__file__).resolve().parent / "static"  # chat.css and chat.js: the chat page's own style and behaviour
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
        except Exception:  # the index unavailable, a bug: said in the chat, Ask back, the question kept to retry
            log.exception("error while answering in the chat")
            chat[-1] = {"role": "assistant", "content": '<p class="refusal">Sorry, something went wrong while answering. Try again in a moment.</p>'}
            yield chat, turns, message, *idle

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

    # WCAG AA in light and dark alike: white on blue-700 is 6.7:1 (Gradio's default orange is 2.8:1), Stop white on red-700 6.5:1
    both = {
        "button_primary_background_fill": "*primary_700",
        "button_primary_background_fill_hover": "*primary_800",
        "button_primary_text_color": "white",
        "button_cancel_background_fill": "#b91c1c",
        "button_cancel_background_fill_hover": "#991b1b",
        "button_cancel_text_color": "white",
    }
    theme = gr.themes.Default(primary_hue="blue", font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]).set(
        **both,
        **{f"{name}_dark": value for name, value in both.items()},
        input_placeholder_color="*neutral_500",  # 4.8:1 on white
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
