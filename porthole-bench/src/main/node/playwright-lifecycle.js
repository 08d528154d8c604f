'use strict';
// The bench's pool lifecycle rows (PoolBench): a long-lived process, so that node's own start and playwright-core's
// loading are not timed. Reads one JSON request a line on stdin:
//   {"cdp": "<ws:// browser endpoint>", "page": "<url>", "headers": {...}}
// and for each: chromium.connectOverCDP(cdp, {headers}), page.goto(page) on the browser's first page (a new page
// only if it has none), then browser.close(), which over CDP only disconnects. Answers one JSON line a request, in
// order: {"ok":true,"connectMs":..,"gotoMs":..,"closeMs":..,"title":..,"newPage":bool} or {"ok":false,"error":..}.
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
  let t2;
  let t3;
  let title;
  let newPage = false;
  try {
    const contexts = browser.contexts();
    if (contexts.length < 1) throw new Error('no default context in the connected browser');
    let page = contexts[0].pages()[0];
    if (!page) {
      page = await contexts[0].newPage();
      newPage = true;
    }
    t2 = process.hrtime.bigint();
    await page.goto(req.page, { timeout: 30000 });
    t3 = process.hrtime.bigint();
    title = await page.title();
  } finally {
    await browser.close();
  }
  const t4 = process.hrtime.bigint();
  return { ok: true, connectMs: ms(t0, t1), gotoMs: ms(t2, t3), closeMs: ms(t3, t4), title, newPage };
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
