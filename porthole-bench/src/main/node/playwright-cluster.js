'use strict';
// The bench's cluster rows (ClusterBench): a long-lived process, so that node's own start and playwright-core's
// loading are not timed. Reads one JSON request a line on stdin:
//   {"cdp": "<ws:// browser endpoint>", "page": "<url>", "headers": {...}, "clicks": N, "x": X, "y": Y}
// and for each: chromium.connectOverCDP(cdp, {headers}); on the browser's first page (a new page only if it has
// none) the timed work: page.goto(page), N x page.mouse.click(x, y), one page.screenshot(); then, untimed, the
// page's click counter is read and browser.close() disconnects (over CDP the browser stays). Answers one JSON line
// a request, in order: {"ok":true,"connectMs":..,"gotoMs":..,"clicksMs":..,"screenshotMs":..,"workMs":..,
// "closeMs":..,"clicks":<counted by the page>,"screenshotBytes":..,"width":..,"height":..} or {"ok":false,"error":..}.
// Ends when stdin ends.
const { chromium } = require('playwright-core');
const readline = require('readline');

function ms(from, to) {
  return Number(to - from) / 1e6;
}

async function one(req) {
  const t0 = process.hrtime.bigint();
  const browser = await chromium.connectOverCDP(req.cdp, { timeout: 30000, headers: req.headers || {} });
  const t1 = process.hrtime.bigint();
  let result;
  try {
    const contexts = browser.contexts();
    if (contexts.length < 1) throw new Error('no default context in the connected browser');
    let page = contexts[0].pages()[0];
    if (!page) page = await contexts[0].newPage();
    const t2 = process.hrtime.bigint();
    await page.goto(req.page, { timeout: 30000 });
    const t3 = process.hrtime.bigint();
    for (let i = 0; i < req.clicks; i++) await page.mouse.click(req.x, req.y);
    const t4 = process.hrtime.bigint();
    const shot = await page.screenshot({ timeout: 30000 });
    const t5 = process.hrtime.bigint();
    const counted = await page.evaluate(() => window.clicks);
    if (!(shot.length >= 24 && shot.toString('latin1', 1, 4) === 'PNG')) throw new Error('the screenshot is not a PNG');
    result = {
      ok: true, connectMs: ms(t0, t1), gotoMs: ms(t2, t3), clicksMs: ms(t3, t4), screenshotMs: ms(t4, t5),
      workMs: ms(t2, t5), clicks: counted, screenshotBytes: shot.length, width: shot.readUInt32BE(16),
      height: shot.readUInt32BE(20),
    };
  } finally {
    const t6 = process.hrtime.bigint();
    await browser.close();
    if (result) result.closeMs = ms(t6, process.hrtime.bigint());
  }
  return result;
}

const rl = readline.createInterface({ input: process.stdin });
let chain = Promise.resolve();
rl.on('line', (line) => {
  if (!line.trim()) return;
  chain = chain.then(async () => {
    let answer;
    try {
      answer = await one(JSON.parse(line));
    } catch (e) {
      answer = { ok: false, error: String(e && e.message ? e.message : e) };
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  });
});
rl.on('close', () => chain.then(() => process.exit(0)));
