"""The widget and /embed as a person uses them (issue 17, item 10), in Debian's headless Chromium.

A real uvicorn server over the shared web index; host pages on two other ports, one origin on
the allowlist and one not. A second server on its own port is stopped and started again to
see a failed question kept and retried. axe-core (axe-playwright-python) checks /embed and a
host page with the widget open, after an answer, with a citation open, at desktop and phone width.
"""
from __future__ import annotations

import re
import threading
import time

import httpx
import pytest

from test_browser import ANSWER_TIMEOUT, ARGS, CHROMIUM, QUESTION, serve_dir, sync_api  # noqa: F401 (skips without chromium)

from assistant.api import create_app
from assistant.service import Assistant
from assistant.settings import Settings
from web_fixtures import LiveServer, free_port, launch_chromium, shared_index

axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed (test extras)")

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
W = "[data-assistant-widget]"  # Playwright's CSS pierces the widget's open shadow root

HOST_PAGE = """<!doctype html><html lang=en><head><meta charset=utf-8><meta name="viewport" content="width=device-width, initial-scale=1"><title>Partner site</title></head>
<body><main><h1>Partner site</h1><p>Some content of the host page.</p></main>
<script src="{api}/widget.js" data-title="Brief bot" data-greeting="Hello from the brief"></script>
</body></html>"""

FRAME_PAGE = """<!doctype html><html lang=en><head><meta charset=utf-8><title>Framed</title></head>
<body><h1>Framed chat</h1><iframe id="bot" title="Chat" src="{api}/embed" style="width:400px;height:600px"></iframe></body></html>"""


NO_REFERRER_FRAME_PAGE = FRAME_PAGE.replace('<iframe id="bot"', '<iframe id="bot" referrerpolicy="no-referrer"')


class Held:
    """The real app, its answers as slow as an LLM's: /api/ask/stream waits for ``release`` to start and,
    after its first event, for ``midway`` to go on (both set unless a test clears them)."""

    def __init__(self, app):
        self.app, self.release, self.midway = app, threading.Event(), threading.Event()
        self.release.set()
        self.midway.set()

    async def __call__(self, scope, receive, send):
        if not (scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/api/ask/stream"):
            return await self.app(scope, receive, send)
        import asyncio

        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.release.wait)
        sent = 0

        async def paced(message):
            nonlocal sent
            if message["type"] == "http.response.body" and message.get("body"):
                sent += 1
                if sent == 2:
                    await loop.run_in_executor(None, self.midway.wait)
            await send(message)

        await self.app(scope, receive, paced)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    source, index = shared_index(tmp_path_factory)
    allowed_port, denied_port = free_port(), free_port()
    allowed, denied = f"http://127.0.0.1:{allowed_port}", f"http://127.0.0.1:{denied_port}"
    settings = Settings(source_dir=source, index_dir=index, allowed_origins=allowed, rate_limit="1000/minute", feedback_log=tmp_path_factory.mktemp("widget") / "fb.jsonl")
    assistant = Assistant(settings)
    assistant.warm_up()
    main = LiveServer(create_app(assistant, ui=False))
    flaky = LiveServer(create_app(assistant, ui=False))  # stopped and restarted by a test
    slow = LiveServer(Held(create_app(assistant, ui=False)))
    for s in (main, flaky, slow):
        s.start()
    pages = tmp_path_factory.mktemp("widget-hosts")
    (pages / "host.html").write_text(HOST_PAGE.format(api=main.url), encoding="utf-8")
    (pages / "flaky.html").write_text(HOST_PAGE.format(api=flaky.url), encoding="utf-8")
    (pages / "slow.html").write_text(HOST_PAGE.format(api=slow.url), encoding="utf-8")
    (pages / "frame.html").write_text(FRAME_PAGE.format(api=main.url), encoding="utf-8")
    (pages / "frame-noref.html").write_text(NO_REFERRER_FRAME_PAGE.format(api=main.url), encoding="utf-8")
    hosts = [serve_dir(pages, allowed_port), serve_dir(pages, denied_port)]
    yield {"api": main.url, "allowed": allowed, "denied": denied, "flaky": flaky, "slow": slow}
    slow.app.release.set()
    slow.app.midway.set()
    for h in hosts:
        h.shutdown()
    for s in (main, flaky, slow):
        s.stop()


