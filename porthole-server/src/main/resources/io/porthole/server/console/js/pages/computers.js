// The tenant's computers, live: polled while the page is visible; create and delete.

import { api, seg } from '../api.js';
import { h, icon, replace, dialog, confirmDanger, toast, spinner } from '../dom.js';
import { ago, until, kindLabel } from '../format.js';
import { go } from '../router.js';

const POLL_MS = 3000;

export function computersPage() {
  const body = h('div', { class: 'card', 'aria-live': 'off' }, h('div', { class: 'empty' }, spinner('Loading computers')));
  const element = h('div', {},
    h('div', { class: 'page-head' },
      h('div', { class: 'titles' }, h('h1', { text: 'Computers' }),
        h('p', { text: 'Browsers and desktops of this tenant, as they run.' })),
      h('div', { class: 'actions' },
        h('button', { class: 'btn primary', type: 'button', onclick: () => createDialog() }, icon('plus'), 'New computer'))),
    body);

  let timer = null;
  let disposed = false;
  let computers = null;
  let error = null;

  async function refresh() {
    clearTimeout(timer);
    try {
      computers = await api('/computers');
      error = null;
    } catch (e) {
      error = e;
    }
    if (disposed) return;
    draw();
    timer = setTimeout(refresh, document.hidden ? POLL_MS * 5 : POLL_MS);
  }

  function draw() {
    if (error && computers === null) {
      replace(body, h('div', { class: 'empty' }, h('h2', { text: 'The computers could not be listed' }),
        h('p', { text: error.message })));
      return;
    }
    if (!computers.length) {
      replace(body, h('div', { class: 'empty' },
        h('h2', { text: 'No computers running' }),
        h('p', { text: 'Create one here, or from your agent through the API.' }),
        h('button', { class: 'btn primary', type: 'button', onclick: () => createDialog() }, icon('plus'), 'New computer')));
      return;
    }
    const sorted = [...computers].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    replace(body, h('table', { class: 'table' },
      h('caption', { class: 'visually-hidden', text: 'Computers' }),
      h('thead', {}, h('tr', {},
        ['Computer', 'Status', 'Started', 'Ends', 'Watching'].map((t) => h('th', { scope: 'col', text: t })),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: 'Actions' })))),
      h('tbody', {}, sorted.map(row))));
  }

  function row(c) {
    const href = `#/computers/${seg(c.id)}`;
    const idle = c.idle_expires_at ? `idle ${until(c.idle_expires_at)}` : null;
    const ends = [idle, c.expires_at ? `at most ${until(c.expires_at)}` : null].filter(Boolean);
    const holder = c.control && c.control.holder;
    return h('tr', { dataset: { id: c.id } },
      h('td', {},
        h('div', { class: 'cell-main' },
          h('span', { class: 'kind-icon' }, icon(c.kind === 'desktop' ? 'desktop' : 'browser')),
          h('div', { class: 'text' },
            h('a', { href, class: 'mono', text: c.id }),
            h('div', { class: 'sub', text: `${kindLabel(c)} · ${c.display ? `${c.display.width}×${c.display.height}` : ''}` })))),
      h('td', { 'data-label': 'Status' }, h('div', {}, h('span', { class: `badge ${c.status}`, text: c.status }),
        c.standby ? h('div', { class: 'sub muted', text: 'in standby', title: `frozen since ${c.standby_since}; the next request wakes it` }) : null,
        holder ? h('div', { class: 'sub muted', text: `controlled by ${holder}` }) : null)),
      h('td', { 'data-label': 'Started', class: 'nowrap', text: ago(c.created_at), title: c.created_at }),
      h('td', { 'data-label': 'Ends', class: 'nowrap' }, h('div', {}, ends.length ? ends.map((e) => h('div', { text: e })) : '—')),
      h('td', { 'data-label': 'Watching', text: c.viewers ? String(c.viewers) : '—' }),
      h('td', { class: 'actions' },
        h('a', { class: 'btn small', href, text: 'Open', 'aria-label': `Open ${c.id}` }),
        h('button', { class: 'btn small danger', type: 'button', 'aria-label': `Delete ${c.id}`,
          onclick: () => remove(c) }, icon('trash'))));
  }

  async function remove(c) {
    const ok = await confirmDanger('Delete this computer?', `${c.id} stops at once, with everything running in it.`, 'Delete');
    if (!ok) return;
    try {
      await api(`/computers/${seg(c.id)}`, { method: 'DELETE' });
      toast(`${c.id} deleted`);
    } catch (e) {
      toast(e.message, { error: true });
    }
    refresh();
  }

  const visibility = () => { if (!document.hidden) refresh(); };
  document.addEventListener('visibilitychange', visibility);
  refresh();

  return {
    element,
    title: 'Computers',
    dispose() {
      disposed = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', visibility);
    },
  };
}

const SIZES = [
  ['1280x720', '1280 × 720 (HD)'],
  ['1920x1080', '1920 × 1080 (Full HD)'],
  ['1024x768', '1024 × 768'],
  ['1440x900', '1440 × 900'],
  ['390x844', '390 × 844 (phone)'],
];

/** The new-computer dialog: kind and screen size; creates, then opens the computer. */
export function createDialog() {
  return dialog('create-title', (close) => {
    const choice = (value, title, sub, checked) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: 'kind', value, checked }),
      h('strong', { text: title }), h('small', { text: sub }));
    const size = h('select', { id: 'size', name: 'size' }, SIZES.map(([v, t]) => h('option', { value: v, text: t })));
    const error = h('p', { class: 'error-text', role: 'alert', hidden: true });
    const submit = h('button', { class: 'btn primary', type: 'submit', text: 'Create' });
    const form = h('form', {
      method: 'dialog',
      onsubmit: async (e) => {
        e.preventDefault();
        const kind = form.querySelector('input[name=kind]:checked').value;
        const [width, height] = size.value.split('x').map(Number);
        submit.disabled = true;
        submit.replaceChildren(spinner(), 'Starting…');
        error.hidden = true;
        try {
          let id;
          if (kind === 'firefox') {
            id = (await api('/browser-sandboxes', { method: 'POST', body: { browser: 'firefox', viewport: { width, height } } })).id;
          } else {
            id = (await api('/computers', { method: 'POST', body: { kind, display: { width, height } } })).id;
          }
          close(id);
          go(`/computers/${id}`);
        } catch (err) {
          error.textContent = err.message;
          error.hidden = false;
          submit.disabled = false;
          submit.replaceChildren('Create');
        }
      },
    },
    h('h2', { id: 'create-title', text: 'New computer' }),
    h('fieldset', { class: 'field plain' },
      h('legend', { class: 'label', text: 'Kind' }),
      h('div', { class: 'choices' },
        choice('browser', 'Chromium', 'Headless browser', true),
        choice('firefox', 'Firefox', 'Headless browser'),
        choice('desktop', 'Desktop', 'Linux X11 desktop'))),
    h('label', { class: 'field', for: 'size' }, h('span', { text: 'Screen' }), size),
    error,
    h('div', { class: 'dialog-actions' },
      h('button', { class: 'btn', type: 'button', onclick: () => close(), text: 'Cancel' }),
      submit));
    return form;
  });
}
