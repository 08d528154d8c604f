// The viewer-link dialog: make a link that opens this one computer (watch only, or with control), shown once;
// list and revoke the computer's links.

import { api, seg } from '../api.js';
import { h, icon, replace, dialog, copy, toast } from '../dom.js';
import { until } from '../format.js';

const EXPIRIES = [
  [900, '15 minutes'],
  [3600, '1 hour'],
  [8 * 3600, '8 hours'],
  [86400, '1 day'],
  [7 * 86400, '7 days'],
];

export function shareDialog(computerId) {
  const base = `/computers/${seg(computerId)}/viewers`;
  return dialog('share-title', (close) => {
    const expiry = h('select', { id: 'share-expiry' }, EXPIRIES.map(([s, t]) => h('option', { value: String(s), text: t, selected: s === 3600 })));
    const mode = (value, title, sub, checked) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: 'mode', value, checked }), h('strong', { text: title }), h('small', { text: sub }));
    const result = h('div', { class: 'stack', hidden: true });
    const error = h('p', { class: 'error-text', role: 'alert', hidden: true });
    const links = h('ul', { class: 'list-plain', 'aria-label': 'Links to this computer' });

    async function loadLinks() {
      try {
        const { items } = await api(base);
        const active = items.filter((l) => l.active);
        replace(links, active.length ? active.map((l) => h('li', {},
          h('div', { class: 'text' },
            h('div', { text: `${l.mode === 'control' ? 'Can control' : 'Watch only'} · ${l.prefix}…` }),
            h('div', { class: 'muted', text: `expires ${until(l.expires_at)}` })),
          h('button', { class: 'btn small danger', type: 'button', text: 'Revoke', 'aria-label': `Revoke link ${l.prefix}`,
            onclick: async () => {
              try {
                await api(`${base}/${seg(l.id)}`, { method: 'DELETE' });
                toast('Link revoked: whoever had it open has been disconnected');
              } catch (e) {
                toast(e.message, { error: true });
              }
              loadLinks();
            } })))
          : h('li', { class: 'muted', text: 'No active links.' }));
      } catch (e) {
        replace(links, h('li', { class: 'error-text', text: e.message }));
      }
    }

    const submit = h('button', { class: 'btn primary', type: 'submit' }, icon('share'), 'Create link');
    const form = h('form', {
      onsubmit: async (e) => {
        e.preventDefault();
        submit.disabled = true;
        error.hidden = true;
        try {
          const link = await api(base, { method: 'POST', body: {
            mode: form.querySelector('input[name=mode]:checked').value,
            expires_in_seconds: Number(expiry.value),
          } });
          const field = h('input', { type: 'text', readonly: true, value: link.url, id: 'share-url', 'aria-label': 'Viewer link' });
          replace(result,
            h('div', { class: 'notice' }, h('span', { text: 'Anyone with this link can ' + (link.mode === 'control'
              ? 'watch and control' : 'watch') + ' this computer until it expires. It is shown only now.' })),
            h('div', { class: 'secret' }, field,
              h('button', { class: 'btn', type: 'button', onclick: () => copy(link.url, 'Link copied') }, icon('copy'), 'Copy')));
          result.hidden = false;
          field.select();
          loadLinks();
        } catch (err) {
          error.textContent = err.message;
          error.hidden = false;
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h2', { id: 'share-title', text: 'Share this computer' }),
    h('fieldset', { class: 'field plain' },
      h('legend', { class: 'label', text: 'The link may' }),
      h('div', { class: 'choices' },
        mode('read_only', 'Watch', 'See the screen live', true),
        mode('control', 'Watch and control', 'Take over, click and type'))),
    h('label', { class: 'field', for: 'share-expiry' }, h('span', { text: 'Expires after' }), expiry),
    error,
    result,
    h('div', { class: 'dialog-actions' },
      h('button', { class: 'btn', type: 'button', onclick: () => close(), text: 'Done' }),
      submit),
    h('h3', { text: 'Active links' }),
    links);
    loadLinks();
    return form;
  });
}
