// The A型 diagram in the browser: drag a group's box to arrange the diagram (its place is saved
// and the diagram drawn again, arrows and all). Without this script the boxes are moved with the
// form under the diagram; the SVG and PNG files are plain links either way.
"use strict";
(() => {
  const figure = document.getElementById("diagram");
  if (!figure) return;
  const svg = () => figure.querySelector("svg");

  // Where the pointer is, in the diagram's own coordinates.
  function point(event) {
    const drawing = svg();
    const at = drawing.createSVGPoint();
    at.x = event.clientX;
    at.y = event.clientY;
    return at.matrixTransform(drawing.getScreenCTM().inverse());
  }
  const snap = (value) => Math.min(100000, Math.max(0, Math.round(value / 10) * 10));
  let dragging = null;

  figure.addEventListener("pointerdown", (event) => {
    const block = event.target.closest?.("g.block");
    if (!block || event.button !== 0) return;
    const [x, y] = (block.getAttribute("transform").match(/-?\d+(\.\d+)?/g) ?? [0, 0]).map(Number);
    dragging = { block, x, y, from: point(event), to: null };
    block.setPointerCapture(event.pointerId);
    block.classList.add("dragging");
    event.preventDefault();
  });
  figure.addEventListener("pointermove", (event) => {
    if (!dragging) return;
    const now = point(event);
    dragging.to = [snap(dragging.x + now.x - dragging.from.x), snap(dragging.y + now.y - dragging.from.y)];
    dragging.block.setAttribute("transform", `translate(${dragging.to[0]} ${dragging.to[1]})`);
  });
  async function drop() {
    const moved = dragging;
    dragging = null;
    if (!moved) return;
    moved.block.classList.remove("dragging");
    if (!moved.to) return;
    const node = Number(moved.block.dataset.node);
    const [x, y] = moved.to;
    const saved = await fetch(figure.dataset.place, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": figure.dataset.csrf },
      body: JSON.stringify({ node, x, y }),
    }).catch(() => null);
    const drawn = saved?.ok ? await fetch(figure.dataset.svg, { credentials: "same-origin" }).catch(() => null) : null;
    if (!drawn?.ok) {
      // Not saved: put the box back where it was.
      moved.block.setAttribute("transform", `translate(${moved.x} ${moved.y})`);
      return;
    }
    const parsed = new DOMParser().parseFromString(await drawn.text(), "image/svg+xml");
    figure.replaceChildren(document.importNode(parsed.documentElement, true));
    for (const [axis, value] of [["x", x], ["y", y]]) {
      const input = document.getElementById(`${axis}-${node}`);
      if (input) input.value = value;
    }
  }
  figure.addEventListener("pointerup", drop);
  figure.addEventListener("pointercancel", drop);
})();
