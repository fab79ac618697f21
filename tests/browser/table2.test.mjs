// Table 2 of the programme's report (IPS を学んだことによる関係への着目と変化と自身が陥っていた
// 関係への気付きと変化) rebuilt from a typed transcript with nothing but selection and the board,
// three times: with the mouse, with a finger (touch events in Chromium) and with the keyboard.
// Each time the table the project exports is the report's: two categories, five subcategories,
// six quotes, each with its speaker.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { axeViolations, fingers, launchBrowser, signIn, startServer } from "./harness.mjs";

// The report's quotes (../shared/seed, Table 2), each said by one participant.
const A = "関係への着目と変化";
const B = "自身が陥っていた関係、これまで自身が取っていた姿勢への気付きと変化";
const TABLE = [
  [A, "関係に着目するようになるという変化", "P01", "相手との関係を考えればいいというふうに考えられると、自分を責めるのではなくて、その関係がどうなっているかっていうことを見られるので、自分を対象じゃない。いいも悪いもですね。それがすごい発見だったなあというふうに思う。"],
  [A, "自分が変わることによる関係の変化", "P02", "IPS（研修）を受けたことによって、（中略）自分の気持ちをきちっと伝えたら、（中略）、今はものすごくいい感じになれているので、（中略）会話の仕方だとか、自分の気持ちを伝えたりとかしていると、こんなにも変わるという経験をしました。"],
  [A, "関係は変えていける", "P03", "いやあ、関係性って変わるんだなってすごく思った。だから、今はその、ほかの人に対しても、相互性をつくりたいので、変えていきたいなと思っているというところがあります。"],
  [B, "一方的な関係のある場で起きていること", "P04", "（利用者の思いを聞くという）選択肢はなかったなあと思って。ないんですよ。支援と支援される側というような構造になっちゃうと。"],
  [B, "問題解決から離れる", "P01", "なんとかしないといけないっていう思いがすごい自分は強かったんだなっていうことを、何か、IPS（を）学んできて気付いた気が。"],
  [B, "問題解決から離れる", "P02", "（相手の問題を）解決することによって、相手がいうことをきくと自分が満足するっていうことを（IPS で）すごい言われて、それは誰のためかっていったら結局自分のためだけだっていうことをまた思い出して。"],
];
// The interview as it was typed up: the moderator's questions between the turns quoted.
const TRANSCRIPT = [
  "司会：IPS を学んで、人との関係について変わったことはありますか。",
  `P01：${TABLE[0][3]}`,
  `P02：${TABLE[1][3]}`,
  "司会：ほかの方はいかがですか。",
  `P03：${TABLE[2][3]}`,
  `P04：${TABLE[3][3]}`,
  "司会：支援する側にいたときのことはどうでしょう。",
  `P01：${TABLE[4][3]}`,
  `P02：${TABLE[5][3]}`,
  "司会：ありがとうございました。",
].join("\n");

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

/** A new project with the typed transcript; leaves the page on the transcript. */
async function startProject(page, prefix, name) {
  await page.goto(`${server.base}${prefix}/research/projects`);
  await page.locator("#name").fill(name);
  await page.locator("form[action$='/research/projects'] button[type=submit]").click();
  await page.waitForURL(/\/research\/projects\/\d+$/);
  const project = page.url();
  await page.locator("#t-name").fill("A市 グループインタビュー");
  await page.locator("#t-text").fill(TRANSCRIPT);
  await page.locator("form[action$='/transcripts'] button[type=submit]").click();
  await page.waitForURL(/\/research\/transcripts\/\d+$/);
  return project;
}

