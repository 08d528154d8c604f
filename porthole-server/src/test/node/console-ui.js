'use strict';
// The web console in a real browser: Playwright (playwright-core) on Debian's Chromium drives the console that
// Porthole serves at /, as a person would, while the script checks through the API what reached the computer.
// One scenario per run (SCENARIO); each prints progress as {"event": …} lines and ends with one JSON line of
// results (see common.js). Every page's console errors and uncaught exceptions are collected and reported; the
// test fails on any. Screenshots go to SCREENSHOTS (PNG, laptop and phone widths), for people to look at.
//
// env: PORTHOLE_URL, PORTHOLE_API_KEY, COMPUTER_ID, SCENARIO (browse | takeover | viewer | controllink | desktop),
//      PAGE_URL, PAGE2_URL, CHROMIUM (the browser to run), SCREENSHOTS (a directory), FRAMES (1: the screencast sends
//      pictures, so the live view must show them), SCRIPT_TIMEOUT_MS
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');
const { env, report, run } = require('./common');

const BASE = env('PORTHOLE_URL');
const KEY = env('PORTHOLE_API_KEY');
const ID = env('COMPUTER_ID');
const SHOTS = env('SCREENSHOTS');
const FRAMES = env('FRAMES', '1') === '1';
const WAIT = 45000;
const LAPTOP = { width: 1366, height: 860 };
const PHONE = { width: 390, height: 844 };

/** The API, as an agent calls it (not through the console). */
async function call(method, p, body, key = KEY) {
  const res = await fetch(BASE + p, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json, text };
}

/** What input.html logged, read through the API's html action: its #log lines as objects. */
async function pageLog() {
  const r = await call('POST', `/computers/${ID}/html`, {});
  const html = (r.json && r.json.result && r.json.result.html_content) || '';
  const log = html.match(/<pre id="log">([\s\S]*?)<\/pre>/);
  if (!log) return [];
  return log[1].split('\n').filter((l) => l.trim()).map((l) => {
    try {
      return JSON.parse(l.replaceAll('&quot;', '"').replaceAll('&amp;', '&'));
    } catch {
      return { unparsed: l };
    }
  });
}

/** Waits until f() returns something truthy (polling), or fails saying what it waited for. */
async function until(what, f, ms = WAIT) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await f();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** A browser context whose pages report console errors, uncaught exceptions and every request's URL. */
async function context(browser, name, viewport, problems, urls) {
  const ctx = await browser.newContext({ viewport, deviceScaleFactor: 1, isMobile: viewport.width < 500,
    hasTouch: viewport.width < 500 });
  ctx.on('page', (page) => watch(page, name, problems, urls));
  return ctx;
}

