"""The real server in headless Chromium (Debian's /usr/bin/chromium; never `playwright install`).

One uvicorn server on a free 127.0.0.1 port serves the chat, the API, widget.js and /embed,
over an index built in a temp folder with the real model. Two more ports serve a host page
that embeds the widget: one origin on the allowlist, one not (CORS must stop it).
"""
from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")  # found the way the README and .ci/run find it
if not CHROMIUM.exists():
    print(f"test_browser: skipped, {CHROMIUM} is absent (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium to run the browser tests", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (the Python package) is not installed")

from assistant.api import create_app  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from web_fixtures import MARKUP_Q, LiveServer, free_port, launch_chromium, shared_index  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]
QUESTION = "What did leaders learn from CCPT?"
ANSWER_TIMEOUT = 30_000


HOST_PAGE = """<!doctype html><html><head><meta charset=utf-8><title>Partner site</title>
<style>
  /* a hostile host stylesheet: none of it may reach the widget */
  * {{ color: rgb(255, 0, 0) !important; font-family: serif !important; }}
  button {{ display: none !important; }}
  textarea {{ visibility: hidden !important; }}
</style></head>
<body><h1>Partner site</h1><p>Some content of the host page.</p>
<script src="{api}/widget.js" data-title="Brief bot" data-greeting="Hello from the brief" data-color="#aa3300"></script>
</body></html>"""

IFRAME_PAGE = """<!doctype html><html><head><meta charset=utf-8><title>Framed</title></head>
<body><h1>Framed chat</h1><iframe id="bot" src="{api}/embed?title=Framed%20bot" style="width:400px;height:600px;border:1px solid #ccc"></iframe></body></html>"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_dir(directory: Path, port: int) -> http.server.ThreadingHTTPServer:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The assistant's server plus two host-page servers: ``allowed`` (on the allowlist) and ``denied``."""
    source, index = shared_index(tmp_path_factory)
    port, allowed_port, denied_port = free_port(), free_port(), free_port()
    api = f"http://127.0.0.1:{port}"
    allowed = f"http://127.0.0.1:{allowed_port}"
    denied = f"http://127.0.0.1:{denied_port}"
    feedback = tmp_path_factory.mktemp("browser") / "feedback.jsonl"
    settings = Settings(
        source_dir=source, index_dir=index, host="127.0.0.1", port=port, allowed_origins=allowed, rate_limit="1000/minute", feedback_log=feedback
    )
    assistant = Assistant(settings)
    assistant.warm_up()
    server = LiveServer(create_app(assistant), port).start()

    pages = tmp_path_factory.mktemp("host-pages")
    (pages / "host.html").write_text(HOST_PAGE.format(api=api), encoding="utf-8")
    (pages / "frame.html").write_text(IFRAME_PAGE.format(api=api), encoding="utf-8")
    hosts = [serve_dir(pages, allowed_port), serve_dir(pages, denied_port)]
    yield {"api": api, "allowed": allowed, "denied": denied, "feedback": feedback}
    for h in hosts:
        h.shutdown()
    server.stop()


@pytest.fixture(scope="module")
def browser():
    yield from launch_chromium(CHROMIUM, ARGS)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.external = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: page.external.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")) else None)
    yield page
    context.close()


def ask_in_chat(page, question: str):
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()


