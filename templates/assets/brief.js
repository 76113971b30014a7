/* Progressive enhancements; every page reads completely without them. */
(function () {
  "use strict";

  /* Timeline: filter entries by topic, without a server. */
  function enableTopicFilter() {
    var filter = document.querySelector(".brief-filter");
    if (!filter) return;
    filter.hidden = false;
    filter.addEventListener("change", function () {
      var shown = {};
      filter.querySelectorAll("input[name=topic]").forEach(function (box) {
        shown[box.value] = box.checked;
      });
      document.querySelectorAll(".brief-timeline__entry").forEach(function (entry) {
        entry.hidden = !shown[entry.dataset.topic];
      });
      document.querySelectorAll(".brief-month").forEach(function (month) {
        month.hidden = !month.querySelector(".brief-timeline__entry:not([hidden])");
      });
    });
  }

  /* Staleness is judged on the reader's day, so the built page stays the same from day to day. */
  function flagStaleSheets() {
    var day = 24 * 60 * 60 * 1000;
    document.querySelectorAll(".brief-stale").forEach(function (notice) {
      var age = Math.floor((Date.now() - Date.parse(notice.dataset.asOf)) / day);
      if (age > Number(notice.dataset.staleAfterDays)) {
        notice.querySelector(".brief-stale__age").textContent = age + " days";
        notice.hidden = false;
      }
    });
  }

  /* Glossary definitions and citation previews in a popup that a tap, a click or the keyboard opens: a phone
     shows no `title`, and a keyboard never reaches one. Without this script the titles still work, so the
     script moves each title into a data attribute only when it takes over (no native tooltip twice).

     Glossary term: a toggle button. A tap, click, Enter or Space opens its definition; a second one, a tap
     elsewhere, Escape or (from the keyboard) Tab away closes it. A mouse hovering shows it too.
     Citation number: stays a link. A mouse click, or Enter, goes to the quote at once, as before (hovering
     or tabbing to it previews). On a touch screen the first tap previews the source and quote, and a second
     tap on the number, or the preview's own larger link, goes there: a 0.7em superscript is hard to hit twice
     by accident, and a reader deciding whether to trust a claim wants the quote without leaving the page.

     One popup serves the page. Listeners sit on the document, so pages that Material's instant navigation
     swaps in need only `prepareTriggers`. */
  var TERM = "abbr.brief-term[data-brief-tip]";
  var CITE = ".brief-cite a[data-brief-tip]";
  var tip = null;          // the popup element, made on first use
  var current = null;      // the term or citation it is open for
  var openedBy = "";       // "hover", "focus", "key" or "tap": what closes it depends on what opened it
  var lastPointer = "";    // browsers whose click event has no pointerType say it here; "" from the keyboard
  var closeTimer = 0;

  function prepareTriggers() {
    document.querySelectorAll("abbr.brief-term[title]").forEach(function (term) {
      if (term.closest("a, button")) return;  // a control inside a link would be two at once: keep the title
      term.dataset.briefTip = term.title;
      term.removeAttribute("title");
      term.setAttribute("tabindex", "0");
      term.setAttribute("role", "button");
      term.setAttribute("aria-expanded", "false");
    });
    document.querySelectorAll(".brief-cite a[title][data-source]").forEach(function (link) {
      link.dataset.briefTip = link.title;
      link.removeAttribute("title");
    });
  }

  function popup() {
    if (!tip || !tip.isConnected) {
      tip = document.createElement("div");
      tip.id = "brief-popup";
      tip.className = "brief-popup";
      tip.hidden = true;
      tip.addEventListener("pointerenter", function () { clearTimeout(closeTimer); });
      tip.addEventListener("pointerleave", function (event) {
        if (event.pointerType === "mouse" && openedBy === "hover") closeSoon();
      });
      document.body.appendChild(tip);
    }
    return tip;
  }

  /* Fills the popup with text nodes only: a definition or quote is shown, never parsed as HTML. */
  function fill(box, trigger) {
    box.textContent = "";
    if (trigger.matches(TERM)) {
      box.setAttribute("role", "tooltip");
      box.textContent = trigger.dataset.briefTip;
      return;
    }
    box.removeAttribute("role");  // it holds a link, which a tooltip may not
    // cite_mark writes the title as: <source>: “<quote>”
    var source = trigger.dataset.source;
    var title = trigger.dataset.briefTip;
    var prefix = source + ": \u201c";
    var quote = title.indexOf(prefix) === 0 ? title.slice(prefix.length).replace(/\u201d$/, "") : title;
    var from = document.createElement("span");
    from.className = "brief-popup__source";
    from.textContent = source;
    var said = document.createElement("q");
    said.className = "brief-popup__quote";
    said.textContent = quote;
    var go = document.createElement("a");
    go.className = "brief-popup__link";
    go.href = trigger.href;
    go.tabIndex = -1;  // the citation link itself is the keyboard's way there
    go.textContent = "Read it in the source \u2192";
    box.append(from, said, go);
  }

  /* Below the trigger, or above it when there is no room below; never wider than the screen. */
  function place(box, trigger) {
    var margin = 8;
    var viewport = document.documentElement.clientWidth;
    var width = Math.min(320, viewport - 2 * margin);
    var rect = trigger.getBoundingClientRect();
    box.style.width = width + "px";
    var left = Math.max(margin, Math.min(rect.left, viewport - width - margin));
    var top = rect.bottom + 6;
    if (top + box.offsetHeight > window.innerHeight && rect.top - 6 - box.offsetHeight > 0) {
      top = rect.top - 6 - box.offsetHeight;
    }
    box.style.left = left + window.scrollX + "px";
    box.style.top = top + window.scrollY + "px";
  }

  function open(trigger, how) {
    clearTimeout(closeTimer);
    if (current && current !== trigger) close();
    var box = popup();
    fill(box, trigger);
    box.hidden = false;
    place(box, trigger);
    current = trigger;
    openedBy = how;
    trigger.setAttribute("aria-describedby", box.id);
    if (trigger.hasAttribute("aria-expanded")) trigger.setAttribute("aria-expanded", "true");
  }

  function close() {
    clearTimeout(closeTimer);
    if (!current) return;
    current.removeAttribute("aria-describedby");
    if (current.hasAttribute("aria-expanded")) current.setAttribute("aria-expanded", "false");
    tip.hidden = true;
    current = null;
    openedBy = "";
  }

  function closeSoon() {
    clearTimeout(closeTimer);
    closeTimer = setTimeout(close, 200);  // time to move the mouse from a citation onto its preview's link
  }

  function triggerOf(node) {
    return node instanceof Element ? node.closest(TERM + ", " + CITE) : null;
  }

  function onClick(event) {
    var pointer = event.pointerType !== undefined ? event.pointerType : lastPointer;
    var trigger = triggerOf(event.target);
    if (!trigger) {
      if (current && !tip.contains(event.target)) close();  // a tap or click elsewhere
      return;
    }
    var touch = pointer === "touch" || pointer === "pen";
    var shownToStay = trigger === current && openedBy !== "hover" && openedBy !== "focus";
    if (trigger.matches(TERM)) {
      if (shownToStay) close(); else open(trigger, "tap");
    } else if (touch && !shownToStay) {
      event.preventDefault();  // first tap: preview; the second one follows the link
      open(trigger, "tap");
    } else {
      close();  // the link is followed
    }
  }

  function onKeydown(event) {
    lastPointer = "";
    if (event.key === "Escape" && current) {
      var back = tip.contains(document.activeElement) ? current : null;
      close();
      if (back) back.focus();
      return;
    }
    var term = event.target instanceof Element && event.target.matches(TERM) ? event.target : null;
    if (term && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();  // Space would scroll the page
      if (term === current && openedBy !== "hover") close(); else open(term, "key");
    }
  }

  function onFocusin(event) {
    var cite = event.target instanceof Element && event.target.matches(CITE) ? event.target : null;
    if (cite && cite.matches(":focus-visible") && current !== cite) open(cite, "focus");
  }

  function onFocusout(event) {
    if (!current || event.target !== current) return;
    if (openedBy === "key" || openedBy === "focus") {
      if (!(event.relatedTarget && tip.contains(event.relatedTarget))) close();
    }
  }

  function onPointerover(event) {
    if (event.pointerType !== "mouse") return;
    var trigger = triggerOf(event.target);
    if (!trigger) return;
    if (trigger === current) clearTimeout(closeTimer);
    else if (!current || openedBy === "hover") open(trigger, "hover");
  }

  function onPointerout(event) {
    if (event.pointerType !== "mouse" || openedBy !== "hover") return;
    var trigger = triggerOf(event.target);
    var to = event.relatedTarget;
    if (trigger === current && !(to instanceof Node && (trigger.contains(to) || tip.contains(to)))) closeSoon();
  }

  function enablePopups() {
    document.addEventListener("pointerdown", function (event) {
      lastPointer = event.pointerType;
      // A tap outside closes on touch down: iOS sends no click for a tap on plain text.
      if (current && !triggerOf(event.target) && !tip.contains(event.target)) close();
    }, true);
    document.addEventListener("click", onClick);
    document.addEventListener("keydown", onKeydown);
    document.addEventListener("focusin", onFocusin);
    document.addEventListener("focusout", onFocusout);
    document.addEventListener("pointerover", onPointerover);
    document.addEventListener("pointerout", onPointerout);
    window.addEventListener("resize", function () { if (current) place(tip, current); });
  }

  /* "Cite this page": a button copies the text of the <pre> after it; without script the text is selectable by hand.
     The clipboard API needs a secure context (file:// pages are one in Chromium, not everywhere): else the text is
     selected and copied the older way. */
  function showCopyButtons() {
    document.querySelectorAll(".brief-copy").forEach(function (button) { button.hidden = false; });
  }

  function onCopyClick(event) {
    var button = event.target instanceof Element ? event.target.closest(".brief-copy") : null;
    if (!button) return;
    var code = button.parentElement.nextElementSibling;
    var text = code.textContent;
    function copied() { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 2000); }
    function selectAndCopy() {
      var range = document.createRange();
      range.selectNodeContents(code);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (document.execCommand("copy")) copied();
    }
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(copied, selectAndCopy);
    else selectAndCopy();
  }

  /* The theme's search dialog has no accessible name of its own. */
  function nameSearchDialog() {
    var dialog = document.querySelector(".md-search[role=dialog]");
    if (dialog && !dialog.hasAttribute("aria-label")) dialog.setAttribute("aria-label", "Search");
  }

  function start() {
    close();
    nameSearchDialog();
    enableTopicFilter();
    flagStaleSheets();
    prepareTriggers();
    showCopyButtons();
  }
  enablePopups();
  document.addEventListener("click", onCopyClick);
  // With `navigation.instant` Material swaps pages in without reloading this script; its document$
  // observable announces every page, the first included. Without it, the page is ready once.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
