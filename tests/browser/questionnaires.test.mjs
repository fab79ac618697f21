// Questionnaires in a real browser: an organiser makes one from the template and prints slips;
// a respondent answers on a phone without JavaScript, in Japanese and in English; researchers'
// and administrators' pages pass axe.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, launchBrowser, signIn, startServer, watchedPage } from "./harness.mjs";

/** The code checkboxes (not the quote box) of the answer at `index` on a coding page. */
function answerBoxes(page, index) {
  return page
    .locator("form", { has: page.locator("fieldset.coding-answer") })
    .last()
    .locator("fieldset.coding-answer")
    .nth(index)
    .locator('input[type=checkbox][name^="code_"]');
}

/** For each answer of the last coded question, the positions of its ticked categories. */
async function codesOnPage(page) {
  return page
    .locator("form", { has: page.locator("fieldset.coding-answer") })
    .last()
    .locator("fieldset.coding-answer")
    .evaluateAll((sets) =>
      sets.map((set) =>
        [...set.querySelectorAll('input[type=checkbox][name^="code_"]')]
          .map((box, position) => (box.checked ? position : -1))
          .filter((position) => position >= 0),
      ),
    );
}

/** Cohen's κ for two lists of labels, worked out here rather than read from the page. */
function cohenKappa(first, second) {
  const n = first.length;
  const labels = [...new Set([...first, ...second])];
  const observed = first.filter((label, i) => label === second[i]).length / n;
  const expected = labels
    .map((label) => (first.filter((x) => x === label).length / n) * (second.filter((x) => x === label).length / n))
    .reduce((a, b) => a + b, 0);
  return (observed - expected) / (1 - expected);
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

async function fitsTheScreen(page) {
  return page.evaluate(() => document.scrollingElement.scrollWidth <= window.innerWidth);
}

/** The demo's closed questionnaire (the oldest in the list), by its results link. */
async function demoResults(page) {
  await page.goto(`${server.base}/manage/questionnaires`);
  return page.getByRole("link", { name: "アンケートの結果" }).last().getAttribute("href");
}

describe("questionnaires", () => {
  let codes = [];

  test("an organiser makes a questionnaire from the template and prints slips", async () => {
    const { page, context, problems } = await signIn(browser, server.base, "organizer@example.jp");
    await page.goto(`${server.base}/manage/trainings`);
    await page.getByRole("link", { name: "アンケート" }).first().click();
    await page.waitForLoadState();
    assert.deepEqual(await axeViolations(page), [], "a training's questionnaires");
    await page.getByRole("button", { name: "作成する" }).click();
    await page.waitForURL(/\/manage\/questionnaires\/\d+$/);
    assert.deepEqual(await axeViolations(page), [], "the questionnaire editor");
    assert.equal(await page.locator("#questions li").count(), 2);

    // A closing time before the opening time is a mistake, and what was typed stays.
    await page.getByLabel("受付開始", { exact: true }).fill("2020-01-01T10:00");
    await page.getByLabel("締め切り", { exact: true }).fill("2019-12-31T10:00");
    await page.getByRole("button", { name: "保存する", exact: true }).click();
    await page.waitForLoadState();
    assert.match(await page.getByRole("alert").innerText(), /締め切りは受付開始より後/);
    assert.equal(await page.getByLabel("受付開始", { exact: true }).inputValue(), "2020-01-01T10:00");
    assert.deepEqual(await axeViolations(page), [], "the editor with a mistake");
    await page.getByLabel("締め切り", { exact: true }).fill("");
    await page.getByRole("button", { name: "保存する", exact: true }).click();
    await page.waitForLoadState();
    assert.match(await page.locator("#phase").innerText(), /回答受付中/);

    await page.getByLabel("作る枚数").fill("3");
    await page.getByRole("button", { name: "印刷用の紙を作る" }).click();
    await page.waitForLoadState();
    assert.equal(await page.locator(".slip svg").count(), 3, "each slip has its QR code");
    codes = await page.locator(".slip-code").allInnerTexts();
    assert.equal(codes.length, 3);
    assert.deepEqual(await axeViolations(page), [], "the slips");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a respondent answers without JavaScript", async () => {
    const { page, context, problems } = await watchedPage(browser, server.base, { javaScriptEnabled: false });
    await page.goto(`${server.base}/answer`);
    await page.getByLabel("回答用コード").fill(codes[0].toLowerCase());
    await page.getByRole("button", { name: "次へ" }).click();
    await page.getByRole("heading", { name: "記録されること・されないこと" }).waitFor();
    await page.getByRole("button", { name: "回答を送る" }).click();
    await page.waitForLoadState();
    assert.match(await page.getByRole("alert").innerText(), /少なくとも 1 つの質問/);
    await page.getByLabel("研修会はあなたにとってどのようなものでしたか。").fill("安心して話せました。");
    await page.getByRole("button", { name: "回答を送る" }).click();
    await page.waitForURL(`${server.base}/answer/thanks`);
    // The same code again is refused, kindly.
    await page.goto(`${server.base}/answer?code=${codes[0]}`);
    await page.waitForURL(`${server.base}/answer`);
    assert.match(await page.getByRole("alert").innerText(), /すでに回答をいただいています/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a respondent answers on a phone, in English; every step passes axe", async () => {
    const { page, context, problems } = await watchedPage(browser, server.base, {
      viewport: { width: 375, height: 740 },
      isMobile: true,
      locale: "en-GB",
    });
    await page.goto(`${server.base}/answer`);
    assert.deepEqual(await axeViolations(page), [], "the code page");
    await page.goto(`${server.base}/en/answer?code=${codes[1]}`);
    await page.waitForURL(`${server.base}/en/answer`);
    assert.ok(!page.url().includes("code="), "the code leaves the address at once");
    assert.deepEqual(await axeViolations(page), [], "the English questionnaire");
    assert.ok(await fitsTheScreen(page), "no sideways scrolling on a phone");
    await page.getByRole("button", { name: "Send my answers" }).click();
    await page.waitForLoadState();
    assert.match(await page.getByRole("alert").innerText(), /at least one question/);
    assert.deepEqual(await axeViolations(page), [], "the questionnaire with a mistake");
    await page.getByLabel("Would you like to attend a training again? Why?").fill("Yes, to keep learning.");
    await page.getByRole("button", { name: "Send my answers" }).click();
    await page.waitForURL(`${server.base}/en/answer/thanks`);
    assert.match(await page.locator("#thanks-message").innerText(), /received/);
    assert.deepEqual(await axeViolations(page), [], "the thanks page");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("researchers read results, code answers and compare coders", async () => {
    const { page, context, problems } = await signIn(browser, server.base, "researcher@example.jp");
    const results = await demoResults(page);
    await page.goto(`${server.base}${results}`);
    assert.deepEqual(await axeViolations(page), [], "the results");
    const table = await page.locator("table.tally", { hasText: "したい" }).innerText();
    assert.match(table, /したい\s[^\n]*\n?[^\n]*11/);
    assert.match(table, /\bx\b/);

    // The researcher's codes (the demo's: 11 / 1 / 1), one answer changed and saved.
    const coding = `${server.base}${results.replace(/results$/, "coding")}`;
    await page.goto(coding);
    assert.deepEqual(await axeViolations(page), [], "the coding page");
    const original = await codesOnPage(page);
    assert.equal(original.length, 13, "the demo's thirteen answers");
    assert.ok(original.every((codes) => codes.length === 1), "each coded with one category");
    const changed = original.map((codes) => [...codes]);
    const first = answerBoxes(page, 0);
    const other = (original[0][0] + 1) % (await first.count());
    await first.nth(original[0][0]).uncheck();
    await first.nth(other).check();
    changed[0] = [other];
    await page.getByRole("button", { name: "コードを保存する" }).last().click();
    await page.waitForLoadState();
    await page.goto(coding);
    assert.deepEqual(await codesOnPage(page), changed, "the change is saved, the rest kept");
    await context.close();

    // A second coder (the administrator) codes every answer as the demo did.
    const second = await signIn(browser, server.base, "admin@example.jp");
    await second.page.goto(coding);
    for (const [index, codes] of original.entries()) {
      for (const box of codes) await answerBoxes(second.page, index).nth(box).check();
    }
    await second.page.getByRole("button", { name: "コードを保存する" }).last().click();
    await second.page.waitForLoadState();
    await second.page.goto(coding);
    assert.deepEqual(await codesOnPage(second.page), original);
    assert.deepEqual(second.problems, []);
    await second.context.close();

    // The comparison shows what is worked out here from the two codings.
    const again = await signIn(browser, server.base, "researcher@example.jp");
    await again.page.goto(`${server.base}${results.replace(/results$/, "agreement")}`);
    assert.deepEqual(await axeViolations(again.page), [], "the agreement page");
    const section = again.page.locator("section.panel", { has: again.page.locator(".agreement-kappa") }).last();
    assert.equal(await section.locator(".agreement-compared").innerText(), "13");
    assert.equal(await section.locator(".agreement-agreed").innerText(), "12 (92.3%)");
    const kappa = cohenKappa(changed.map((codes) => codes[0]), original.map((codes) => codes[0]));
    assert.equal(await section.locator(".agreement-kappa").innerText(), kappa.toFixed(3));
    assert.equal(await section.locator("table.disagreements tbody tr").count(), 1);
    assert.deepEqual(problems, []);
    assert.deepEqual(again.problems, []);
    await again.context.close();
  });

  test("an administrator sees the form to change k, in both languages", async () => {
    const { page, context, problems } = await signIn(browser, server.base, "admin@example.jp");
    const results = await demoResults(page);
    for (const path of [results, `/en${results}`]) {
      await page.goto(`${server.base}${path}`);
      assert.ok(await page.locator("#k").isVisible());
      assert.deepEqual(await axeViolations(page), [], path);
    }
    await page.goto(`${server.base}/en/manage/questionnaires`);
    assert.deepEqual(await axeViolations(page), [], "the English list");
    assert.deepEqual(problems, []);
    await context.close();
  });
});
