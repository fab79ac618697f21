// The KJ board, enhanced: drag a card or group onto a group to move it there, onto the board's
// edge to take it to the top, or onto another card to start a group of the two; undo and redo;
// and the board reloads itself when another researcher changes it. Without this script every
// action still works through the form below the board.
"use strict";
(() => {
  const form = document.getElementById("board-form");
  if (!form) return;
  const base = form.dataset.base;
  const csrf = form.dataset.csrf;
  const status = document.getElementById("board-status");
  const undoButton = document.getElementById("board-undo");
  const redoButton = document.getElementById("board-redo");
  let revision = Number(form.dataset.revision);
  const done = [];
  const undone = [];
  let busy = false;
  document.getElementById("board-tools").hidden = false;

  const say = (message) => { status.textContent = message; };
  const board = () => document.getElementById("board");
  const nodeElement = (id) => board().querySelector(`[data-node="${id}"]`);
  const parentOf = (id) => {
    const holder = nodeElement(id)?.parentElement?.closest("[data-parent]");
    return holder && holder.dataset.parent ? Number(holder.dataset.parent) : null;
  };
  const labelOf = (id) => nodeElement(id)?.dataset.label ?? "";
  const membersOf = (id) => [...(nodeElement(id)?.querySelector(".board-members")?.children ?? [])]
    .map((child) => Number(child.dataset.node)).filter(Boolean);

  async function call(path, body) {
    const response = await fetch(base + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data?.error?.message ?? response.statusText);
      error.status = response.status;
      throw error;
    }
    if (data.revision) revision = data.revision;
    return data;
  }

  async function reload(message) {
    const response = await fetch(location.pathname + location.search, { credentials: "same-origin" });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const closed = new Set([...board().querySelectorAll("details:not([open])")].map((d) => d.id));
    const focused = document.activeElement?.closest?.("[data-node]")?.dataset.node;
    board().replaceWith(page.getElementById("board"));
    document.getElementById("move-parent").innerHTML = page.getElementById("move-parent").innerHTML;
    revision = Number(page.getElementById("board-form").dataset.revision);
    closed.forEach((id) => document.getElementById(id)?.removeAttribute("open"));
    enhance();
    if (focused) nodeElement(focused)?.querySelector("input")?.focus();
    if (message) say(message);
  }

  // Each change knows how to do itself again and how to undo itself.
  const moves = (nodes, to) => ({
    from: nodes.map((id) => [id, parentOf(id)]),
    async redo() { await call("/board/move", { nodes, parent: to }); },
    async undo() {
      for (const [id, from] of this.from) await call("/board/move", { nodes: [id], parent: from });
    },
  });
  const gathering = (label, parent, members) => ({
    id: null,
    async redo() {
      this.id = (await call("/board/group", { label, parent_id: parent, member_ids: members })).id;
    },
    async undo() { await call("/board/dissolve", { group: this.id }); },
  });
  const dissolving = (id) => {
    const change = gathering(labelOf(id), parentOf(id), membersOf(id));
    change.id = id;
    return { async redo() { await change.undo(); }, async undo() { await change.redo(); } };
  };

  async function perform(change, message) {
    if (busy) return;
    busy = true;
    try {
      await change.redo();
      done.push(change);
      undone.length = 0;
      await reload(message ?? form.dataset.moved);
    } catch {
      await reload(form.dataset.refused);
    } finally {
      busy = false;
      buttons();
    }
  }

  async function step(from, to, direction) {
    const change = from.pop();
    if (!change || busy) return;
    busy = true;
    try {
      await change[direction]();
      to.push(change);
      await reload(form.dataset.undone);
    } catch {
      await reload(form.dataset.refused);
    } finally {
      busy = false;
      buttons();
    }
  }

  function buttons() {
    undoButton.disabled = done.length === 0;
    redoButton.disabled = undone.length === 0;
  }
  undoButton.addEventListener("click", () => step(done, undone, "undo"));
  redoButton.addEventListener("click", () => step(undone, done, "redo"));
  document.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.target.matches("input[type=text], input:not([type]), textarea")) return;
    if (event.key === "z" && !event.shiftKey) { event.preventDefault(); step(done, undone, "undo"); }
    if (event.key === "y" || (event.key === "Z" && event.shiftKey)) { event.preventDefault(); step(undone, done, "redo"); }
  });

  const checked = () => [...board().querySelectorAll("input[name=node]:checked")].map((box) => Number(box.value));

  form.addEventListener("submit", (event) => {
    const submitter = event.submitter;
    if (!submitter) return;
    if (submitter.id === "board-move" && checked().length) {
      event.preventDefault();
      const parent = document.getElementById("move-parent").value;
      perform(moves(checked(), parent ? Number(parent) : null));
    } else if (submitter.id === "board-gather" && checked().length) {
      const label = document.getElementById("group-label").value.trim();
      if (!label) return;
      event.preventDefault();
      const parent = document.getElementById("move-parent").value;
      perform(gathering(label, parent ? Number(parent) : null, checked()));
      document.getElementById("group-label").value = "";
    } else if (submitter.dataset.dissolve) {
      event.preventDefault();
      perform(dissolving(Number(submitter.dataset.dissolve)));
    }
  });

  function enhance() {
    board().querySelectorAll("[data-node]").forEach((element) => { element.draggable = true; });
  }
  document.addEventListener("dragstart", (event) => {
    const node = event.target.closest?.("#board [data-node]");
    if (!node) return;
    event.dataTransfer.setData("text/plain", node.dataset.node);
    event.dataTransfer.effectAllowed = "move";
  });
  document.addEventListener("dragover", (event) => {
    if (event.target.closest?.("#board")) event.preventDefault();
  });
  document.addEventListener("drop", (event) => {
    const target = event.target.closest?.("#board .board-card, #board .board-group, #board");
    if (!target) return;
    event.preventDefault();
    const node = Number(event.dataTransfer.getData("text/plain"));
    if (!node || Number(target.dataset.node) === node) return;
    if (target.classList.contains("board-card")) {
      // Two cards together: tick both and ask for the new group's label.
      board().querySelectorAll("input[name=node]:checked").forEach((box) => { box.checked = false; });
      for (const id of [node, Number(target.dataset.node)]) {
        const box = nodeElement(id)?.querySelector("input[name=node]");
        if (box) box.checked = true;
      }
      const parent = parentOf(Number(target.dataset.node));
      document.getElementById("move-parent").value = parent ?? "";
      document.getElementById("group-label").focus();
      say(form.dataset.nameGroup);
      return;
    }
    const parent = target.classList.contains("board-group") ? Number(target.dataset.node) : null;
    if (parentOf(node) === parent) return;
    perform(moves([node], parent));
  });

  // Other researchers' changes: look for a new revision every few seconds.
  setInterval(async () => {
    if (busy || document.hidden) return;
    try {
      const response = await fetch(`${base}/board.json?since=${revision}`, { credentials: "same-origin" });
      const data = await response.json();
      if (data.revision !== revision && !busy) await reload(form.dataset.conflict);
    } catch (_) { /* offline for a moment: try again next time */ }
  }, 3000);

  enhance();
  buttons();
})();
