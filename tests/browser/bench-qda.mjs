// The browser half of scripts/bench-qda (not a test: it prints figures). Signs in as the demo
// researcher, opens the 300,000-character transcript and the board of 10,000 cards, and scrolls
// each from top to bottom, timing every frame.

import { readFileSync } from "node:fs";
import { launchBrowser, signIn } from "./harness.mjs";

const base = process.env.KIZUKI_BENCH_BASE;
const { project, transcript } = JSON.parse(readFileSync(process.env.KIZUKI_BENCH_IDS, "utf8"));

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function openAndScroll(page, label, path) {
  const started = performance.now();
  await page.goto(`${base}${path}`, { waitUntil: "load" });
  const opened = performance.now() - started;
  const html = await page.evaluate(() => document.documentElement.outerHTML.length);
  // Scrolls 600 px a frame to the bottom, recording how long each frame took.
  const frames = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const times = [];
        let last = performance.now();
        function step(now) {
          times.push(now - last);
          last = now;
          const before = window.scrollY;
          window.scrollBy(0, 600);
          if (window.scrollY === before && times.length > 1) resolve(times.slice(1));
          else requestAnimationFrame(step);
        }
        requestAnimationFrame(step);
      }),
  );
  const slow = frames.filter((t) => t > 50).length;
  console.log(
    `${label.padEnd(28)}opened in ${opened.toFixed(0)} ms (${(html / 1024).toFixed(0)} KiB of HTML); ` +
      `scrolled in ${frames.length} frames: p50 ${percentile(frames, 0.5).toFixed(1)} ms, ` +
      `p95 ${percentile(frames, 0.95).toFixed(1)} ms, longest ${Math.max(...frames).toFixed(1)} ms, ${slow} over 50 ms`,
  );
}

const browser = await launchBrowser();
try {
  const { page } = await signIn(browser, base, "researcher@example.jp");
  await openAndScroll(page, "transcript page (300k)", `/research/transcripts/${transcript}`);
  await openAndScroll(page, "board page (all cards)", `/research/projects/${project}/board`);
} finally {
  await browser.close();
}