@pytest.fixture(scope="module")
def browser():
    yield from launch_chromium(CHROMIUM, ARGS)


@pytest.fixture
def context(browser, site):
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=site["allowed"])
    yield ctx
    ctx.close()


def open_widget(page, url: str):
    page.goto(url)
    page.locator(f"{W} .fab").click()
    page.locator(f"{W} textarea").wait_for()


def ask(page, question: str):
    page.locator(f"{W} textarea").fill(question)
    page.locator(f"{W} form button").click()


def last_answer(page):
    bot = page.locator(f"{W} .msg.bot").last
    bot.locator(".sources").wait_for(timeout=ANSWER_TIMEOUT)
    return bot


def open_citation(bot):
    bot.locator(".cite").first.click()
    bot.locator(".passage a.open").wait_for()  # the link comes with the quoted sentences' numbers
    return bot.locator(".passage")


def serious(page, context=None) -> list[str]:
    result = axe_sync.Axe().run(page, context=context)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in result.response["violations"] if v["impact"] in ("serious", "critical")]


def small_targets(page, scope: str) -> list[str]:
    """Visible controls smaller than 44x44 px (WCAG 2.5.5), described so a failure says which."""
    out = []
    for loc in page.locator(f"{scope} button, {scope} a[href], {scope} textarea").all():
        if not loc.is_visible():
            continue
        box = loc.bounding_box()
        if min(box["width"], box["height"]) < 44 - 1 / 64:  # Chromium lays out in 1/64 px units
            out.append(f"{loc.evaluate('e => e.className || e.tagName')} {loc.inner_text()!r} {box['width']:.2f}x{box['height']:.2f}")
    return out


# ----------------------------------------------------------------------------- an origin not allowed
def test_widget_on_an_origin_not_allowed_names_the_setting(context, site):
    page = context.new_page()
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    open_widget(page, site["denied"] + "/host.html")
    notice = page.locator(f"{W} .msg.blocked")
    notice.wait_for()
    text = notice.inner_text()
    assert "ASSISTANT_ALLOWED_ORIGINS" in text and site["denied"] in text and "not allowed" in text
    assert page.locator(f"{W} textarea").is_disabled()  # no question that could only fail
    assert page.locator(f"{W} .msg.user").count() == 0
    assert any("ASSISTANT_ALLOWED_ORIGINS" in w for w in warnings)


def test_widget_on_an_allowed_origin_shows_no_notice(context, site):
    page = context.new_page()
    open_widget(page, site["allowed"] + "/host.html")
    ask(page, QUESTION)
    last_answer(page)
    assert page.locator(f"{W} .msg.blocked").count() == 0


