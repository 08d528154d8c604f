// Building the page: elements from data, never from HTML strings (nothing a computer or a page shows can
// become markup here), a few icons, toasts and dialogs.

/**
 * h('button', {class: 'btn', onclick: f, 'aria-label': 'x'}, 'text', child, [more]) → an element. Props named
 * on… become listeners; class, text, value, checked, disabled, hidden and dataset are set as properties;
 * everything else is an attribute (false and null leave it out). Children are nodes or text.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'hidden') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
const PATHS = {
  browser: 'M3 5.5A2.5 2.5 0 0 1 5.5 3h13A2.5 2.5 0 0 1 21 5.5v13a2.5 2.5 0 0 1-2.5 2.5h-13A2.5 2.5 0 0 1 3 18.5v-13ZM3 8.5h18M6.5 5.8h.01M9 5.8h.01',
  desktop: 'M3 5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5ZM8 21h8M12 17v4',
  plus: 'M12 5v14M5 12h14',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12M9 7V4h6v3',
  share: 'M8.6 13.5l6.8 4M15.4 6.5l-6.8 4M21 5a3 3 0 1 1-6 0 3 3 0 0 1 6 0ZM9 12a3 3 0 1 1-6 0 3 3 0 0 1 6 0Zm12 7a3 3 0 1 1-6 0 3 3 0 0 1 6 0Z',
  hand: 'M8 13V5.5a1.5 1.5 0 0 1 3 0V12m0-1.5v-6a1.5 1.5 0 0 1 3 0V12m0-5.5a1.5 1.5 0 0 1 3 0V12m0-3.5a1.5 1.5 0 0 1 3 0V15a6 6 0 0 1-6 6h-2a6 6 0 0 1-5-2.7L4.3 14a1.6 1.6 0 0 1 2.6-1.8L8 13.5',
  back: 'M15 18l-6-6 6-6',
  download: 'M12 4v11m0 0l-4-4m4 4l4-4M5 20h14',
  copy: 'M9 9h10v12H9zM5 15H4V3h12v1',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7M20 5v6h-6',
  signout: 'M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3M10 16l4-4-4-4M14 12H4',
  camera: 'M4 8a2 2 0 0 1 2-2h2l2-2h4l2 2h2a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V8Zm8 8a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7Z',
  key: 'M15 7a3 3 0 1 1 0 .01M13.5 10.5L4 20v-3l2-2 1.5 1.5L9 15l-1.5-1.5L10.5 10.5',
  layers: 'M12 3l9 5-9 5-9-5 9-5Zm-9 9l9 5 9-5M3 16l9 5 9-5',
};

/** A 24×24 stroked icon (decorative: hidden from assistive technology). */
export function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '1.8');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('d', PATHS[name] || '');
  svg.append(p);
  return svg;
}

export function spinner(label) {
  return h('span', { class: 'spinner', role: label ? 'status' : null, 'aria-label': label || null });
}

/** A short message in the corner, read out by screen readers. */
export function toast(message, { error = false, ms = 4500 } = {}) {
  const area = document.getElementById('toasts');
  if (!area) return;
  const t = h('div', { class: 'toast' + (error ? ' error' : ''), text: message });
  area.append(t);
  setTimeout(() => t.remove(), ms);
}

/**
 * A modal <dialog> (focus is kept inside by the browser; Escape closes it). build(close) returns its content;
 * the promise resolves with what close() was given, or undefined when it was dismissed.
 */
export function dialog(labelledBy, build) {
  return new Promise((resolve) => {
    const d = h('dialog', { 'aria-labelledby': labelledBy });
    let result;
    const close = (value) => { result = value; d.close(); };
    d.addEventListener('close', () => { d.remove(); resolve(result); });
    append(d, [build(close)]);
    document.body.append(d);
    d.showModal();
  });
}

/** Asks to confirm something that cannot be undone. */
export function confirmDanger(title, text, action) {
  return dialog('confirm-title', (close) => h('div', { class: 'dialog-body' },
    h('h2', { id: 'confirm-title', text: title }),
    h('p', { class: 'muted', text }),
    h('div', { class: 'dialog-actions' },
      h('button', { class: 'btn', type: 'button', onclick: () => close(false), text: 'Cancel' }),
      h('button', { class: 'btn danger solid', type: 'button', onclick: () => close(true), text: action, autofocus: true }))));
}

/** Copies text, telling the user whether it worked. */
export async function copy(text, what = 'Copied') {
  try {
    await navigator.clipboard.writeText(text);
    toast(what);
  } catch {
    toast('Copying is not allowed here; select the text and copy it', { error: true });
  }
}

/** A button that shows a spinner and is disabled while its async action runs. */
export function busyButton(props, label, action) {
  const b = h('button', { type: 'button', ...props });
  const content = Array.isArray(label) ? label : [label];
  b.append(...content.map((c) => (c instanceof Node ? c : document.createTextNode(c))));
  b.addEventListener('click', async (e) => {
    if (b.disabled) return;
    b.disabled = true;
    const s = spinner();
    b.prepend(s);
    try {
      await action(e);
    } finally {
      s.remove();
      b.disabled = false;
    }
  });
  return b;
}
