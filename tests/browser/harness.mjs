// Shared fixtures for the browser tests: a real `kizuki serve --demo` on a free port, Debian's
// Chromium driven by playwright-core, and axe-core scans.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const DEMO_PASSWORD = "kizuki-demo";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(base, child, log) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`kizuki exited early:\n${log()}`);
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`kizuki did not become healthy:\n${log()}`);
}

/**
 * How far the server's clock runs from the real time, in milliseconds: the debug build reads
 * KIZUKI_TEST_CLOCK_SHIFT (`+730d`, `-3h`, `90s`), and the tests read the same so that the dates
 * they type and expect are the server's.
 */
export function clockShiftMs() {
  const text = (process.env.KIZUKI_TEST_CLOCK_SHIFT ?? "").trim();
  if (text === "") return 0;
  const match = /^([+-]?)(\d+)([dhms]?)$/.exec(text);
  if (!match) throw new Error(`KIZUKI_TEST_CLOCK_SHIFT=${text} is not a shift such as +730d`);
  const unit = { d: 86_400, h: 3_600, m: 60, s: 1, "": 1 }[match[3]];
  return (match[1] === "-" ? -1 : 1) * Number(match[2]) * unit * 1000;
}

/** The date in Japan `days` after the server's today, as an `<input type=date>` takes it. */
export function dayInJapan(days = 0) {
  const instant = new Date(Date.now() + clockShiftMs() + 9 * 3_600_000 + days * 86_400_000);
  return instant.toISOString().slice(0, 10);
}

/**
 * A fresh database for one server: a SQLite file in its own folder, or, when
 * KIZUKI_BROWSER_POSTGRES_SERVER names a PostgreSQL server, a new database there. Each test file
 * starts its own server, so no file sees what another one changed.
 */
function freshDatabase() {
  const server = process.env.KIZUKI_BROWSER_POSTGRES_SERVER;
  if (!server) return { args: [], drop() {} };
  const name = `kizuki_browser_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  execFileSync("psql", [server, "-qAt", "-c", `CREATE DATABASE ${name}`]);
  const url = `${server.slice(0, server.lastIndexOf("/"))}/${name}`;
  return {
    args: ["--database", url],
    drop() {
      execFileSync("psql", [server, "-qAt", "-c", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
    },
  };
}

/**
 * A real SMTP server (Python's aiosmtpd, from the test venv) writing what it receives to a
 * maildir: the server's messages arrive here as an applicant's inbox would get them (the outbox
 * never holds their private links).
 */
async function startMailServer(dataDir) {
  const python = process.env.KIZUKI_TEST_PYTHON ?? join(import.meta.dirname, "../../target/test-venv/bin/python");
  const port = await freePort();
  const maildir = join(dataDir, "mail");
  const child = spawn(python, ["-m", "aiosmtpd", "-n", "-l", `127.0.0.1:${port}`, "-c", "aiosmtpd.handlers.Mailbox", maildir], { stdio: "ignore" });
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1", () => { socket.end(); resolve(true); });
      socket.on("error", () => resolve(false));
    });
    if (open) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `smtp://127.0.0.1:${port}`,
    /** The text of the newest message to `to`, waiting for it to arrive. */
    async lastTo(to) {
      for (let attempt = 0; attempt < 200; attempt++) {
        const found = [];
        for (const folder of ["new", "cur"]) {
          let names = [];
          try { names = readdirSync(join(maildir, folder)); } catch { continue; }
          for (const name of names) {
            const raw = readFileSync(join(maildir, folder, name), "utf8");
            if (raw.includes(`To: ${to}`)) found.push({ name, raw });
          }
        }
        if (found.length) {
          const { raw } = found.sort((a, b) => a.name.localeCompare(b.name)).at(-1);
          return decodeMessage(raw);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no message to ${to} arrived`);
    },
    stop() { child.kill("SIGTERM"); },
  };
}

/** A plain-text message's body, undoing quoted-printable or base64 as lettre writes them. */
function decodeMessage(raw) {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join("\n\n");
  if (/Content-Transfer-Encoding: base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (/Content-Transfer-Encoding: quoted-printable/i.test(head)) {
    const bytes = body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

/** Starts `kizuki serve --demo` on a fresh database (see freshDatabase), sending its mail to a real SMTP server (`server.mail`). */
export async function startServer() {
  const binary = process.env.KIZUKI_BIN ?? join(import.meta.dirname, "../../target/debug/kizuki");
  const dataDir = mkdtempSync(join(tmpdir(), "kizuki-browser-"));
  const port = await freePort();
  const env = { ...process.env, KIZUKI_LOG: "warn" };
  delete env.DATABASE_URL;
  const database = freshDatabase();
  const mail = await startMailServer(dataDir);
  const args = ["serve", "--demo", "--listen", `127.0.0.1:${port}`, "--data-dir", dataDir, "--smtp-url", mail.url, ...database.args];
  const child = spawn(binary, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => { output += chunk; });
  child.stderr.on("data", (chunk) => { output += chunk; });
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base, child, () => output);
  return {
    base,
    mail,
    async stop() {
      child.kill("SIGTERM");
      if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
      mail.stop();
      database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A new page that records what would betray a broken page: requests to other origins,
 * console errors (a Content-Security-Policy violation is one) and uncaught exceptions.
 */
export async function watchedPage(browser, base, options = {}) {
  const context = await browser.newContext({ locale: "ja-JP", ...options });
  const page = await context.newPage();
  const problems = [];
  const origin = new URL(base).origin;
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol !== "data:" && url.origin !== origin) {
      problems.push(`third-party request: ${request.url()}`);
    }
  });
  page.on("console", (message) => {
    // A 4xx page that a test asks for on purpose logs "Failed to load resource"; anything else
    // on the console is a problem.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return { page, context, problems };
}

/** Runs axe-core (WCAG 2.x A and AA rules, plus best practices) and returns its violations. */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern, so the scan
  // needs no weakening of the policy.
  await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    }),
  );
  return results.violations.map(
    (violation) => `${violation.id}: ${violation.help} — ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
  );
}

/** A new watched page, signed in as a demo account. */
export async function signIn(browser, base, email) {
  const watched = await watchedPage(browser, base);
  const { page } = watched;
  await page.goto(`${base}/login`);
  await page.getByLabel("メールアドレス").fill(email);
  await page.getByLabel("パスワード").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "ログインする" }).click();
  await page.waitForURL(`${base}/dashboard`);
  return watched;
}

/// A finger (or two) on the page, through Chromium's touch events: `touch(type, points)` sends
/// one event with the given [x, y] points, `drag(from, to)` slides one finger in small steps as
/// a hand does, so that the page sees pointermove events on the way.
export async function fingers(context, page) {
  const session = await context.newCDPSession(page);
  const touch = (type, points) => session.send("Input.dispatchTouchEvent", { type, touchPoints: points.map(([x, y], id) => ({ x, y, id })) });
  const drag = async (from, to, steps = 12) => {
    await touch("touchStart", [from]);
    for (let n = 1; n <= steps; n += 1) await touch("touchMove", [[from[0] + ((to[0] - from[0]) * n) / steps, from[1] + ((to[1] - from[1]) * n) / steps]]);
    await touch("touchEnd", []);
  };
  return { touch, drag };
}
