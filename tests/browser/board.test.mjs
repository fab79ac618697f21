// The KJ board as a table, in a real browser, on the demo project: by keyboard (move to a group
// found by name, carry a card into a group, cancel, undo), by mouse (a card dropped on a card
// makes a group, one dropped on an empty spot lies there alone, the table pans and zooms), and
// by touch (a finger carries a card into a group, two fingers zoom). Every step is announced
// and focus stays on the card moved.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, fingers, launchBrowser, signIn, startServer } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openBoard(page, prefix = "") {
  await page.goto(`${server.base}${prefix}/research/projects`);
  await page.locator("a[href*='/research/projects/']", { hasText: /IPS/ }).first().click();
  await page.waitForURL(/\/research\/projects\/\d+$/);
  await page.goto(`${page.url()}/board`);
  await page.locator("#board.live").waitFor();
}

const statusText = (page) => page.locator("#board-status").innerText();
const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? "");
/** The label of the group that holds a node, or "" at the top. */
const holderOf = (page, id) =>
  page.evaluate((id) => document.getElementById(`node-${id}`)?.parentElement.closest(".board-group")?.dataset.label ?? "", id);

describe("the KJ board", () => {
  test("by keyboard: a handful of keys moves a card to a group found by name, carries it into another, and undo puts it back", async () => {
    const { page, context, problems } = await signIn(browser, server.base, "researcher@example.jp");
    await openBoard(page);
    assert.deepEqual(await axeViolations(page), [], "the board");
    // One stop for Tab on the whole table.
    assert.equal(await page.locator("#board input[name=node][tabindex='0']").count(), 1);
    const first = page.locator("#board .board-card input[name=node]").first();
    const card = Number(await first.getAttribute("value"));
    const before = await holderOf(page, card);
    await first.focus();

    // M, two characters of the group's name, Enter: four keys (here with a search that finds
    // nothing on the way).
    await page.keyboard.press("m");
    await page.locator("#move-dialog[open]").waitFor();
    // Words no group has say so; then two characters of a name leave one group.
    await page.keyboard.type("無い名前");
    assert.equal(await page.locator("#move-choices [role=option]").count(), 0);
    assert.match(await page.locator("#move-none").innerText(), /その名前のグループはありません/);
    await page.locator("#move-search").fill("");
    await page.keyboard.type("問題");
    assert.equal(await page.locator("#move-choices [role=option]").count(), 1);
    assert.equal(await page.locator("#move-none").isHidden(), true);
    await page.keyboard.press("Enter");
    await page.waitForFunction((id) => document.getElementById(`node-${id}`)?.parentElement.closest(".board-group")?.dataset.label === "問題解決から離れる", card);
    assert.match(await statusText(page), /ボードを更新しました。 問題解決から離れる/);
    assert.equal(await focusedId(page), `pick-${card}`, "focus stays on the card moved");

    // Undo (Ctrl+Z) puts it back where it was.
    await page.keyboard.press("Control+z");
    await page.waitForFunction(([id, label]) => document.getElementById(`node-${id}`)?.parentElement.closest(".board-group")?.dataset.label === label, [card, before]);
    assert.match(await statusText(page), /操作を取り消しました/);
    assert.equal(await focusedId(page), `pick-${card}`);

    // The arrow keys go to the neighbour that way.
    const here = await page.locator(`#node-${card}`).boundingBox();
    await page.keyboard.press("ArrowRight");
    const next = await focusedId(page);
    assert.notEqual(next, `pick-${card}`);
    const there = await page.locator(`#${next}`).boundingBox();
    assert.ok(there.x > here.x, "to the right");
    await page.keyboard.press("ArrowLeft");
    assert.equal(await focusedId(page), `pick-${card}`);

    // Enter lifts, the arrows carry it over a group, Enter puts it in.
    await page.keyboard.press("Enter");
    assert.match(await statusText(page), /を持ち上げました/);
    let target = "";
    // Up onto the title of the group that holds it, then right to the next group's.
    let overGroup = false;
    for (let presses = 0; presses < 3 && !overGroup; presses += 1) {
      await page.keyboard.press("ArrowUp");
      overGroup = /^グループ「(.+)」の上です/.test(await statusText(page));
    }
    for (let presses = 0; presses < 8 && !target; presses += 1) {
      await page.keyboard.press("ArrowRight");
      const said = (await statusText(page)).match(/^グループ「(.+)」の上です/);
      if (said && said[1] !== before) target = said[1];
    }
    assert.ok(target, "the arrows reached another group");
    await page.keyboard.press("Enter");
    await page.waitForFunction(([id, label]) => document.getElementById(`node-${id}`)?.parentElement.closest(".board-group")?.dataset.label === label, [card, target]);
    assert.equal(await focusedId(page), `pick-${card}`);

    // Esc puts a lifted card back without a change.
    const revision = await page.locator("#board-form").getAttribute("data-revision");
    await page.keyboard.press("Enter");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Escape");
    assert.match(await statusText(page), /運ぶのをやめ/);
    assert.equal(await holderOf(page, card), target);
    assert.equal(await page.locator("#board-form").getAttribute("data-revision"), revision);

    // F folds the group into one card, and opens it again; + zooms.
    await page.keyboard.press("f");
    await page.waitForURL(/fold=\d+/);
    await page.locator(".board-group.folded").waitFor();
    assert.deepEqual(await axeViolations(page), [], "the board with a folded group");
    await page.keyboard.press("f");
    await page.locator(".board-group.folded").waitFor({ state: "detached" });
    await page.keyboard.press("+");
    assert.equal(await page.locator("#board-zoom-level").innerText(), "125%");

    await page.goto(page.url().replace("/research/", "/en/research/"));
    assert.deepEqual(await axeViolations(page), [], "the board in English");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("by mouse: a card dropped on a card makes a group, one dropped on an empty spot lies there alone, and the table pans and zooms", async () => {
    const { page, context, problems } = await signIn(browser, server.base, "researcher@example.jp");
    await page.setViewportSize({ width: 1280, height: 900 });
    await openBoard(page);
    await page.locator("#board").evaluate((board) => board.scrollIntoView({ block: "end" }));
    // Three cards in sight.
    const [a, b, c] = await page.evaluate(() => {
      const board = document.getElementById("board").getBoundingClientRect();
      return [...document.querySelectorAll("#board .board-card")].filter((card) => {
        const box = card.getBoundingClientRect();
        return box.top > board.top && box.bottom < Math.min(board.bottom, window.innerHeight) && box.right < board.right;
      }).slice(0, 3).map((card) => Number(card.dataset.node));
    });
    assert.ok(c, "three cards in sight");
    const drag = async (from, to) => {
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(to.x, to.y, { steps: 12 });
      await page.mouse.up();
    };
    const middleOf = async (id) => {
      const box = await page.locator(`#node-${id}`).boundingBox();
      return { x: box.x + box.width / 2, y: box.y + 20 };
    };

    // A on B: the board asks for the new group's label beside them.
    await drag(await middleOf(a), await middleOf(b));
    await page.locator("#board-propose:not([hidden])").waitFor();
    assert.equal(await focusedId(page), "board-propose-label");
    await page.keyboard.type("重ねて作ったグループ");
    await page.keyboard.press("Enter");
    await page.locator(".board-group[data-label='重ねて作ったグループ']").waitFor();
    await page.waitForFunction(() => /ボードを更新しました/.test(document.getElementById("board-status").textContent));
    assert.equal(await holderOf(page, a), "重ねて作ったグループ");
    assert.equal(await holderOf(page, b), "重ねて作ったグループ");

    // C on an empty spot of the table: it leaves its group and lies where it was dropped.
    const table = await page.locator("#board").boundingBox();
    const spot = { x: table.x + table.width - 420, y: table.y + 120 };
    const empty = await page.evaluate(({ x, y }) => !document.elementFromPoint(x, y)?.closest("[data-node]"), spot);
    assert.ok(empty, "the spot is empty");
    const grip = await middleOf(c);
    const corner = await page.locator(`#node-${c}`).boundingBox();
    await drag(grip, spot);
    await page.locator(`#node-${c}.lone`).waitFor();
    assert.match(await statusText(page), /置きました/);
    // Measured from the table's corner, which the page's scrolling does not move.
    const moved = await page.locator("#board").boundingBox();
    const dropped = await page.locator(`#node-${c}`).boundingBox();
    dropped.x -= moved.x - table.x;
    dropped.y -= moved.y - table.y;
    assert.ok(Math.abs(dropped.x - (corner.x + spot.x - grip.x)) < 4 && Math.abs(dropped.y - (corner.y + spot.y - grip.y)) < 4, `where it was dropped: ${JSON.stringify({ dropped, corner, spot, grip, view: await page.locator("#board-plane").evaluate((e) => e.style.transform), scroll: await page.evaluate(() => scrollY) })}`);
    // Shared, kept: after a reload it lies there still.
    await page.reload();
    await page.locator("#board.live").waitFor();
    const reloaded = await page.locator("#board").boundingBox();
    const kept = await page.locator(`#node-${c}`).boundingBox();
    assert.ok(Math.abs(kept.x - reloaded.x - (dropped.x - table.x)) < 2 && Math.abs(kept.y - reloaded.y - (dropped.y - table.y)) < 2);

    // Dragging an empty spot pans; Ctrl and the wheel zoom; the overview moves the view.
    const plane = () => page.locator("#board-plane").evaluate((element) => element.style.transform);
    const start = await plane();
    await drag({ x: table.x + table.width - 300, y: table.y + table.height - 200 }, { x: table.x + table.width - 400, y: table.y + table.height - 260 });
    assert.notEqual(await plane(), start);
    await page.mouse.move(table.x + 300, table.y + 200);
    await page.keyboard.down("Control");
    await page.mouse.wheel(0, 300);
    await page.keyboard.up("Control");
    assert.notEqual(await page.locator("#board-zoom-level").innerText(), "100%");
    const before = await plane();
    await page.locator("#board-minimap").scrollIntoViewIfNeeded();
    const overview = await page.locator("#board-minimap").boundingBox();
    await page.mouse.click(overview.x + overview.width - 10, overview.y + overview.height - 10);
    assert.notEqual(await plane(), before);
    await page.getByRole("button", { name: "全体を表示" }).click();
    // Back to actual size (small targets are the point of a view from afar).
    await page.locator("#board-zoom-level").click();
    assert.equal(await page.locator("#board-zoom-level").innerText(), "100%");
    assert.deepEqual(await axeViolations(page), [], "the board after dragging");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("by touch: a finger carries a card into a group and two fingers zoom", async () => {
    const signedIn = await signIn(browser, server.base, "researcher@example.jp");
    const state = await signedIn.context.storageState();
    await signedIn.context.close();
    const context = await browser.newContext({ locale: "en-GB", hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 }, storageState: state });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await openBoard(page, "/en");
    await page.locator("#board").scrollIntoViewIfNeeded();
    const { touch: send, drag } = await fingers(context, page);
    // The first card of the first group, onto the title of another group.
    const card = Number(await page.locator("#board .board-card").first().getAttribute("data-node"));
    const from = await holderOf(page, card);
    const groups = page.locator("#board .board-group");
    let goal = null;
    for (let n = 0; n < (await groups.count()) && !goal; n += 1) {
      const label = await groups.nth(n).getAttribute("data-label");
      const box = await groups.nth(n).locator(":scope > .board-group-head").boundingBox();
      const inside = await groups.nth(n).locator(`#node-${card}`).count();
      const board = await page.locator("#board").boundingBox();
      if (!inside && label !== from && box && box.y > board.y && box.y + 20 < board.y + board.height && box.x + 60 < board.x + board.width) goal = { label, x: box.x + 60, y: box.y + 14 };
    }
    assert.ok(goal, "a group in sight to carry the card to");
    const grip = await page.locator(`#node-${card}`).boundingBox();
    const start = [grip.x + grip.width / 2, grip.y + 16];
    await drag(start, [goal.x, goal.y]);
    await page.waitForFunction(([id, label]) => document.getElementById(`node-${id}`)?.parentElement.closest(".board-group")?.dataset.label === label, [card, goal.label]);
    assert.match(await statusText(page), /Put down/);

    // Two fingers apart: the table grows.
    const board = await page.locator("#board").boundingBox();
    const middle = [board.x + board.width / 2, board.y + board.height / 2];
    await send("touchStart", [[middle[0] - 30, middle[1]], [middle[0] + 30, middle[1]]]);
    for (let n = 1; n <= 8; n += 1) await send("touchMove", [[middle[0] - 30 - n * 10, middle[1]], [middle[0] + 30 + n * 10, middle[1]]]);
    await send("touchEnd", []);
    const zoom = Number((await page.locator("#board-zoom-level").innerText()).replace("%", ""));
    assert.ok(zoom > 150, `zoomed to ${zoom}%`);
    assert.deepEqual(await axeViolations(page), [], "the board on a phone in English");
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a table of 800 cards keeps in the page only the cards near sight, and brings each back as the view or focus comes near", async () => {
    const { page, context, problems } = await signIn(browser, server.base, "researcher@example.jp");
    // Another tool's project with eight codes of a hundred passages each, as one project document.
    const guid = (n) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
    const line = (n) => `P${String((n % 12) + 1).padStart(2, "0")}：${n}番目の発言です。研修で気付いたことを話しました。`;
    const lines = Array.from({ length: 800 }, (_, n) => line(n));
    const text = lines.join("\n");
    let at = 0;
    const selections = lines.map((content, n) => {
      const start = at + 4;
      at += [...content].length + 1;
      return `<PlainTextSelection guid="${guid(10000 + n)}" startPosition="${start}" endPosition="${start + [...content].length - 4}"><Coding guid="${guid(20000 + n)}"><CodeRef targetGUID="${guid(1 + (n % 8))}"/></Coding></PlainTextSelection>`;
    });
    const codes = Array.from({ length: 8 }, (_, n) => `<Code guid="${guid(1 + n)}" name="まとまり${n + 1}" isCodable="true"/>`);
    const project = `<?xml version="1.0" encoding="utf-8"?>\n<Project name="大きな表" origin="test" xmlns="urn:QDA-XML:project:1.0"><CodeBook><Codes>${codes.join("")}</Codes></CodeBook>` +
      `<Sources><TextSource guid="${guid(9999)}" name="記録"><PlainTextContent>${text}</PlainTextContent>${selections.join("")}</TextSource></Sources></Project>`;
    await page.goto(`${server.base}/research/projects`);
    await page.locator("#import-file").setInputFiles({ name: "large.qde", mimeType: "application/xml", buffer: Buffer.from(project) });
    await page.getByLabel("プロジェクトの名前（空欄ならファイルの名前）").fill("大きな表");
    await page.getByRole("button", { name: "ファイルを取り込む" }).click();
    assert.match(await page.locator("main").innerText(), /カード 800 枚を取り込みました/);
    await Promise.all([page.waitForURL(/\/research\/projects\/\d+$/), page.getByRole("link", { name: "プロジェクトを開く" }).click()]);
    const id = page.url().match(/\/research\/projects\/(\d+)/)[1];
    await page.goto(`${server.base}/research/projects/${id}/board`);
    await page.locator("#board.live").waitFor();
    const inPage = () => page.locator("#board .board-card").count();
    const shown = await inPage();
    assert.ok(shown > 0 && shown < 400, `${shown} of 800 cards in the page`);

    // Zoomed out to the whole table, the cards are boxes on a canvas and none is in the page.
    await page.getByRole("button", { name: "全体を表示" }).click();
    await page.waitForFunction(() => document.getElementById("board").classList.contains("distant"));
    assert.equal(await inPage(), 0);
    // Back to actual size: the cards in sight come back, each in its group, in its order.
    await page.locator("#board-zoom-level").click();
    await page.waitForFunction(() => document.querySelectorAll("#board .board-card").length > 0);
    const ordered = await page.evaluate(() => [...document.querySelectorAll("#board .board-members")].every((members) => {
      const ids = [...members.querySelectorAll(":scope > .board-card")].map((card) => Number(card.dataset.node));
      return ids.every((value, n) => n === 0 || value > ids[n - 1]);
    }));
    assert.ok(ordered, "cards back in their order");

    // A ticked card stays in the page wherever the view goes; the arrow keys reach cards
    // that were out of it, and focus is never lost.
    const tickedId = await page.evaluate(() => {
      const frame = document.getElementById("board").getBoundingClientRect();
      // Of the cards wholly inside the table's frame (which runs below the window), the one
      // nearest its bottom edge.
      const inSight = [...document.querySelectorAll("#board .board-card")].filter((card) => {
        const box = card.getBoundingClientRect();
        return box.left > frame.left && box.right < frame.right && box.top > frame.top && box.bottom < frame.bottom;
      });
      const gap = (card) => frame.bottom - card.getBoundingClientRect().bottom;
      return inSight.sort((a, b) => gap(a) - gap(b))[0].dataset.node;
    });
    const ticked = page.locator(`#pick-${tickedId}`);
    await page.locator("#board.live:not(.moving)").waitFor();
    // Below the window's edge: the page scrolls to it, the press ticks it, and the table does
    // not pan away from under the pointer.
    await ticked.check();
    const before = new Set(await page.locator("#board .board-card").evaluateAll((cards) => cards.map((c) => c.dataset.node)));
    await ticked.focus();
    let reached = false;
    for (let n = 0; n < 60 && !reached; n += 1) {
      await page.keyboard.press("ArrowDown");
      const focused = await page.evaluate(() => document.activeElement?.closest("[data-node]")?.dataset.node ?? "");
      assert.notEqual(focused, "", "focus stays on the table");
      reached = !before.has(focused);
    }
    assert.ok(reached, "the arrow keys reached a card that was out of the page");
    assert.equal(await page.locator(`#node-${tickedId}`).count(), 1, "the ticked card is still in the page");
    assert.ok(await page.locator(`#pick-${tickedId}`).isChecked());
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("without script: two cards ticked, a name typed and Enter gather them", async () => {
    const signedIn = await signIn(browser, server.base, "researcher@example.jp");
    const state = await signedIn.context.storageState();
    await signedIn.context.close();
    const context = await browser.newContext({ locale: "ja-JP", javaScriptEnabled: false, storageState: state });
    const page = await context.newPage();
    await page.goto(`${server.base}/research/projects`);
    await page.locator("a[href*='/research/projects/']", { hasText: /IPS/ }).first().click();
    await page.goto(`${page.url()}/board`);
    const boxes = page.locator("#board .board-card input[name=node]");
    const ids = [await boxes.nth(0).getAttribute("value"), await boxes.nth(1).getAttribute("value")];
    for (const id of ids) await page.locator(`#pick-${id}`).check();
    await page.locator("#group-label").fill("Enterでまとめた");
    await Promise.all([page.waitForLoadState("load"), page.waitForURL(/\/board/), page.locator("#group-label").press("Enter")]);
    await page.locator(".board-group[data-label='Enterでまとめた']").waitFor();
    for (const id of ids) assert.equal(await holderOf(page, id), "Enterでまとめた");
    await context.close();
  });
});
