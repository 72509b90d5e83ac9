/*!
 * The assistant's chat widget.
 *
 *   <script src="https://HOST/widget.js" data-title="Ask the brief"
 *           data-greeting="Hi! Ask me about the brief." data-color="#1f5fbf"></script>
 *
 * Adds a floating button that opens a chat panel. Everything lives in a shadow root, so
 * the host page's CSS cannot break it and its CSS cannot leak out. The API base is the
 * origin this script was loaded from; the host page's origin must be on the server's
 * allowlist (ASSISTANT_ALLOWED_ORIGINS) for the browser to let it call the API.
 * All text is inserted with textContent: nothing from a question, an answer or a
 * passage is ever parsed as HTML.
 * data-mode="inline" fills the page instead (used by /embed, for iframes).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) {
    var all = document.querySelectorAll("script[src*='widget.js']");
    script = all[all.length - 1];
  }
  if (!script || script.__ccptWidget) return;
  script.__ccptWidget = true;

  var API = new URL(script.src, location.href).origin;
  var d = script.dataset || {};
  var TITLE = (d.title || "Ask the documents").slice(0, 80);
  var GREETING = (d.greeting || "Ask me about these documents.").slice(0, 300);
  var COLOR = /^#[0-9a-fA-F]{3,8}$/.test(d.color || "") ? d.color : "#1f5fbf";
  var INLINE = d.mode === "inline";
  var MAX_TURNS = 10;

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box}",
    ".root{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1b;--c:" + COLOR + "}",
    ".fab{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border-radius:50%;border:0;background:var(--c);color:#fff;cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center;padding:0}",
    ".fab:focus-visible{outline:3px solid #000;outline-offset:2px}",
    ".panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:min(380px,calc(100vw - 24px));height:min(560px,calc(100vh - 110px));background:#fff;border-radius:12px;box-shadow:0 8px 32px rgba(0,0,0,.28);display:flex;flex-direction:column;overflow:hidden}",
    ".panel[hidden]{display:none}",
    ".inline .panel{position:static;width:100%;height:100vh;border-radius:0;box-shadow:none}",
    "@media (max-width:480px){.root:not(.inline) .panel{right:6px;left:6px;bottom:84px;width:auto;height:calc(100vh - 100px)}}",
    ".head{background:var(--c);color:#fff;padding:10px 12px;display:flex;align-items:center;justify-content:space-between;font-weight:600}",
    ".head button{background:transparent;border:0;color:#fff;font-size:20px;cursor:pointer;line-height:1}",
    ".log{flex:1;overflow-y:auto;padding:10px;background:#f6f7f9}",
    ".msg{margin:6px 0;padding:8px 10px;border-radius:10px;max-width:92%;white-space:pre-wrap;word-wrap:break-word}",
    ".user{background:var(--c);color:#fff;margin-left:auto}",
    ".bot{background:#fff;border:1px solid #e1e4e8}",
    ".bot.refused{border-color:#e0b252;background:#fffaf0}",
    ".bot.error{border-color:#d66;background:#fff4f4}",
    ".cite{border:0;background:none;color:var(--c);font:inherit;font-weight:700;font-size:.85em;vertical-align:super;cursor:pointer;padding:0 1px}",
    ".sources{margin-top:6px;border-top:1px solid #eee;padding-top:4px;font-size:12px;white-space:normal}",
    ".sources button{display:block;text-align:left;border:0;background:none;color:var(--c);cursor:pointer;padding:2px 0;font:inherit}",
    ".passage{margin-top:6px;padding:8px;border-left:3px solid var(--c);background:#f8f9fb;font-size:12.5px;white-space:normal}",
    ".passage .where{font-weight:600;display:block;margin-bottom:3px}",
    ".passage a{color:var(--c);display:inline-block;margin-top:4px}",
    "mark{background:#ffe58a;color:inherit}",
    ".chips{display:flex;flex-wrap:wrap;gap:4px;margin-top:6px;white-space:normal}",
    ".chips button{border:1px solid var(--c);color:var(--c);background:#fff;border-radius:12px;padding:2px 8px;cursor:pointer;font:inherit;font-size:12px}",
    ".votes{margin-top:4px;white-space:normal}",
    ".votes button{border:1px solid #d5d9e0;border-radius:10px;background:#fff;color:#555;cursor:pointer;font:inherit;font-size:11px;padding:1px 7px;margin-right:4px}",
    ".votes button[aria-pressed=true]{border-color:var(--c);color:var(--c);font-weight:600}",
    "form{display:flex;gap:6px;padding:8px;border-top:1px solid #e1e4e8;background:#fff}",
    "textarea{flex:1;resize:none;height:40px;max-height:120px;padding:8px;border:1px solid #c9ced6;border-radius:8px;font:inherit;color:#1b1b1b;background:#fff}",
    "form button{border:0;border-radius:8px;background:var(--c);color:#fff;padding:0 14px;cursor:pointer;font:inherit;font-weight:600}",
    "form button:disabled{opacity:.5;cursor:default}",
  ].join("\n");

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = String(text);
    return n;
  }

  function where(c) {
    return c.section + (c.page != null ? ", p. " + c.page : "");
  }

  // The passage with the quoted sentence(s) in <mark>, built from text nodes only.
  function highlighted(text, quote) {
    var frag = document.createDocumentFragment();
    var spans = [];
    String(quote || "").split(" … ").forEach(function (piece) {
      piece = piece.trim();
      if (!piece) return;
      var at = text.indexOf(piece);
      if (at >= 0) spans.push([at, at + piece.length]);
    });
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    spans.forEach(function (s) {
      if (s[0] < pos) return;
      frag.appendChild(document.createTextNode(text.slice(pos, s[0])));
      frag.appendChild(el("mark", null, text.slice(s[0], s[1])));
      pos = s[1];
    });
    frag.appendChild(document.createTextNode(text.slice(pos)));
    return frag;
  }

  var host = document.createElement("div");
  host.setAttribute("data-ccpt-widget", "");
  var shadow = host.attachShadow({ mode: "open" });
  var style = el("style");
  style.textContent = CSS;
  var root = el("div", "root" + (INLINE ? " inline" : ""));
  shadow.appendChild(style);
  shadow.appendChild(root);

  var fab = el("button", "fab");
  var SVG = "http://www.w3.org/2000/svg";
  var icon = document.createElementNS(SVG, "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("width", "26");
  icon.setAttribute("height", "26");
  icon.setAttribute("aria-hidden", "true");
  var path = document.createElementNS(SVG, "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h10V9H7zm0-3v2h10V6H7zm0 6v2h7v-2H7z");
  icon.appendChild(path);
  fab.appendChild(icon);
  fab.type = "button";
  fab.setAttribute("aria-label", TITLE);
  fab.setAttribute("aria-expanded", "false");
  var panel = el("div", "panel");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", TITLE);
  if (!INLINE) panel.hidden = true;

  var head = el("div", "head");
  head.appendChild(el("span", "title", TITLE));
  if (!INLINE) {
    var close = el("button", "close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", function () { toggle(false); });
    head.appendChild(close);
  }
  var log = el("div", "log");
  log.setAttribute("aria-live", "polite");
  var form = el("form");
  var input = el("textarea");
  input.placeholder = "Ask a question…";
  input.maxLength = 1000;
  input.setAttribute("aria-label", "Your question");
  var send = el("button", null, "Ask");
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(form);
  if (!INLINE) root.appendChild(fab);
  root.appendChild(panel);

  var history = [];
  var busy = false;
  log.appendChild(el("div", "msg bot greeting", GREETING));

  function toggle(open) {
    panel.hidden = !open;
    fab.setAttribute("aria-expanded", String(open));
    if (open) input.focus();
  }
  fab.addEventListener("click", function () { toggle(panel.hidden); });

  function scroll() { log.scrollTop = log.scrollHeight; }

  function showPassage(box, c) {
    var old = box.querySelector(".passage");
    if (old && old.getAttribute("data-n") === String(c.n)) { old.remove(); return; }
    if (old) old.remove();
    var p = el("div", "passage");
    p.setAttribute("data-n", String(c.n));
    p.appendChild(el("span", "where", "[" + c.n + "] " + where(c)));
    p.appendChild(highlighted(c.text || "", c.quote || ""));
    p.appendChild(document.createElement("br"));
    var a = el("a", null, "Open in the brief ↗");
    a.href = API + "/source?cite=" + encodeURIComponent(c.chunk_id) + "#c-" + encodeURIComponent(c.chunk_id);
    a.target = "_blank";
    a.rel = "noopener";
    p.appendChild(a);
    box.appendChild(p);
    scroll();
  }

  function renderAnswer(box, answer, question) {
    box.textContent = "";
    var byN = {};
    (answer.citations || []).forEach(function (c) { byN[c.n] = c; });
    var text = String(answer.answer || "");
    var re = /\[(\d+(?:\s*,\s*\d+)*)\]/g, pos = 0, m;
    var body = el("div", "text");
    while ((m = re.exec(text))) {
      body.appendChild(document.createTextNode(text.slice(pos, m.index)));
      m[1].split(/\s*,\s*/).forEach(function (n) {
        var c = byN[n];
        if (!c) { body.appendChild(document.createTextNode("[" + n + "]")); return; }
        var b = el("button", "cite", "[" + n + "]");
        b.type = "button";
        b.title = where(c);
        b.addEventListener("click", function () { showPassage(box, c); });
        body.appendChild(b);
      });
      pos = m.index + m[0].length;
    }
    body.appendChild(document.createTextNode(text.slice(pos)));
    box.appendChild(body);
    if (answer.refused) {
      box.classList.add("refused");
      if ((answer.suggestions || []).length) {
        box.appendChild(el("div", "hint", "Topics the brief covers:"));
        var chips = el("div", "chips");
        answer.suggestions.forEach(function (t) {
          var b = el("button", null, t);
          b.type = "button";
          b.addEventListener("click", function () { ask("What does the brief say about " + t + "?"); });
          chips.appendChild(b);
        });
        box.appendChild(chips);
      }
    }
    if ((answer.citations || []).length) {
      var src = el("div", "sources");
      src.appendChild(el("strong", null, "Sources"));
      answer.citations.forEach(function (c) {
        var b = el("button", "source", "[" + c.n + "] " + where(c));
        b.type = "button";
        b.addEventListener("click", function () { showPassage(box, c); });
        src.appendChild(b);
      });
      box.appendChild(src);
    }
    if (!answer.refused) {
      var votes = el("div", "votes");
      [["up", "▲ Helpful", "Helpful"], ["down", "▼ Not helpful", "Not helpful"]].forEach(function (v) {
        var b = el("button", "vote-" + v[0], v[1]);
        b.type = "button";
        b.setAttribute("aria-label", v[2]);
        b.setAttribute("aria-pressed", "false");
        b.addEventListener("click", function () {
          votes.querySelectorAll("button").forEach(function (x) { x.setAttribute("aria-pressed", "false"); });
          b.setAttribute("aria-pressed", "true");
          fetch(API + "/api/feedback", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ question: question, answer: text, citations: answer.citations || [], vote: v[0] }),
          }).catch(function () {});
        });
        votes.appendChild(b);
      });
      box.appendChild(votes);
    }
    scroll();
  }

  function fail(box, message) {
    box.textContent = message;
    box.classList.add("error");
    scroll();
  }

  // POST /api/ask/stream and read the server-sent events as they arrive.
  function ask(question) {
    question = String(question || "").trim();
    if (!question || busy) return;
    busy = true;
    send.disabled = true;
    log.appendChild(el("div", "msg user", question));
    var box = el("div", "msg bot pending", "…");
    log.appendChild(box);
    scroll();
    var text = "";
    var done = false;
    fetch(API + "/api/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: question, history: history.slice(-MAX_TURNS) }),
    })
      .then(function (res) {
        if (!res.ok) {
          return res.json().catch(function () { return {}; }).then(function (j) {
            var msg = res.status === 429 ? "Too many questions — please wait a moment." : (typeof j.detail === "string" ? j.detail : "The assistant could not answer.");
            fail(box, msg);
            done = true;
          });
        }
        var reader = res.body.getReader();
        var decoder = new TextDecoder();
        var buf = "";
        function handle(block) {
          var data = block.split("\n").filter(function (l) { return l.indexOf("data:") === 0; })
            .map(function (l) { return l.slice(5).trim(); }).join("\n");
          if (!data) return;
          var ev = JSON.parse(data);
          if (ev.type === "delta") { text += ev.text; box.textContent = text; scroll(); }
          else if (ev.type === "replace") { text = ev.text; box.textContent = text; scroll(); }
          else if (ev.type === "done") {
            done = true;
            box.classList.remove("pending");
            renderAnswer(box, ev.answer, question);
            history.push([question, ev.answer.answer]);
          } else if (ev.type === "error") { done = true; fail(box, ev.detail || "The assistant could not answer."); }
        }
        function pump() {
          return reader.read().then(function (r) {
            if (r.done) { if (buf.trim()) handle(buf); return; }
            buf += decoder.decode(r.value, { stream: true });
            var parts = buf.split("\n\n");
            buf = parts.pop();
            parts.forEach(handle);
            return pump();
          });
        }
        return pump();
      })
      .catch(function () { fail(box, "Could not reach the assistant."); done = true; })
      .then(function () {
        if (!done) fail(box, "The answer was cut off.");
        busy = false;
        send.disabled = false;
        input.focus();
      });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value;
    input.value = "";
    ask(q);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit")); }
  });

  function mount() { document.body.appendChild(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
