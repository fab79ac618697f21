// Questionnaires in a real browser: an organiser makes one from the template and prints slips;
// a respondent answers on a phone without JavaScript, in Japanese and in English; researchers'
// and administrators' pages pass axe.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, launchBrowser, signIn, startServer, watchedPage } from "./harness.mjs";

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
    assert.match(table, /< 5/);

    await page.goto(`${server.base}${results.replace(/results$/, "coding")}`);
    assert.deepEqual(await axeViolations(page), [], "the coding page");
    const boxes = page.locator("fieldset.coding-answer").last().getByRole("checkbox");
    assert.ok((await boxes.count()) >= 3);
    await page.getByRole("button", { name: "コードを保存する" }).nth(1).click();
    await page.waitForLoadState();
    await page.goto(`${server.base}${results.replace(/results$/, "agreement")}`);
    assert.deepEqual(await axeViolations(page), [], "the agreement page");
    assert.deepEqual(problems, []);
    await context.close();
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
