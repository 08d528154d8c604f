// API keys, for admin keys: list, create (the secret is shown once), revoke.

import { api, seg } from '../api.js';
import { h, icon, replace, confirmDanger, toast, spinner, dialog, copy } from '../dom.js';
import { ago } from '../format.js';

export function keysPage() {
  const body = h('div', { class: 'card' }, h('div', { class: 'empty' }, spinner('Loading keys')));
  const element = h('div', {},
    h('div', { class: 'page-head' },
      h('div', { class: 'titles' }, h('h1', { text: 'API keys' }),
        h('p', { text: 'Keys for agents and people. Only a hash of each is stored; a key is shown once, when it is made.' })),
      h('div', { class: 'actions' },
        h('button', { class: 'btn primary', type: 'button', onclick: () => create() }, icon('plus'), 'New key'))),
    body);

  let mine = null;

  async function load() {
    try {
      if (!mine) mine = (await api('/me')).key_id;
      const keys = await api('/admin/keys');
      const sorted = [...keys].sort((a, b) => (a.revoked_at ? 1 : 0) - (b.revoked_at ? 1 : 0)
        || String(b.created_at).localeCompare(String(a.created_at)));
      replace(body, h('table', { class: 'table' },
        h('caption', { class: 'visually-hidden', text: 'API keys' }),
        h('thead', {}, h('tr', {}, ['Key', 'Tenant', 'Role', 'Created', 'State'].map((t) => h('th', { scope: 'col', text: t })),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: 'Actions' })))),
        h('tbody', {}, sorted.map((k) => h('tr', { dataset: { id: k.id } },
          h('td', {}, h('div', { class: 'cell-main' }, h('span', { class: 'kind-icon' }, icon('key')),
            h('div', { class: 'text' }, h('div', {}, k.name || 'unnamed', k.id === mine ? h('span', { class: 'badge plain info you', text: 'this key' }) : null),
              h('div', { class: 'sub mono', text: `${k.prefix}… · ${k.id}` })))),
          h('td', { 'data-label': 'Tenant', text: k.tenant }),
          h('td', { 'data-label': 'Role' }, k.admin ? h('span', { class: 'badge plain info', text: 'admin' }) : 'tenant'),
          h('td', { 'data-label': 'Created', text: ago(k.created_at), title: k.created_at }),
          h('td', { 'data-label': 'State' }, k.revoked_at ? h('span', { class: 'badge failed', text: 'revoked' })
            : h('span', { class: 'badge running', text: 'active' })),
          h('td', { class: 'actions' }, k.revoked_at ? null : h('button', { class: 'btn small danger', type: 'button',
            text: 'Revoke', 'aria-label': `Revoke ${k.name || k.id}`, onclick: () => revoke(k) })))))));
    } catch (e) {
      replace(body, h('div', { class: 'empty' }, h('h2', { text: e.status === 403 ? 'This key may not manage keys' : 'The keys could not be listed' }),
        h('p', { text: e.message })));
    }
  }

  async function revoke(k) {
    const yours = k.id === mine ? ' It is the key you signed in with: you will be signed out.' : '';
    const ok = await confirmDanger('Revoke this key?', `Anything using ${k.name || k.id} (${k.prefix}…) is refused from now on. This cannot be undone.${yours}`, 'Revoke');
    if (!ok) return;
    try {
      await api(`/admin/keys/${seg(k.id)}`, { method: 'DELETE' });
      toast('Key revoked');
    } catch (e) {
      toast(e.message, { error: true });
    }
    load();
  }

  function create() {
    return dialog('key-title', (close) => {
      const tenant = h('input', { type: 'text', id: 'key-tenant', required: true, value: 'default', autocomplete: 'off' });
      const name = h('input', { type: 'text', id: 'key-name', placeholder: 'e.g. research agent', autocomplete: 'off' });
      const admin = h('input', { type: 'checkbox', id: 'key-admin' });
      const error = h('p', { class: 'error-text', role: 'alert', hidden: true });
      const submit = h('button', { class: 'btn primary', type: 'submit', text: 'Create key' });
      const form = h('form', {
        onsubmit: async (e) => {
          e.preventDefault();
          submit.disabled = true;
          error.hidden = true;
          try {
            const created = await api('/admin/keys', { method: 'POST', body: { tenant: tenant.value.trim(), name: name.value.trim(), admin: admin.checked } });
            const field = h('input', { type: 'text', readonly: true, value: created.key, class: 'mono', 'aria-label': 'The new key' });
            replace(form,
              h('h2', { id: 'key-title', text: 'Your new key' }),
              h('div', { class: 'notice warn' }, h('span', { text: 'Copy it now: it is shown only this once.' })),
              h('div', { class: 'secret' }, field, h('button', { class: 'btn', type: 'button', onclick: () => copy(created.key, 'Key copied') }, icon('copy'), 'Copy')),
              h('div', { class: 'dialog-actions' }, h('button', { class: 'btn primary', type: 'button', text: 'Done', onclick: () => close(true) })));
            field.select();
            load();
          } catch (err) {
            error.textContent = err.message;
            error.hidden = false;
            submit.disabled = false;
          }
        },
      },
      h('h2', { id: 'key-title', text: 'New API key' }),
      h('label', { class: 'field', for: 'key-tenant' }, h('span', { text: 'Tenant' }), tenant,
        h('span', { class: 'hint', text: 'The key sees and makes this tenant\'s computers only.' })),
      h('label', { class: 'field', for: 'key-name' }, h('span', { text: 'Name' }), name),
      h('label', { class: 'check', for: 'key-admin' }, admin, h('span', { text: 'Admin: may manage keys' })),
      error,
      h('div', { class: 'dialog-actions' },
        h('button', { class: 'btn', type: 'button', onclick: () => close(), text: 'Cancel' }), submit));
      return form;
    });
  }

  load();
  return { element, title: 'API keys', dispose() {} };
}
