'use strict';
// One iteration of the bench's Playwright row: chromium.connectOverCDP(CDP_URL) (a ws:// browser endpoint:
// Porthole's connect.cdp with its ?token=, or a Chromium's own "DevTools listening on" URL), a new page in the
// browser's default context sized WIDTH x HEIGHT (untimed), then the timed work: page.goto(PAGE_URL), CLICKS x
// page.mouse.click(X, Y), one page.screenshot(). Then (untimed) the page's click counter is read, the page is
// closed and the connection dropped (over CDP that leaves the browser running).
//
// Prints one JSON line: {"ok":true,"connectMs":..,"gotoMs":..,"clicksMs":..,"screenshotMs":..,"workMs":..,
// "clicks":<counted by the page>,"screenshotBytes":..,"width":..,"height":..,"version":..}; exits 0 only if it
// all worked, 1 on an error (on stderr), 3 if SCRIPT_TIMEOUT_MS (default 120000) passed.
//
// env: CDP_URL, PAGE_URL, CLICKS, X, Y, WIDTH, HEIGHT, SCRIPT_TIMEOUT_MS (optional)
const { chromium } = require('playwright-core');

function env(name, fallback) {
  const v = process.env[name];
  if (v === undefined || v === '') {
    if (fallback !== undefined) return fallback;
    throw new Error(`environment variable ${name} is required`);
  }
  return v;
}

function ms(from, to) {
  return Number(to - from) / 1e6;
}

async function main() {
  const cdpUrl = env('CDP_URL');
  const pageUrl = env('PAGE_URL');
  const clicks = Number(env('CLICKS', '50'));
  const x = Number(env('X'));
  const y = Number(env('Y'));
  const width = Number(env('WIDTH', '1280'));
  const height = Number(env('HEIGHT', '720'));

  const t0 = process.hrtime.bigint();
  const browser = await chromium.connectOverCDP(cdpUrl, { timeout: 30000 });
  const t1 = process.hrtime.bigint();
  try {
    const contexts = browser.contexts();
    if (contexts.length < 1) throw new Error('no default context in the connected browser');
    const page = await contexts[0].newPage();
    await page.setViewportSize({ width, height });

    const t2 = process.hrtime.bigint();
    await page.goto(pageUrl, { timeout: 30000 });
    const t3 = process.hrtime.bigint();
    for (let i = 0; i < clicks; i++) await page.mouse.click(x, y);
    const t4 = process.hrtime.bigint();
    const shot = await page.screenshot({ timeout: 30000 });
    const t5 = process.hrtime.bigint();

    const counted = await page.evaluate(() => window.clicks);
    const png = shot.length >= 24 && shot.toString('latin1', 1, 4) === 'PNG';
    if (!png) throw new Error('the screenshot is not a PNG');
    const result = {
      ok: true,
      connectMs: ms(t0, t1), gotoMs: ms(t2, t3), clicksMs: ms(t3, t4), screenshotMs: ms(t4, t5), workMs: ms(t2, t5),
      clicks: counted, screenshotBytes: shot.length, width: shot.readUInt32BE(16), height: shot.readUInt32BE(20),
      version: browser.version(),
    };
    await page.close();
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await browser.close(); // over CDP: disconnects, the browser stays
  }
}

const timeout = Number(env('SCRIPT_TIMEOUT_MS', '120000'));
const timer = setTimeout(() => {
  process.stderr.write(`watchdog: the script did not finish within ${timeout} ms\n`);
  process.exit(3);
}, timeout);
main().then(
  () => { clearTimeout(timer); process.exit(0); },
  (e) => {
    process.stderr.write((e && e.stack ? e.stack : String(e)) + '\n');
    process.exit(1);
  });