function watch(page, name, problems, urls) {
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${name}: console error: ${m.text()} (${page.url()})`);
  });
  page.on('pageerror', (e) => problems.push(`${name}: uncaught: ${e.message} (${page.url()})`));
  page.on('request', (r) => urls.push(r.url()));
}

async function shot(page, name, fullPage = true) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

async function signIn(page) {
  await page.goto(BASE + '/');
  await page.waitForSelector('#key', { timeout: WAIT });
  await page.fill('#key', KEY);
  await page.click('button[type=submit]');
  await page.waitForSelector('h1:text-is("Computers")', { timeout: WAIT });
}

/** A digest of the live view's pixels (a small grey thumbnail), to tell whether the picture changed. */
async function screenPixels(page) {
  return page.evaluate(() => {
    const src = document.querySelector('.screen canvas.frame');
    const c = document.createElement('canvas');
    c.width = 32;
    c.height = 18;
    const ctx = c.getContext('2d');
    ctx.drawImage(src, 0, 0, 32, 18);
    const d = ctx.getImageData(0, 0, 32, 18).data;
    const grey = [];
    for (let i = 0; i < d.length; i += 4) grey.push(Math.round((d[i] + d[i + 1] + d[i + 2]) / 3));
    return grey;
  });
}

function difference(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

async function frames(page) {
  return Number(await page.getAttribute('.screen', 'data-frames'));
}

/** Where a point of the computer's screen (screenshot pixels) is on the page, given the screen's size. */
async function onCanvas(page, x, y, width, height) {
  const box = await page.locator('.screen canvas.frame').boundingBox();
  return { x: box.x + ((x + 0.5) / width) * box.width, y: box.y + ((y + 0.5) / height) * box.height };
}

async function noHorizontalScroll(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

// ---- scenarios ----

/** Sign in, the computer listed, its page live; the picture changes when the computer navigates; phone width. */
async function browse(browser, problems, urls) {
  const result = {};
  const ctx = await context(browser, 'laptop', LAPTOP, problems, urls);
  const page = await ctx.newPage();
  await signIn(page);
  await page.waitForSelector(`tr[data-id="${ID}"]`, { timeout: WAIT });
  result.listed = true;
  result.keyInStorage = await page.evaluate((k) => sessionStorage.getItem('porthole.api-key') === k
    && localStorage.length === 0 && !document.cookie, KEY);
  await shot(page, 'computers-laptop');

  await page.click(`tr[data-id="${ID}"] a.mono`);
  await page.waitForSelector('.screen', { timeout: WAIT });
  result.computerPage = page.url().endsWith(`#/computers/${ID}`);
  if (FRAMES) {
    await page.waitForSelector('.screen[data-state=live]', { timeout: WAIT });
    await until('a first picture', async () => (await frames(page)) > 0);
    const before = await screenPixels(page);
    const framesBefore = await frames(page);
    const nav = await call('POST', `/computers/${ID}/navigate`, { url: env('PAGE2_URL') });
    result.navigated = nav.json && nav.json.status;
    result.pictureChange = await until('the live view to change', async () => {
      const d = difference(before, await screenPixels(page));
      return d > 8 ? d : 0;
    });
    result.framesAfter = (await frames(page)) - framesBefore;
  }
  await page.click('#tab-timeline');
  await page.waitForSelector('.timeline li[data-category="navigation"]', { timeout: WAIT });
  result.timeline = await page.locator('.timeline li[data-category]').count();
  await shot(page, 'computer-laptop');

  const phone = await context(browser, 'phone', PHONE, problems, urls);
  const p = await phone.newPage();
  await signIn(p);
  await p.waitForSelector(`tr[data-id="${ID}"]`, { timeout: WAIT });
  result.phoneListFits = await noHorizontalScroll(p);
  await shot(p, 'computers-phone');
  await p.goto(`${BASE}/#/computers/${ID}`);
  await p.waitForSelector('.screen', { timeout: WAIT });
  if (FRAMES) await until('a picture on the phone', async () => (await frames(p)) > 0);
  result.phoneComputerFits = await noHorizontalScroll(p);
  await shot(p, 'computer-phone');
  await p.goto(`${BASE}/#/environments`);
  await p.waitForSelector('h1:text-is("Environments")', { timeout: WAIT });
  result.phoneEnvironmentsFits = await noHorizontalScroll(p);
  await p.goto(`${BASE}/#/keys`);
  await p.waitForSelector('h1:text-is("API keys")', { timeout: WAIT });
  await p.waitForSelector('.table', { timeout: WAIT });
  result.phoneKeysFits = await noHorizontalScroll(p);
  await shot(p, 'keys-phone');

  await page.goto(`${BASE}/#/environments`);
  await page.waitForSelector('h1:text-is("Environments")', { timeout: WAIT });
  await page.goto(`${BASE}/#/keys`);
  await page.waitForSelector('.table', { timeout: WAIT });
  result.keysListed = await page.locator('.table tbody tr').count();
  await shot(page, 'keys-laptop');

  // signing out forgets the key
  await page.click('button[title="Sign out"]');
  await page.waitForSelector('#key', { timeout: WAIT });
  result.signedOutForgets = await page.evaluate(() => sessionStorage.length === 0);
  await shot(page, 'sign-in-laptop');
  return result;
}

