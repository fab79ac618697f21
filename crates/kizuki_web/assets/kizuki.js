// Small enhancements only: every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Copy buttons for one-time secrets (API tokens, invitation links). They stay hidden when the
  // clipboard is not available, so nobody is offered a button that cannot work.
  for (const button of document.querySelectorAll("[data-copy-target]")) {
    const target = document.getElementById(button.dataset.copyTarget);
    if (!target || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(target.value);
        button.setAttribute("aria-live", "polite");
        button.textContent = button.dataset.copied || "✓";
      } catch {
        target.select();
      }
    });
  }
  // A form sent back with mistakes: its summary takes focus, so a screen reader reads it
  // first and a keyboard user can follow its links to each field.
  const summary = document.getElementById("form-errors");
  if (summary && summary.hasAttribute("tabindex")) {
    summary.focus();
    // Following a link in the summary puts the cursor in the field, not just the view on it.
    for (const link of summary.querySelectorAll("a[href^='#']")) {
      link.addEventListener("click", (event) => {
        // The link leads to the message beside the field; the field (or the first choice of a
        // group of them) is what names that message in its aria-describedby.
        const id = link.getAttribute("href").slice(1);
        const described = document.querySelector(`[aria-describedby~="${CSS.escape(id)}"]`);
        const control = described && (described.matches("input, select, textarea, button")
          ? described
          : described.querySelector("input, select, textarea, button"));
        if (!control) return;
        event.preventDefault();
        control.scrollIntoView({ block: "center" });
        control.focus();
      });
    }
  }
  for (const field of document.querySelectorAll("[data-select-on-focus]")) {
    field.addEventListener("focus", () => field.select());
  }
});
