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
 * When it is not, the widget asks GET /api/origin (readable from any origin) and says so,
 * naming the setting, instead of failing on the first question.
 * All text is inserted with textContent: nothing from a question, an answer or a
 * passage is ever parsed as HTML.
 * data-mode="inline" fills the page instead (used by /embed, for iframes).
 * Keys: Enter asks, Shift+Enter is a new line, Escape closes the panel. The conversation is kept in
 * the tab's sessionStorage, so a reload or another page of the site shows it again; New chat clears it.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) {
    var all = document.querySelectorAll("script[src*='widget.js']");
    script = all[all.length - 1];
  }
  if (!script || script.__assistantWidget) return;
  script.__assistantWidget = true;

  var API = new URL(script.src, location.href).origin;
  var d = script.dataset || {};
  var TITLE = (d.title || "Ask the documents").slice(0, 80);
  var GREETING = (d.greeting || "Ask me about these documents.").slice(0, 300);
  var COLOR = /^#[0-9a-fA-F]{3,8}$/.test(d.color || "") ? d.color : "#1f5fbf";
  var INLINE = d.mode === "inline";
  var MAX_TURNS = 10;
  var TOUCH = "@media (max-width:480px),(pointer:coarse)";

  // WCAG relative luminance of a #rgb / #rrggbb colour (alpha ignored).
  function luminance(hex) {
    var h = hex.slice(1);
    if (h.length < 6) h = h.split("").slice(0, 3).map(function (x) { return x + x; }).join("");
    return [0, 2, 4].map(function (i) {
      var v = parseInt(h.substr(i, 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }).reduce(function (sum, v, i) { return sum + v * [0.2126, 0.7152, 0.0722][i]; }, 0);
  }
  // Whatever data-color a site picks, text stays readable (AA): dark text on a light colour, and
  // links on white in the colour only when it is dark enough.
  var LUM = luminance(COLOR);
  var ON = LUM > 0.179 ? "#000" : "#fff";
  var INK = 1.05 / (LUM + 0.05) >= 4.5 ? COLOR : "#1b1b1b";

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box}",
    ".root{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1b;--c:" + COLOR + ";--on:" + ON + ";--ink:" + INK + "}",
    ".fab{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border-radius:50%;border:0;background:var(--c);color:var(--on);cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center;padding:0}",
    "button:focus-visible,a:focus-visible,textarea:focus-visible,.log:focus-visible{outline:3px solid #000;outline-offset:1px}",
    ".head button:focus-visible{outline-color:currentColor}",
    ".panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:min(380px,calc(100vw - 24px));height:min(560px,calc(100vh - 110px));background:#fff;border-radius:12px;box-shadow:0 8px 32px rgba(0,0,0,.28);display:flex;flex-direction:column;overflow:hidden}",
    ".panel[hidden]{display:none}",
    ".inline .panel{position:static;width:100%;height:100vh;border-radius:0;box-shadow:none}",
    "@media (max-width:480px){.root:not(.inline) .panel{right:6px;left:6px;bottom:84px;width:auto;height:calc(100vh - 100px)}}",
    ".head{background:var(--c);color:var(--on);padding:6px 8px 6px 12px;display:flex;align-items:center;gap:6px;font-weight:600}",
    ".title{flex:1;margin:0;font:inherit;font-weight:600}",
    ".head button{background:transparent;border:1px solid currentColor;border-radius:6px;color:var(--on);cursor:pointer;font:inherit;font-size:12.5px;padding:3px 8px}",
    ".head .close{border:0;font-size:20px;line-height:1;padding:2px 8px}",
    ".log{flex:1;overflow-y:auto;position:relative;padding:10px;background:#f6f7f9}",
    ".msg{margin:6px 0;padding:8px 10px;border-radius:10px;max-width:92%;white-space:pre-wrap;word-wrap:break-word}",
    ".user{background:var(--c);color:var(--on);margin-left:auto}",
    ".bot{background:#fff;border:1px solid #e1e4e8}",
    ".bot.refused{border-color:#e0b252;background:#fffaf0}",
    ".bot.error{border-color:#d66;background:#fff4f4}",
    ".bot.error code{font-family:ui-monospace,monospace;background:#fff;border:1px solid #e3c4c4;border-radius:4px;padding:0 3px;word-break:break-all}",
    ".cite{border:0;background:none;color:var(--ink);font:inherit;font-weight:700;font-size:.85em;vertical-align:super;cursor:pointer;padding:0 2px;text-decoration:underline}",
    ".notice{margin-top:6px;font-size:12.5px;color:#5b4300;background:#fff6d6;border-radius:6px;padding:4px 6px;white-space:normal}",
    ".sources{margin-top:6px;border-top:1px solid #eee;padding-top:4px;font-size:12px;white-space:normal}",
    ".sources h2{font-size:12px;margin:0 0 2px}",
    ".sources ol{list-style:none;margin:0;padding:0}",
    ".sources button{display:block;width:100%;text-align:left;border:0;background:none;color:#1b1b1b;cursor:pointer;padding:3px 0;font:inherit}",
    ".sources .name{color:var(--ink);font-weight:600;display:block}",
    ".sources .quote{color:#444;display:block}",
    ".passage{margin-top:6px;padding:8px;border-left:3px solid var(--c);background:#f8f9fb;font-size:12.5px;white-space:normal}",
    ".passage .where{font-weight:600;display:block;margin-bottom:3px}",
    ".passage a{color:var(--ink);display:inline-block;margin-top:4px}",
    "mark{background:#ffe58a;color:inherit}",
    ".chips{display:flex;flex-wrap:wrap;gap:4px;margin-top:6px;white-space:normal}",
    ".chips button{border:1px solid var(--c);color:var(--ink);background:#fff;border-radius:12px;padding:2px 8px;cursor:pointer;font:inherit;font-size:12px}",
    ".actions{margin-top:4px;white-space:normal;display:flex;flex-wrap:wrap;gap:4px}",
    ".actions button,.retry{border:1px solid #d5d9e0;border-radius:10px;background:#fff;color:#444;cursor:pointer;font:inherit;font-size:11.5px;padding:1px 8px}",
    ".actions button[aria-pressed=true]{border-color:var(--c);color:var(--ink);font-weight:600}",
    ".retry{display:block;margin-top:6px;font-size:12.5px;color:#1b1b1b}",
    "form{display:flex;gap:6px;padding:8px;border-top:1px solid #e1e4e8;background:#fff}",
    "textarea{flex:1;resize:none;height:44px;max-height:120px;padding:8px;border:1px solid #8a919c;border-radius:8px;font:inherit;color:#1b1b1b;background:#fff}",
    "textarea::placeholder{color:#6b7280}",
    "form button{border:0;border-radius:8px;background:var(--c);color:var(--on);padding:0 14px;cursor:pointer;font:inherit;font-weight:600;min-height:44px}",
    "form button:disabled,textarea:disabled{opacity:.55;cursor:default}",
    // a finger needs 44x44 px: every control and each [n] on a phone or touch screen
    TOUCH + "{.head button,.chips button,.actions button,.retry,.passage a,.sources button{min-height:44px;min-width:44px}"
      + ".cite{min-width:44px;min-height:44px;display:inline-flex;align-items:center;justify-content:center;vertical-align:middle;font-size:.95em;margin:-12px 0}" // 44 px to tap, one line high in the text
      + ".passage a{display:inline-flex;align-items:center}}",
  ].join("\n");

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = String(text);
    return n;
  }

  function button(cls, text, label, onClick) {
    var b = el("button", cls, text);
    b.type = "button";
    if (label) b.setAttribute("aria-label", label);
    if (onClick) b.addEventListener("click", onClick);
    return b;
  }

  // "Document · Section, p. 3": the document's title when the server sends one, never a file path.
  function where(c) {
    var doc = c.document ? String(c.document) + " · " : "";
    return doc + c.section + (c.page != null ? ", p. " + c.page : "");
  }

  // What tells two sources of one section apart: the sentence the answer quotes.
  function quoteLine(c, max) {
    var q = String(c.quote || c.text || "").replace(/\s+/g, " ").trim();
    if (max && q.length > max) q = q.slice(0, max - 1).trimEnd() + "…";
    return q ? "“" + q + "”" : "";
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

  // The answer as a person would paste it: text with its [n] markers, then the sources.
  function plainText(answer) {
    var out = String(answer.answer || "").trim();
    if (answer.notice) out = answer.notice + "\n\n" + out;  // the notice qualifies what follows
    var cites = answer.citations || [];
    if (cites.length) {
      out += "\n\nSources";
      cites.forEach(function (c) {
        var q = quoteLine(c, 0);
        out += "\n[" + c.n + "] " + where(c) + (q ? ": " + q : "");
      });
    }
    return out;
  }

  function copyText(text) {
    function fallback() {
      var t = el("textarea");
      t.value = text;
      t.setAttribute("readonly", "");
      t.style.cssText = "position:fixed;left:-9999px;top:0";
      shadow.appendChild(t);
      t.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      t.remove();
      return ok;
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, fallback);
    }
    return Promise.resolve(fallback());
  }

  // Which sentences of a passage the quote covers, for /source?cite=…&s=… (as the chat links them).
  function sourceLink(c) {
    var base = API + "/source?cite=" + encodeURIComponent(c.chunk_id);
    var anchor = "#c-" + encodeURIComponent(c.chunk_id);
    return fetch(API + "/api/sources/" + encodeURIComponent(c.chunk_id))
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (chunk) {
        if (!chunk || !c.quote) return base + anchor;
        var idx = [];
        (chunk.sentences || []).forEach(function (s, i) {
          var t = String(chunk.text || "").slice(s.start, s.end).trim();
          if (t && c.quote.indexOf(t) >= 0) idx.push(i);
        });
        return base + (idx.length ? "&s=" + idx.join(",") : "") + anchor;
      })
      .catch(function () { return base + anchor; });
  }

  var host = document.createElement("div");
  host.setAttribute("data-assistant-widget", "");
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
  panel.setAttribute("role", INLINE ? "main" : "dialog");
  panel.setAttribute("aria-label", TITLE);
  if (!INLINE) panel.hidden = true;

  var head = el("div", "head");
  head.appendChild(el(INLINE ? "h1" : "span", "title", TITLE));
  var fresh = button("new", "New chat", "New chat", function () { newChat(); });
  head.appendChild(fresh);
  if (!INLINE) head.appendChild(button("close", "×", "Close", function () { toggle(false); fab.focus(); }));
  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-label", "Conversation");
  log.setAttribute("aria-live", "polite");
  log.tabIndex = 0; // scrollable with the keyboard
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
  var busy = null; // the AbortController of the question being answered
  var current = null; // {box, question} of that question
  var blocked = null; // the server's word that this page's origin may not use it
  var checked = null;

  function greet() { log.appendChild(el("div", "msg bot greeting", GREETING)); }
  greet();

  // The conversation outlives a reload or a move to another page of the site (this tab only).
  var STORE = "assistant-widget:" + API + (INLINE ? ":inline" : "");
  var MAX_SAVED = 20;
  var saved = []; // {q, a}: each question and the answer JSON as the server sent it
  function save() {
    try { sessionStorage.setItem(STORE, JSON.stringify(saved.slice(-MAX_SAVED))); } catch (e) { /* storage blocked: nothing kept */ }
  }
  function restore() {
    var turns;
    try { turns = JSON.parse(sessionStorage.getItem(STORE) || "[]"); } catch (e) { turns = []; }
    (Array.isArray(turns) ? turns : []).forEach(function (t) {
      if (!t || typeof t.q !== "string" || !t.a || typeof t.a.answer !== "string") return;
      log.appendChild(el("div", "msg user", t.q));
      var box = el("div", "msg bot");
      log.appendChild(box);
      renderAnswer(box, t.a, t.q);
      history.push([t.q, t.a.answer]);
      saved.push(t);
    });
  }

  function scroll() { log.scrollTop = log.scrollHeight; }

  // An answer is read from its start: scroll down to it, but never past its question (kept at the top).
  function follow(box) {
    var question = box.previousSibling || box;
    log.scrollTop = Math.min(log.scrollHeight - log.clientHeight, question.offsetTop - 8);
  }

  // An opened passage is brought into view, its top first.
  function reveal(node) {
    var top = node.offsetTop - 8, bottom = node.offsetTop + node.offsetHeight + 8;
    if (bottom > log.scrollTop + log.clientHeight) log.scrollTop = Math.min(top, bottom - log.clientHeight);
    else if (top < log.scrollTop) log.scrollTop = top;
  }

  // GET /api/origin: {origin, allowed, setting}; {unreachable: true} when the server cannot be reached.
  function checkOrigin() {
    if (API === location.origin) return Promise.resolve({ allowed: true });
    return fetch(API + "/api/origin", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .catch(function () { return { unreachable: true }; });
  }

  function showBlocked(state) {
    blocked = state;
    var origin = state.origin || location.origin;
    var setting = state.setting || "the allowed-origins setting";
    var box = el("div", "msg bot error blocked");
    box.setAttribute("role", "alert");
    box.appendChild(document.createTextNode("This site (" + origin + ") is not allowed to use the assistant at " + API + ". "));
    box.appendChild(document.createTextNode("To the webmaster: add " + origin + " to "));
    box.appendChild(el("code", null, setting));
    box.appendChild(document.createTextNode(" (origins separated by commas) in the assistant server's settings, then restart the server."));
    log.appendChild(box);
    input.disabled = true;
    send.disabled = true;
    if (window.console) console.warn("[assistant widget] " + box.textContent);
    scroll();
  }

  function check() {
    if (!checked) {
      checked = checkOrigin().then(function (s) {
        if (s.allowed === false) showBlocked(s);
        if (s.unreachable) checked = null; // ask again next time
        return s;
      });
    }
    return checked;
  }

  function toggle(open) {
    panel.hidden = !open;
    fab.setAttribute("aria-expanded", String(open));
    if (open) { input.focus(); check(); }
  }
  fab.addEventListener("click", function () { toggle(panel.hidden); });
  if (INLINE) check();
  root.addEventListener("keydown", function (e) { // Escape, from the panel or the launcher
    if (e.key === "Escape" && !INLINE && !panel.hidden) {
      e.preventDefault();
      e.stopPropagation();
      toggle(false);
      fab.focus();
    }
  });

  function newChat() {
    if (busy) busy.abort();
    busy = current = null;
    working(false);
    history = [];
    saved = [];
    save();
    log.textContent = "";
    greet();
    input.value = "";
    if (blocked) showBlocked(blocked);
    else { input.disabled = false; send.disabled = false; input.focus(); }
  }

  function showPassage(box, c) {
    var old = box.querySelector(".passage");
    if (old && old.getAttribute("data-n") === String(c.n)) { old.remove(); return; }
    if (old) old.remove();
    var p = el("div", "passage");
    p.setAttribute("data-n", String(c.n));
    p.appendChild(el("span", "where", "[" + c.n + "] " + where(c)));
    p.appendChild(highlighted(c.text || "", c.quote || ""));
    box.appendChild(p);
    reveal(p);
    sourceLink(c).then(function (href) {
      if (!p.isConnected) return;
      p.appendChild(document.createElement("br"));
      var a = el("a", "open", "Open in the document ↗");
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener";
      a.setAttribute("aria-label", "Open source " + c.n + " in the document, the quoted sentence highlighted");
      p.appendChild(a);
      reveal(p); // the link made the card taller
    });
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
        var b = button("cite", "[" + n + "]", "Source " + n + ": " + where(c), function () { showPassage(box, c); });
        b.title = where(c);
        body.appendChild(b);
      });
      pos = m.index + m[0].length;
    }
    body.appendChild(document.createTextNode(text.slice(pos)));
    if (answer.notice) {  // read before the answer it qualifies
      var note = el("div", "notice", answer.notice);
      note.setAttribute("role", "note");
      box.appendChild(note);
    }
    box.appendChild(body);
    if (answer.refused) {
      box.classList.add("refused");
      var topics = answer.suggestions || [];
      if (topics.length) {
        var chips = el("span", "chips");
        topics.forEach(function (t) {
          chips.appendChild(button(null, t, "Ask what the documents say about " + t, function () { ask("What do the documents say about " + t + "?"); }));
        });
        var listed = topics.join("; "), at = text.lastIndexOf(listed);
        if (at >= 0) { // the sentence already lists the topics: the buttons stand in their place, named once
          body.textContent = text.slice(0, at).trimEnd();
          body.appendChild(chips);
          var rest = text.slice(at + listed.length).trim();
          if (rest.replace(/\./g, "")) body.appendChild(document.createTextNode(rest));
        } else {
          box.appendChild(chips);
        }
      }
    }
    if ((answer.citations || []).length) {
      var src = el("div", "sources");
      src.appendChild(el("h2", null, "Sources"));
      var list = el("ol");
      answer.citations.forEach(function (c) {
        var b = button("source", null, null, function () { showPassage(box, c); });
        b.appendChild(el("span", "name", "[" + c.n + "] " + where(c)));
        b.appendChild(el("span", "quote", quoteLine(c, 140)));
        var li = el("li");
        li.appendChild(b);
        list.appendChild(li);
      });
      src.appendChild(list);
      box.appendChild(src);
    }
    var actions = el("div", "actions");
    var copy = button("copy", "Copy", "Copy the answer as text", function () {
      copyText(plainText(answer)).then(function (ok) {
        copy.textContent = ok ? "Copied" : "Copy failed";
        setTimeout(function () { copy.textContent = "Copy"; }, 2000);
      });
    });
    actions.appendChild(copy);
    if (!answer.refused) {
      [["up", "▲ Helpful", "Helpful"], ["down", "▼ Not helpful", "Not helpful"]].forEach(function (v) {
        var b = button("vote-" + v[0], v[1], v[2], function () {
          actions.querySelectorAll("[aria-pressed]").forEach(function (x) { x.setAttribute("aria-pressed", "false"); });
          b.setAttribute("aria-pressed", "true");
          fetch(API + "/api/feedback", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ question: question, answer: text, citations: answer.citations || [], vote: v[0] }),
          }).catch(function () {});
        });
        b.setAttribute("aria-pressed", "false");
        actions.appendChild(b);
      });
    }
    box.appendChild(actions);
    follow(box);
  }

  // A failed question goes back into the input (unless something new was typed), with a Retry.
  function fail(box, message, question) {
    box.textContent = message;
    box.classList.remove("pending");
    box.classList.add("error");
    box.removeAttribute("aria-busy");
    if (question != null) {
      var asked = box.previousSibling; // the question's bubble: a retry asks it anew, below
      if (!input.value.trim()) input.value = question;
      box.appendChild(button("retry", "Retry", "Retry the question", function () {
        box.remove();
        if (asked && asked.isConnected) asked.remove();
        ask(question);
      }));
    }
    follow(box);
  }

  // Why a request did not get through: the page's origin is refused (CORS), or the server is down.
  function unreachable(box, question) {
    checked = null;
    return check().then(function (s) {
      if (s.allowed === false) { box.remove(); return; }
      fail(box, s.unreachable
        ? "Could not reach the assistant at " + API + ". Your question is kept: try again in a moment."
        : "The connection to the assistant was interrupted. Your question is kept: try again.", question);
    });
  }

  // POST /api/ask/stream and read the server-sent events as they arrive.
  function ask(question) {
    question = String(question || "").trim();
    if (!question || busy || blocked) return;
    var controller = typeof AbortController === "function" ? new AbortController() : { abort: function () {}, signal: undefined };
    busy = controller;
    working(true);
    if (input.value.trim() === question) input.value = "";
    log.appendChild(el("div", "msg user", question));
    var box = el("div", "msg bot pending", "…");
    current = { box: box, question: question };
    box.setAttribute("aria-busy", "true");
    log.appendChild(box);
    follow(box);
    var text = "";
    var done = false;
    function stale() { return busy !== controller; }
    fetch(API + "/api/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: question, history: history.slice(-MAX_TURNS) }),
      signal: controller.signal,
    })
      .then(function (res) {
        if (!res.ok) {
          return res.json().catch(function () { return {}; }).then(function (j) {
            var msg = res.status === 429 ? "Too many questions — please wait a moment." : (typeof j.detail === "string" ? j.detail : "The assistant could not answer.");
            done = true;
            fail(box, msg, res.status === 422 ? null : question);
          });
        }
        var reader = res.body.getReader();
        var decoder = new TextDecoder();
        var buf = "";
        function handle(block) {
          var data = block.split("\n").filter(function (l) { return l.indexOf("data:") === 0; })
            .map(function (l) { return l.slice(5).trim(); }).join("\n");
          if (!data || stale()) return;
          var ev = JSON.parse(data);
          if (ev.type === "delta") { text += ev.text; box.textContent = text; follow(box); }
          else if (ev.type === "replace") { text = ev.text; box.textContent = text; follow(box); }
          else if (ev.type === "done") {
            done = true;
            box.classList.remove("pending");
            box.removeAttribute("aria-busy");
            renderAnswer(box, ev.answer, question);
            history.push([question, ev.answer.answer]);
            saved.push({ q: question, a: ev.answer });
            save();
          } else if (ev.type === "error") { done = true; fail(box, ev.detail || "The assistant could not answer.", question); }
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
      .catch(function () {
        if (stale()) return;
        done = true;
        return unreachable(box, question);
      })
      .then(function () {
        if (stale()) return;
        if (!done) fail(box, "The answer was cut off.", question);
        busy = current = null;
        working(false);
        input.focus();
      });
  }

  // While an answer comes, Ask turns into Stop (an LLM may take many seconds).
  function working(on) {
    send.textContent = on ? "Stop" : "Ask";
    send.classList.toggle("stop", on);
    if (on) send.setAttribute("aria-label", "Stop the answer"); else send.removeAttribute("aria-label");
    send.disabled = !on && !!blocked;
  }

  function stop() {
    var c = busy, was = current;
    busy = current = null;
    c.abort();
    working(false);
    if (was) fail(was.box, "Stopped. Your question is back in the box.", was.question);
    input.focus();
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (busy) stop(); else ask(input.value);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      if (!busy) form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });

  restore();

  function mount() { document.body.appendChild(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
