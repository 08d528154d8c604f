// The live view: a computer's screencast drawn on a canvas. Browsers send JPEG pictures (default events);
// desktops send H.264 (event: h264), decoded here with WebCodecs, and their pointer (cursor_position,
// cursor_update) drawn over it. While the person holds control, the pointer, wheel and keys on the canvas
// become actions (see Input).

import { events, bytes, seg, ApiError } from './api.js';
import { h } from './dom.js';
import { accessUnits, codecOf } from './h264.js';

/** Stream errors after which reconnecting cannot help. */
const FINAL = new Set(['computer_not_running', 'unsupported_on_engine', 'viewer_link_revoked', 'viewer_link_expired',
  'not_found', 'unauthorized', 'forbidden']);

class StreamError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export class LiveView {
  /**
   * @param computer {id, kind, display: {width, height, scale}}
   * @param token a viewer link's token, or undefined for the signed-in key
   * @param onEnd called with {code, message} when the stream ends for good
   */
  constructor(computer, { token, onEnd = () => {}, onState = () => {} } = {}) {
    this.computer = computer;
    this.token = token;
    this.onEnd = onEnd;
    this.onState = onState;
    this.frames = 0;
    this.meta = null;
    this.stopped = false;
    this.generation = 0;
    this.cursor = { image: null, hotX: 0, hotY: 0, x: -1, y: -1 };

    const d = computer.display || { width: 1280, height: 720, scale: 1 };
    this.canvas = h('canvas', { class: 'frame', width: Math.round(d.width), height: Math.round(d.height),
      'aria-hidden': 'true' });
    this.ctx = this.canvas.getContext('2d', { alpha: false });
    this.ctx.fillStyle = '#0d141e';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.cursorCanvas = h('canvas', { class: 'cursor', width: 1, height: 1, hidden: true, 'aria-hidden': 'true' });
    this.statusText = h('span');
    this.statusPill = h('span', { class: 'pill' }, this.statusText);
    this.status = h('div', { class: 'screen-status' }, this.statusPill);
    this.screen = h('div', { class: 'screen', role: 'img', 'aria-label': `Live view of ${computer.id}`,
      dataset: { frames: '0', state: 'connecting' } }, this.canvas, this.cursorCanvas);
    this.element = h('div', { class: 'screen-wrap' }, this.screen, this.status);
    /** A badge that says whether the view is live, for the page's bar. */
    this.badge = h('span', { class: 'badge starting', text: 'Connecting' });
    this.resizeObserver = new ResizeObserver(() => this.placeCursor());
    this.resizeObserver.observe(this.canvas);
    this.setStatus('connecting', 'Connecting to the screen…');
  }

  start() {
    this.run(++this.generation);
    return this;
  }

  stop() {
    this.stopped = true;
    this.generation++;
    this.abort?.abort();
    this.resizeObserver.disconnect();
    this.closeDecoder();
  }

  /** Connects again from the start (after a decoder error, or when the person asks to retry). */
  restart() {
    this.stop();
    this.stopped = false;
    this.resizeObserver.observe(this.canvas);
    this.start();
  }

  /** Shows where the stream is: connecting, live, or ended (with why); onState hears of every change. */
  setStatus(state, text, { spin = state === 'connecting', error = false } = {}) {
    const changed = this.screen.dataset.state !== state;
    this.screen.dataset.state = state;
    if (changed) {
      const [cls, label] = { live: ['running live', 'Live'], connecting: ['starting', 'Connecting'] }[state] || ['', 'Offline'];
      this.badge.className = `badge ${cls}`;
      this.badge.textContent = label;
      this.onState(state);
    }
    this.statusText.textContent = text || '';
    this.statusPill.className = 'pill' + (error ? ' error' : '');
    this.statusPill.querySelector('.spinner')?.remove();
    if (spin) this.statusPill.prepend(h('span', { class: 'spinner' }));
    this.status.hidden = !text;
  }

