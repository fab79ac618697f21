// The web shell in a real browser: both languages, the switch, sign-in, accessibility.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEMO_PASSWORD, axeViolations, launchBrowser, startServer, watchedPage } from "./harness.mjs";

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

async function signIn(page, email) {
  await page.goto(`${server.base}/login`);
  await page.getByLabel("メールアドレス").fill(email);
  await page.getByLabel("パスワード").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "ログインする" }).click();
  await page.waitForURL(`${server.base}/dashboard`);
}

describe("public pages", () => {
  test("the Japanese home page is accessible and makes no outside request", async () => {
    const { page, context, problems } = await watchedPage(browser, server.base);
    await page.goto(`${server.base}/`);
    assert.equal(await page.getAttribute("html", "lang"), "ja");
    assert.match(await page.locator("h1").innerText(), /気付き/);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the language switch moves to the same page in English and back", async () => {
    const { page, context, problems } = await watchedPage(browser, server.base);
    await page.goto(`${server.base}/login`);
    await page.getByRole("link", { name: "English" }).click();
    await page.waitForURL(`${server.base}/en/login`);
    assert.equal(await page.getAttribute("html", "lang"), "en");
    assert.equal(await page.locator("h1").innerText(), "Sign in");
    assert.deepEqual(await axeViolations(page), []);
    await page.getByRole("link", { name: "日本語" }).click();
    await page.waitForURL(`${server.base}/login`);
    assert.equal(await page.locator("h1").innerText(), "ログイン");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("an English-speaking browser is sent to English on its first visit", async () => {
    const { page, context } = await watchedPage(browser, server.base, { locale: "en-GB" });
    await page.goto(`${server.base}/`);
    assert.equal(page.url(), `${server.base}/en/`);
    assert.deepEqual(await axeViolations(page), []);
    await context.close();
  });

  test("the skip link is the first stop for keyboard users and moves focus to the content", async () => {
    const { page, context } = await watchedPage(browser, server.base);
    await page.goto(`${server.base}/`);
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.className);
    assert.equal(focused, "skip-link");
    assert.ok(await page.locator(".skip-link").isVisible());
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "main");
    await context.close();
  });

  test("a phone-sized screen needs no sideways scrolling", async () => {
    const { page, context } = await watchedPage(browser, server.base, { viewport: { width: 360, height: 740 } });
    for (const path of ["/", "/login", "/en/", "/en/login"]) {
      await page.goto(`${server.base}${path}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} overflows by ${overflow}px`);
    }
    await context.close();
  });

  test("the 404 page is accessible and in the right language", async () => {
    const { page, context } = await watchedPage(browser, server.base);
    const response = await page.goto(`${server.base}/en/missing-page`);
    assert.equal(response.status(), 404);
    assert.equal(await page.locator("h1").innerText(), "Page not found");
    assert.deepEqual(await axeViolations(page), []);
    await context.close();
  });
});

describe("signed in", () => {
  test("a wrong password shows a clear message and keeps the address", async () => {
    const { page, context, problems } = await watchedPage(browser, server.base);
    await page.goto(`${server.base}/login`);
    await page.getByLabel("メールアドレス").fill("admin@example.jp");
    await page.getByLabel("パスワード").fill("wrong password");
    await page.getByRole("button", { name: "ログインする" }).click();
    await page.waitForLoadState();
    assert.match(await page.getByRole("alert").innerText(), /正しくありません/);
    assert.equal(await page.getByLabel("メールアドレス").inputValue(), "admin@example.jp");
    assert.equal(await page.getByLabel("パスワード").inputValue(), "");
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("an administrator signs in, reaches every workspace page, and signs out", async () => {
    const { page, context, problems } = await watchedPage(browser, server.base);
    await signIn(page, "admin@example.jp");
    assert.match(await page.locator("main").innerText(), /山田 陽子/);
    assert.deepEqual(await axeViolations(page), [], "dashboard");

    await page.getByRole("link", { name: "利用者の管理", exact: true }).first().click();
    await page.waitForURL(`${server.base}/admin/users`);
    assert.ok(await page.getByRole("cell", { name: "organizer@example.jp" }).isVisible());
    assert.deepEqual(await axeViolations(page), [], "user management");

    await page.getByLabel("名前").fill("中村 さくら");
    await page.getByLabel("メールアドレス").fill("sakura@example.jp");
    await page.getByLabel("役割", { exact: true }).selectOption("researcher");
    await page.getByRole("button", { name: "招待リンクを発行する" }).click();
    await page.waitForLoadState();
    const link = await page.locator("#invitation-link").inputValue();
    assert.match(link, /\/invitation\/kzi_/);
    assert.deepEqual(await axeViolations(page), [], "user management with a new link");

    await page.goto(`${server.base}/en/account`);
    assert.equal(await page.locator("h1").innerText(), "Account");
    await page.getByLabel("Name of the new token").fill("browser test");
    await page.getByRole("button", { name: "Create token" }).click();
    await page.waitForLoadState();
    assert.match(await page.locator("#new-token").inputValue(), /^kzk_/);
    assert.deepEqual(await axeViolations(page), [], "account page");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${server.base}/en/`);
    assert.match(await page.getByRole("status").innerText(), /signed out/);
    await page.goto(`${server.base}/en/account`);
    assert.match(page.url(), /\/en\/login\?next=/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the invited person sets a password in the browser and signs in", async () => {
    const admin = await watchedPage(browser, server.base);
    await signIn(admin.page, "admin@example.jp");
    await admin.page.goto(`${server.base}/admin/users`);
    await admin.page.getByLabel("名前").fill("小林 翔");
    await admin.page.getByLabel("メールアドレス").fill("sho@example.jp");
    await admin.page.getByRole("button", { name: "招待リンクを発行する" }).click();
    await admin.page.waitForLoadState();
    const link = await admin.page.locator("#invitation-link").inputValue();
    await admin.context.close();

    const { page, context, problems } = await watchedPage(browser, server.base);
    await page.goto(link);
    assert.deepEqual(await axeViolations(page), [], "invitation page");
    await page.getByLabel("新しいパスワード", { exact: true }).fill("a walk by the river");
    await page.getByLabel("新しいパスワード（確認のため、もう一度）").fill("a walk by the river");
    await page.getByRole("button", { name: "パスワードを設定する" }).click();
    await page.waitForURL(`${server.base}/login`);
    await page.getByLabel("メールアドレス").fill("sho@example.jp");
    await page.getByLabel("パスワード").fill("a walk by the river");
    await page.getByRole("button", { name: "ログインする" }).click();
    await page.waitForURL(`${server.base}/dashboard`);
    assert.match(await page.locator("main").innerText(), /小林 翔/);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
