// The KJ-method pages in a real browser: a researcher starts a project, pastes a transcript,
// makes cards from passages and gathers them into a group with the keyboard alone; every page
// passes axe.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, launchBrowser, signIn, startServer } from "./harness.mjs";

/** Pairs of cards, the Rand index and Cohen's κ, from a cross table of two sortings. */
function fromCrossTable({ columns, rows }) {
  const pairs = (n) => (n * (n - 1)) / 2;
  const cards = rows.flatMap((row) => row.cells).reduce((a, b) => a + b, 0);
  const rowTotals = rows.map((row) => row.cells.reduce((a, b) => a + b, 0));
  const columnTotals = columns.map((_, j) => rows.reduce((sum, row) => sum + row.cells[j], 0));
  const both = rows.flatMap((row) => row.cells).map(pairs).reduce((a, b) => a + b, 0);
  const firstOnly = rowTotals.map(pairs).reduce((a, b) => a + b, 0) - both;
  const secondOnly = columnTotals.map(pairs).reduce((a, b) => a + b, 0) - both;
  const apart = pairs(cards) - both - firstOnly - secondOnly;
  const observed = rows
    .map((row) => row.cells.filter((_, j) => columns[j] === row.label).reduce((a, b) => a + b, 0))
    .reduce((a, b) => a + b, 0) / cards;
  const chance = rows
    .map((row, i) => rowTotals[i] * columnTotals.filter((_, j) => columns[j] === row.label).reduce((a, b) => a + b, 0))
    .reduce((a, b) => a + b, 0) / (cards * cards);
  return { cards, both, firstOnly, secondOnly, apart, rand: (both + apart) / pairs(cards), kappa: (observed - chance) / (1 - chance) };
}

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

/** Where the words are drawn in the transcript, for a pointer to drag across them. */
async function wordsBox(page, words) {
  return page.evaluate((words) => {
    const text = document.getElementById("transcript");
    const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(words);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + words.length);
      const rect = range.getBoundingClientRect();
      return { left: rect.left, right: rect.right, middle: rect.top + rect.height / 2 };
    }
    throw new Error(`no ${words} in the transcript`);
  }, words);
}