  async run(generation) {
    let attempt = 0;
    const path = `/computers/${seg(this.computer.id)}/screencast`;
    const current = () => !this.stopped && generation === this.generation;
    while (current()) {
      const abort = new AbortController();
      this.abort = abort;
      let reason = null;
      try {
        for await (const ev of events(path, { signal: abort.signal, token: this.token })) {
          if (!current()) return;
          if (ev.comment !== undefined) continue;
          if (ev.event === 'error') {
            const e = safeJson(ev.data) || {};
            throw new StreamError(e.code || 'stream_error', e.message || 'the screencast stopped');
          }
          attempt = 0;
          this.handle(ev);
        }
        reason = { code: 'stream_ended', message: 'The screencast ended.' };
      } catch (e) {
        if (!current()) return;
        if (e.name === 'AbortError') {
          // the client let go (far behind, or a decoder to start again): a fresh connection starts at a key frame
          reason = { code: 'restart', message: 'Catching up.' };
        } else reason = e instanceof StreamError || e instanceof ApiError ? { code: e.code, message: e.message }
          : { code: 'client_error', message: String(e.message || e) };
      }
      if (!current()) return;
      this.closeDecoder();
      if (FINAL.has(reason.code)) {
        this.setStatus('ended', explain(reason), { error: reason.code !== 'computer_not_running' });
        this.onEnd(reason);
        return;
      }
      attempt++;
      const wait = reason.code === 'restart' ? 0 : Math.min(10000, 500 * 2 ** Math.min(attempt, 5));
      this.setStatus('connecting', `${explain(reason)} Reconnecting…`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  handle(ev) {
    switch (ev.event) {
      case 'message': return this.onPicture(safeJson(ev.data));
      case 'h264': return this.onVideo(safeJson(ev.data));
      case 'cursor_position': return this.onCursorPosition(safeJson(ev.data));
      case 'cursor_update': return this.onCursorImage(safeJson(ev.data));
      default: return undefined; // an event this console does not know yet
    }
  }

  // ---- pictures (browsers) ----

  onPicture(d) {
    if (!d || typeof d.image_data !== 'string') return;
    if (d.metadata) this.meta = d.metadata;
    this.pending = d.image_data; // the newest wins: a slow page skips pictures rather than falls behind
    if (!this.decoding) this.drawPictures();
  }

  async drawPictures() {
    this.decoding = true;
    try {
      while (this.pending && !this.stopped) {
        const b64 = this.pending;
        this.pending = null;
        let bitmap;
        try {
          bitmap = await createImageBitmap(new Blob([bytes(b64)], { type: 'image/jpeg' }));
        } catch {
          continue; // a picture that does not decode: wait for the next
        }
        this.draw(bitmap, bitmap.width, bitmap.height);
        bitmap.close();
      }
    } finally {
      this.decoding = false;
    }
  }

  draw(source, width, height) {
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.ctx.drawImage(source, 0, 0, width, height);
    this.frames++;
    this.screen.dataset.frames = String(this.frames);
    if (this.screen.dataset.state !== 'live') this.setStatus('live', '');
    this.placeCursor();
  }

  // ---- video (desktops) ----

  onVideo(d) {
    if (!d || typeof d.nalu_data !== 'string') return;
    if (typeof VideoDecoder === 'undefined') {
      const message = window.isSecureContext
        ? 'This browser cannot decode video (it has no WebCodecs). Try a current Chrome, Edge, Firefox or Safari.'
        : 'A desktop\'s screen is video, which browsers decode only on secure pages: open the console over https, '
          + 'or on localhost.';
      this.stop();
      this.setStatus('ended', message, { error: true });
      return;
    }
    let data = bytes(d.nalu_data);
    if (this.carry) {
      const joined = new Uint8Array(this.carry.length + data.length);
      joined.set(this.carry);
      joined.set(data, this.carry.length);
      data = joined;
      this.carry = null;
    }
    const units = accessUnits(data);
    // parameter sets sent on their own go in front of the picture that follows them
    if (units.length && !units[units.length - 1].hasSlice) this.carry = units.pop().data;
    for (const au of units) this.decode(au);
  }

  decode(au) {
    if (this.stopped) return;
    if (!this.decoder || this.decoder.state === 'closed') {
      if (!au.key || !au.sps) return; // a decoder starts at a key frame with its SPS
      this.decoder = new VideoDecoder({
        output: (frame) => {
          try {
            if (!this.stopped) this.draw(frame, frame.displayWidth, frame.displayHeight);
          } finally {
            frame.close();
          }
        },
        error: (e) => {
          // the next connection starts at a key frame again
          if (this.stopped) return;
          this.setStatus('connecting', `The video could not be decoded (${e.message}). Reconnecting…`);
          this.closeDecoder();
          this.abort?.abort();
        },
      });
      try {
        this.decoder.configure({ codec: codecOf(au.sps), optimizeForLatency: true });
      } catch (e) {
        this.stop();
        this.setStatus('ended', `This browser cannot decode this desktop's video (${codecOf(au.sps)}): ${e.message}`,
          { error: true });
        return;
      }
      this.timestamp = 0;
    }
    if (this.decoder.decodeQueueSize > 30) {
      // far behind: start again from a key frame rather than show the past
      this.closeDecoder();
      this.abort?.abort();
      return;
    }
    this.decoder.decode(new EncodedVideoChunk({ type: au.key ? 'key' : 'delta', timestamp: this.timestamp, data: au.data }));
    this.timestamp += 33333;
  }

  closeDecoder() {
    this.carry = null;
    if (this.decoder && this.decoder.state !== 'closed') {
      try {
        this.decoder.close();
      } catch {
        // closed already
      }
    }
    this.decoder = null;
  }

  // ---- the desktop's pointer ----

  async onCursorImage(d) {
    if (!d || typeof d.image_data !== 'string') return;
    try {
      const bitmap = await createImageBitmap(new Blob([bytes(d.image_data)], { type: 'image/png' }));
      this.cursorCanvas.width = bitmap.width;
      this.cursorCanvas.height = bitmap.height;
      const c = this.cursorCanvas.getContext('2d');
      c.clearRect(0, 0, bitmap.width, bitmap.height);
      c.drawImage(bitmap, 0, 0);
      bitmap.close();
      this.cursor.image = true;
      this.cursor.hotX = Number(d.hotspot_x) || 0;
      this.cursor.hotY = Number(d.hotspot_y) || 0;
      this.placeCursor();
    } catch {
      // keep the previous shape
    }
  }

  onCursorPosition(d) {
    if (!d) return;
    this.cursor.x = Number(d.x);
    this.cursor.y = Number(d.y);
    this.placeCursor();
  }

  placeCursor() {
    const c = this.cursor;
    const show = c.image && c.x >= 0 && c.y >= 0 && this.canvas.width > 0;
    this.cursorCanvas.hidden = !show;
    if (!show) return;
    const s = this.canvas.clientWidth / this.canvas.width;
    const left = this.canvas.offsetLeft + (c.x - c.hotX) * s;
    const top = this.canvas.offsetTop + (c.y - c.hotY) * s;
    this.cursorCanvas.style.transform = `translate(${left}px, ${top}px) scale(${s})`;
  }

  // ---- coordinates ----

  /** The screen's size in screenshot pixels, the space of every input action. */
  inputSize() {
    if (this.computer.kind === 'desktop') return { width: this.canvas.width, height: this.canvas.height };
    const d = this.computer.display || {};
    const scale = Number(d.scale) || 1;
    const w = this.meta?.deviceWidth || d.width || this.canvas.width;
    const hgt = this.meta?.deviceHeight || d.height || this.canvas.height;
    return { width: Math.round(w * scale), height: Math.round(hgt * scale) };
  }

  /** Where a point of the page (clientX, clientY) is on the computer's screen, in screenshot pixels. */
  toScreen(clientX, clientY) {
    const r = this.canvas.getBoundingClientRect();
    const size = this.inputSize();
    const fx = (clientX - r.left) / r.width;
    const fy = (clientY - r.top) / r.height;
    // the pixel under the pointer: a pixel x covers [x, x + 1)
    return {
      x: Math.min(size.width - 1, Math.max(0, Math.floor(fx * size.width))),
      y: Math.min(size.height - 1, Math.max(0, Math.floor(fy * size.height))),
    };
  }
}

function safeJson(s) {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

function explain(reason) {
  switch (reason.code) {
    case 'computer_not_running': return 'This computer is not running any more.';
    case 'viewer_link_revoked': return 'This link has been revoked.';
    case 'viewer_link_expired': return 'This link has expired.';
    case 'unsupported_on_engine': return `This computer's screen cannot be shown: ${reason.message}`;
    case 'network': return 'The server cannot be reached.';
    default: return reason.message.endsWith('.') ? reason.message : reason.message + '.';
  }
}

// ---- input ----

/** DOM key names that the API takes as they are (Keys.java); letters and other characters are typed. */
const NAMED_KEYS = new Set(['Enter', 'Escape', 'Tab', 'Backspace', 'Delete', 'ArrowUp', 'ArrowDown', 'ArrowLeft',
  'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown', 'Insert', 'CapsLock',
  ...Array.from({ length: 24 }, (_, i) => `F${i + 1}`)]);
const BUTTONS = ['left', 'middle', 'right'];
const MOVE_INTERVAL_MS = 80;

/**
 * The person's pointer, wheel and keys on a live view, as actions for send(action) while they hold control.
 * Pointer moves go only while a button is down, at most one per MOVE_INTERVAL_MS, the newest replacing one not
 * sent yet; wheel turns add up the same way. Ctrl+] leaves the screen (focus goes to onLeave's element).
 */
export class Input {
  constructor(live, send, { onLeave } = {}) {
    this.live = live;
    this.send = send;
    this.onLeave = onLeave;
    this.down = null;
    this.wheel = null;
    this.lastMove = 0;
    const el = live.screen;
    this.listeners = [
      [el, 'pointerdown', (e) => this.pointerDown(e)],
      [el, 'pointermove', (e) => this.pointerMove(e)],
      [el, 'pointerup', (e) => this.pointerUp(e)],
      [el, 'pointercancel', (e) => this.pointerUp(e)],
      [el, 'contextmenu', (e) => e.preventDefault()],
      [el, 'wheel', (e) => this.onWheel(e), { passive: false }],
      [el, 'keydown', (e) => this.keyDown(e)],
    ];
    for (const [t, type, f, o] of this.listeners) t.addEventListener(type, f, o);
    el.tabIndex = 0;
    el.classList.add('controlling');
    el.setAttribute('aria-label', `Screen of ${live.computer.id}: you are in control; pointer and keys go to the computer. Ctrl+] leaves.`);
  }

  detach() {
    for (const [t, type, f, o] of this.listeners) t.removeEventListener(type, f, o);
    const el = this.live.screen;
    el.classList.remove('controlling');
    el.removeAttribute('tabindex');
    el.setAttribute('aria-label', `Live view of ${this.live.computer.id}`);
    clearTimeout(this.moveTimer);
    clearTimeout(this.wheelTimer);
  }

  pointerDown(e) {
    if (this.down || e.button > 2) return;
    e.preventDefault();
    this.live.screen.focus({ preventScroll: true });
    this.live.screen.setPointerCapture?.(e.pointerId);
    const at = this.live.toScreen(e.clientX, e.clientY);
    this.down = { button: BUTTONS[e.button], pointerId: e.pointerId };
    this.send({ type: 'mouse_down', x: at.x, y: at.y, button: this.down.button });
  }

  pointerMove(e) {
    if (!this.down || e.pointerId !== this.down.pointerId) return;
    this.pendingMove = this.live.toScreen(e.clientX, e.clientY);
    if (this.moveTimer) return;
    const wait = Math.max(0, this.lastMove + MOVE_INTERVAL_MS - performance.now());
    this.moveTimer = setTimeout(() => this.flushMove(), wait);
  }

  flushMove() {
    this.moveTimer = null;
    if (!this.pendingMove) return;
    const at = this.pendingMove;
    this.pendingMove = null;
    this.lastMove = performance.now();
    this.send({ type: 'move', x: at.x, y: at.y }, { coalesce: 'move' });
  }

  pointerUp(e) {
    if (!this.down || e.pointerId !== this.down.pointerId) return;
    e.preventDefault();
    clearTimeout(this.moveTimer);
    this.moveTimer = null;
    this.pendingMove = null;
    const at = this.live.toScreen(e.clientX, e.clientY);
    this.send({ type: 'mouse_up', x: at.x, y: at.y, button: this.down.button });
    this.down = null;
  }

  onWheel(e) {
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 800 : 1;
    const at = this.live.toScreen(e.clientX, e.clientY);
    this.wheel = this.wheel || { dx: 0, dy: 0 };
    this.wheel.dx += e.deltaX * unit;
    this.wheel.dy += e.deltaY * unit;
    this.wheel.at = at;
    if (this.wheelTimer) return;
    this.wheelTimer = setTimeout(() => {
      this.wheelTimer = null;
      const w = this.wheel;
      this.wheel = null;
      const clamp = (v) => Math.max(-5000, Math.min(5000, Math.round(v)));
      if (Math.round(w.dx) || Math.round(w.dy)) this.send({ type: 'scroll', x: w.at.x, y: w.at.y, dx: clamp(w.dx), dy: clamp(w.dy) });
    }, 120);
  }

  keyDown(e) {
    if (e.ctrlKey && (e.key === ']' || e.code === 'BracketRight')) {
      e.preventDefault();
      this.onLeave?.();
      return;
    }
    if (e.isComposing || ['Shift', 'Control', 'Alt', 'Meta', 'AltGraph', 'Dead', 'Unidentified', 'Process'].includes(e.key)) return;
    const mods = [];
    if (e.ctrlKey) mods.push('Control');
    if (e.altKey) mods.push('Alt');
    if (e.metaKey) mods.push('Meta');
    const printable = [...e.key].length === 1;
    if (printable && mods.length === 0) {
      e.preventDefault();
      this.send({ type: 'type', text: e.key }, { coalesce: 'type' });
      return;
    }
    if (!printable && !NAMED_KEYS.has(e.key)) return;
    e.preventDefault();
    if (e.shiftKey && !printable) mods.push('Shift');
    this.send({ type: 'keypress', keys: [...mods, printable ? e.key.toLowerCase() : e.key] });
  }
}

/**
 * What the person in control has besides the screen: a field whose text is typed into the computer (phones have no
 * keys to send otherwise) and buttons for the keys a page often wants.
 */
export function toolsFor(control) {
  const field = h('input', { type: 'text', id: 'type-text', autocomplete: 'off', placeholder: 'Text to type',
    'aria-label': 'Text to type into the computer' });
  const key = (label, keys) => h('button', { class: 'btn small', type: 'button', text: label,
    'aria-label': `Press ${keys.join('+')}`, onclick: () => control.send({ type: 'keypress', keys }) });
  return [
    h('form', {
      onsubmit: (e) => {
        e.preventDefault();
        if (!field.value) return;
        control.send({ type: 'type', text: field.value });
        field.value = '';
      },
    }, field, h('button', { class: 'btn small', type: 'submit', text: 'Type' })),
    key('Enter', ['Enter']), key('Tab', ['Tab']), key('Esc', ['Escape']), key('⌫', ['Backspace']),
    h('p', { class: 'hint' }, 'You are in control: agents wait until you hand back. Click the screen to send the pointer',
      ' and keys; ', h('kbd', { text: 'Ctrl' }), '+', h('kbd', { text: ']' }), ' leaves it.'),
  ];
}