# ----------------------------------------------------------------------------- the chat page
def test_chat_answers_with_citations_you_can_open(page, site):
    page.goto(site["api"] + "/")
    page.locator("#question textarea").wait_for()
    ask_in_chat(page, QUESTION)
    answer = page.locator("#chat .answer").last
    answer.locator(".sources").wait_for(timeout=ANSWER_TIMEOUT)
    assert "[1]" in answer.inner_text()
    # hover a [n]: the passage card shows, with the supporting sentence highlighted
    cite = answer.locator("a.cite").first
    pop = answer.locator(".cite-pop").first
    assert not pop.is_visible()
    cite.hover()
    pop.wait_for(state="visible")
    assert pop.locator("mark").count() >= 1 and "p. " in pop.inner_text()
    page.mouse.move(0, 0)  # move off: the card closes
    pop.wait_for(state="hidden")
    # the sources list opens a passage in place
    source = answer.locator("details.source").first
    source.locator("summary").click()
    assert source.locator("blockquote mark").first.is_visible()
    # and a citation opens the brief at its passage
    with page.context.expect_page() as new:
        cite.click()
    brief = new.value
    brief.wait_for_load_state()
    assert "/source" in brief.url and "#c-" in brief.url
    target = brief.locator(".chunk.cited")
    assert target.count() == 1 and target.locator("mark").count() >= 1
    assert brief.evaluate("document.querySelector(':target') !== null")
    assert page.external == [] and brief.url.startswith(site["api"])


def test_chat_follow_up_uses_history_and_clear_resets(page, site):
    page.goto(site["api"] + "/")
    ask_in_chat(page, "How did consortia build coalitions of the willing?")
    page.locator("#chat .answer .sources").first.wait_for(timeout=ANSWER_TIMEOUT)
    ask_in_chat(page, "What did leaders learn?")
    page.locator("#chat .answer").nth(1).locator(".sources").wait_for(timeout=ANSWER_TIMEOUT)
    assert page.locator("#chat .answer").count() == 2
    page.locator("#new-chat").click()
    page.wait_for_function("document.querySelectorAll('#chat .answer').length === 0")


def test_starter_question_and_feedback_vote(page, site):
    page.goto(site["api"] + "/")
    starter = Settings().starters[0]
    page.get_by_text(starter).first.click()
    page.locator("#chat .answer .sources").first.wait_for(timeout=ANSWER_TIMEOUT)
    before = site["feedback"].read_text().count("\n") if site["feedback"].exists() else 0
    page.locator("#chat button[aria-label='Like']").last.click()
    deadline = time.time() + 10
    while time.time() < deadline and (not site["feedback"].exists() or site["feedback"].read_text().count("\n") == before):
        time.sleep(0.1)
    last = json.loads(site["feedback"].read_text().splitlines()[-1])
    assert last["vote"] == "up" and last["question"] == starter and last["citations"] and last["via"] == "chat"


def test_refusal_is_plain_with_topics(page, site):
    page.goto(site["api"] + "/")
    ask_in_chat(page, "What is the best recipe for banana bread?")
    refusal = page.locator("#chat .refusal").last
    refusal.wait_for(timeout=ANSWER_TIMEOUT)
    assert refusal.locator("button.topic").count() >= 1


def test_chat_shows_markup_as_text(page, site):
    page.goto(site["api"] + "/")
    evil = "<img src=x onerror=\"window.__xss=1\"> <script>window.__xss=2</script> " + MARKUP_Q
    ask_in_chat(page, evil)
    answer = page.locator("#chat .answer").last
    answer.locator(".sources").wait_for(timeout=ANSWER_TIMEOUT)
    chat_text = page.locator("#chat").inner_text()
    assert "<img src=x" in chat_text and "<script>window.__xss=2</script>" in chat_text
    assert "<script>alert('xss-passage')</script>" in answer.inner_text()
    assert page.locator("#chat img[src='x']").count() == 0
    assert page.evaluate("window.__xss") is None and page.dialogs == []


def test_chat_fits_a_phone(browser, site):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(site["api"] + "/")
    page.locator("#question textarea").fill(QUESTION)
    page.locator("#ask").tap()
    page.locator("#chat .answer .sources").first.wait_for(timeout=ANSWER_TIMEOUT)
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    assert page.locator("#ask").is_visible()
    context.close()


