// Registration in a real browser: an applicant applies on a phone without JavaScript, corrects
// a mistake without losing anything, opens their private link (read here from the organisers'
// outbox, as no mail server runs in these tests) and confirms; organisers' pages pass axe.

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

function signedIn(email) {
  return signIn(browser, server.base, email);
}

/** The first training that takes applications, by its page. */
async function openTraining(page) {
  await page.goto(`${server.base}/trainings`);
  const links = await page.locator("main .card-list a").evaluateAll((anchors) => anchors.map((a) => a.getAttribute("href")));
  for (const href of links) {
    await page.goto(`${server.base}${href}`);
    if (await page.getByRole("link", { name: "申し込む" }).count()) return href;
  }
  throw new Error("no training takes applications in the demo data");
}

async function fitsTheScreen(page) {
  return page.evaluate(() => document.scrollingElement.scrollWidth <= window.innerWidth);
}

describe("registration", () => {
  test("the form works without JavaScript", async () => {
    const { page, context, problems } = await watchedPage(browser, server.base, { javaScriptEnabled: false });
    const training = await openTraining(page);
    await page.goto(`${server.base}${training}/apply`);
    await page.getByLabel("お名前").fill("JavaScript なし");
    await page.locator("#email").fill("nojs@example.jp");
    await page.getByRole("checkbox", { name: "家族・関係者" }).check();
    await page.getByRole("checkbox", { name: /個人情報の扱いについてのお知らせを読み/ }).check();
    await page.getByRole("button", { name: "申し込む" }).click();
    await page.waitForURL(/\/applied\?status=held$/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("an applicant applies on a phone, corrects a mistake, and confirms through the link", async () => {
    const phone = await watchedPage(browser, server.base, {
      viewport: { width: 375, height: 740 },
      isMobile: true,
    });
    const { page } = phone;
    const training = await openTraining(page);
    await page.getByRole("link", { name: "申し込む" }).click();
    await page.waitForURL(`${server.base}${training}/apply`);
    assert.deepEqual(await axeViolations(page), [], "the application form");
    assert.ok(await fitsTheScreen(page), "no sideways scrolling on a phone");

    await page.getByLabel("お名前").fill("森 さくら");
    await page.locator("#email").fill("sakura.example.jp");
    await page.getByLabel("参加したい理由（任意）").fill("自分の経験を言葉にしたいと思いました。");
    await page.getByRole("checkbox", { name: "以前サービスを利用していた" }).check();
    await page.getByRole("button", { name: "申し込む" }).click();
    await page.waitForLoadState();
    assert.match(await page.getByRole("alert").innerText(), /name@example\.jp/);
    assert.match(await page.getByRole("alert").innerText(), /同意/);
    assert.equal(await page.getByLabel("お名前").inputValue(), "森 さくら");
    assert.equal(await page.getByLabel("参加したい理由（任意）").inputValue(), "自分の経験を言葉にしたいと思いました。");
    assert.ok(await page.getByRole("checkbox", { name: "以前サービスを利用していた" }).isChecked());
    assert.deepEqual(await axeViolations(page), [], "the form with its mistakes");

    await page.locator("#email").fill("sakura@example.jp");
    await page.getByRole("checkbox", { name: /個人情報の扱いについてのお知らせを読み/ }).check();
    await page.getByRole("button", { name: "申し込む" }).click();
    await page.waitForURL(/\/applied\?status=held$/);
    assert.match(await page.locator("#applied-message").innerText(), /席をお取りしています/);
    assert.deepEqual(await axeViolations(page), [], "the thank-you page");

    // The organiser finds the message in the outbox, without the private link (the outbox and
    // its backups never hold one); the message as it arrived holds it, and opens the page.
    const organiser = await signedIn("organizer@example.jp");
    await organiser.page.goto(`${server.base}/manage/outbox`);
    const stored = await organiser.page.locator("#outbox tr", { hasText: "sakura@example.jp" }).locator(".message-body").first().textContent();
    assert.doesNotMatch(stored, /kza_/);
    assert.match(stored, /ご本人用のリンク/);
    const body = await server.mail.lastTo("sakura@example.jp");
    const link = body.match(/http:\/\/\S+\/application\?key=kza_[\w-]+/)[0];
    await page.goto(link);
    assert.equal(new URL(page.url()).pathname, "/application", "the key has left the address bar");
    assert.equal(await page.locator("#application-status").getAttribute("data-status"), "held");
    assert.deepEqual(await axeViolations(page), [], "the private page");
    assert.ok(await fitsTheScreen(page));
    await page.getByRole("button", { name: "申し込みを確定する" }).click();
    await page.waitForURL(`${server.base}/application`);
    assert.equal(await page.locator("#application-status").getAttribute("data-status"), "confirmed");
    assert.deepEqual(phone.problems, []);

    // The organiser sees her on the roster, and every registration page passes axe.
    const { page: desk, problems, context } = organiser;
    const trainingId = training.split("/").pop();
    await desk.goto(`${server.base}/manage/trainings/${trainingId}/applications`);
    const detail = await desk.locator("#roster a", { hasText: "森 さくら" }).getAttribute("href");
    const paths = [
      `/manage/trainings/${trainingId}/applications`,
      `/manage/trainings/${trainingId}/registration`,
      `/manage/trainings/${trainingId}/attendance`,
      `/manage/trainings/${trainingId}/sign-in-sheet`,
      `/manage/trainings/${trainingId}/participants`,
      detail.replace(/^\/en/, ""),
      "/manage/outbox",
    ];
    for (const path of paths) {
      for (const prefix of ["", "/en"]) {
        const response = await desk.goto(`${server.base}${prefix}${path}`);
        assert.equal(response.status(), 200, `${prefix}${path}`);
        assert.deepEqual(await axeViolations(desk), [], `${prefix}${path}`);
      }
    }
    await desk.goto(`${server.base}${detail}`);
    await desk.getByRole("radio", { name: "補欠の最後に移す" }).check();
    await desk.getByLabel("理由").fill("本人から日程の都合で補欠を希望");
    await desk.getByRole("button", { name: "実行する" }).click();
    await desk.waitForLoadState();
    assert.match(await desk.locator("#application-log").innerText(), /本人から日程の都合で補欠を希望/);
    assert.deepEqual(problems, []);
    await context.close();

    // On a shared phone, she closes the page on this device: the key leaves the browser.
    const mine = phone.page;
    await mine.goto(`${server.base}/application`);
    await mine.getByRole("button", { name: "この端末で閉じる" }).click();
    await mine.waitForURL(`${server.base}/`);
    assert.match(await mine.getByRole("status").first().innerText(), /この端末でお申し込みのページを閉じました/);
    const gone = await mine.goto(`${server.base}/application`);
    assert.equal(gone.status(), 404);
    await phone.context.close();
  });

  test("a facilitator opens the lists of the trainings they lead, and is refused another's", async () => {
    const { page, context, problems } = await signIn(browser, server.base, "facilitator@example.jp");
    await page.goto(`${server.base}/dashboard`);
    const led = await page.locator("#led-trainings a, #led-before a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    assert.ok(led.length > 0, "the demo facilitator leads some trainings");
    for (const prefix of ["", "/en"]) {
      await page.goto(`${server.base}${prefix}/dashboard`);
      assert.deepEqual(await axeViolations(page), [], `${prefix}/dashboard`);
      const response = await page.goto(`${server.base}${prefix}${led[0].replace(/^\/en/, "")}`);
      assert.equal(response.status(), 200);
      await page.locator("#participants").waitFor({ state: "attached" });
      assert.deepEqual(await axeViolations(page), [], `${prefix} participants`);
      // They record who came on the day, on the same terms.
      await page.goto(`${server.base}${prefix}${led[0].replace(/^\/en/, "").replace(/participants$/, "attendance")}`);
      assert.deepEqual(await axeViolations(page), [], `${prefix} attendance`);
    }
    const ledIds = led.map((href) => href.match(/trainings\/(\d+)/)[1]);
    let other = null;
    for (let id = 1; id < 200 && other === null; id++) {
      if (!ledIds.includes(String(id))) {
        const response = await page.goto(`${server.base}/trainings/${id}`);
        if (response.status() === 200) other = id;
      }
    }
    assert.ok(other !== null, "a training the facilitator does not lead");
    const refused = await page.goto(`${server.base}/manage/trainings/${other}/participants`);
    assert.equal(refused.status(), 403);
    const notTheirs = await page.goto(`${server.base}/manage/trainings/${other}/attendance`);
    assert.equal(notTheirs.status(), 403);
    assert.deepEqual(problems.filter((p) => !/403|Forbidden/.test(p)), []);
    await context.close();
  });

  test("an organiser sees what needs doing, checks a message before it goes, and is asked before cancelling", async () => {
    const training = await (async () => {
      const { page, context } = await watchedPage(browser, server.base);
      const href = await openTraining(page);
      await context.close();
      return href.match(/trainings\/(\d+)/)[1];
    })();
    for (const n of [1, 2]) {
      const response = await fetch(`${server.base}/api/v1/trainings/${training}/applications`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: `確認 ${n}`, email: `check${n}@example.jp`, backgrounds: ["family"], consent: true }),
      });
      assert.equal(response.status, 201);
    }
    const { page, context, problems } = await signedIn("organizer@example.jp");
    for (const prefix of ["", "/en"]) {
      await page.goto(`${server.base}${prefix}/dashboard`);
      await page.locator("#organised-trainings").waitFor();
      assert.deepEqual(await axeViolations(page), [], `${prefix}/dashboard`);
    }
    await page.goto(`${server.base}/manage/trainings/${training}/applications`);
    await page.getByLabel("宛先").selectOption("all");
    await page.getByLabel("件名").fill("会場のご案内");
    await page.getByLabel("本文").fill("会場は 3 階です。");
    await page.getByRole("button", { name: "この内容で確認する" }).click();
    await page.locator("#message-preview").waitFor();
    // Everyone still applying: the two just now, and any the walks above left.
    const reaches = Number((await page.locator("#preview-title").innerText()).match(/(\d+) 人に送ります/)[1]);
    assert.ok(reaches >= 2, `${reaches} recipients`);
    assert.equal(await page.locator("#preview-recipients li").count(), reaches);
    assert.match(await page.locator("#preview-body").innerText(), /会場は 3 階です。/);
    assert.deepEqual(await axeViolations(page), [], "the message's preview");
    await page.getByRole("button", { name: `この内容で ${reaches} 人に送る` }).click();
    await page.waitForURL(/\/applications$/);
    assert.match(await page.getByRole("status").first().innerText(), /送信待ち/);

    // Cancelling asks first, and going back changes nothing.
    const first = await page.locator("#roster tbody a").first().getAttribute("href");
    await page.goto(`${server.base}${first}`);
    await page.getByLabel("取り消す", { exact: true }).check();
    await page.getByLabel("理由", { exact: true }).fill("ご本人から電話");
    await page.getByRole("button", { name: "実行する" }).click();
    await page.locator("#confirm-consequence").waitFor();
    assert.match(await page.locator("h1").innerText(), /申し込みを取り消しますか？/);
    assert.deepEqual(await axeViolations(page), [], "the confirmation");
    await page.getByRole("link", { name: "やめて戻る" }).click();
    await page.waitForURL(new RegExp(`${first}$`));
    assert.doesNotMatch(await page.locator("#application-status").innerText(), /取り消/);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