/** Take over; the person's click and typing reach the page; an agent meanwhile gets human_in_control; hand back. */
async function takeover(browser, problems, urls) {
  const result = {};
  const ctx = await context(browser, 'laptop', LAPTOP, problems, urls);
  const page = await ctx.newPage();
  await signIn(page);
  await page.goto(`${BASE}/#/computers/${ID}`);
  await page.waitForSelector('.screen', { timeout: WAIT });
  if (FRAMES) await until('a first picture', async () => (await frames(page)) > 0);
  const computer = (await call('GET', `/computers/${ID}`)).json;
  const width = computer.display.width * computer.display.scale;
  const height = computer.display.height * computer.display.scale;

  await page.click('button:has-text("Take over")');
  await page.waitForSelector('button:has-text("Hand back")', { timeout: WAIT });
  await page.waitForSelector('.control-tools:not([hidden])', { timeout: WAIT });
  const held = (await call('GET', `/computers/${ID}`)).json.control;
  result.holder = held && held.holder;
  await shot(page, 'takeover-laptop');

  // an agent's click while the person holds control
  const agent = await call('POST', `/computers/${ID}/click`, { x: 300, y: 300 });
  result.agentRefused = agent.json && agent.json.error_code;

  // the person clicks on the screen at (321, 321) and types into the field at (120, 35)
  const at = await onCanvas(page, 321, 321, width, height);
  await page.mouse.click(at.x, at.y);
  const clicks = await until('the page to log the click', async () => {
    const c = (await pageLog()).filter((e) => e.type === 'click' && Math.abs(e.x - 321) <= 1 && Math.abs(e.y - 321) <= 1);
    return c.length ? c : null;
  });
  result.clickSeen = { x: clicks[0].x, y: clicks[0].y };
  const field = await onCanvas(page, 120, 35, width, height);
  await page.mouse.click(field.x, field.y);
  await page.keyboard.type('hi there');
  await page.keyboard.press('Enter');
  result.typed = await until('the page to see the typing', async () => {
    const inputs = (await pageLog()).filter((e) => e.type === 'input');
    const last = inputs[inputs.length - 1];
    return last && last.value === 'hi there' ? last.value : null;
  });
  result.enterSeen = await until('the page to see Enter', async () => (await pageLog())
    .some((e) => e.type === 'keydown' && e.key === 'Enter'));
  result.agentClickAbsent = !(await pageLog()).some((e) => e.type === 'click' && e.x === 300 && e.y === 300);

  await page.click('#tab-activity');
  await page.waitForSelector('.activity li[data-type="action_request"]', { timeout: WAIT });

  await page.click('button:has-text("Hand back")');
  await page.waitForSelector('button:has-text("Take over")', { timeout: WAIT });
  result.released = await until('control to be released', async () => {
    const c = (await call('GET', `/computers/${ID}`)).json;
    return c.control === null ? 'released' : null;
  });
  const again = await call('POST', `/computers/${ID}/click`, { x: 5, y: 5 });
  result.agentActsAgain = again.json && again.json.status;

  await page.click('#tab-timeline');
  await page.waitForSelector('.timeline li[data-category="control"][data-type="released"]', { timeout: WAIT });
  result.timelineControl = await page.locator('.timeline li[data-category="control"]').count();
  await shot(page, 'timeline-laptop');
  return result;
}

/** A read-only link made in the console opens the live view and cannot send input; revoking it ends the view. */
async function viewer(browser, problems, urls) {
  const result = {};
  const ctx = await context(browser, 'owner', LAPTOP, problems, urls);
  const page = await ctx.newPage();
  await signIn(page);
  await page.goto(`${BASE}/#/computers/${ID}`);
  await page.waitForSelector('.screen', { timeout: WAIT });
  await page.click('button:has-text("Share")');
  await page.click('button:has-text("Create link")');
  await page.waitForSelector('#share-url', { timeout: WAIT });
  const link = await page.inputValue('#share-url');
  result.linkShape = /\/view#pv_[A-Za-z0-9_-]+$/.test(link);
  await shot(page, 'share-laptop', false);

  const other = await context(browser, 'viewer', LAPTOP, problems, urls);
  const v = await other.newPage();
  const asked = [];
  v.on('request', (r) => asked.push(`${r.method()} ${new URL(r.url()).pathname}`));
  await v.goto(link);
  await v.waitForSelector('.screen', { timeout: WAIT });
  result.tokenLeftAddressBar = !v.url().includes('#') && v.url().endsWith('/view');
  if (FRAMES) result.viewerFrames = await until('a picture for the viewer', async () => (await frames(v)) || 0);
  result.takeOverOffered = await v.locator('button:has-text("Take over")').isVisible();
  // clicks and keys on a read-only view go nowhere
  const logBefore = (await pageLog()).length;
  const box = await v.locator('.screen canvas.frame').boundingBox();
  await v.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await v.keyboard.type('x');
  result.inputRequests = asked.filter((a) => a.startsWith('POST'));
  result.pageLogUnchanged = (await pageLog()).length === logBefore;
  result.readOnlyShown = await v.locator('text=watch only').count() > 0;
  // even a client that tries: the link cannot take control (asked from here, not the page, whose console would
  // rightly show the 403)
  const token = await v.evaluate(() => sessionStorage.getItem('porthole.viewer-link'));
  result.controlRefused = (await call('POST', `/computers/${ID}/control`, undefined, token)).status;
  await shot(v, 'viewer-laptop');
  const vp = await (await context(browser, 'viewer-phone', PHONE, problems, urls)).newPage();
  await vp.goto(link);
  await vp.waitForSelector('.screen', { timeout: WAIT });
  result.viewerPhoneFits = await noHorizontalScroll(vp);
  await shot(vp, 'viewer-phone');
  await vp.close();

  // the owner revokes it: the viewer's stream ends, and says why
  await page.click('button:has-text("Revoke")');
  if (FRAMES) {
    await v.waitForSelector('.screen[data-state="ended"]', { timeout: WAIT });
    result.revokedMessage = await v.locator('.screen-status').innerText();
  }
  result.linkRefused = (await call('GET', '/viewer', undefined, token)).status;
  return result;
}

