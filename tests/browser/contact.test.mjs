// What applicants meet around the form, in a real browser: a full training's page and its
// waitlist button, the confirmation page that names the address, a lottery's entrants and draw
// day, whom to contact on every page, and the footer's operator, privacy and accessibility pages,
// in both languages, with axe on every page.

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

/** The demo trainings that take applications, by their pages' paths. */
async function trainingsTakingApplications(page) {
  await page.goto(`${server.base}/trainings`);
  const links = await page.locator("main .card-list a").evaluateAll((anchors) => anchors.map((a) => a.getAttribute("href")));
  const open = [];
  for (const href of links) {
    await page.goto(`${server.base}${href}`);
    if (await page.locator("#apply-button").count()) open.push(href);
  }
  return open;
}

async function fitsTheScreen(page) {
  return page.evaluate(() => document.scrollingElement.scrollWidth <= window.innerWidth);
}

/** Organisers change a training through its edit form, as they would. */
async function editTraining(desk, id, fill) {
  await desk.goto(`${server.base}/manage/trainings/${id}/edit`);
  await fill(desk);
  await desk.getByRole("button", { name: "保存する" }).click();
  await desk.waitForLoadState();
}

/** Past the one-second cache of anonymous pages. */
const pastTheCache = () => new Promise((resolve) => setTimeout(resolve, 1100));

