// Saved environments (a browser's profile, restored by a later computer's environment_id): list and delete.

import { api, seg } from '../api.js';
import { h, icon, replace, confirmDanger, toast, spinner, copy } from '../dom.js';
import { ago, bytes } from '../format.js';

export function environmentsPage() {
  const body = h('div', { class: 'card' }, h('div', { class: 'empty' }, spinner('Loading environments')));
  const element = h('div', {},
    h('div', { class: 'page-head' },
      h('div', { class: 'titles' }, h('h1', { text: 'Environments' }),
        h('p', {}, 'Saved browser state (cookies, storage, the profile), encrypted at rest. A computer created with ',
          h('code', { text: 'persistent: true' }), ' saves one when it ends; pass its id as ',
          h('code', { text: 'environment_id' }), ' to start from it.'))),
    body);

  async function load() {
    try {
      const { items } = await api('/environments');
      if (!items.length) {
        replace(body, h('div', { class: 'empty' }, h('h2', { text: 'No saved environments' }),
          h('p', { text: 'They appear here when a persistent computer ends.' })));
        return;
      }
      replace(body, h('table', { class: 'table' },
        h('caption', { class: 'visually-hidden', text: 'Environments' }),
        h('thead', {}, h('tr', {}, ['Environment', 'Engine', 'Size', 'Saved'].map((t) => h('th', { scope: 'col', text: t })),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: 'Actions' })))),
        h('tbody', {}, items.map((e) => h('tr', { dataset: { id: e.id } },
          h('td', {}, h('div', { class: 'cell-main' }, h('span', { class: 'kind-icon' }, icon('layers')),
            h('span', { class: 'mono', text: e.id }))),
          h('td', { 'data-label': 'Engine', text: e.engine }),
          h('td', { 'data-label': 'Size', text: bytes(e.size) }),
          h('td', { 'data-label': 'Saved', text: ago(e.updatedAt), title: e.updatedAt }),
          h('td', { class: 'actions' },
            h('button', { class: 'btn small', type: 'button', 'aria-label': `Copy the id ${e.id}`, onclick: () => copy(e.id, 'Id copied') },
              icon('copy'), 'Copy id'),
            h('button', { class: 'btn small danger', type: 'button', 'aria-label': `Delete ${e.id}`, onclick: () => remove(e) },
              icon('trash'))))))));
    } catch (e) {
      replace(body, h('div', { class: 'empty' }, h('h2', { text: 'The environments could not be listed' }), h('p', { text: e.message })));
    }
  }

  async function remove(e) {
    const ok = await confirmDanger('Delete this environment?', `${e.id} and its saved state are removed for good.`, 'Delete');
    if (!ok) return;
    try {
      await api(`/environments/${seg(e.id)}`, { method: 'DELETE' });
      toast('Environment deleted');
    } catch (err) {
      toast(err.message, { error: true });
    }
    load();
  }

  load();
  return { element, title: 'Environments', dispose() {} };
}
