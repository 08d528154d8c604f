'use strict';
// Playwright over CDP: chromium.connectOverCDP(PORTHOLE_ENDPOINT) (an http(s) URL: Playwright reads
// <endpoint>/json/version and follows its webSocketDebuggerUrl; or a ws URL), then in the browser's existing
// default context: a new page, PAGE_URL (the input.html fixture), a click and typing, the page's log read back,
// a screenshot. With HOLD=1 it then prints {"event":"holding"} and keeps the connection until stdin ends, and
// finally reports every page of the context with its log: the test acts through the server meanwhile.
//
// With NEW_CONTEXT_LOCALE it works in a context of its own made with that locale instead (Playwright then sets the
// locale override on its own sessions) and reports the page's Intl locale.
//
// env: PORTHOLE_ENDPOINT, PAGE_URL, PORTHOLE_API_KEY (optional), HOLD (optional), SCRIPT_TIMEOUT_MS (optional),
// NEW_CONTEXT_LOCALE (optional)
const { chromium } = require('playwright-core');
const { env, authHeaders, report, stdinEnded, run, pageLog, isPng } = require('./common');

run(async () => {
  const endpoint = env('PORTHOLE_ENDPOINT');
  const pageUrl = env('PAGE_URL');
  const browser = await chromium.connectOverCDP(endpoint, { headers: authHeaders(), timeout: 30000 });
  try {
    const contexts = browser.contexts();
    if (contexts.length < 1) throw new Error('no default context in the connected browser');
    const ownLocale = process.env.NEW_CONTEXT_LOCALE;
    const context = ownLocale ? await browser.newContext({ locale: ownLocale }) : contexts[0];
    const pagesAtConnect = context.pages().map((p) => p.url());
    report({ event: 'connected', version: browser.version(), contexts: contexts.length, pages: pagesAtConnect });

    const page = await context.newPage();
    await page.goto(pageUrl, { timeout: 30000 });
    await page.click('#field', { timeout: 10000 });
    await page.keyboard.type('from playwright');
    const seen = await pageLog((f) => page.evaluate(f));
    const title = await page.title();
    const shot = await page.screenshot({ timeout: 30000 });
    if (!isPng(shot)) throw new Error('the screenshot is not a PNG');
    const result = {
      ok: true, version: browser.version(), contexts: contexts.length, pagesAtConnect, title, url: page.url(),
      value: seen.value, clicks: seen.log.filter((e) => e.type === 'click').length, screenshotBytes: shot.length,
      userAgent: await page.evaluate(() => navigator.userAgent),
      intlLocale: await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().locale),
      languages: await page.evaluate(() => navigator.languages),
      // what the client's own session sees of the window, screen and pointer: the browser's, with no override
      native: await page.evaluate(async () => ({
        outerGetter: Function.prototype.toString.call(Object.getOwnPropertyDescriptor(window, 'outerWidth').get),
        innerWidth, innerHeight, outerWidth, outerHeight, screenWidth: screen.width, screenHeight: screen.height,
        availHeight: screen.availHeight, finePointer: matchMedia('(pointer: fine)').matches,
        // userAgentData exists in secure contexts only (loopback is one; another host's http:// page is not)
        formFactors: navigator.userAgentData
          ? (await navigator.userAgentData.getHighEntropyValues(['formFactors'])).formFactors : null,
      })),
    };

    if (process.env.HOLD === '1') {
      report({ event: 'holding', ...result });
      await stdinEnded();
      // still connected: the same browser, and whatever the server did to its pages meanwhile
      const pages = [];
      for (const p of context.pages()) {
        const entry = { url: p.url() };
        if (p.url().includes('input.html')) Object.assign(entry, await pageLog((f) => p.evaluate(f)));
        pages.push(entry);
      }
      result.pagesAfterHold = pages;
      result.stillWorks = await page.evaluate(() => 6 * 7);
    }
    await page.close();
    result.pagesAtEnd = context.pages().length;
    report(result);
  } finally {
    await browser.close(); // over CDP: disconnects, the browser stays
  }
});