/** The new card the page leads to: its quote and speaker as the list shows them. */
async function madeCard(page, before, quote, speaker) {
  await page.waitForURL((url) => url.href !== before && /#card-\d+$/.test(url.href));
  const id = Number(page.url().match(/#card-(\d+)$/)[1]);
  const entry = page.locator(`#card-entry-${id}`);
  assert.equal(await entry.locator("a").first().innerText(), quote, "the card holds exactly the words chosen");
  assert.equal(await entry.locator(".hint").first().innerText(), speaker, "its speaker is the turn's");
  return id;
}

/** Where a passage is drawn: its first and last line boxes. */
function passageBoxes(page, words) {
  return page.evaluate((words) => {
    const text = document.getElementById("transcript");
    const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(words);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + words.length);
      const rects = [...range.getClientRects()].filter((rect) => rect.width > 0);
      const [first, last] = [rects[0], rects[rects.length - 1]];
      return { first: { x: first.left + 1, y: first.top + first.height / 2 }, last: { x: last.right - 1, y: last.top + last.height / 2 } };
    }
    throw new Error(`no ${words} in the transcript`);
  }, words);
}

/** The selection in the transcript, in code points, as the page counts it. */
function selectionInText(page) {
  return page.evaluate(() => {
    const text = document.getElementById("transcript");
    const range = document.getSelection().getRangeAt(0);
    const at = (node, offset) => {
      const upTo = document.createRange();
      upTo.setStart(text, 0);
      upTo.setEnd(node, offset);
      return [...upTo.toString()].length;
    };
    return { start: at(range.startContainer, range.startOffset), end: at(range.endContainer, range.endOffset) };
  });
}

/** Tab until the focus is where `reached` says (a keyboard user's way in). */
async function tabUntil(page, reached, what) {
  for (let presses = 0; presses < 80; presses += 1) {
    if (await page.evaluate(reached)) return;
    await page.keyboard.press("Tab");
  }
  assert.fail(`Tab never reached ${what}`);
}

const nodeOfQuote = (page, quote) =>
  page.evaluate((quote) => Number([...document.querySelectorAll("#board .board-card")].find((card) => card.querySelector(".board-quote").textContent === quote)?.dataset.node), quote);
const groupNamed = (page, label) =>
  page.evaluate((label) => Number(document.querySelector(`#board .board-group[data-label="${label}"]`)?.dataset.node), label);

async function openBoard(page, project) {
  await page.goto(`${project}/board`);
  await page.locator("#board.live").waitFor();
}

/** Waits for the board to show a group of that label holding those nodes, and returns its id. */
async function groupHolds(page, label, members) {
  await page.waitForFunction(([label, members]) => {
    const group = document.querySelector(`#board .board-group[data-label="${label}"]`);
    return group && members.every((id) => document.getElementById(`node-${id}`)?.parentElement.closest(".board-group") === group);
  }, [label, members]);
  return groupNamed(page, label);
}

/** The table as exported (CSV): [category, subcategory, speaker, quote] per card. */
async function exportedTable(page, project) {
  await page.goto(`${project}/exchange`);
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("a[href$='/table.csv']").first().click()]);
  const text = (await readFile(await download.path(), "utf8")).replace(/^\uFEFF/, "");
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  const [header, ...cards] = rows;
  assert.deepEqual(header.slice(0, 4), ["CAT1", "CAT2", "label", "quote"], "two levels of categories");
  const at = (name) => header.indexOf(name);
  return cards.map((card) => [card[at("CAT1")], card[at("CAT2")], card[at("speaker")], card[at("quote")]]);
}

function assertIsTable2(table) {
  const sorted = (rows) => rows.map((row) => row.join(" | ")).sort();
  assert.deepEqual(sorted(table), sorted(TABLE), "the exported table is the report's Table 2");
}