# ----------------------------------------------------------------------------- the widget
def open_widget_and_ask(page, url: str, question: str):
    page.goto(url)
    fab = page.locator("[data-assistant-widget] .fab")  # Playwright's CSS pierces open shadow roots
    fab.click()
    page.locator("[data-assistant-widget] textarea").fill(question)
    page.locator("[data-assistant-widget] form button").click()


def test_widget_on_an_allowed_origin_answers_with_citations(page, site):
    open_widget_and_ask(page, site["allowed"] + "/host.html", QUESTION)
    bot = page.locator("[data-assistant-widget] .msg.bot").last
    bot.locator(".sources").wait_for(timeout=ANSWER_TIMEOUT)
    assert "[1]" in bot.inner_text()
    bot.locator(".cite").first.click()
    passage = bot.locator(".passage")
    passage.wait_for()
    assert passage.locator("mark").count() >= 1 and "p. " in passage.inner_text()
    assert passage.locator("a").get_attribute("href").startswith(site["api"] + "/source?cite=")
    # the host page's "* { color: red !important }" and "button { display: none }" do not reach inside
    assert bot.evaluate("e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
    assert page.locator("[data-assistant-widget] form button").is_visible()
    # and the widget's styles do not leak out
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).color") == "rgb(255, 0, 0)"
    assert page.locator("[data-assistant-widget] .head").inner_text().startswith("Brief bot")


def test_widget_on_an_origin_not_allowed_says_what_to_set(page, site):
    page.goto(site["denied"] + "/host.html")
    page.locator("[data-assistant-widget] .fab").click()
    notice = page.locator("[data-assistant-widget] .msg.bot.error.blocked")
    notice.wait_for(timeout=ANSWER_TIMEOUT)
    assert "ASSISTANT_ALLOWED_ORIGINS" in notice.inner_text() and site["denied"] in notice.inner_text()
    assert notice.evaluate("e => getComputedStyle(e).color") != "rgb(255, 0, 0)"  # the hostile host CSS does not reach it
    assert page.locator("[data-assistant-widget] textarea").is_disabled()
    assert page.locator("[data-assistant-widget] .sources").count() == 0


def test_widget_shows_markup_as_text(page, site):
    open_widget_and_ask(page, site["allowed"] + "/host.html", "<img src=x onerror=\"window.__xss=1\"> " + MARKUP_Q)
    bot = page.locator("[data-assistant-widget] .msg.bot").last
    bot.locator(".sources").wait_for(timeout=ANSWER_TIMEOUT)
    bot.locator(".cite").first.click()
    assert "<script>alert('xss-passage')</script>" in bot.locator(".passage").inner_text()
    assert "<img src=x" in page.locator("[data-assistant-widget] .msg.user").last.inner_text()
    assert page.locator("[data-assistant-widget] img").count() == 0
    assert page.evaluate("window.__xss") is None and page.dialogs == []


# ----------------------------------------------------------------------------- the iframe
def test_embed_iframe_on_an_allowed_origin(page, site):
    page.goto(site["allowed"] + "/frame.html")
    frame = page.frame_locator("#bot")
    frame.locator("textarea").fill(QUESTION)
    frame.locator("form button").click()
    bot = frame.locator(".msg.bot").last
    bot.locator(".sources").wait_for(timeout=ANSWER_TIMEOUT)
    assert "[1]" in bot.inner_text()
    assert frame.locator(".head").inner_text().startswith("Framed bot")
    assert frame.locator(".fab").count() == 0  # chat only, no floating button


def test_embed_iframe_is_refused_on_an_origin_not_allowed(page, site):
    page.goto(site["denied"] + "/frame.html")
    frame = page.frame_locator("#bot")
    notice = frame.locator("main")
    notice.wait_for()  # a notice for the webmaster, not the browser's broken-page icon
    assert "ASSISTANT_ALLOWED_ORIGINS" in notice.inner_text() and site["denied"] in notice.inner_text()
    assert frame.locator("textarea").count() == 0 and frame.locator("script").count() == 0  # no chat in the refused frame
