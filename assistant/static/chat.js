// The chat page's behaviour that Gradio's Chatbot does not have (loaded in the page head).
// Messages are our own escaped HTML; people must never see or hear that markup:
// copying a message gives its plain text (data-plain), a message's aria-label is its text.
// A new question is kept at the top of the conversation while its answer arrives.
(function () {
  "use strict";
  var PREFIX = /^(user|bot|assistant)'s message: /;

  function plain(text) {
    // An HTML message -> the text a person reads (the answer's data-plain when it has one).
    if (typeof text !== "string" || text.indexOf("<") === -1) return text;
    var doc = new DOMParser().parseFromString(text, "text/html"); // parsing runs no script
    var marked = doc.querySelector("[data-plain]");
    if (marked) return marked.getAttribute("data-plain");
    if (!doc.body.firstElementChild) return text;
    return doc.body.textContent.replace(/[ \t]+\n/g, "\n").trim();
  }

  // Copy: Gradio writes the message's content (our HTML); write its plain text instead.
  if (navigator.clipboard && navigator.clipboard.writeText) {
    var write = navigator.clipboard.writeText.bind(navigator.clipboard);
    navigator.clipboard.writeText = function (text) { return write(plain(text)); };
  }
  document.addEventListener("copy", function (e) {
    // Gradio's fallback without the clipboard API copies from an off-screen textarea
    var el = document.activeElement;
    if (el && el.tagName === "TEXTAREA" && !el.closest("#question") && el.value.indexOf("<") === 0) {
      e.clipboardData.setData("text/plain", plain(el.value));
      e.preventDefault();
    }
  }, true);

  function fixLabel(el) {
    var label = el.getAttribute("aria-label");
    if (!label || !PREFIX.test(label) || label.indexOf("<") === -1) return;
    var who = label.indexOf("user") === 0 ? "You" : "Assistant";
    el.setAttribute("aria-label", who + ": " + plain(label.replace(PREFIX, "")));
  }

  // Keep the newest question at the top of the conversation while its answer streams in,
  // until the person scrolls themselves.
  var pinned = null, questions = 0;
  function scroller(el) {
    for (var p = el.parentElement; p; p = p.parentElement) {
      var style = getComputedStyle(p);
      if (/(auto|scroll)/.test(style.overflowY) && p.scrollHeight > p.clientHeight) return p;
    }
    return null;
  }
  function keepPinned() {
    var asked = document.querySelectorAll("#chat [data-testid='user']");
    if (asked.length > questions) pinned = asked[asked.length - 1].closest(".message-row") || asked[asked.length - 1];
    questions = asked.length;
    if (!pinned || !pinned.isConnected) return;
    var box = scroller(pinned);
    if (!box) return;
    var top = pinned.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop - 8;
    if (Math.abs(box.scrollTop - top) > 1) { box.scrollTop = top; placed = box.scrollTop; }
  }
  var placed = null; // where keepPinned last put the conversation: any other scroll is the person's
  document.addEventListener("scroll", function (e) {
    if (pinned && e.target.nodeType === 1 && e.target.contains(pinned) && placed !== null && Math.abs(e.target.scrollTop - placed) > 2) pinned = null;
  }, true);
  ["wheel", "touchmove", "keydown"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      if (type === "keydown" && !/^(PageUp|PageDown|ArrowUp|ArrowDown|Home|End)$/.test(e.key)) return;
      if (e.target.closest && e.target.closest("#chat")) pinned = null;
    }, { passive: true, capture: true });
  });

  new MutationObserver(function (records) {
    var chatChanged = false;
    records.forEach(function (r) {
      if (r.type === "attributes") fixLabel(r.target);
      else r.addedNodes.forEach(function (n) {
        if (n.nodeType !== 1) return;
        if (n.hasAttribute("aria-label")) fixLabel(n);
        n.querySelectorAll("[aria-label]").forEach(fixLabel);
      });
      if (r.target.closest && r.target.closest("#chat")) chatChanged = true;
    });
    if (chatChanged) {
      keepPinned();
      // Gradio lists the starter questions as buttons in a role="list" without list items (axe: critical)
      var starters = document.querySelector("#chat .examples[role='list']");
      if (starters) { starters.setAttribute("role", "group"); starters.setAttribute("aria-label", "Starter questions"); }
    }
  }).observe(document.documentElement, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["aria-label"] });

  // Citation cards: hover or keyboard focus shows one (CSS); a tap opens it first, the next tap
  // follows the link; Escape closes it.
  var touch = false;
  document.addEventListener("pointerdown", function (e) { touch = e.pointerType === "touch"; }, true);
  function closeCards(except) {
    document.querySelectorAll("#chat .cite-wrap.open").forEach(function (w) { if (w !== except) w.classList.remove("open"); });
  }
  document.addEventListener("click", function (e) {
    var cite = e.target.closest("#chat a.cite");
    if (cite && touch) {
      var wrap = cite.closest(".cite-wrap");
      if (!wrap.classList.contains("open")) {
        e.preventDefault();
        wrap.classList.remove("shut");
        closeCards(wrap);
        wrap.classList.add("open");
        return;
      }
    }
    if (!e.target.closest("#chat .cite-wrap")) closeCards(null);
    var topic = e.target.closest("#chat button.topic");
    if (topic) {
      var box = document.querySelector("#question textarea");
      box.value = topic.value;
      box.dispatchEvent(new Event("input", { bubbles: true }));
      document.querySelector("#ask").click();
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var shown = document.querySelectorAll("#chat .cite-wrap.open, #chat .cite-wrap:focus-within, #chat .cite-wrap:hover");
    if (!shown.length) return;
    shown.forEach(function (w) { w.classList.remove("open"); w.classList.add("shut"); }); // stays shut until left
    var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#chat .cite-wrap");
    if (focused) focused.querySelector("a.cite").focus();
  });
  // A card opens on the side of its marker with more room in the conversation, and no taller than that room.
  function place(e) {
    var wrap = e.target.closest && e.target.closest("#chat .cite-wrap");
    if (!wrap || matchMedia("(max-width: 640px)").matches) return;
    var pop = wrap.querySelector(".cite-pop"), box = scroller(wrap);
    if (!pop || !box || getComputedStyle(pop).display === "none") return;
    var room = box.getBoundingClientRect(), mark = wrap.getBoundingClientRect();
    var below = room.bottom - mark.bottom - 12, above = mark.top - room.top - 12;
    wrap.classList.toggle("above", above > below && below < pop.scrollHeight);
    pop.style.maxHeight = Math.max(Math.max(above, below), 120) + "px";
  }
  document.addEventListener("mouseover", place);
  document.addEventListener("focusin", place);
  function reopen(e) {
    var wrap = e.target.closest && e.target.closest(".cite-wrap.shut");
    if (wrap && (!e.relatedTarget || !wrap.contains(e.relatedTarget))) wrap.classList.remove("shut");
  }
  document.addEventListener("focusout", reopen);
  document.addEventListener("mouseout", reopen);
})();

// After Ask, the cursor is back in the question box for the next question.
document.addEventListener("click", function (e) {
  if (!e.target.closest("#ask")) return;
  var box = document.querySelector("#question textarea");
  if (box) box.focus();
});