describe("research", () => {
  test("a researcher builds a group from a transcript with the keyboard", async () => {
    const { page, context, problems } = await signIn(browser, server.base, "researcher@example.jp");
    await page.goto(`${server.base}/research/projects`);
    assert.deepEqual(await axeViolations(page), [], "the project list");
    await page.getByLabel("プロジェクト名").fill("研修会の評価 2013");
    await page.getByRole("button", { name: "作成する" }).click();
    await page.waitForURL(/\/research\/projects\/\d+$/);
    assert.deepEqual(await axeViolations(page), [], "an empty project");

    await page.getByLabel("名前", { exact: true }).fill("A市 グループインタビュー 1");
    await page.getByLabel("本文").fill("【司会】はじめます。\nP01：自分の思い込みに気付きました。\nP02：相手の背景に目がいくようになりました。");
    await page.getByRole("button", { name: "取り込む", exact: true }).click();
    await page.waitForURL(/\/research\/transcripts\/\d+$/);
    assert.deepEqual(await axeViolations(page), [], "the transcript");

    // With the mouse: drag across the words, then make the card.
    const box = await wordsBox(page, "自分の思い込みに気付きました。");
    await page.mouse.move(box.left + 1, box.middle);
    await page.mouse.down();
    await page.mouse.move(box.right - 1, box.middle, { steps: 8 });
    await page.mouse.up();
    assert.match(await page.locator("#selection-preview").innerText(), /自分の思い込みに気付きました。/);
    await page.getByRole("button", { name: "選んだ部分をカードにする" }).click();
    await page.waitForURL(/#card-\d+$/);
    assert.match(await page.getByRole("status").first().innerText(), /カードを作りました/);
    assert.equal(await page.locator("#cards li").first().locator("a").first().innerText(), "自分の思い込みに気付きました。");

    // With the keyboard: into the text, to its end, select back to the line's start (the
    // speaker's name falls away), Enter.
    await page.locator("#transcript").focus();
    await page.keyboard.press("Control+End");
    await page.keyboard.press("Shift+Home");
    await page.keyboard.press("Enter");
    await page.waitForURL(/#card-\d+$/);
    await page.locator("#cards li:nth-child(2)").waitFor();
    assert.equal(await page.locator("#cards li").nth(1).locator("a").first().innerText(), "相手の背景に目がいくようになりました。");
    assert.equal(await page.locator("#transcript mark").count(), 2);
    assert.equal(await page.locator("#transcript").innerText(), "【司会】はじめます。\nP01：自分の思い込みに気付きました。\nP02：相手の背景に目がいくようになりました。", "typing changes nothing");
    assert.deepEqual(await axeViolations(page), [], "the transcript with cards");
    // A card marked in the text leads to its entry, which says it is in no group yet.
    await page.locator("#transcript mark").first().click();
    assert.match(await page.locator("#cards li.current").innerText(), /まだグループに入っていません/);

    // By touch (emulated, in English): the words chosen as a long press would, then a tap.
    const touch = await browser.newContext({ locale: "en-GB", hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 }, storageState: await context.storageState() });
    const phone = await touch.newPage();
    await phone.goto(page.url().replace(/#.*$/, "").replace("/research/", "/en/research/"));
    await phone.evaluate(() => {
      const text = document.getElementById("transcript");
      const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf("思い込み");
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + 4);
        document.getSelection().removeAllRanges();
        document.getSelection().addRange(range);
        return;
      }
    });
    await phone.getByRole("button", { name: "Make a card of the selection" }).tap();
    await phone.waitForURL(/#card-\d+$/);
    assert.equal(await phone.locator("#cards li").nth(2).locator("a").first().innerText(), "思い込み");
    assert.deepEqual(await axeViolations(phone), [], "the transcript in English on a phone");
    await touch.close();

    await page.getByRole("link", { name: "研修会の評価 2013" }).click();
    await page.waitForLoadState();
    assert.match(await page.locator("#project-counts").innerText(), /^逐語録 1 件 · カード 3 枚 · グループ 0 · 一匹狼 3 枚/);
    assert.deepEqual(await axeViolations(page), [], "the project with cards");
    // The project's parts are tabs on every page of it; the board is one of them.
    const parts = page.getByRole("navigation", { name: "プロジェクトの各ページ" });
    assert.equal(await parts.locator("[aria-current=page]").innerText(), "逐語録");
    await parts.getByRole("link", { name: "KJ法のボード" }).click();
    await page.waitForURL(/\/board$/);
    assert.equal(await parts.locator("[aria-current=page]").innerText(), "KJ法のボード");
    // Keyboard only: tick two cards' boxes, name what is ticked, Enter.
    const ticks = page.locator("#board .board-card input[type=checkbox]");
    await ticks.nth(0).focus();
    await page.keyboard.press("Space");
    await ticks.nth(1).focus();
    await page.keyboard.press("Space");
    assert.equal(await page.locator("#board .board-card input[type=checkbox]:checked").count(), 2);
    await page.locator("#group-label").focus();
    await page.keyboard.type("自分への気付き、他者への気付き");
    await page.keyboard.press("Enter");
    await page.locator('#board .board-group[data-label="自分への気付き、他者への気付き"]').waitFor();
    assert.deepEqual(await axeViolations(page), [], "the board with a group");
    await parts.getByRole("link", { name: "逐語録" }).click();
    await page.waitForLoadState();
    assert.match(await page.locator("#project-counts").innerText(), /グループ 1 · 一匹狼 1 枚/);
    const project = page.url().replace(/#.*$/, "");
    for (const [path, name] of [["", "the project"], ["/exchange", "export and import"], ["/members", "members and key"]]) {
      for (const prefix of ["", "/en"]) {
        await page.goto(`${project.replace("/research/", `${prefix}/research/`)}${path}`);
        assert.deepEqual(await axeViolations(page), [], `${name}${prefix ? " in English" : ""}`);
      }
    }
    // The members page lists the researcher as the key keeper and lets them name another.
    assert.match(await page.locator("#members").innerText(), /researcher@example\.jp/);
    assert.equal(await page.getByRole("radio", { name: /^Key keeper/ }).count(), 1);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the board moves a card with the keyboard, undoes it, and the diagram and report read well", async () => {
    const { page, context, problems } = await signIn(browser, server.base, "researcher@example.jp");
    await page.goto(`${server.base}/research/projects`);
    await page.getByRole("link", { name: "IPS研修の評価（グループインタビュー）" }).click();
    await page.getByRole("link", { name: "KJ法のボード" }).click();
    await page.waitForURL(/\/board$/);
    assert.deepEqual(await axeViolations(page), [], "the board");
    const quote = "自分はすごく先入観とか思い込みがすごくあるんだなっていうことに、すごく気づくようになって";
    const card = page.locator(".board-card", { hasText: quote });
    assert.equal(await page.locator(".board-card.lone").count(), 0);
    // Keyboard only, by the form above the board: tick the card, choose "the top level", press
    // the move button.
    await card.locator("input[type=checkbox]").focus();
    await page.keyboard.press("Space");
    const where = page.getByRole("combobox", { name: "移動先", exact: true });
    await where.focus();
    await where.selectOption({ label: "いちばん上の段" });
    await page.getByRole("button", { name: "チェックしたものを移動する" }).focus();
    await page.keyboard.press("Enter");
    await page.locator(".board-card.lone").waitFor();
    assert.match(await page.locator("#board-status").innerText(), /ボードを更新しました/);
    assert.match(await page.locator(".board-count").innerText(), /一匹狼 1 枚/);
    // Undo puts it back in its group, without leaving the page.
    await page.getByRole("button", { name: "元に戻す" }).focus();
    await page.keyboard.press("Enter");
    await page.locator(".board-card.lone").waitFor({ state: "detached" });
    assert.equal(await page.locator(".board-group .board-card", { hasText: quote }).count(), 1);
    assert.deepEqual(await axeViolations(page), [], "the board after undo");

    await page.getByRole("link", { name: "A型図解" }).first().click();
    await page.waitForURL(/\/diagram$/);
    assert.equal(await page.locator("#diagram svg g.block").count(), 3);
    assert.equal(await page.locator("#diagram svg line.relation").count(), 2);
    await page.getByLabel("関係の種類").selectOption("contrast");
    await page.getByLabel("どのグループへ").selectOption({ index: 1 });
    await page.getByRole("button", { name: "関係を加える" }).click();
    await page.waitForURL(/\/diagram$/);
    assert.equal(await page.locator("#relations li").count(), 3);
    assert.deepEqual(await axeViolations(page), [], "the diagram");
    // Both files are plain links; the PNG is the diagram drawn at twice its size.
    const png = page.getByRole("link", { name: "PNG で保存" });
    assert.equal(await png.getAttribute("download"), "");
    const picture = await page.request.get(new URL(await png.getAttribute("href"), page.url()).href);
    assert.equal(picture.headers()["content-type"], "image/png");
    const bytes = await picture.body();
    assert.equal(bytes.subarray(1, 4).toString(), "PNG");
    const drawing = page.locator("#diagram svg");
    assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [Number(await drawing.getAttribute("width")) * 2, Number(await drawing.getAttribute("height")) * 2]);
    // Arranging: by the keyboard's form, then by dragging a box; both stay after a reload.
    const first = page.locator("#diagram-places li").first();
    await first.getByLabel("横の位置（x）").fill("600");
    await first.getByLabel("縦の位置（y）").fill("400");
    await first.getByRole("button", { name: "ここへ動かす" }).click();
    await page.waitForURL(/\/diagram$/);
    const node = await page.locator("#diagram g.block").first().getAttribute("data-node");
    const block = () => page.locator(`#diagram g.block[data-node="${node}"]`);
    assert.equal(await block().getAttribute("transform"), "translate(600 400)");
    await block().scrollIntoViewIfNeeded();
    const box = await block().locator("rect").boundingBox();
    await page.mouse.move(box.x + 20, box.y + 10);
    await page.mouse.down();
    await page.mouse.move(box.x + 120, box.y + 60, { steps: 5 });
    await page.mouse.up();
    // Saved and drawn again by the server: the script fills the keyboard form's fields only
    // then (a reload before that would race the save).
    await page.waitForFunction((id) => {
      const moved = document.querySelector(`#diagram g.block[data-node="${id}"]`);
      const x = document.getElementById(`x-${id}`);
      return moved && moved.getAttribute("transform") !== "translate(600 400)" && !moved.classList.contains("dragging") && x && x.value !== "600";
    }, node);
    const dragged = await block().getAttribute("transform");
    await page.reload();
    assert.equal(await block().getAttribute("transform"), dragged);
    assert.notEqual(await page.getByLabel("横の位置（x）").first().inputValue(), "600");

    await page.goto(page.url().replace(/diagram$/, "report"));
    assert.equal(await page.locator("#report-table tbody tr").count(), 10);
    assert.equal(await page.locator("#report-table th[scope=rowgroup]").count(), 3);
    assert.deepEqual(await axeViolations(page), [], "the report");
    await page.goto(page.url().replace("/research/", "/en/research/").replace(/report$/, "board"));
    assert.deepEqual(await axeViolations(page), [], "the board in English");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("search finds a quote in Japanese and leads to its place; a sorting is compared with the board", async () => {
    const { page, context, problems } = await signIn(browser, server.base, "researcher@example.jp");
    await page.goto(`${server.base}/research/projects`);
    await page.getByRole("link", { name: "IPS研修の評価（グループインタビュー）" }).click();
    await page.getByLabel("このプロジェクトの中を探す").fill("ｉｐｓ");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/search\?q=/);
    // Full-width lower case finds "IPS"; then a word inside a Japanese sentence.
    assert.match(await page.locator("#search-summary").innerText(), /逐語録 1 件/);
    assert.equal(await page.locator("#transcript-results mark").first().innerText(), "IPS");
    await page.getByLabel("探すことば").fill("思い込み");
    await page.getByRole("button", { name: "探す", exact: true }).click();
    await page.locator("#transcript-results mark").first().waitFor();
    assert.equal(await page.locator("#transcript-results mark").first().innerText(), "思い込み");
    assert.ok((await page.locator("#node-results > li").count()) >= 2);
    assert.deepEqual(await axeViolations(page), [], "the search results");
    await page.locator("#transcript-results li.search-passage a").first().click();
    await page.waitForURL(/\?at=\d+-\d+#hit$/);
    assert.equal(await page.locator("#transcript mark#hit").innerText(), "思い込み");
    assert.deepEqual(await axeViolations(page), [], "the transcript at a search hit");
    await page.getByRole("link", { name: "情報と話者を直す" }).click();
    await page.waitForURL(/\/edit$/);
    assert.ok((await page.locator("#speakers li").count()) >= 2);
    await page.getByText("本文を行番号付きで見る").click();
    assert.ok((await page.locator("#lines tbody tr").count()) >= 10);
    assert.deepEqual(await axeViolations(page), [], "the transcript's edit page");

    await page.goBack();
    await page.goBack();
    await page.getByRole("link", { name: "IPS研修の評価（グループインタビュー）" }).click();
    await page.getByRole("link", { name: "評価者間の一致" }).click();
    await page.waitForURL(/\/agreement$/);
    assert.deepEqual(await axeViolations(page), [], "agreement before any sorting");
    await page.getByRole("link", { name: "自分の仕分けを始める" }).click();
    await page.getByRole("link", { name: "ボードの表札をコードにする" }).click();
    await page.waitForURL(/codes=board$/);
    const codes = (await page.getByLabel("コードの一覧（任意、1 行に 1 つ）").inputValue()).split("\n");
    assert.equal(codes.length, 9);
    const boxes = page.locator("#sorting-cards input");
    assert.equal(await boxes.count(), 10);
    for (let n = 0; n < 10; n += 1) await boxes.nth(n).fill(codes[n % 9]);
    assert.deepEqual(await axeViolations(page), [], "the sorting page");
    await page.getByRole("button", { name: "仕分けを保存する" }).click();
    await page.waitForURL(/\/agreement$/);
    await page.getByLabel("二つ目").selectOption({ label: "田中 由美 さんの仕分け" });
    await page.getByRole("button", { name: "比べる" }).click();
    await page.locator("#agreement-figures").waitFor();
    // Every figure worked out again here from the cross table on the same page.
    const cross = await page.locator("#cross-table").evaluate((table) => ({
      columns: [...table.querySelectorAll("thead th")].slice(1).map((th) => th.textContent.trim()),
      rows: [...table.querySelectorAll("tbody tr")].map((tr) => ({
        label: tr.querySelector("th").textContent.trim(),
        cells: [...tr.querySelectorAll("td")].map((td) => Number(td.textContent.trim() || 0)),
      })),
    }));
    const figures = await page.locator("#agreement-figures td").allInnerTexts();
    const expected = fromCrossTable(cross);
    assert.equal(expected.cards, 10);
    assert.deepEqual(figures.slice(0, 5).map(Number), [expected.cards, expected.both, expected.firstOnly, expected.secondOnly, expected.apart]);
    assert.equal(figures[5], `${(expected.rand * 100).toFixed(1)}%`);
    assert.match(figures[7], new RegExp(`^κ = ${expected.kappa.toFixed(3)}（`));
    assert.deepEqual(await axeViolations(page), [], "the comparison");
    await page.goto(page.url().replace("/research/", "/en/research/"));
    assert.deepEqual(await axeViolations(page), [], "the comparison in English");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a project from another tool is accounted for file by file, in both languages", async () => {
    const { page, context, problems } = await signIn(browser, server.base, "researcher@example.jp");
    // As ATLAS.ti users sometimes send it: the project document alone. One source's text is in
    // the document (with a selection of a blank line); another's was in a folder that did not
    // come; a PDF was coded too.
    const code = (n) => `<Coding guid="d2000000-0000-4000-8000-00000000000${n}"><CodeRef targetGUID="a2000000-0000-4000-8000-000000000001"/></Coding>`;
    const qde = `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="他のツールから" origin="ATLAS.ti 23">
<CodeBook><Codes><Code guid="a2000000-0000-4000-8000-000000000001" name="関係" isCodable="true"/></Codes></CodeBook>
<Sources>
<TextSource guid="b2000000-0000-4000-8000-000000000001" name="面接 1"><PlainTextContent>司会：どうぞ

P01：関係が変わりました</PlainTextContent>
<PlainTextSelection guid="c2000000-0000-4000-8000-000000000001" startPosition="10" endPosition="19">${code(1)}</PlainTextSelection>
<PlainTextSelection guid="c2000000-0000-4000-8000-000000000002" startPosition="6" endPosition="8">${code(2)}</PlainTextSelection>
</TextSource>
<TextSource guid="b2000000-0000-4000-8000-000000000002" name="面接 2" plainTextPath="internal://b2.txt">
<PlainTextSelection guid="c2000000-0000-4000-8000-000000000003" startPosition="0" endPosition="3">${code(3)}</PlainTextSelection>
</TextSource>
<PDFSource guid="b2000000-0000-4000-8000-000000000003" name="案内.pdf" path="internal://b3.pdf">
<PDFSelection guid="c2000000-0000-4000-8000-000000000004" page="1" firstX="0" firstY="0" secondX="9" secondY="9">${code(4)}</PDFSelection>
</PDFSource>
</Sources></Project>`;
    const file = { name: "他のツールから.qde", mimeType: "application/xml", buffer: Buffer.from(qde) };
    for (const [prefix, button, row, blank, pdf, open] of [
      ["", "ファイルを取り込む", "面接 1", "空白だけの選択範囲 1 件", "（PDF・コーディング 1 件）", "プロジェクトを開く"],
      ["/en", "Import the file", "面接 1", "1 selection of blank space", "\\(PDF, 1 coding\\)", "Open the project"],
    ]) {
      await page.goto(`${server.base}${prefix}/research/projects`);
      await page.locator("#import-file").setInputFiles(file);
      await page.getByRole("button", { name: button }).click();
      await page.locator("#import-files").waitFor();
      const cells = await page.locator("#import-files tbody tr").first().locator("th, td").allInnerTexts();
      assert.match(cells[0], new RegExp(row));
      assert.deepEqual(cells.slice(2, 4), ["2", "1"], "two selections, one card");
      assert.match(cells[4], new RegExp(`${blank} \\(6–8\\)`));
      assert.match(await page.locator("#missing-sources").innerText(), /面接 2/);
      assert.match(await page.locator("#other-sources").innerText(), new RegExp(`案内\\.pdf ${pdf}`));
      assert.match(await page.locator("#import-origin").innerText(), /ATLAS\.ti 23/);
      assert.deepEqual(await axeViolations(page), [], `the import's result${prefix}`);
      await page.getByRole("link", { name: open }).click();
      await page.waitForURL(/\/research\/projects\/\d+$/);
    }
    assert.deepEqual(problems, []);
    await context.close();
  });
});