/** A link made for control: whoever opens it may take over, and their click reaches the page. */
async function controllink(browser, problems, urls) {
  const result = {};
  const link = (await call('POST', `/computers/${ID}/viewers`, { mode: 'control', expires_in_seconds: 600 })).json;
  const computer = (await call('GET', `/computers/${ID}`)).json;
  const width = computer.display.width * computer.display.scale;
  const height = computer.display.height * computer.display.scale;
  const v = await (await context(browser, 'control-link', LAPTOP, problems, urls)).newPage();
  await v.goto(link.url);
  await v.waitForSelector('.screen', { timeout: WAIT });
  if (FRAMES) await until('a picture', async () => (await frames(v)) > 0);
  await v.click('button:has-text("Take over")');
  await v.waitForSelector('button:has-text("Hand back")', { timeout: WAIT });
  result.holder = (await call('GET', `/computers/${ID}`)).json.control.holder;
  const at = await onCanvas(v, 200, 250, width, height);
  await v.mouse.click(at.x, at.y);
  const click = await until('the page to log the click', async () => (await pageLog())
    .find((e) => e.type === 'click' && Math.abs(e.x - 200) <= 1 && Math.abs(e.y - 250) <= 1));
  result.clickSeen = { x: click.x, y: click.y };
  await shot(v, 'control-link-laptop', false);
  await v.click('button:has-text("Hand back")');
  result.released = await until('control to be released', async () => ((await call('GET', `/computers/${ID}`)).json
    .control === null ? 'released' : null));
  return result;
}

/** A desktop's live view: H.264 decoded in the page with WebCodecs. */
async function desktop(browser, problems, urls) {
  const result = {};
  const ctx = await context(browser, 'laptop', LAPTOP, problems, urls);
  const page = await ctx.newPage();
  await signIn(page);
  await page.goto(`${BASE}/#/computers/${ID}`);
  await page.waitForSelector('.screen', { timeout: WAIT });
  result.webCodecs = await page.evaluate(() => typeof VideoDecoder === 'function' && window.isSecureContext);
  result.decoded = await until('decoded pictures', async () => ((await frames(page)) >= 2 ? frames(page) : 0));
  const c = (await call('GET', `/computers/${ID}`)).json;
  result.canvasSize = await page.evaluate(() => {
    const canvas = document.querySelector('.screen canvas.frame');
    return [canvas.width, canvas.height];
  });
  result.display = [c.display.width, c.display.height];
  await page.click('#tab-shell');
  await page.fill('#shell-command', 'echo console-shell-$((6*7))');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.terminal >> text=console-shell-42', { timeout: WAIT });
  result.shell = true;
  await shot(page, 'desktop-laptop');
  return result;
}

run(async () => {
  const scenario = env('SCENARIO');
  const browser = await chromium.launch({ executablePath: env('CHROMIUM'), headless: true, timeout: WAIT });
  const problems = [];
  const urls = [];
  try {
    const scenarios = { browse, takeover, viewer, controllink, desktop };
    if (!scenarios[scenario]) throw new Error(`no scenario ${scenario}`);
    const result = await scenarios[scenario](browser, problems, urls);
    // the key and a link's token travel in headers only: no URL any page asked for carries them
    result.secretInUrl = urls.filter((u) => u.includes(KEY) || /pv_[A-Za-z0-9_-]{20,}/.test(u.split('#')[0]));
    result.problems = problems;
    result.ok = true;
    report(result);
  } finally {
    await browser.close();
  }
});