describe("contact and what happens next", () => {
  test("an applicant on a phone finds a full training, joins its waitlist and is told where the message went", async () => {
    const organiser = await signIn(browser, server.base, "organizer@example.jp");
    const open = await trainingsTakingApplications(organiser.page);
    const training = open.at(-1);
    const id = training.split("/").pop();
    await editTraining(organiser.page, id, (desk) => desk.locator("#capacity").fill("1"));

    // Someone takes the one seat.
    const first = await watchedPage(browser, server.base);
    await first.page.goto(`${server.base}${training}/apply`);
    await first.page.getByLabel("お名前").fill("先に 申し込む");
    await first.page.locator("#email").fill("first@example.jp");
    await first.page.getByRole("checkbox", { name: "家族" }).check();
    await first.page.getByRole("checkbox", { name: /個人情報の扱いについてのお知らせを読み/ }).check();
    await first.page.getByRole("button", { name: "申し込む" }).click();
    await first.page.waitForURL(/\/applied\?status=held$/);
    assert.match(await first.page.locator("#sent-to").innerText(), /first@example\.jp にお送りしました/);
    assert.deepEqual(await axeViolations(first.page), [], "the confirmation page");
    await first.context.close();
    await pastTheCache();

    for (const prefix of ["", "/en"]) {
      const phone = await watchedPage(browser, server.base, { viewport: { width: 390, height: 844 }, isMobile: true });
      const { page } = phone;
      await page.goto(`${server.base}${prefix}/trainings`);
      const card = page.locator(".event-card", { has: page.locator(`a[href="${prefix}${training}"]`) });
      assert.equal(await card.locator(".status-full").count(), 1, `${prefix} the card says full`);
      assert.deepEqual(await axeViolations(page), [], `${prefix}/trainings`);
      await card.getByRole("link").click();
      await page.waitForURL(`${server.base}${prefix}${training}`);
      assert.ok(await page.locator("#full-badge").isVisible());
      const button = page.locator("#apply-button");
      assert.match(await button.innerText(), prefix ? /Join the waitlist \(0 waiting\)/ : /補欠として申し込む（現在 0 人待ち）/);
      assert.ok(await page.locator("#contact").isVisible(), "whom to contact");
      assert.deepEqual(await axeViolations(page), [], `${prefix} full training page`);
      assert.ok(await fitsTheScreen(page), `${prefix} no sideways scrolling`);
      await phone.context.close();
    }

    const phone = await watchedPage(browser, server.base, { viewport: { width: 390, height: 844 }, isMobile: true });
    const { page } = phone;
    await page.goto(`${server.base}${training}`);
    await page.locator("#apply-button").click();
    await page.waitForURL(`${server.base}${training}/apply`);
    assert.ok(await page.locator("#apply-full").isVisible());
    await page.getByLabel("お名前").fill("補欠 です");
    await page.locator("#email").fill("second@example.jp");
    await page.getByRole("checkbox", { name: "家族" }).check();
    await page.getByRole("checkbox", { name: /個人情報の扱いについてのお知らせを読み/ }).check();
    await page.getByRole("button", { name: "補欠として申し込む" }).click();
    await page.waitForURL(/\/applied\?status=waitlisted$/);
    assert.match(await page.locator("#sent-to").innerText(), /second@example\.jp/);
    assert.ok(await page.locator("#contact").isVisible());
    const mail = await server.mail.lastTo("second@example.jp");
    assert.match(mail, /補欠の 1 番目/);
    assert.match(mail, /お問い合わせ先：/, "the message says whom to ask");
    assert.deepEqual(phone.problems, []);
    await phone.context.close();
    assert.deepEqual(organiser.problems, []);
    await organiser.context.close();
  });

  test("a lottery entrant sees how many entered, when the draw is, and how to check it", async () => {
    const organiser = await signIn(browser, server.base, "organizer@example.jp");
    const { page: desk } = organiser;
    // The demo's advanced training opens for applications later; its page says when.
    await desk.goto(`${server.base}/trainings`);
    const later = await desk.locator("main .card-list a", { hasText: "アドバンス" }).first().getAttribute("href");
    const visitor = await watchedPage(browser, server.base);
    await visitor.page.goto(`${server.base}${later}`);
    assert.match(await visitor.page.locator("#opens-on").innerText(), /申し込みの受け付けは .* から始まります/);

    // The organiser opens it now, by lottery.
    const id = later.split("/").pop();
    await editTraining(desk, id, (page) => page.locator("#applications_open_on").fill(dayInJapan(0)));
    await desk.goto(`${server.base}/manage/trainings/${id}/registration`);
    await desk.getByRole("radio", { name: /抽選/ }).check();
    await desk.getByRole("button", { name: "保存する" }).click();
    await desk.waitForLoadState();
    await pastTheCache();

    const { page } = visitor;
    for (const prefix of ["", "/en"]) {
      await page.goto(`${server.base}${prefix}${later}`);
      assert.match(await page.locator("#lottery-entries").innerText(), prefix ? /0 people have entered/ : /0 人が申し込んで/);
      assert.match(await page.locator("#lottery-draw").innerText(), prefix ? /The draw is on/ : /抽選は .* に行い/);
      const details = page.locator("#lottery details");
      assert.equal(await details.getAttribute("open"), null, "the hash waits behind 「詳しく」");
      await details.locator("summary").click();
      assert.match(await page.locator("#lottery-hash").innerText(), /^[0-9a-f]{64}$/);
      assert.deepEqual(await axeViolations(page), [], `${prefix} lottery page`);
    }

    // An entrant applies and confirms their address; the count goes up.
    await page.goto(`${server.base}${later}/apply`);
    await page.getByLabel("お名前").fill("抽選 に参加");
    await page.locator("#email").fill("lottery@example.jp");
    await page.getByRole("checkbox", { name: "家族" }).check();
    await page.getByRole("checkbox", { name: /個人情報の扱いについてのお知らせを読み/ }).check();
    await page.getByRole("button", { name: "申し込む" }).click();
    await page.waitForURL(/\/applied\?status=lottery$/);
    const body = await server.mail.lastTo("lottery@example.jp");
    await page.goto(body.match(/http:\/\/\S+\/application\?key=kza_[\w-]+/)[0]);
    await page.getByRole("button", { name: "メールアドレスを確認する" }).click();
    await page.waitForURL(`${server.base}/application`);
    assert.ok(await page.locator("#practical").isVisible(), "the practical details");
    assert.ok(await page.locator("#contact").isVisible());
    assert.deepEqual(await axeViolations(page), [], "the entrant's page");
    await pastTheCache();
    await page.goto(`${server.base}/en${later}`);
    assert.match(await page.locator("#lottery-entries").innerText(), /^1 person has entered$/);
    assert.deepEqual(visitor.problems, []);
    await visitor.context.close();
    await organiser.context.close();
  });

  test("the footer's pages say who runs the site, what is kept and for how long, in both languages", async () => {
    const { page, context, problems } = await watchedPage(browser, server.base, { viewport: { width: 390, height: 844 }, isMobile: true });
    for (const prefix of ["", "/en"]) {
      await page.goto(`${server.base}${prefix}/`);
      for (const [path, heading] of [
        ["/about", prefix ? "About the operator" : "運営者について"],
        ["/privacy", prefix ? "Privacy policy" : "プライバシーポリシー"],
        ["/accessibility", prefix ? "Accessibility" : "アクセシビリティについて"],
      ]) {
        await page.goto(`${server.base}${prefix}/`);
        await page.locator(".site-footer").getByRole("link", { name: heading }).click();
        await page.waitForURL(`${server.base}${prefix}${path}`);
        assert.equal(await page.getByRole("heading", { level: 1 }).innerText(), heading);
        assert.deepEqual(await axeViolations(page), [], `${prefix}${path}`);
        assert.ok(await fitsTheScreen(page), `${prefix}${path} fits a phone`);
      }
    }
    await page.goto(`${server.base}/privacy`);
    assert.match(await page.locator("#applications + p + p + p").innerText(), /12 か月がたつと/);
    await page.goto(`${server.base}/about`);
    assert.match(await page.locator("#contact").innerText(), /office@example\.jp/);
    assert.deepEqual(problems, []);
    await context.close();

    // Administrators edit the profile; a mistake is shown beside its field and the summary
    // takes focus.
    const admin = await signIn(browser, server.base, "admin@example.jp");
    await admin.page.goto(`${server.base}/admin/operator`);
    assert.deepEqual(await axeViolations(admin.page), [], "/admin/operator");
    await admin.page.locator("#email").fill("office.example.jp");
    await admin.page.getByRole("button", { name: "保存する" }).click();
    await admin.page.waitForLoadState();
    assert.equal(await admin.page.evaluate(() => document.activeElement.id), "form-errors");
    assert.match(await admin.page.locator("#email-error").innerText(), /メールアドレス/);
    assert.equal(await admin.page.locator("#email").inputValue(), "office.example.jp");
    assert.deepEqual(await axeViolations(admin.page), [], "/admin/operator with a mistake");
    await admin.page.locator("#form-errors a").first().click();
    assert.equal(await admin.page.evaluate(() => document.activeElement.id), "email");
    assert.deepEqual(admin.problems, []);
    await admin.context.close();
  });
});