def test_origin_check_answers_any_origin(site):
    r = httpx.get(site["api"] + "/api/origin", headers={"Origin": site["denied"]})
    assert r.json() == {"origin": site["denied"], "allowed": False, "setting": "ASSISTANT_ALLOWED_ORIGINS"}
    assert r.headers["access-control-allow-origin"] == "*"
    assert httpx.get(site["api"] + "/api/origin", headers={"Origin": site["allowed"]}).json()["allowed"] is True
    # the API itself still refuses the origin (CORS unchanged)
    r = httpx.options(site["api"] + "/api/ask/stream", headers={"Origin": site["denied"], "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers


def test_embed_answers_a_frame_request_by_who_frames_it(site):
    def get(**headers):
        return httpx.get(site["api"] + "/embed", headers=headers)

    denied = get(**{"Sec-Fetch-Dest": "iframe", "Referer": site["denied"] + "/frame.html"})
    assert "ASSISTANT_ALLOWED_ORIGINS" in denied.text and "widget.js" not in denied.text
    assert denied.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *"
    for chat in (get(**{"Sec-Fetch-Dest": "iframe", "Referer": site["allowed"] + "/frame.html"}), get(**{"Sec-Fetch-Dest": "iframe"}), get()):
        assert 'src="/widget.js"' in chat.text
        assert chat.headers["content-security-policy"].endswith(f"frame-ancestors 'self' {site['allowed']}")
    own = get(**{"Sec-Fetch-Dest": "iframe", "Referer": site["api"] + "/somewhere"})
    assert 'src="/widget.js"' in own.text  # framed by the assistant's own pages


def test_embed_framed_by_an_origin_not_allowed_explains_instead_of_a_broken_frame(context, site):
    page = context.new_page()
    page.goto(site["denied"] + "/frame.html")
    frame = page.frame_locator("#bot")
    notice = frame.locator("main")
    notice.wait_for()
    assert "ASSISTANT_ALLOWED_ORIGINS" in notice.inner_text() and site["denied"] in notice.inner_text()
    assert frame.locator("textarea").count() == 0  # no chat in a frame the allowlist refuses


def test_embed_framed_without_a_referrer_is_still_refused(context, site):
    """A page that sends no Referer cannot be told apart from an allowed one: the browser's frame-ancestors check refuses it."""
    page = context.new_page()
    page.goto(site["denied"] + "/frame-noref.html")
    frame = next(f for f in page.frames if f != page.main_frame)
    deadline = time.time() + 15
    while not frame.url.startswith("chrome-error://") and time.time() < deadline:
        page.wait_for_timeout(50)  # polls the frame's URL until the browser's refusal replaces it
    assert frame.url.startswith("chrome-error://")
    assert frame.locator("textarea").count() == 0


def test_embed_framed_by_an_allowed_origin_is_the_chat(context, site):
    page = context.new_page()
    page.goto(site["allowed"] + "/frame.html")
    frame = page.frame_locator("#bot")
    ask(frame, QUESTION)
    last_answer(frame)
    assert frame.locator(".blocked").count() == 0


# ----------------------------------------------------------------------------- keyboard, new chat, copy, retry
def test_escape_closes_the_panel_and_focus_returns_to_the_launcher(context, site):
    page = context.new_page()
    open_widget(page, site["allowed"] + "/host.html")
    panel = page.locator(f"{W} .panel")
    assert panel.is_visible()
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.shadowRoot.activeElement.className") == "fab"
    assert page.locator(f"{W} .fab").get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")  # the launcher has focus: Enter opens the panel again
    panel.wait_for(state="visible")


def test_new_chat_empties_the_conversation(context, site):
    page = context.new_page()
    open_widget(page, site["allowed"] + "/host.html")
    ask(page, QUESTION)
    last_answer(page)
    page.locator(f"{W} textarea").fill("half-typed")
    page.locator(f"{W} button.new").click()
    assert page.locator(f"{W} .msg.user").count() == 0 and page.locator(f"{W} .sources").count() == 0
    assert page.locator(f"{W} .msg").all_inner_texts() == ["Hello from the brief"]
    assert page.locator(f"{W} textarea").input_value() == ""


def test_the_conversation_survives_a_reload_until_new_chat(context, site):
    page = context.new_page()
    open_widget(page, site["allowed"] + "/host.html")
    ask(page, QUESTION)
    answer = last_answer(page).locator(".text").inner_text()
    page.reload()
    page.locator(f"{W} .fab").click()
    assert page.locator(f"{W} .msg.user").all_inner_texts() == [QUESTION]
    kept = page.locator(f"{W} .msg.bot").last
    assert kept.locator(".text").inner_text() == answer and kept.locator(".sources li").count() >= 1
    kept.locator(".cite").first.click()  # its citations still open
    kept.locator(".passage mark").first.wait_for()
    page.locator(f"{W} button.new").click()
    page.reload()
    page.locator(f"{W} .fab").click()
    assert page.locator(f"{W} .msg").all_inner_texts() == ["Hello from the brief"]


def test_copy_gives_plain_text_with_markers_and_sources(context, site):
    page = context.new_page()
    open_widget(page, site["allowed"] + "/host.html")
    ask(page, QUESTION)
    bot = last_answer(page)
    bot.locator("button.copy").click()
    bot.locator("button.copy", has_text="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "<" not in copied and "[1]" in copied
    body, _, sources = copied.partition("\n\nSources\n")
    assert body.strip() and sources.startswith("[1] ")
    assert "“" in sources  # each source with its quoted sentence
    assert "source/" not in copied and ".txt" not in copied  # never a file path


def test_a_failed_question_is_kept_and_retried(context, site):
    flaky = site["flaky"]
    page = context.new_page()
    open_widget(page, site["allowed"] + "/flaky.html")
    flaky.stop_and_check()
    try:
        ask(page, QUESTION)
        error = page.locator(f"{W} .msg.bot.error")
        error.wait_for(timeout=ANSWER_TIMEOUT)
        assert "Could not reach the assistant" in error.inner_text()
        assert page.locator(f"{W} textarea").input_value() == QUESTION  # not wiped
    finally:
        flaky.start()
    error.locator("button.retry").click()
    bot = last_answer(page)
    assert "[1]" in bot.inner_text()
    assert page.locator(f"{W} .msg.bot.error").count() == 0
    assert page.locator(f"{W} .msg.user").all_inner_texts() == [QUESTION]  # asked once, not twice


def test_an_answer_shows_as_it_streams(context, site):
    held = site["slow"].app
    held.midway.clear()
    try:
        page = context.new_page()
        open_widget(page, site["allowed"] + "/slow.html")
        ask(page, QUESTION)
        partial = page.locator(f"{W} .msg.bot.pending", has_text=re.compile(r"\w+ \w+ \w+"))
        partial.wait_for(timeout=ANSWER_TIMEOUT)  # the first sentence shows while the rest is held back
        assert partial.get_attribute("aria-busy") == "true" and page.locator(f"{W} .sources").count() == 0
        assert page.locator(f"{W} form button").inner_text() == "Stop"
    finally:
        held.midway.set()
    bot = last_answer(page)
    assert bot.get_attribute("aria-busy") is None and "[1]" in bot.inner_text()


def test_stop_ends_a_slow_answer_and_keeps_the_question(context, site):
    held = site["slow"].app
    held.release.clear()
    page = context.new_page()
    open_widget(page, site["allowed"] + "/slow.html")
    ask(page, QUESTION)
    stop = page.locator(f"{W} form button", has_text="Stop")
    stop.wait_for()
    page.locator(f"{W} textarea").press("Enter")  # Enter while an answer comes does not stop it
    assert stop.is_visible() and page.locator(f"{W} .msg.bot.error").count() == 0
    stop.click()
    stopped = page.locator(f"{W} .msg.bot.error")
    stopped.wait_for()
    assert "Stopped" in stopped.inner_text()
    assert page.locator(f"{W} textarea").input_value() == QUESTION
    assert page.locator(f"{W} form button").inner_text() == "Ask"
    held.release.set()  # the server answers again: Retry gets the answer
    stopped.locator("button.retry").click()
    assert "[1]" in last_answer(page).inner_text()


def test_a_refusal_names_each_topic_once_as_a_button_that_asks(context, site):
    page = context.new_page()
    open_widget(page, site["allowed"] + "/host.html")
    ask(page, "What is the best recipe for banana bread?")
    refusal = page.locator(f"{W} .msg.bot.refused")
    refusal.wait_for(timeout=ANSWER_TIMEOUT)
    topics = refusal.locator(".chips button").all_inner_texts()
    assert topics and all(refusal.inner_text().count(t) == 1 for t in topics)
    refusal.locator(".chips button").first.click()
    assert page.locator(f"{W} .msg.user").last.inner_text() == f"What do the documents say about {topics[0]}?"
    last_answer(page)


# ----------------------------------------------------------------------------- sources
def test_sources_by_document_title_and_quote_never_a_path(context, site):
    page = context.new_page()
    open_widget(page, site["allowed"] + "/host.html")
    ask(page, QUESTION)
    bot = last_answer(page)
    cites = httpx.post(site["api"] + "/api/ask", json={"question": QUESTION}).json()["citations"]
    items = bot.locator(".sources li")
    assert items.count() == len(cites)
    for c, item in zip(cites, items.all()):
        name, quote = item.locator(".name").inner_text(), item.locator(".quote").inner_text()
        assert name.startswith(f"[{c['n']}] {c.get('document') or c['section']}") and c["section"] in name
        assert quote.startswith("“") and quote.strip("“”…")[:40] in c["quote"]
    shown = bot.inner_text()
    assert "source/" not in shown and all(c["source"] not in shown for c in cites)
    lines = [li.inner_text() for li in items.all()]
    assert len(set(lines)) == len(lines)  # two sources of one section are told apart


def test_open_in_the_document_highlights_the_quoted_sentence(context, site):
    page = context.new_page()
    open_widget(page, site["allowed"] + "/host.html")
    ask(page, QUESTION)
    bot = last_answer(page)
    passage = open_citation(bot)
    quote_in_card = passage.locator("mark").first.inner_text()
    with context.expect_page() as new:
        passage.locator("a.open").click()
    brief = new.value
    brief.wait_for_load_state()
    cited = brief.locator(".chunk.cited")
    assert cited.count() == 1 and cited.is_visible()
    marks = cited.locator("mark")
    assert marks.count() >= 1 and marks.first.is_visible()
    assert marks.first.inner_text().strip()[:30] in quote_in_card or quote_in_card[:30] in " ".join(marks.all_inner_texts())


# ----------------------------------------------------------------------------- accessibility
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_on_embed_after_an_answer_with_a_citation_open(browser, site, viewport):
    ctx = browser.new_context(viewport=viewport)
    page = ctx.new_page()
    page.goto(site["api"] + "/embed")
    assert serious(page) == []
    ask(page, QUESTION)
    open_citation(last_answer(page))
    assert serious(page) == []
    ctx.close()


@pytest.mark.parametrize("color", ["#ffee00", "#7fb3ff", "#2a2a2a"])
def test_any_data_color_keeps_the_text_readable(browser, site, color):
    ctx = browser.new_context(viewport=DESKTOP)
    page = ctx.new_page()
    page.goto(site["api"] + "/embed?color=" + color.replace("#", "%23"))
    ask(page, QUESTION)
    open_citation(last_answer(page))
    assert serious(page) == []
    ctx.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_on_a_host_page_with_the_widget_open(browser, site, viewport):
    ctx = browser.new_context(viewport=viewport)
    page = ctx.new_page()
    open_widget(page, site["allowed"] + "/host.html")
    assert serious(page) == []
    ask(page, QUESTION)
    open_citation(last_answer(page))
    assert serious(page) == []
    ctx.close()


def in_view(page, node) -> bool:
    """Whether the top of ``node`` shows inside the conversation's scrolled area."""
    log, box = page.locator(f"{W} .log").bounding_box(), node.bounding_box()
    return log["y"] - 1 <= box["y"] <= log["y"] + log["height"] - 16


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_answer_opens_at_its_start_with_its_question(browser, site, viewport):
    ctx = browser.new_context(viewport=viewport)
    page = ctx.new_page()
    open_widget(page, site["allowed"] + "/host.html")
    for q in ("How did consortia build coalitions of the willing?", QUESTION):  # the second answer is longer than the panel
        ask(page, q)
        bot = last_answer(page)
        question = page.locator(f"{W} .msg.user").last
        assert in_view(page, question) and in_view(page, bot.locator(".text"))
    assert page.locator(f"{W} .log").evaluate("e => e.scrollHeight > e.clientHeight")  # there was something to scroll past
    passage = open_citation(bot)
    assert in_view(page, passage) and in_view(page, passage.locator("a.open"))
    ctx.close()


def test_phone_tap_targets_and_plain_aria_labels(browser, site):
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(site["allowed"] + "/host.html")
    page.locator(f"{W} .fab").tap()
    ask(page, QUESTION)
    open_citation(last_answer(page))
    assert small_targets(page, W) == [], small_targets(page, W)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    labels = page.locator(f"{W} [aria-label]").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert labels and all(label.strip() and "<" not in label and ">" not in label for label in labels)
    assert any(label.startswith("Source 1: ") for label in labels)
    ctx.close()


def test_embed_tap_targets_at_phone_width(browser, site):
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(site["api"] + "/embed")
    ask(page, QUESTION)
    open_citation(last_answer(page))
    assert small_targets(page, W) == [], small_targets(page, W)
    ctx.close()
