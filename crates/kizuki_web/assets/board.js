// The KJ board as a table one can work on: pan (drag an empty spot, the wheel, the arrow keys
// following focus) and zoom (Ctrl and the wheel, two fingers, + and −, 1 for actual size), an overview in the
// corner, cards and groups carried with pointer events (mouse, pen and touch alike) or with the
// keyboard (Enter picks up, the arrow keys carry, Enter puts down), "move to" by name, undo and
// redo, and the board drawn again when another researcher changes it. Where things lie comes
// from the server (board.css); this script only reads it. Without it every action still works
// through the form above the board.
"use strict";
(() => {
  const form = document.getElementById("board-form");
  const shown = () => document.documentElement.classList.remove("board-waiting");
  if (!form) { shown(); return; }
  const words = form.dataset;
  const base = words.base;
  const csrf = words.csrf;
  const status = document.getElementById("board-status");
  const undoButton = document.getElementById("board-undo");
  const redoButton = document.getElementById("board-redo");
  const zoomLevel = document.getElementById("board-zoom-level");
  const minimap = document.getElementById("board-minimap");
  const viewport = document.getElementById("board");
  const plane = () => document.getElementById("board-plane");
  // The inside of a group begins below its title bar; the table's own items sit inside its
  // margin (kizuki_domain::qda::spread).
  const MARGIN = 24;
  const HEAD = 48;
  let revision = Number(words.revision);
  let fold = new Set((words.fold || "").split(",").filter(Boolean).map(Number));
  const done = [];
  const undone = [];
  let busy = false;
  let current = null;
  let view = { x: 0, y: 0, scale: 1 };
  let rects = new Map();
  document.getElementById("board-tools").hidden = false;
  viewport.classList.add("live");
  // On a phone the table matters more than the form above it, which dragging and "move to"
  // stand in for: it starts folded there.
  if (window.matchMedia("(max-width: 40rem)").matches) document.getElementById("board-actions-fold").open = false;
  minimap.hidden = false;

  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
  const say = (message) => { status.textContent = ""; status.textContent = message; };
  // Cards far from sight are taken out of the page while the table is large (see cull), so a
  // node is looked for among those too.
  const parked = new Map();
  const nodeElement = (id) => parked.get(id)?.element ?? plane().querySelector(`[data-node="${id}"]`);
  const pick = (id) => {
    const element = nodeElement(id);
    return element?.classList.contains("board-group") ? element.querySelector(":scope > .board-group-head > input") : element?.querySelector(":scope > input");
  };
  const idOf = (element) => Number(element?.closest?.("[data-node]")?.dataset.node) || null;
  const parentOf = (id) => rects.get(id)?.parent ?? null;
  const labelOf = (id) => {
    const element = nodeElement(id);
    if (!element) return "";
    return element.dataset.label ?? element.querySelector(".board-quote")?.textContent.trim().slice(0, 40) ?? "";
  };
  const membersOf = (id) => [...rects].filter(([, rect]) => rect.parent === id).map(([member]) => member);
  const within = (id, ancestor) => {
    for (let at = id; at != null; at = parentOf(at)) if (at === ancestor) return true;
    return false;
  };

  // Where everything is, in the plane's own units: a card's box, a group's title bar (what
  // focus and the arrow keys stop on) and its whole enclosure.
  // Read from the places' stylesheet, not from the page's layout: on a table of thousands of
  // cards, asking the browser where each one is would lay out every card before any is culled.
  function places() {
    const sheet = document.getElementById("board-places")?.sheet;
    const found = new Map();
    let rules = [];
    try { rules = sheet ? [...sheet.cssRules] : []; } catch { rules = []; }
    for (const rule of rules) {
      const selector = rule.selectorText ?? "";
      if (selector === "#board-plane") tableSize = { width: parseFloat(rule.style.width), height: parseFloat(rule.style.height) };
      const id = Number(selector.match(/^#node-(\d+)$/)?.[1]);
      if (id) found.set(id, rule.style);
    }
    return found;
  }
  // The table's size, from the same stylesheet: asked of the page, it would lay out every card.
  let tableSize = null;
  const planeWidth = () => tableSize?.width || plane().offsetWidth;
  const planeHeight = () => tableSize?.height || plane().offsetHeight;
  function measure() {
    rects = new Map();
    const placed = places();
    const top = plane();
    let corner = null;
    for (const element of top.querySelectorAll("[data-node]")) {
      const id = Number(element.dataset.node);
      const group = element.classList.contains("board-group");
      const holder = element.parentElement.closest("[data-node]");
      const parent = holder ? Number(holder.dataset.node) : null;
      const style = placed.get(id);
      let rect;
      if (style && (parent == null || rects.has(parent))) {
        // Groups come before what they hold, so the holder's place is known.
        const inside = parent == null ? { x: 0, y: 0 } : { x: rects.get(parent).x + 12, y: rects.get(parent).y + HEAD };
        const full = group ? parseFloat(style.height) : 64;
        rect = { x: inside.x + parseFloat(style.left), y: inside.y + parseFloat(style.top), width: group ? parseFloat(style.width) : 200, full };
      } else {
        // Not in the stylesheet (not expected): asked of the page, which must show the table.
        shown();
        corner ??= top.getBoundingClientRect();
        const box = element.getBoundingClientRect();
        rect = { x: (box.left - corner.left) / view.scale, y: (box.top - corner.top) / view.scale, width: element.offsetWidth, full: element.offsetHeight };
      }
      rect.height = group ? Math.min(HEAD, rect.full) : rect.full;
      rects.set(id, { ...rect, group, parent });
    }
  }
  // On a table of thousands of cards the browser's work for every frame (hit testing, paint)
  // grows with the cards in the page, in sight or not; so the cards more than a quarter of a window
  // out of sight are taken out, each put back in its place among its group's cards as it nears.
  // Groups stay, as do the card with focus and any card carried or ticked.
  const CULL_FROM = 600;
  let culled = false;
  let cards = [];
  function index() {
    parked.clear();
    cards = [];
    const order = new Map();
    for (const element of plane().querySelectorAll(".board-card")) {
      const id = Number(element.dataset.node);
      const holder = element.parentElement;
      const siblings = order.get(holder) ?? [];
      const entry = { id, element, holder, siblings, rect: rects.get(id), input: element.querySelector(":scope > input") };
      siblings.push(entry);
      order.set(holder, siblings);
      cards.push(entry);
    }
  }
  // Zoomed out so far that no card can be read, the cards are drawn as plain boxes on a canvas
  // behind the groups instead.
  const FAR = 0.35;
  const far = document.createElement("canvas");
  far.className = "board-far";
  far.setAttribute("aria-hidden", "true");
  viewport.prepend(far);
  function drawFar(on) {
    const context = far.getContext("2d");
    if (!on) {
      if (far.width) { far.width = 0; far.height = 0; }
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    far.width = viewport.clientWidth * ratio;
    far.height = viewport.clientHeight * ratio;
    context.setTransform(ratio * view.scale, 0, 0, ratio * view.scale, ratio * view.x, ratio * view.y);
    context.fillStyle = "#ffffff";
    context.strokeStyle = "#8a7a5c";
    context.lineWidth = 1 / view.scale;
    for (const { id, rect } of cards) {
      if (!parked.has(id)) continue;
      context.fillRect(rect.x, rect.y, rect.width, rect.height);
      context.strokeRect(rect.x, rect.y, rect.width, rect.height);
    }
  }
  function cull() {
    if (cards.length < CULL_FROM) return;
    const distant = view.scale < FAR;
    // The first time, before any card is taken out, the window's size stands in for the
    // table's (which it holds): asking the table would lay out every card first.
    const width = (culled ? viewport.clientWidth : window.innerWidth) / view.scale;
    const height = (culled ? viewport.clientHeight : window.innerHeight) / view.scale;
    culled = true;
    const left = -view.x / view.scale - width / 4;
    const top = -view.y / view.scale - height / 4;
    const right = left + width * 1.5;
    const bottom = top + height * 1.5;
    const back = new Map();
    const gone = new Map();
    for (const entry of cards) {
      const { rect } = entry;
      const near = !distant && rect.x + rect.width > left && rect.x < right && rect.y + rect.full > top && rect.y < bottom;
      const kept = near || entry.id === current || entry.id === carry?.id || entry.input?.checked;
      if (kept && parked.has(entry.id)) {
        parked.delete(entry.id);
        const list = back.get(entry.holder) ?? [];
        list.push(entry);
        back.set(entry.holder, list);
      } else if (!kept && !parked.has(entry.id)) {
        parked.set(entry.id, entry);
        const list = gone.get(entry.holder) ?? [];
        list.push(entry.element);
        gone.set(entry.holder, list);
      }
    }
    // Many cards of one group leave at once (the table just opened, a jump across it): the
    // group's children are laid in again without them, one change instead of hundreds.
    // Not where focus is: a focused element taken out, even for a moment, loses focus (and a
    // click on it its effect).
    const calm = (holder) => !holder.contains(document.activeElement);
    for (const [holder, list] of gone) {
      if (list.length > 20 && calm(holder)) {
        const leaving = new Set(list);
        holder.replaceChildren(...[...holder.children].filter((child) => !leaving.has(child)));
      } else for (const element of list) element.remove();
    }
    // Put back in order: one by one before the next card shown, or, for many, the group's
    // cards laid in again after its groups.
    for (const [holder, list] of back) {
      if (list.length > 20 && calm(holder)) {
        const groups = [...holder.children].filter((child) => child.classList.contains("board-group"));
        holder.replaceChildren(...groups, ...list[0].siblings.filter((entry) => !parked.has(entry.id)).map((entry) => entry.element));
        continue;
      }
      for (const entry of list) {
        let after = null;
        for (let at = entry.siblings.indexOf(entry) + 1; at < entry.siblings.length; at += 1) {
          if (!parked.has(entry.siblings[at].id) && entry.siblings[at].element.parentNode === holder) { after = entry.siblings[at].element; break; }
        }
        holder.insertBefore(entry.element, after);
      }
      for (const entry of list) {
        if (entry.id !== current) entry.element.querySelectorAll("input, a").forEach((control) => { control.tabIndex = -1; });
      }
    }
    viewport.classList.toggle("distant", distant);
    drawFar(distant);
  }
  const middle = (rect) => ({ x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 });
  // The inside of a group (or of the table) in plane units: where its members' places count from.
  function originOf(group) {
    if (group == null) return { x: MARGIN, y: MARGIN };
    const rect = rects.get(group);
    return { x: rect.x + 12, y: rect.y + HEAD };
  }

  // Pan and zoom.
  const clamp = (value, low, high) => Math.min(high, Math.max(low, value));
  // While the table moves, the pointer passing over cards changes nothing (no hover to work
  // out for every frame).
  let still = null;
  function apply(moving = false) {
    plane().style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    if (moving) {
      viewport.classList.add("moving");
      clearTimeout(still);
      still = setTimeout(() => viewport.classList.remove("moving"), 150);
    }
    cull();
    zoomLevel.textContent = `${Math.round(view.scale * 100)}%`;
    drawOverview();
  }
  function zoomAt(factor, x, y) {
    const scale = clamp(view.scale * factor, 0.05, 3);
    const k = scale / view.scale;
    view = { x: x - (x - view.x) * k, y: y - (y - view.y) * k, scale };
    apply(true);
  }
  const zoomMiddle = (factor) => {
    zoomAt(factor, viewport.clientWidth / 2, viewport.clientHeight / 2);
    say(fill(words.zoom, { percent: Math.round(view.scale * 100) }));
  };
  function fit() {
    const width = planeWidth();
    const height = planeHeight();
    const scale = clamp(Math.min(viewport.clientWidth / width, viewport.clientHeight / height), 0.05, 1);
    view = { scale, x: (viewport.clientWidth - width * scale) / 2, y: 0 };
    apply();
    say(fill(words.zoom, { percent: Math.round(scale * 100) }));
  }
  // Brings a node into sight, keeping a margin around it.
  function reveal(id) {
    const rect = rects.get(id);
    if (!rect) return;
    const pad = 32;
    const left = rect.x * view.scale + view.x;
    const top = rect.y * view.scale + view.y;
    const right = left + rect.width * view.scale;
    const bottom = top + rect.height * view.scale;
    let dx = 0;
    let dy = 0;
    if (left < pad) dx = pad - left;
    else if (right > viewport.clientWidth - pad) dx = viewport.clientWidth - pad - right;
    if (top < pad) dy = pad - top;
    else if (bottom > viewport.clientHeight - pad) dy = viewport.clientHeight - pad - bottom;
    if (dx || dy) {
      view.x += dx;
      view.y += dy;
      apply();
    }
  }
  // The browser scrolls a focused element into view inside the table; the pan does that here.
  viewport.addEventListener("scroll", () => { viewport.scrollTop = 0; viewport.scrollLeft = 0; });

  viewport.addEventListener("wheel", (event) => {
    event.preventDefault();
    const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? viewport.clientHeight : 1;
    const box = viewport.getBoundingClientRect();
    if (event.ctrlKey || event.metaKey) {
      zoomAt(Math.exp(-event.deltaY * unit * 0.002), event.clientX - box.left, event.clientY - box.top);
    } else {
      view.x -= (event.shiftKey && !event.deltaX ? event.deltaY : event.deltaX) * unit;
      view.y -= (event.shiftKey && !event.deltaX ? 0 : event.deltaY) * unit;
      apply(true);
    }
  }, { passive: false });

  // The overview: the whole table, small, with the part in sight framed; press or drag on it
  // to look elsewhere.
  let overviewImage = null;
  function overviewScale() {
    return Math.min(minimap.width / planeWidth(), minimap.height / planeHeight());
  }
  function paintOverview() {
    const canvas = document.createElement("canvas");
    canvas.width = minimap.width;
    canvas.height = minimap.height;
    const context = canvas.getContext("2d");
    const k = overviewScale();
    for (const rect of rects.values()) {
      if (rect.parent != null && !rect.group) continue;
      context.fillStyle = rect.group ? "rgba(107, 79, 29, 0.25)" : "#8a7a5c";
      context.strokeStyle = "#6b4f1d";
      const w = Math.max(1, rect.width * k);
      const h = Math.max(1, rect.full * k);
      context.fillRect(rect.x * k, rect.y * k, w, h);
      if (rect.group) context.strokeRect(rect.x * k, rect.y * k, w, h);
    }
    overviewImage = canvas;
  }
  function drawOverview() {
    if (!overviewImage) return;
    const context = minimap.getContext("2d");
    context.clearRect(0, 0, minimap.width, minimap.height);
    context.drawImage(overviewImage, 0, 0);
    const k = overviewScale();
    context.strokeStyle = "#1a57c9";
    context.lineWidth = 2;
    context.strokeRect((-view.x / view.scale) * k, (-view.y / view.scale) * k,
      (viewport.clientWidth / view.scale) * k, (viewport.clientHeight / view.scale) * k);
  }
  function lookAt(event) {
    const box = minimap.getBoundingClientRect();
    const k = overviewScale() * (box.width / minimap.width);
    const x = (event.clientX - box.left) / k;
    const y = (event.clientY - box.top) / k;
    view.x = viewport.clientWidth / 2 - x * view.scale;
    view.y = viewport.clientHeight / 2 - y * view.scale;
    apply();
  }
  minimap.addEventListener("pointerdown", (event) => {
    event.stopPropagation();
    minimap.setPointerCapture(event.pointerId);
    lookAt(event);
  });
  minimap.addEventListener("pointermove", (event) => { if (minimap.hasPointerCapture(event.pointerId)) lookAt(event); });

  // Talking to the server.
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

  const foldQuery = () => [...fold].sort((a, b) => a - b).join(",");
  function address() {
    const url = new URL(location.href);
    url.hash = "";
    url.searchParams.delete("edit");
    if (fold.size) url.searchParams.set("fold", foldQuery());
    else url.searchParams.delete("fold");
    return url;
  }

  // Draws the board again from the server: the new places' stylesheet first (so nothing jumps
  // about while it loads), then the cards and groups; pan, zoom and focus stay.
  async function reload(message, focus) {
    const url = address();
    history.replaceState(null, "", url);
    const response = await fetch(url, { credentials: "same-origin" });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const places = page.getElementById("board-places");
    const old = document.getElementById("board-places");
    if (places && old && places.getAttribute("href") !== old.getAttribute("href")) {
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = places.getAttribute("href");
      await new Promise((resolve) => {
        link.onload = resolve;
        link.onerror = resolve;
        old.after(link);
      });
      old.remove();
      link.id = "board-places";
    }
    const hadFocus = viewport.contains(document.activeElement);
    plane().replaceChildren(...page.getElementById("board-plane").childNodes);
    document.getElementById("move-parent").innerHTML = page.getElementById("move-parent").innerHTML;
    document.querySelector(".board-count").innerHTML = page.querySelector(".board-count").innerHTML;
    revision = Number(page.getElementById("board-form").dataset.revision);
    render();
    const target = focus ?? current;
    if (target && nodeElement(target)) {
      setCurrent(target);
      if (hadFocus || focus) pick(target)?.focus({ preventScroll: true });
      reveal(target);
    }
    if (message) say(message);
  }

  // One stop for Tab on the board: the card or group last in focus, with its links; the arrow
  // keys go to the others.
  function setCurrent(id) {
    if (current && nodeElement(current)) roving(current, -1);
    current = id;
    if (id) roving(id, 0);
  }
  function roving(id, value) {
    const element = nodeElement(id);
    if (!element) return;
    const own = element.classList.contains("board-group")
      ? element.querySelector(".board-group-head").querySelectorAll("input, a, button")
      : element.querySelectorAll("input, a");
    own.forEach((control) => { control.tabIndex = value; });
    pick(id)?.setAttribute("aria-describedby", value === 0 ? "board-keys" : "");
  }
  function render() {
    measure();
    index();
    paintOverview();
    apply();
    // After culling, so that only the cards left in the page are touched; each card put back
    // is taken out of the Tab order as it returns.
    plane().querySelectorAll("input, a, button").forEach((control) => { control.tabIndex = -1; });
    if (!current || !nodeElement(current)) current = Number(plane().querySelector("[data-node]")?.dataset.node) || null;
    if (current) roving(current, 0);
  }
  viewport.addEventListener("focusin", (event) => {
    const id = idOf(event.target);
    if (id && id !== current) setCurrent(id);
    // Focus from the keyboard brings the node into sight; a press on it does not pan the
    // table away from under the pointer before the press is over (the tick would be lost).
    if (id && pointers.size === 0) reveal(id);
  });

  // Each change knows how to make itself again and how to undo itself.
  const placeIn = (id) => {
    const rect = rects.get(id);
    const origin = originOf(rect?.parent ?? null);
    return rect ? [Math.max(0, Math.round(rect.x - origin.x)), Math.max(0, Math.round(rect.y - origin.y))] : null;
  };
  const moves = (nodes, to, at) => ({
    from: nodes.map((id) => [id, parentOf(id), placeIn(id)]),
    focus: nodes[0],
    async redo() { await call("/board/move", { nodes, parent: to, x: at?.[0], y: at?.[1] }); },
    async undo() {
      for (const [id, parent, place] of this.from) {
        await call("/board/move", { nodes: [id], parent, x: place?.[0], y: place?.[1] });
      }
    },
  });
  const spreading = (id, to) => ({
    from: placeIn(id),
    focus: id,
    async redo() { await call("/board/spread", { node: id, x: to[0], y: to[1] }); },
    async undo() { await call("/board/spread", { node: id, x: this.from[0], y: this.from[1] }); },
  });
  const gathering = (label, parent, members) => ({
    id: null,
    focus: null,
    async redo() {
      this.id = (await call("/board/group", { label, parent_id: parent, member_ids: members })).id;
      this.focus = this.id;
    },
    async undo() { await call("/board/dissolve", { group: this.id }); this.focus = members[0]; },
  });
  const dissolving = (id) => {
    const change = gathering(labelOf(id), parentOf(id), membersOf(id));
    change.id = id;
    return {
      focus: change.focus,
      async redo() { await change.undo(); this.focus = change.focus; },
      async undo() { await change.redo(); this.focus = change.focus; },
    };
  };

  async function perform(change, message) {
    if (busy) return;
    busy = true;
    try {
      await change.redo();
      done.push(change);
      undone.length = 0;
      await reload(message ?? words.moved, change.focus);
    } catch {
      await reload(words.refused);
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
      await reload(words.undone, change.focus);
    } catch {
      await reload(words.refused);
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
  document.getElementById("board-zoom-in").addEventListener("click", () => zoomMiddle(1.25));
  document.getElementById("board-zoom-out").addEventListener("click", () => zoomMiddle(0.8));
  document.getElementById("board-fit").addEventListener("click", fit);
  const actualSize = () => zoomMiddle(1 / view.scale);
  zoomLevel.addEventListener("click", actualSize);

  const checked = () => [...plane().querySelectorAll("input[name=node]:checked")].map((box) => Number(box.value));
  // Before the form is sent without this script's help, every card must be in it.
  const unpark = () => { for (const entry of [...parked.values()]) { parked.delete(entry.id); entry.holder.append(entry.element); } };

  form.addEventListener("submit", (event) => {
    const submitter = event.submitter;
    if (!submitter) { unpark(); return; }
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

  // Enter in the label field gathers (the form's first button would move instead).
  document.getElementById("group-label").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit(document.getElementById("board-gather"));
    }
  });

  // Folding is a view of one's own: kept in the address, not on the shared table.
  function toggleFold(id) {
    if (!fold.delete(id)) fold.add(id);
    reload(null, id);
  }
  plane().parentElement.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[data-fold]");
    if (!link) return;
    event.preventDefault();
    toggleFold(Number(link.dataset.fold));
  });

  // Carrying, by pointer or keyboard: the node follows, what lies under it is outlined, and
  // putting it down does what the place means — into a group, a new group with a card, or a
  // spot of its own on the table or in its group.
  let carry = null;
  function lift(id, how) {
    const element = nodeElement(id);
    if (!element) return null;
    element.classList.add("carried");
    carry = { id, element, how, dx: 0, dy: 0, over: null, start: rects.get(id) };
    return carry;
  }
  function moveCarried(dx, dy) {
    carry.dx = dx;
    carry.dy = dy;
    carry.element.style.transform = `translate(${dx}px, ${dy}px)`;
  }
  function outline(over) {
    plane().querySelectorAll(".drop-target").forEach((element) => element.classList.remove("drop-target"));
    if (over?.id) nodeElement(over.id)?.classList.add("drop-target");
  }
  // What lies at a point of the plane, for the node carried: the card or group title under it
  // (a card close by counts, so that cards laid near each other make a group), else the
  // innermost group whose enclosure holds the point, else the table.
  function targetAt(point) {
    const id = carry.id;
    let best = null;
    let group = null;
    for (const [other, rect] of rects) {
      if (within(other, id)) continue;
      const near = rect.group ? 0 : 12;
      if (point.x >= rect.x - near && point.x <= rect.x + rect.width + near
        && point.y >= rect.y - near && point.y <= rect.y + rect.height + near) {
        // A card before a group's title; of two titles, the inner group's.
        const card = !rect.group;
        const bestCard = best != null && !rects.get(best).group;
        if (best == null || (card && !bestCard) || (card === bestCard && within(other, best))) best = other;
      }
      if (rect.group && point.x >= rect.x && point.x <= rect.x + rect.width && point.y >= rect.y && point.y <= rect.y + rect.full) {
        if (group == null || within(other, group)) group = other;
      }
    }
    if (best != null) return { id: best, kind: rects.get(best).group ? "group" : "card" };
    return { id: group, kind: group == null ? "table" : "inside", group };
  }
  function announce(over) {
    if (over.kind === "card") say(fill(words.overCard, { label: labelOf(over.id) }));
    else if (over.kind === "group") say(fill(words.overGroup, { label: labelOf(over.id) }));
    else say(words.overNothing);
  }
  function drop() {
    const { id, element, start, dx, dy, over } = carry;
    carry = null;
    outline(null);
    element.classList.remove("carried");
    const putBack = () => { element.style.transform = ""; };
    if (!over || (!dx && !dy && over.kind !== "card" && over.kind !== "group")) { putBack(); return; }
    if (over.kind === "card" && over.id !== id) {
      propose([over.id, id], over.id, id, putBack, false);
      return;
    }
    if (over.kind === "group" && over.id !== parentOf(id)) {
      putBack();
      perform(moves([id], over.id), fill(words.placed, {}));
      return;
    }
    // A spot of its own in the group (or table) under it.
    const holder = over.kind === "group" ? over.id : over.group ?? null;
    const origin = originOf(holder);
    const at = [Math.max(0, Math.round(start.x + dx - origin.x)), Math.max(0, Math.round(start.y + dy - origin.y))];
    putBack();
    perform(holder === parentOf(id) ? spreading(id, at) : moves([id], holder, at), words.placed);
  }
  function cancelCarry() {
    if (!carry) return;
    carry.element.style.transform = "";
    carry.element.classList.remove("carried");
    outline(null);
    const id = carry.id;
    carry = null;
    say(words.cancelled);
    pick(id)?.focus({ preventScroll: true });
  }

  // Two cards (or a card and a group) put together: ask for the new group's label beside them.
  const proposal = document.getElementById("board-propose");
  const proposalLabel = document.getElementById("board-propose-label");
  const proposalTitle = document.getElementById("board-propose-title");
  const droppedTitle = proposalTitle.textContent;
  let proposed = null;
  // `members` go into the new group, beside `onto` and in its place; focus returns to `back`
  // when the researcher thinks better of it.
  function propose(members, onto, back, putBack, ticked) {
    proposed = { members, onto, back, putBack };
    proposalTitle.textContent = ticked ? words.nameTicked : droppedTitle;
    const rect = nodeElement(onto).getBoundingClientRect();
    proposal.hidden = false;
    proposal.style.left = `${clamp(rect.left, 8, window.innerWidth - proposal.offsetWidth - 8)}px`;
    proposal.style.top = `${clamp(rect.bottom + 8, 8, window.innerHeight - proposal.offsetHeight - 8)}px`;
    say(ticked ? words.nameTicked : words.nameGroup);
    proposalLabel.value = "";
    proposalLabel.focus();
  }
  function closeProposal(made) {
    if (!proposed) return;
    const { members, onto, back, putBack } = proposed;
    proposed = null;
    proposal.hidden = true;
    putBack();
    if (made) {
      perform(gathering(proposalLabel.value.trim(), parentOf(onto), members));
    } else {
      say(words.cancelled);
      pick(back)?.focus({ preventScroll: true });
    }
  }
  document.getElementById("board-propose-make").addEventListener("click", () => {
    if (proposalLabel.value.trim()) closeProposal(true);
    else proposalLabel.focus();
  });
  document.getElementById("board-propose-cancel").addEventListener("click", () => closeProposal(false));
  proposal.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); closeProposal(false); }
    // Enter that ends a kana-to-kanji conversion is not Enter that makes the group.
    if (event.key === "Enter" && !event.isComposing && event.target === proposalLabel) {
      event.preventDefault();
      if (proposalLabel.value.trim()) closeProposal(true);
    }
  });

  // Pointers: one on a card or a group's title bar carries it; one on an empty spot pans; two
  // pinch to zoom.
  const pointers = new Map();
  let gesture = null;
  let swallowClick = false;
  const toPlane = (event) => {
    const box = viewport.getBoundingClientRect();
    return { x: (event.clientX - box.left - view.x) / view.scale, y: (event.clientY - box.top - view.y) / view.scale };
  };
  viewport.addEventListener("pointerdown", (event) => {
    // A finger's drag ends with no click to swallow: the next press starts afresh.
    swallowClick = false;
    if (event.button !== 0 || proposed || busy) return;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pointers.size === 2) {
      if (carry) cancelCarry();
      const [a, b] = [...pointers.values()];
      gesture = { kind: "pinch", distance: Math.hypot(a.x - b.x, a.y - b.y) || 1 };
      return;
    }
    const control = event.target.closest("a, button, input");
    const node = event.target.closest(".board-card, .board-group-head");
    // Captured only once a drag begins, so that a plain click still ticks a box or follows a link.
    if (node && !(control && control.matches("a, button"))) {
      gesture = { kind: "maybe-carry", id: idOf(node), from: { x: event.clientX, y: event.clientY } };
    } else if (!control) {
      gesture = { kind: "pan", from: { x: event.clientX, y: event.clientY }, view: { ...view } };
      viewport.setPointerCapture(event.pointerId);
      viewport.classList.add("panning");
    }
  });
  viewport.addEventListener("pointermove", (event) => {
    if (!pointers.has(event.pointerId)) return;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (!gesture) return;
    if (gesture.kind === "pinch" && pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      const distance = Math.hypot(a.x - b.x, a.y - b.y) || 1;
      const box = viewport.getBoundingClientRect();
      zoomAt(distance / gesture.distance, (a.x + b.x) / 2 - box.left, (a.y + b.y) / 2 - box.top);
      gesture.distance = distance;
      return;
    }
    const dx = event.clientX - gesture.from?.x;
    const dy = event.clientY - gesture.from?.y;
    if (gesture.kind === "pan") {
      view.x = gesture.view.x + dx;
      view.y = gesture.view.y + dy;
      apply(true);
    } else if (gesture.kind === "maybe-carry" && Math.hypot(dx, dy) > 6) {
      if (lift(gesture.id, "pointer")) {
        gesture.kind = "carry";
        viewport.setPointerCapture(event.pointerId);
      }
      else gesture = null;
    }
    if (gesture?.kind === "carry" && carry) {
      moveCarried(dx / view.scale, dy / view.scale);
      const over = targetAt(toPlane(event));
      if (over.id !== carry.over?.id || over.kind !== carry.over?.kind) outline(over);
      carry.over = over;
    }
  });
  function release(event) {
    pointers.delete(event.pointerId);
    viewport.classList.remove("panning");
    if (!gesture) return;
    const finished = gesture;
    if (pointers.size === 0) gesture = null;
    if (finished.kind === "carry" && carry) {
      swallowClick = true;
      if (event.type === "pointercancel") cancelCarry();
      else drop();
    }
  }
  viewport.addEventListener("pointerup", release);
  viewport.addEventListener("pointercancel", release);
  // The click that ends a drag is not a tick.
  viewport.addEventListener("click", (event) => {
    if (swallowClick) {
      swallowClick = false;
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // The keyboard. On the board: the arrow keys go to the nearest neighbour that way, Enter lifts
  // and puts down, Esc cancels; M opens "move to"; F folds; + − 0 zoom.
  function neighbour(from, key, skip) {
    const here = from;
    let best = null;
    let bestScore = Infinity;
    for (const [id, rect] of rects) {
      if (skip(id)) continue;
      const there = middle(rect);
      const dx = there.x - here.x;
      const dy = there.y - here.y;
      const [ahead, aside] = key === "ArrowRight" ? [dx, dy] : key === "ArrowLeft" ? [-dx, dy] : key === "ArrowDown" ? [dy, dx] : [-dy, dx];
      if (ahead <= 1) continue;
      const score = ahead + 2 * Math.abs(aside);
      if (score < bestScore) { bestScore = score; best = id; }
    }
    return best;
  }
  const arrows = new Set(["ArrowRight", "ArrowLeft", "ArrowDown", "ArrowUp"]);
  viewport.addEventListener("keydown", (event) => {
    const id = idOf(event.target);
    if (!id || event.altKey || event.ctrlKey || event.metaKey) return;
    if (carry && carry.how === "keyboard") {
      event.preventDefault();
      if (arrows.has(event.key)) carryBy(event.key, event.shiftKey);
      else if (event.key === "Enter" || event.key === " ") drop();
      else if (event.key === "Escape") cancelCarry();
      return;
    }
    if (arrows.has(event.key)) {
      event.preventDefault();
      const next = neighbour(middle(rects.get(id)), event.key, (other) => other === id);
      if (next) {
        reveal(next);
        setCurrent(next);
        cull();
        pick(next)?.focus({ preventScroll: true });
      }
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (lift(id, "keyboard")) {
        carry.point = middle(rects.get(id));
        say(fill(words.lifted, { label: labelOf(id) }));
      }
    } else if (event.key === "m" || event.key === "M") {
      event.preventDefault();
      openMoveTo();
    } else if (event.key === "g" || event.key === "G") {
      // The ticked cards and groups (or, with none ticked, this one) into a new group.
      event.preventDefault();
      const members = checked().length ? checked() : [id];
      propose(members, members.includes(id) ? id : members[0], id, () => {}, true);
    } else if (event.key === "f" || event.key === "F") {
      const group = rects.get(id)?.group ? id : parentOf(id);
      if (group) { event.preventDefault(); toggleFold(group); }
    } else if (event.key === "+" || event.key === "=") { event.preventDefault(); zoomMiddle(1.25); }
    else if (event.key === "-") { event.preventDefault(); zoomMiddle(0.8); }
    else if (event.key === "0") { event.preventDefault(); fit(); }
    else if (event.key === "1") { event.preventDefault(); actualSize(); }
  });
  // Carried by keys: to the neighbour that way (with Shift, a short step to an empty spot).
  function carryBy(key, small) {
    const start = carry.start;
    let point;
    if (small) {
      const step = 40;
      point = { x: carry.point.x + (key === "ArrowRight" ? step : key === "ArrowLeft" ? -step : 0),
        y: carry.point.y + (key === "ArrowDown" ? step : key === "ArrowUp" ? -step : 0) };
    } else {
      // From the place it is over (not the point on it, which lies near its corner), skipping it.
      const from = carry.at != null ? middle(rects.get(carry.at)) : carry.point;
      const next = neighbour(from, key, (other) => other === carry.at || within(other, carry.id));
      if (!next) return;
      carry.at = next;
      const rect = rects.get(next);
      point = { x: rect.x + Math.min(rect.width / 2, 40), y: rect.y + Math.min(rect.height / 2, 20) };
    }
    if (small) carry.at = null;
    carry.point = point;
    moveCarried(point.x - start.width / 2 - start.x + 16, point.y - start.height / 2 - start.y + 16);
    carry.over = targetAt(point);
    outline(carry.over);
    announce(carry.over);
    const shown = { x: point.x * view.scale + view.x, y: point.y * view.scale + view.y };
    if (shown.x < 32 || shown.y < 32 || shown.x > viewport.clientWidth - 32 || shown.y > viewport.clientHeight - 32) {
      view.x += viewport.clientWidth / 2 - shown.x;
      view.y += viewport.clientHeight / 2 - shown.y;
      apply();
    }
  }

  // "Move to": the groups as a tree, found by typing part of a name.
  const dialog = document.getElementById("move-dialog");
  const search = document.getElementById("move-search");
  const choices = document.getElementById("move-choices");
  let moving = [];
  let chosen = 0;
  const searchable = (text) => text.normalize("NFKC").toLowerCase()
    .replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
  function listChoices() {
    const wanted = searchable(search.value.trim());
    const options = [...document.getElementById("move-parent").options]
      .filter((option) => !option.value || !moving.some((id) => within(Number(option.value), id)))
      .filter((option) => !wanted || searchable(option.dataset.path ?? option.textContent).includes(wanted));
    choices.replaceChildren(...options.map((option, n) => {
      const item = document.createElement("li");
      item.id = `move-choice-${n}`;
      item.setAttribute("role", "option");
      item.dataset.value = option.value;
      const depth = Number(option.dataset.depth ?? -1) + 1;
      item.style.paddingLeft = `${0.6 + depth * 1.1}rem`;
      item.textContent = option.textContent.trim();
      if (option.dataset.path && option.dataset.path !== item.textContent) {
        const path = document.createElement("span");
        path.className = "move-path";
        path.textContent = option.dataset.path;
        item.append(path);
      }
      if (option.value) item.setAttribute("aria-level", String(depth));
      return item;
    }));
    chosen = Math.min(chosen, Math.max(0, options.length - 1));
    choices.hidden = options.length === 0;
    document.getElementById("move-none").hidden = options.length > 0;
    mark();
  }
  function mark() {
    [...choices.children].forEach((item, n) => item.setAttribute("aria-selected", String(n === chosen)));
    const item = choices.children[chosen];
    if (item) {
      search.setAttribute("aria-activedescendant", item.id);
      item.scrollIntoView({ block: "nearest" });
    } else search.removeAttribute("aria-activedescendant");
  }
  function openMoveTo() {
    moving = checked().length ? checked() : current ? [current] : [];
    if (!moving.length) return;
    document.getElementById("move-dialog-what").textContent = moving.length === 1
      ? fill(words.whatOne, { label: labelOf(moving[0]) })
      : fill(words.whatMany, { count: moving.length });
    search.value = "";
    chosen = 0;
    listChoices();
    dialog.showModal();
    search.focus();
  }
  function moveToChosen() {
    const item = choices.children[chosen];
    if (!item) return;
    const to = item.dataset.value ? Number(item.dataset.value) : null;
    dialog.close();
    const nodes = moving.filter((id) => parentOf(id) !== to);
    if (!nodes.length) { pick(moving[0])?.focus(); return; }
    perform(moves(nodes, to), `${words.moved} ${item.firstChild.textContent}`);
  }
  search.addEventListener("input", () => { chosen = 0; listChoices(); });
  search.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") { event.preventDefault(); chosen = Math.min(chosen + 1, choices.children.length - 1); mark(); }
    else if (event.key === "ArrowUp") { event.preventDefault(); chosen = Math.max(chosen - 1, 0); mark(); }
    else if (event.key === "Enter" && !event.isComposing) { event.preventDefault(); moveToChosen(); }
  });
  choices.addEventListener("click", (event) => {
    const item = event.target.closest("li");
    if (!item) return;
    chosen = [...choices.children].indexOf(item);
    moveToChosen();
  });
  document.getElementById("move-dialog-go").addEventListener("click", moveToChosen);
  document.getElementById("move-dialog-cancel").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => { if (!busy && current) pick(current)?.focus({ preventScroll: true }); });
  document.getElementById("board-move-to").addEventListener("click", openMoveTo);

  document.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.target.matches("input[type=text], input[type=search], input:not([type]), textarea")) return;
    if (event.key === "z" && !event.shiftKey) { event.preventDefault(); step(done, undone, "undo"); }
    if (event.key === "y" || (event.key === "Z" && event.shiftKey)) { event.preventDefault(); step(undone, done, "redo"); }
  });

  // Other researchers' changes: look for a new revision every few seconds.
  setInterval(async () => {
    if (busy || carry || proposed || dialog.open || document.hidden) return;
    try {
      const response = await fetch(`${base}/board.json?since=${revision}`, { credentials: "same-origin" });
      const data = await response.json();
      if (data.revision !== revision && !busy && !carry) await reload(words.conflict);
    } catch (_) { /* offline for a moment: try again next time */ }
  }, 3000);
  window.addEventListener("resize", drawOverview);

  render();
  buttons();
  // The far cards are out: the table may be laid out now (see board-wait.js).
  shown();
})();
