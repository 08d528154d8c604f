// Times, sizes and names as people read them.

function parse(t) {
  const ms = typeof t === 'number' ? t : Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}

/** "4 min", "2 h 5 min", "12 s": a duration in seconds, two units at most. */
export function duration(seconds) {
  let s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hr = Math.floor(s / 3600); s -= hr * 3600;
  const m = Math.floor(s / 60);
  if (d) return hr ? `${d} d ${hr} h` : `${d} d`;
  if (hr) return m ? `${hr} h ${m} min` : `${hr} h`;
  return `${m} min`;
}

/** How long ago: "3 min ago"; "just now" under 5 seconds. */
export function ago(t, now = Date.now()) {
  const ms = parse(t);
  if (ms === null) return '—';
  const s = (now - ms) / 1000;
  if (s < 5) return 'just now';
  return `${duration(s)} ago`;
}

/** How long until: "in 4 min"; "now" once past. */
export function until(t, now = Date.now()) {
  const ms = parse(t);
  if (ms === null) return '—';
  const s = (ms - now) / 1000;
  if (s <= 0) return 'now';
  return `in ${duration(s)}`;
}

/** Seconds until a time (negative once past), or null. */
export function secondsUntil(t, now = Date.now()) {
  const ms = parse(t);
  return ms === null ? null : (ms - now) / 1000;
}

export function clock(t) {
  const ms = parse(t);
  if (ms === null) return '';
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function dateTime(t) {
  const ms = parse(t);
  if (ms === null) return '—';
  return new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

export function bytes(n) {
  if (!Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  const u = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${u[i]}`;
}

const ENGINES = { chromium: 'Chromium', firefox: 'Firefox' };

/** "Chromium browser", "Firefox browser", "Desktop". */
export function kindLabel(c) {
  if (c.kind === 'desktop') return 'Desktop';
  const engine = ENGINES[c.engine] || (c.engine ? c.engine.replace(/^template:/, '') : 'Browser');
  return `${engine} browser`;
}

export function shortId(id) {
  return id && id.length > 18 ? id.slice(0, 18) + '…' : id;
}