describe("Table 2 of the report, rebuilt", () => {
  test("with the mouse: drag across each quote, then tick and gather, drop a card on a card", async () => {
    const { page, context, problems } = await signIn(browser, server.base, "researcher@example.jp");
    await page.setViewportSize({ width: 1280, height: 900 });
    const project = await startProject(page, "", "表2 マウスで");
    for (const [, , speaker, quote] of TABLE) {
      const before = page.url();
      const { first, last } = await passageBoxes(page, quote);
      await page.mouse.move(first.x, first.y);
      await page.mouse.down();
      await page.mouse.move(last.x, last.y, { steps: 10 });
      await page.mouse.up();
      await page.locator("#selection-bar:not([hidden])").waitFor();
      await page.getByRole("button", { name: "選んだ部分をカードにする" }).click();
      await madeCard(page, before, quote, speaker);
    }

    await openBoard(page, project);
    const card = [];
    for (const [, , , quote] of TABLE) card.push(await nodeOfQuote(page, quote));
    const fit = () => page.locator("#board-fit").click();
    const tickAndGather = async (ids, label) => {
      await fit();
      for (const id of ids) {
        const box = page.locator(`#node-${id}`).locator(":scope > .board-quote, :scope > .board-group-head > input");
        await box.first().click();
      }
      await page.locator("#group-label").click();
      await page.locator("#group-label").fill(label);
      await page.locator("#board-gather").click();
      return groupHolds(page, label, ids);
    };
    // The two quotes of 問題解決から離れる: one dropped on the other, named beside them.
    await fit();
    const grip = await page.locator(`#node-${card[4]}`).boundingBox();
    const onto = await page.locator(`#node-${card[5]}`).boundingBox();
    await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
    await page.mouse.down();
    await page.mouse.move(onto.x + onto.width / 2, onto.y + onto.height / 2, { steps: 12 });
    await page.mouse.up();
    await page.locator("#board-propose:not([hidden])").waitFor();
    await page.locator("#board-propose-label").fill(TABLE[4][1]);
    await page.getByRole("button", { name: "グループを作る" }).click();
    const s5 = await groupHolds(page, TABLE[4][1], [card[4], card[5]]);
    // Each other quote its own subcategory, then the subcategories into the two categories.
    const sub = [];
    for (let n = 0; n < 4; n += 1) sub.push(await tickAndGather([card[n]], TABLE[n][1]));
    await tickAndGather([sub[0], sub[1], sub[2]], A);
    await tickAndGather([sub[3], s5], B);
    assert.deepEqual(await axeViolations(page), [], "the board with Table 2");
    assertIsTable2(await exportedTable(page, project));
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("by touch, in English on a phone: choose each quote, tap to make it a card, tap and drag on the board", async () => {
    const signedIn = await signIn(browser, server.base, "researcher@example.jp");
    const state = await signedIn.context.storageState();
    await signedIn.context.close();
    const context = await browser.newContext({ locale: "en-GB", hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 }, storageState: state });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const project = await startProject(page, "/en", "表2 指で");
    for (const [, , speaker, quote] of TABLE) {
      const before = page.url();
      // The words chosen as a long press and the handles would choose them, then a tap.
      await page.evaluate((words) => {
        const text = document.getElementById("transcript");
        const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const at = node.data.indexOf(words);
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + words.length);
          document.getSelection().removeAllRanges();
          document.getSelection().addRange(range);
          return;
        }
      }, quote);
      await page.getByRole("button", { name: "Make a card of the selection" }).tap();
      await madeCard(page, before, quote, speaker);
    }

    await openBoard(page, project);
    const card = [];
    for (const [, , , quote] of TABLE) card.push(await nodeOfQuote(page, quote));
    const { drag } = await fingers(context, page);
    const fit = async () => {
      await page.locator("#board").scrollIntoViewIfNeeded();
      await page.locator("#board-fit").tap();
    };
    const actions = page.locator("#board-actions-fold");
    const tapAndGather = async (ids, label) => {
      await fit();
      // A card's words or a group's title tick it, as its box does (a finger's bigger target).
      for (const id of ids) await page.locator(`#node-${id}`).locator(":scope > .board-quote, :scope > .board-group-head > .board-title").first().tap();
      if (!(await actions.evaluate((details) => details.open))) await actions.locator("summary").tap();
      await page.locator("#group-label").tap();
      await page.locator("#group-label").fill(label);
      await page.locator("#board-gather").tap();
      return groupHolds(page, label, ids);
    };
    // A finger carries one quote of 問題解決から離れる onto the other.
    await fit();
    const grip = await page.locator(`#node-${card[4]}`).boundingBox();
    const onto = await page.locator(`#node-${card[5]}`).boundingBox();
    const start = [grip.x + grip.width / 2, grip.y + grip.height / 2];
    const end = [onto.x + onto.width / 2, onto.y + onto.height / 2];
    await drag(start, end);
    await page.locator("#board-propose:not([hidden])").waitFor();
    await page.locator("#board-propose-label").fill(TABLE[4][1]);
    // A person takes a moment over the label; Chromium makes no click of a tap that comes
    // within a few hundred milliseconds of the end of a drag, as the test's typing would.
    await page.waitForTimeout(800);
    await page.getByRole("button", { name: "Make the group" }).tap();
    const s5 = await groupHolds(page, TABLE[4][1], [card[4], card[5]]);
    const sub = [];
    for (let n = 0; n < 4; n += 1) sub.push(await tapAndGather([card[n]], TABLE[n][1]));
    await tapAndGather([sub[0], sub[1], sub[2]], A);
    await tapAndGather([sub[3], s5], B);
    assert.deepEqual(await axeViolations(page), [], "the board with Table 2 on a phone");
    assertIsTable2(await exportedTable(page, project));
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("with the keyboard: the caret to each turn, Shift to its end, Enter; on the board the arrows, Space and G", async () => {
    const { page, context, problems } = await signIn(browser, server.base, "researcher@example.jp");
    await page.setViewportSize({ width: 1280, height: 900 });
    const project = await startProject(page, "", "表2 キーボードで");
    const turns = TRANSCRIPT.split("\n");
    for (const [, , speaker, quote] of TABLE) {
      const before = page.url();
      const line = turns.findIndex((turn) => turn.endsWith(quote));
      const lineStart = [...turns.slice(0, line).join("\n")].length + (line > 0 ? 1 : 0);
      const lineEnd = lineStart + [...turns[line]].length;
      await tabUntil(page, () => document.activeElement?.id === "transcript", "the transcript");
      // To the turn: Alt+Down goes a turn at a time, however a turn wraps on the screen.
      await page.keyboard.press("Control+Home");
      for (let presses = 0; presses < turns.length && (await selectionInText(page)).start < lineStart; presses += 1) {
        await page.keyboard.press("Alt+ArrowDown");
      }
      assert.equal((await selectionInText(page)).start, lineStart, `the caret at the start of ${turns[line].slice(0, 8)}`);
      // Alt+Shift+Down selects to the turn's end.
      await page.keyboard.press("Alt+Shift+ArrowDown");
      assert.deepEqual(await selectionInText(page), { start: lineStart, end: lineEnd });
      await page.keyboard.press("Enter");
      // The speaker's name falls away: the card holds the quote alone.
      await madeCard(page, before, quote, speaker);
    }

    await openBoard(page, project);
    const card = [];
    for (const [, , , quote] of TABLE) card.push(await nodeOfQuote(page, quote));
    await tabUntil(page, () => Boolean(document.activeElement?.closest("#board-plane")), "the board");
    const focused = () => page.evaluate(() => Number(document.activeElement?.closest("[data-node]")?.dataset.node));
    const middleOf = async (id) => {
      const box = await page.locator(`#node-${id}`).locator(":scope > .board-group-head").count()
        ? await page.locator(`#node-${id} > .board-group-head`).boundingBox()
        : await page.locator(`#node-${id}`).boundingBox();
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    };
    // The arrow keys, the way a sighted keyboard user goes: towards it, along the longer way.
    let presses = 0;
    const arrowTo = async (id) => {
      for (let tries = 0; tries < 30; tries += 1) {
        const here = await focused();
        if (here === id) return;
        const [from, to] = [await middleOf(here), await middleOf(id)];
        const [dx, dy] = [to.x - from.x, to.y - from.y];
        const along = Math.abs(dx) > Math.abs(dy) ? (dx > 0 ? "ArrowRight" : "ArrowLeft") : dy > 0 ? "ArrowDown" : "ArrowUp";
        const across = Math.abs(dx) > Math.abs(dy) ? (dy > 0 ? "ArrowDown" : "ArrowUp") : dx > 0 ? "ArrowRight" : "ArrowLeft";
        await page.keyboard.press(along);
        presses += 1;
        if ((await focused()) === here) { await page.keyboard.press(across); presses += 1; }
      }
      assert.fail(`the arrows did not reach node ${id}`);
    };
    const tickAndGather = async (ids, label) => {
      for (const id of ids.length > 1 ? ids : []) {
        await arrowTo(id);
        await page.keyboard.press("Space");
      }
      if (ids.length === 1) await arrowTo(ids[0]);
      await page.keyboard.press("g");
      await page.locator("#board-propose:not([hidden])").waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), "board-propose-label");
      await page.keyboard.type(label);
      await page.keyboard.press("Enter");
      const group = await groupHolds(page, label, ids);
      await page.waitForFunction((group) => document.activeElement?.closest("[data-node]")?.dataset.node === String(group), group);
      assert.match(await page.locator("#board-status").innerText(), /ボードを更新しました/);
      return group;
    };
    const s5 = await tickAndGather([card[4], card[5]], TABLE[4][1]);
    const sub = [];
    for (let n = 0; n < 4; n += 1) sub.push(await tickAndGather([card[n]], TABLE[n][1]));
    await tickAndGather([sub[0], sub[1], sub[2]], A);
    await tickAndGather([sub[3], s5], B);
    // Every step from one card or group to the next was a handful of arrow presses.
    assert.ok(presses <= 60, `${presses} arrow presses for the whole table`);
    assert.deepEqual(await axeViolations(page), [], "the board with Table 2");
    assertIsTable2(await exportedTable(page, project));
    assert.deepEqual(problems, []);
    await context.close();
  });
});
