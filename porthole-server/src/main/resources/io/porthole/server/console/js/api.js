// The API as the console calls it: the credential from sessionStorage in the Authorization header (never in a
// URL), X-Porthole-Viewer: console so the replay events name the console, JSON errors as ApiError, and the two
// streamed formats (server-sent events, NDJSON) read with fetch, since EventSource cannot send a header.

const KEY = 'porthole.api-key';

/** The signed-in API key: this tab's sessionStorage only, gone when the tab closes. */
export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  signIn(key) {
    sessionStorage.setItem(KEY, key);
  },
  signOut() {
    sessionStorage.removeItem(KEY);
  },
};

/** An answer that was not a success: the API's {"code","message"}, or what went wrong on the way. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Called when the API says the credential is not valid (401): the app signs out. */
let onUnauthorized = () => {};
export function whenUnauthorized(f) {
  onUnauthorized = f;
}

function headers(token, extra) {
  const h = { 'X-Porthole-Viewer': 'console', ...extra };
  const credential = token ?? session.key;
  if (credential) h.Authorization = `Bearer ${credential}`;
  return h;
}

async function failure(res, token) {
  let code = 'http_' + res.status;
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body = await res.json();
    if (body && typeof body.code === 'string') code = body.code;
    if (body && typeof body.message === 'string') message = body.message;
  } catch {
    // not JSON: the status says it
  }
  if (res.status === 401 && token === undefined) onUnauthorized(message);
  return new ApiError(res.status, code, message);
}

/**
 * Calls the API. body is sent as JSON; the answer is parsed JSON (null for 204). options.token uses another
 * credential than the session's (a viewer link's); options.raw returns the Response.
 */
export async function api(path, { method = 'GET', body, signal, token, raw = false, keepalive = false } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: headers(token, body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      keepalive,
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'The server cannot be reached: ' + e.message);
  }
  if (!res.ok) throw await failure(res, token);
  if (raw) return res;
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  return type.includes('json') ? res.json() : res.text();
}

/** Reads a body as text lines as they arrive (LF or CRLF), the last one even without a newline. */
async function* lines(res) {
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        let line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        yield line;
      }
    }
    if (buffer) yield buffer;
  } finally {
    // a reader that stops early closes the stream (and its connection)
    reader.cancel().catch(() => {});
  }
}

/**
 * A server-sent-events stream: yields {event, data, id} per event ("message" for a default event) and
 * {comment} for a comment line (the heartbeats). Ends when the server closes the stream; an abort of
 * options.signal ends it too (as an AbortError).
 */
export async function* events(path, { signal, token } = {}) {
  let res;
  try {
    res = await fetch(path, {
      headers: headers(token, { Accept: 'text/event-stream' }),
      signal,
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'The server cannot be reached: ' + e.message);
  }
  if (!res.ok) throw await failure(res, token);
  let event = 'message';
  let data = [];
  let id = null;
  for await (const line of lines(res)) {
    if (line === '') {
      if (data.length) yield { event, data: data.join('\n'), id };
      event = 'message';
      data = [];
      continue;
    }
    if (line.startsWith(':')) {
      yield { comment: line.slice(1).trim() };
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value || 'message';
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
}

/** An NDJSON stream (exec): yields each line's JSON object. */
export async function* ndjson(path, { method = 'POST', body, signal } = {}) {
  const res = await api(path, { method, body, signal, raw: true });
  for await (const line of lines(res)) {
    if (line.trim() === '') continue;
    yield JSON.parse(line);
  }
}

/** Base64 to bytes. */
export function bytes(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** A path segment from an id (ids come from the server, but a URL is no place to trust them). */
export function seg(id) {
  return encodeURIComponent(id);
}