describe("a study group's hosts and the people who write to them", () => {
  test("a visitor on a phone writes to the Sapporo group and its host answers from the site", async () => {
    const { page, context, problems } = await watchedPage(browser, server.base, { viewport: { width: 390, height: 844 } });
    await page.goto(`${server.base}/study-groups`);
    await page.getByRole("link", { name: "IPS勉強会さっぽろ" }).first().click();
    assert.doesNotMatch(await page.locator("main").innerText(), /事務局まで/);
    await page.getByRole("link", { name: "この勉強会の世話人に連絡する" }).click();
    assert.deepEqual(await axeViolations(page), [], "the contact form");
    await page.getByLabel("お名前（ニックネームでもかまいません）").fill("ひかり");
    await page.getByLabel("メールアドレス", { exact: true }).fill("hikari@example.jp");
    await page.getByLabel("メッセージ", { exact: true }).fill("来月から札幌に住みます。見学だけでも参加できますか。");
    await page.getByRole("checkbox").check();
    await page.getByRole("button", { name: "送信する" }).click();
    await page.waitForURL(/\/study-groups\/\d+$/);
    assert.match(await page.locator("main").innerText(), /世話人からの返事は、入力されたメールアドレスに届きます/);
    assert.deepEqual(problems, []);
    await context.close();

    const host = await signIn(browser, server.base, "host@example.jp");
    await host.page.goto(`${server.base}/manage/study-groups`);
    await host.page.getByRole("link", { name: "IPS勉強会さっぽろ" }).first().click();
    assert.match(await host.page.locator("#group-messages").innerText(), /未読のメッセージが 2 件あります/);
    await host.page.getByRole("link", { name: "メッセージを読む・返事を書く" }).click();
    assert.deepEqual(await axeViolations(host.page), [], "the messages page");
    const newest = host.page.locator("article.message").first();
    assert.match(await newest.innerText(), /ひかり/);
    assert.doesNotMatch(await host.page.locator("main").innerText(), /hikari@example\.jp/);
    await newest.getByLabel("返事を書く").fill("ひかりさん、ようこそ。見学だけでも大歓迎です。");
    await newest.getByRole("button", { name: "返事を送る" }).click();
    await host.page.waitForLoadState();
    assert.match(await host.page.locator("#unread-count").innerText(), /未読のメッセージが 1 件あります/);
    assert.match(await host.page.locator("main").innerText(), /ひかりさん、ようこそ。/);
    await host.page.goto(host.page.url().replace(server.base, `${server.base}/en`));
    assert.match(await host.page.locator("#unread-count").innerText(), /1 unread message\./);
    assert.deepEqual(await axeViolations(host.page), [], "the messages page in English");
    assert.deepEqual(host.problems, []);
    await host.context.close();
  });
});
