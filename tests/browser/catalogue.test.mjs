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

  test("map markers are links a keyboard can reach", async () => {
    const { page, context } = await watchedPage(browser, server.base, { viewport: { width: 1100, height: 1500 } });
    await page.goto(`${server.base}/map`);
    const marker = page.getByRole("link", { name: "札幌市（北海道）：研修会 4 回" });
    await marker.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/trainings\?area=01/);
    assert.match(await page.getByRole("status").innerText(), /4 件/);
    await page.goto(`${server.base}/map`);
    // The map is drawn at a size a person can use, and the marker sits on it, inside the
    // figure and not hidden under anything.
    const figure = await page.locator(".map-figure").boundingBox();
    assert.ok(figure.width >= 600 && figure.height >= 500, `the map is ${figure.width}×${figure.height}`);
    const spot = await marker.boundingBox();
    assert.ok(spot.width >= 12 && spot.height >= 12, "a marker big enough to hit");
    assert.ok(
      spot.x >= figure.x && spot.x + spot.width <= figure.x + figure.width && spot.y >= figure.y && spot.y + spot.height <= figure.y + figure.height,
      "the marker is inside the map",
    );
    const centre = { x: spot.x + spot.width / 2, y: spot.y + spot.height / 2 };
    const topmost = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest("a")?.getAttribute("aria-label"), centre);
    assert.equal(topmost, "札幌市（北海道）：研修会 4 回", "nothing covers the marker");
    if (process.env.KIZUKI_MAP_SCREENSHOT) {
      await page.locator(".map-figure").screenshot({ path: process.env.KIZUKI_MAP_SCREENSHOT });
    }
    await context.close();
  });
});
