'use strict';
// Puppeteer over the browser's own protocol: puppeteer.connect({browserWSEndpoint: PORTHOLE_ENDPOINT, protocol})
// with PORTHOLE_PROTOCOL "cdp" (Chromium) or "webDriverBiDi" (Firefox); then a new page, PAGE_URL (the
// input.html fixture), a click and typing, the page's log read back, a screenshot; then it disconnects.
//
// env: PORTHOLE_ENDPOINT (ws URL), PORTHOLE_PROTOCOL, PAGE_URL, PORTHOLE_API_KEY (optional), SCRIPT_TIMEOUT_MS
const puppeteer = require('puppeteer-core');
const { env, authHeaders, report, run, pageLog, isPng } = require('./common');

run(async () => {
  const protocol = env('PORTHOLE_PROTOCOL', 'cdp');
  const browser = await puppeteer.connect({
    browserWSEndpoint: env('PORTHOLE_ENDPOINT'), protocol, headers: authHeaders(), defaultViewport: null,
    protocolTimeout: 30000,
  });
  try {
    const version = await browser.version();
    report({ event: 'connected', version, protocol });
    const page = await browser.newPage();
    await page.goto(env('PAGE_URL'), { timeout: 30000 });
    await page.click('#field');
    await page.keyboard.type('from puppeteer');
    const seen = await pageLog((f) => page.evaluate(f));
    const shot = Buffer.from(await page.screenshot());
    if (!isPng(shot)) throw new Error('the screenshot is not a PNG');
    const result = {
      ok: true, version, protocol, title: await page.title(), url: page.url(), value: seen.value,
      clicks: seen.log.filter((e) => e.type === 'click').length, screenshotBytes: shot.length,
      userAgent: await page.evaluate(() => navigator.userAgent),
    };
    await page.close();
    report(result);
  } finally {
    await browser.disconnect();
  }
});
