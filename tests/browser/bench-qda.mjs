// The browser half of scripts/bench-qda (not a test: it prints figures). Signs in as the demo
// researcher, opens the 300,000-character transcript and scrolls it from top to bottom, and the board
// of 10,000 cards, panned and zoomed, timing every frame.

import { readFileSync } from "node:fs";
import { launchBrowser, signIn } from "./harness.mjs";

const base = process.env.KIZUKI_BENCH_BASE;
const { project, transcript, ungrouped } = JSON.parse(readFileSync(process.env.KIZUKI_BENCH_IDS, "utf8"));

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function openAndScroll(page, label, path, scroller) {
  const started = performance.now();
  await page.goto(`${base}${path}`, { waitUntil: "load" });
  const opened = performance.now() - started;
  const html = await page.evaluate(() => document.documentElement.outerHTML.length);
  // Scrolls 150 px a frame (9,000 px a second, a brisk turn of the wheel) to the bottom of the
  // page, or of the box that holds the text, recording how long each frame took.
  const scrolled = await page.evaluate(
    (selector) =>
      new Promise((resolve) => {
        const box = selector ? document.querySelector(selector) : document.scrollingElement;
        const times = [];
        const started = performance.now();
        let last = started;
        // At most 40 seconds, so that a page too slow to scroll still gives its figures.
        function step(now) {
          times.push(now - last);
          last = now;
          const before = box.scrollTop;
          box.scrollBy(0, 150);
          const done = box.scrollTop === before && times.length > 1;
          if (done || now - started > 40000) {
            resolve({ times: times.slice(1), reached: box.scrollTop + box.clientHeight, height: box.scrollHeight });
          } else requestAnimationFrame(step);
        }
        requestAnimationFrame(step);
      }),
    scroller,
  );
  const { times: frames, reached, height } = scrolled;
  const slow = frames.filter((t) => t > 50).length;
  console.log(
    `${label.padEnd(28)}opened in ${opened.toFixed(0)} ms (${(html / 1000).toFixed(0)}k characters of HTML); ` +
      `scrolled in ${frames.length} frames: p50 ${percentile(frames, 0.5).toFixed(1)} ms, ` +
      `p95 ${percentile(frames, 0.95).toFixed(1)} ms, longest ${Math.max(...frames).toFixed(1)} ms, ${slow} over 50 ms, ` +
      `reached ${Math.round((100 * reached) / height)}% of ${Math.round(height / 1000)}k px`,
  );
}

/** Selects a passage deep in the transcript (as a drag would), then makes it a card, timing the
 * script's answer to the selection and the whole round to the page showing the new card. */
async function selectionToCard(page, path, rounds) {
  const answers = [];
  const totals = [];
  for (let round = 0; round < rounds; round++) {
    await page.goto(`${base}${path}`, { waitUntil: "load" });
    const answered = await page.evaluate(
      (round) =>
        new Promise((resolve) => {
          const text = document.getElementById("transcript");
          const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
          const nodes = [];
          for (let node = walker.nextNode(); node; node = walker.nextNode()) if (node.data.length > 40) nodes.push(node);
          // From the last tenth of the text, where counting code points from the start costs most.
          const node = nodes[Math.floor(nodes.length * (0.9 + round / 100))];
          const bar = document.getElementById("selection-bar");
          const started = performance.now();
          const range = document.createRange();
          range.setStart(node, 5);
          range.setEnd(node, 25);
          document.getSelection().removeAllRanges();
          document.getSelection().addRange(range);
          const wait = () => (bar.hidden ? requestAnimationFrame(wait) : resolve(performance.now() - started));
          wait();
        }),
      round,
    );
    answers.push(answered);
    const started = performance.now();
    await Promise.all([page.waitForURL(/#card-\d+$/), page.locator("#selection-form button").click()]);
    await page.waitForLoadState("load");
    totals.push(performance.now() - started);
  }
  console.log(
    `${"selection to card (300k)".padEnd(28)}the button shows ${percentile(answers, 0.5).toFixed(1)} ms after the selection (p50 of ${rounds}, longest ${Math.max(...answers).toFixed(1)} ms); ` +
      `from the click to the page with the card: p50 ${percentile(totals, 0.5).toFixed(0)} ms, longest ${Math.max(...totals).toFixed(0)} ms`,
  );
}

/** Opens the board and times frames while the table is panned with the wheel and zoomed with
 * Ctrl and the wheel (real input events through DevTools, one per frame), as a researcher
 * sweeping across 10,000 cards would. */
async function boardPanZoom(page, label, path) {
  const started = performance.now();
  await page.goto(`${base}${path}`, { waitUntil: "load" });
  await page.locator("#board.live").waitFor();
  const opened = performance.now() - started;
  const ready = await page.evaluate(() => performance.getEntriesByType("navigation")[0].loadEventEnd);
  const box = await page.locator("#board").boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const record = () => page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const step = (now) => { window.__frames.push(now - last); last = now; if (window.__frames) window.__raf = requestAnimationFrame(step); };
    window.__raf = requestAnimationFrame(step);
  });
  const collect = () => page.evaluate(() => { cancelAnimationFrame(window.__raf); const frames = window.__frames.slice(2); window.__frames = null; return frames; });
  const report = (what, frames) => console.log(
    `${`${label}: ${what}`.padEnd(34)}${frames.length} frames: p50 ${percentile(frames, 0.5).toFixed(1)} ms, p95 ${percentile(frames, 0.95).toFixed(1)} ms, ` +
      `longest ${Math.max(...frames).toFixed(1)} ms (${(1000 / percentile(frames, 0.5)).toFixed(0)} fps at the median)`);
  await record();
  for (let n = 0; n < 120; n++) await page.mouse.wheel(n % 40 < 20 ? 60 : -60, 45);
  report("pan", await collect());
  await record();
  await page.keyboard.down("Control");
  for (let n = 0; n < 120; n++) await page.mouse.wheel(0, n < 60 ? 40 : -40);
  await page.keyboard.up("Control");
  report("zoom out and in", await collect());
  // Zoomed out to the whole table, then panned: every card in sight at once.
  await page.getByRole("button", { name: "全体を表示" }).click();
  await record();
  for (let n = 0; n < 60; n++) await page.mouse.wheel(n < 30 ? 30 : -30, 0);
  report("pan, whole table in sight", await collect());
  const html = await page.evaluate(() => document.documentElement.outerHTML.length);
  console.log(`${`${label}: opened`.padEnd(34)}${opened.toFixed(0)} ms to a working table (load event at ${ready.toFixed(0)} ms, ${(html / 1000).toFixed(0)}k characters of HTML)`);
}

const browser = await launchBrowser();
try {
  const { page } = await signIn(browser, base, "researcher@example.jp");
  await openAndScroll(page, "transcript page (300k)", `/research/transcripts/${transcript}`, "#transcript");
  await selectionToCard(page, `/research/transcripts/${transcript}`, 5);
  await boardPanZoom(page, "board (grouped)", `/research/projects/${project}/board`);
  await boardPanZoom(page, "board (none grouped)", `/research/projects/${ungrouped}/board`);
} finally {
  await browser.close();
}
