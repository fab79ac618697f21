// The organisers' workspace in a real browser: every page passes axe, and a training can be
// created from the form by keyboard and mouse as an organiser would.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, dayInJapan, launchBrowser, signIn, startServer, watchedPage } from "./harness.mjs";

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

function signedIn(email) {
  return signIn(browser, server.base, email);
}

describe("workspace", () => {
  test("every workspace page passes axe in both languages", async () => {
    const { page, context, problems } = await signedIn("organizer@example.jp");
    const paths = ["/dashboard", "/manage/trainings", "/manage/trainings/new", "/manage/venues", "/manage/venues/new", "/manage/study-groups", "/manage/study-groups/new", "/manage/people", "/manage/import", "/account"];
    await page.goto(`${server.base}/manage/trainings`);
    const edit = await page.locator("main table a").first().getAttribute("href");
    paths.push(edit);
    await page.goto(`${server.base}/manage/study-groups`);
    paths.push(await page.locator("main table a").first().getAttribute("href"));
    for (const path of paths) {
      for (const prefix of ["", "/en"]) {
        const response = await page.goto(`${server.base}${prefix}${path}`);
        assert.equal(response.status(), 200, `${prefix}${path}`);
        assert.deepEqual(await axeViolations(page), [], `${prefix}${path}`);
      }
    }
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("an organiser creates a training; a mistake keeps what was typed", async () => {
    const { page, context, problems } = await signedIn("organizer@example.jp");
    await page.goto(`${server.base}/manage/trainings/new`);
    await page.getByLabel("タイトル", { exact: true }).fill("IPS基礎研修 金沢市");
    await page.getByLabel("1 日目").fill(dayInJapan(200));
    await page.getByLabel("開始").first().fill("16:00");
    await page.getByLabel("終了").first().fill("10:00");
    await page.getByLabel("定員").fill("三十");
    await page.getByRole("button", { name: "保存する" }).click();
    await page.waitForLoadState();
    assert.match(await page.getByRole("alert").innerText(), /確認が必要/);
    assert.equal(await page.getByLabel("タイトル", { exact: true }).inputValue(), "IPS基礎研修 金沢市");
    assert.deepEqual(await axeViolations(page), [], "the form with its mistakes");
    await page.getByLabel("開始").first().fill("10:00");
    await page.getByLabel("終了").first().fill("16:30");
    await page.getByLabel("定員").fill("30");
    await page.getByLabel("状態").selectOption("application_open");
    await page.getByRole("button", { name: "保存する" }).click();
    await page.waitForURL(/\/manage\/trainings\/\d+\/edit$/);
    assert.match(await page.getByRole("status").first().innerText(), /保存しました/);
    await page.goto(`${server.base}/trainings?q=${encodeURIComponent("金沢")}`);
    assert.match(await page.locator("main").innerText(), /IPS基礎研修 金沢市/);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
