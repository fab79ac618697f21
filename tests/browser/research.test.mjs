// The KJ-method pages in a real browser: a researcher starts a project, pastes a transcript,
// makes cards from passages and gathers them into a group with the keyboard alone; every page
// passes axe.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, launchBrowser, signIn, startServer } from "./harness.mjs";

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
    await page.getByRole("button", { name: "取り込む" }).click();
    await page.waitForURL(/\/research\/transcripts\/\d+$/);
    assert.deepEqual(await axeViolations(page), [], "the transcript");

    for (const passage of ["自分の思い込みに気付きました。", "相手の背景に目がいくようになりました。"]) {
      await page.getByLabel("カードにする部分").fill(passage);
      await page.getByRole("button", { name: "カードを作る" }).click();
      await page.waitForURL(/#card-\d+$/);
    }
    assert.equal(await page.locator("#transcript mark").count(), 2);
    assert.deepEqual(await axeViolations(page), [], "the transcript with cards");

    await page.getByRole("link", { name: "研修会の評価 2013" }).click();
    await page.waitForLoadState();
    assert.deepEqual(await axeViolations(page), [], "the project with cards");
    // Keyboard only: focus the first card's box, tick it, move on, tick the next, then label.
    await page.locator("#tree input[type=checkbox]").first().focus();
    await page.keyboard.press("Space");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Space");
    assert.equal(await page.locator("#tree input[type=checkbox]:checked").count(), 2);
    await page.getByLabel("表札").focus();
    await page.keyboard.type("自分への気付き、他者への気付き");
    await page.keyboard.press("Enter");
    await page.locator("#tree .kj-group").waitFor();
    assert.match(await page.locator("#tree").innerText(), /自分への気付き、他者への気付き/);
    assert.deepEqual(await axeViolations(page), [], "the project with a group");
    await page.goto(`${page.url().replace(/#.*$/, "").replace("/research/", "/en/research/")}`);
    assert.deepEqual(await axeViolations(page), [], "the project in English");
    assert.deepEqual(problems, []);
    await context.close();
  });
});
