// The public catalogue in a real browser: every public page passes axe-core in both languages,
// works without JavaScript, and the map looks like a map.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, launchBrowser, startServer, watchedPage } from "./harness.mjs";

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

async function firstLink(page, prefix) {
  const href = await page.locator(`main a[href^="${prefix}"]`).first().getAttribute("href");
  assert.ok(href, `a link starting ${prefix}`);
  return href;
}

describe("public catalogue pages", () => {
  test("every public page passes axe in Japanese and English", async () => {
    const { page, context, problems } = await watchedPage(browser, server.base);
    await page.goto(`${server.base}/trainings?when=past`);
    const training = await firstLink(page, "/trainings/");
    await page.goto(`${server.base}/study-groups`);
    const group = await firstLink(page, "/study-groups/");
    await page.goto(`${server.base}${training}`);
    const venue = await firstLink(page, "/venues/");
    const paths = ["/", "/trainings", "/trainings?when=past&area=kanto", training, "/study-groups", group, `${group}/contact`, venue, "/map", "/statistics"];
    for (const path of paths) {
      for (const prefix of ["", "/en"]) {
        const url = `${server.base}${prefix}${path === "/" && prefix ? "/" : path}`;
        const response = await page.goto(url);
        assert.equal(response.status(), 200, url);
        assert.deepEqual(await axeViolations(page), [], url);
      }
    }
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("pages and filters work with JavaScript turned off", async () => {
    const { page, context } = await watchedPage(browser, server.base, { javaScriptEnabled: false });
    await page.goto(`${server.base}/trainings`);
    await page.getByLabel("地域").selectOption("01");
    await page.getByLabel("これまでに開かれたもの").check();
    await page.getByRole("button", { name: "絞り込む" }).click();
    await page.waitForURL(/area=01/);
    assert.match(await page.getByRole("status").innerText(), /3 件/);
    await page.getByRole("link", { name: /IPS基礎研修（2日間） 札幌市/ }).first().click();
    await page.waitForURL(/\/trainings\/\d+$/);
    assert.match(await page.locator("h1").innerText(), /札幌市/);

    await page.goto(`${server.base}/`);
    await page.getByLabel("地域").selectOption("kinki");
    await page.getByRole("button", { name: "探す" }).click();
    await page.waitForURL(/\/study-groups\?area=kinki/);
    assert.match(await page.getByRole("status").innerText(), /2 件/);
    await context.close();
  });

  test("map pins are links a keyboard can reach, from the country to a town", async () => {
    const { page, context } = await watchedPage(browser, server.base, { viewport: { width: 1100, height: 1500 } });
    await page.goto(`${server.base}/map`);
    const hokkaido = page.getByRole("link", { name: /^北海道 5：北海道地方（札幌市）の研修会 4 回・勉強会 1 つ/ });
    await hokkaido.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/region=hokkaido/);
    await page.getByRole("link", { name: "札幌市 5：研修会 4 回・勉強会 1 つ" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/area=01&town=/);
    assert.match(await page.locator("#focus-title").innerText(), /札幌市（北海道）/);
    // The map is drawn at a size a person can use, and each pin sits on it, uncovered.
    await page.goto(`${server.base}/map`);
    const figure = await page.locator(".map-figure").boundingBox();
    assert.ok(figure.width >= 600 && figure.height >= 500, `the map is ${figure.width}×${figure.height}`);
    await assertTappable(page, hokkaido, /^北海道 5/, 36);
    if (process.env.KIZUKI_MAP_SCREENSHOT) {
      await page.locator(".map-figure").screenshot({ path: process.env.KIZUKI_MAP_SCREENSHOT });
    }
    await context.close();
  });

  for (const [prefix, names] of [
    ["", { region: /^北海道 \d+：/, town: /^札幌市 \d+：/, group: "IPS勉強会さっぽろ", heading: /札幌市（北海道）/ }],
    ["/en", { region: /^Hokkaido \d+: /, town: /^Sapporo \d+: /, group: /IPS/, heading: /Sapporo, Hokkaido/ }],
  ]) {
    test(`on a 390 px phone a visitor finds a study group near Sapporo on the map${prefix ? " (English)" : ""}`, async () => {
      const { page, context, problems } = await watchedPage(browser, server.base, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
      await page.goto(`${server.base}${prefix}/map`);
      assert.deepEqual(await axeViolations(page), [], "the country's map");
      const region = page.getByRole("link", { name: names.region });
      await assertTappable(page, region, names.region, 44);
      await region.tap();
      await page.waitForURL(/region=hokkaido/);
      assert.deepEqual(await axeViolations(page), [], "the region's map");
      const town = page.getByRole("link", { name: names.town });
      await assertTappable(page, town, names.town, 44);
      await town.tap();
      await page.waitForURL(/area=01&town=/);
      assert.match(await page.locator("#focus-title").innerText(), names.heading);
      assert.deepEqual(await axeViolations(page), [], "the town");
      // The town's trainings and study groups are one tap away, and the group one more.
      await page.locator("#focus-groups").getByRole("link", { name: names.group }).first().tap();
      await page.waitForURL(/\/study-groups\/\d+$/);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});

/** The pin is at least `least` CSS px across, inside the map, and nothing covers its middle. */
async function assertTappable(page, pin, name, least) {
  await pin.scrollIntoViewIfNeeded();
  const figure = await page.locator(".map-figure svg.map-view").boundingBox();
  const box = await pin.boundingBox();
  assert.ok(box.width >= least && box.height >= least, `the pin is ${box.width}×${box.height} px`);
  assert.ok(
    box.x >= figure.x - 1 && box.x + box.width <= figure.x + figure.width + 1 && box.y >= figure.y - 1 && box.y + box.height <= figure.y + figure.height + 1,
    "the pin is inside the map",
  );
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const topmost = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest("a")?.getAttribute("aria-label"), centre);
  assert.match(topmost ?? "", name, "nothing covers the pin");
}
