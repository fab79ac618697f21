// The transcript: select a passage (mouse, touch, or the keyboard) and make it a card. The text
// takes a caret so that the keyboard can select as in a text box (Shift with the arrows, by
// character; with Ctrl or Alt, by word; Alt+Shift+Up/Down to the start or end of a line), but
// nothing can change it. Offsets are counted in code points, as the server counts them.
"use strict";
(() => {
  const text = document.getElementById("transcript");
  const bar = document.getElementById("selection-bar");
  const form = document.getElementById("selection-form");
  if (!text || !bar || !form) return;
  const preview = document.getElementById("selection-preview");
  const announce = document.getElementById("transcript-announce");
  const start = form.elements.namedItem("start");
  const end = form.elements.namedItem("end");
  const message = (key) => bar.dataset[key] ?? "";

  text.setAttribute("contenteditable", "true");
  text.setAttribute("inputmode", "none");
  text.setAttribute("spellcheck", "false");
  text.setAttribute("role", "textbox");
  text.setAttribute("aria-multiline", "true");
  text.setAttribute("aria-readonly", "true");
  text.setAttribute("aria-describedby", "selection-help");
  for (const type of ["beforeinput", "paste", "cut", "drop", "dragstart"]) {
    text.addEventListener(type, (event) => event.preventDefault());
  }
  document.getElementById("selection-help")?.removeAttribute("hidden");

  const codePoints = (node, offset) => {
    const range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(node, offset);
    return [...range.toString()].length;
  };

  // The code point `at` of the text as a DOM position (the text runs through its marks).
  const pointAt = (at) => {
    const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    let left = at;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const chars = [...node.data];
      if (left <= chars.length) return { node, offset: chars.slice(0, left).join("").length };
      left -= chars.length;
    }
    return { node: text, offset: text.childNodes.length };
  };
  // The end (or start) of the turn at code point `at`; from an edge, the next turn's.
  const turnEdge = (at, forward) => {
    const chars = [...text.textContent];
    let i = at;
    if (forward) {
      if (chars[i] === "\n") i += 1;
      while (i < chars.length && chars[i] !== "\n") i += 1;
    } else {
      if (i > 0 && chars[i - 1] === "\n") i -= 1;
      while (i > 0 && chars[i - 1] !== "\n") i -= 1;
    }
    return i;
  };
  const nextTurn = (at) => {
    const chars = [...text.textContent];
    let i = at;
    while (i < chars.length && chars[i] !== "\n") i += 1;
    return Math.min(i + 1, chars.length);
  };

  let chosen = null;
  const update = () => {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) {
      // A click on the bar's button moves the focus but must keep what was chosen.
      if (!bar.contains(document.activeElement)) hide();
      return;
    }
    if (range.collapsed) {
      hide();
      return;
    }
    chosen = { start: codePoints(range.startContainer, range.startOffset), end: codePoints(range.endContainer, range.endOffset) };
    start.value = String(chosen.start);
    end.value = String(chosen.end);
    const words = range.toString().trim();
    preview.textContent = `${message("chosen")}「${words.length > 60 ? `${words.slice(0, 60)}…` : words}」`;
    bar.hidden = false;
  };
  const hide = () => {
    chosen = null;
    bar.hidden = true;
  };
  document.addEventListener("selectionchange", update);

  text.addEventListener("keydown", (event) => {
    const selection = document.getSelection();
    // The selection's own event may not have come yet when a key follows at once.
    if (event.key === "Enter") update();
    if (event.key === "Enter" && chosen) {
      event.preventDefault();
      announce.textContent = message("making");
      form.requestSubmit();
    } else if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp") && selection?.focusNode && text.contains(selection.focusNode)) {
      // By turn (a line of the text, however it wraps on screen): Alt moves the caret to the
      // next turn's start or back to this one's; with Shift, the selection reaches to this
      // turn's end or start (or the next one's, when already there).
      event.preventDefault();
      const at = codePoints(selection.focusNode, selection.focusOffset);
      const forward = event.key === "ArrowDown";
      const to = event.shiftKey ? turnEdge(at, forward) : forward ? nextTurn(at) : turnEdge(at, false);
      const point = pointAt(to);
      if (event.shiftKey) selection.extend(point.node, point.offset);
      else selection.collapse(point.node, point.offset);
    } else if (event.key === "Escape") {
      selection?.collapseToStart();
      hide();
    }
  });

  // A card marked in the text: say which it is and where it belongs, and lead to it in the list.
  text.addEventListener("click", (event) => {
    const mark = event.target.closest?.("mark[data-card]");
    if (!mark) return;
    const entry = document.getElementById(`card-entry-${mark.dataset.card}`);
    if (!entry) return;
    for (const other of document.querySelectorAll("#cards li.current")) other.classList.remove("current");
    entry.classList.add("current");
    entry.scrollIntoView({ block: "nearest" });
    announce.textContent = entry.innerText;
  });
})();
