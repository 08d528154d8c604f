'use strict';
// Shared by the client scripts: settings from the environment, a watchdog, and how a script reports.
// A script prints progress as JSON lines ({"event": ...}) and ends with one JSON line of results; it exits 0 only
// if everything it was asked to do worked. Errors go to stderr with their stack.

function env(name, fallback) {
  const v = process.env[name];
  if (v === undefined || v === '') {
    if (fallback !== undefined) return fallback;
    throw new Error(`environment variable ${name} is required`);
  }
  return v;
}

/** Headers with the API key (PORTHOLE_API_KEY), or none: a client that has only the access token puts it in the URL. */
function authHeaders() {
  const key = process.env.PORTHOLE_API_KEY;
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** An error as text: its stack, or for what is not an Error (a WebSocket ErrorEvent) its message and fields. */
function describe(e) {
  if (e instanceof Error && e.stack) return e.stack;
  const message = e && (e.message || (e.error && e.error.message));
  return (message ? message + '\n' : '') + require('util').inspect(e, { depth: 0 });
}

function report(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

/** Resolves when stdin ends: the test closes it to let a script that holds a connection go on. */
function stdinEnded() {
  return new Promise((resolve) => {
    if (process.stdin.readableEnded) return resolve();
    process.stdin.on('end', resolve);
    process.stdin.on('close', resolve);
    process.stdin.resume();
  });
}

/** Runs main under a watchdog (SCRIPT_TIMEOUT_MS, default 90 s); exits 0 on success, 1 on error, 3 on timeout. */
function run(main) {
  const ms = Number(env('SCRIPT_TIMEOUT_MS', '90000'));
  const timer = setTimeout(() => {
    process.stderr.write(`watchdog: the script did not finish within ${ms} ms\n`);
    process.exit(3);
  }, ms);
  main().then(
    () => { clearTimeout(timer); process.exit(0); },
    (e) => { process.stderr.write(describe(e) + '\n'); process.exit(1); });
}

/** Reads what input.html saw: its #log lines (JSON events), and the field's value. */
async function pageLog(evaluate) {
  return evaluate(() => ({
    value: document.getElementById('field') ? document.getElementById('field').value : null,
    log: (document.getElementById('log') ? document.getElementById('log').textContent : '')
      .split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l)),
  }));
}

function isPng(buf) {
  return buf.length > 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47;
}

module.exports = { env, authHeaders, report, stdinEnded, run, pageLog, isPng };
