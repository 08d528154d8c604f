// The console: sign-in, the frame around every page, and the routes (in the URL fragment, #/…, so no console
// address is ever an API path).

import { api, session, whenUnauthorized, ApiError } from './api.js';
import { h, icon, replace, toast } from './dom.js';
import { computersPage } from './pages/computers.js';
import { computerPage } from './pages/computer.js';
import { environmentsPage } from './pages/environments.js';
import { keysPage } from './pages/keys.js';
import { route as path } from './router.js';

const root = document.getElementById('app');
let current = null; // the page shown: {dispose()}
let admin = null; // whether the key may manage keys (null: not known yet)

const routes = [
  { pattern: /^\/computers\/([^/]+)$/, nav: 'computers', page: (m) => computerPage(decodeURIComponent(m[1])) },
  { pattern: /^\/computers$/, nav: 'computers', page: () => computersPage() },
  { pattern: /^\/environments$/, nav: 'environments', page: () => environmentsPage() },
  { pattern: /^\/keys$/, nav: 'keys', page: () => keysPage() },
];

function signInPage() {
  const input = h('input', { type: 'password', id: 'key', name: 'key', autocomplete: 'off', spellcheck: 'false',
    required: true, class: 'mono', 'aria-describedby': 'key-hint' });
  const error = h('p', { class: 'error-text', role: 'alert', hidden: true });
  const button = h('button', { class: 'btn primary', type: 'submit', text: 'Sign in' });
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      const key = input.value.trim();
      if (!key) return;
      button.disabled = true;
      error.hidden = true;
      try {
        if (key.startsWith('pv_')) throw new ApiError(400, 'viewer_link', 'This is a viewer link\'s token: open the link itself.');
        // the key goes in a header, and only into this tab's sessionStorage
        const me = await api('/me', { token: key });
        session.signIn(key);
        admin = me.admin === true;
        render();
      } catch (err) {
        error.textContent = err.status === 401 ? 'This key is not valid (unknown or revoked).' : err.message;
        error.hidden = false;
        input.focus();
      } finally {
        button.disabled = false;
      }
    },
  },
  h('label', { class: 'field', for: 'key' }, h('span', { text: 'API key' }), input,
    h('span', { class: 'hint', id: 'key-hint', text: 'Kept in this tab only, until you sign out or close it.' })),
  error, button);
  replace(root, h('div', { class: 'signin' }, h('div', { class: 'card' },
    h('div', { class: 'brand' }, h('img', { src: '/console/favicon.svg', alt: '' }), h('span', { text: 'Porthole' })),
    h('p', { class: 'lead', text: 'Sandboxed browsers and desktops for your agents.' }),
    form,
    h('p', { class: 'foot' }, 'script/server printed where the key is; by default ',
      h('code', { text: 'cat ~/.local/share/porthole/api-key' }), '.'))));
  document.title = 'Sign in · Porthole';
  input.focus();
}

function shell(nav) {
  const link = (route, label, name) => h('a', { href: '#' + route, text: label,
    'aria-current': nav === name ? 'page' : null });
  const keysLink = link('/keys', 'API keys', 'keys');
  keysLink.hidden = admin !== true;
  const main = h('main', { id: 'main', tabindex: '-1' });
  replace(root,
    h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); main.focus(); }, text: 'Skip to content' }),
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: '#/computers' }, h('img', { src: '/console/favicon.svg', alt: '' }), h('span', { text: 'Porthole' })),
      h('nav', { class: 'nav', 'aria-label': 'Main' }, link('/computers', 'Computers', 'computers'),
        link('/environments', 'Environments', 'environments'), keysLink),
      h('button', { class: 'btn ghost small', type: 'button', onclick: signOut, title: 'Sign out' },
        icon('signout'), h('span', { class: 'signout-label', text: 'Sign out' }))),
    main);
  if (admin === null) {
    // signed in earlier in this tab: ask again whether the key may manage keys
    api('/me').then((me) => { admin = me.admin === true; keysLink.hidden = !admin; }, () => {});
  }
  return main;
}

function signOut() {
  current?.dispose?.();
  current = null;
  session.signOut();
  admin = null;
  if (location.hash) history.replaceState(null, '', location.pathname);
  render();
}

function render() {
  current?.dispose?.();
  current = null;
  if (!session.key) {
    signInPage();
    return;
  }
  const p = path();
  const route = routes.find((r) => r.pattern.test(p));
  if (!route) {
    location.replace('#/computers');
    return;
  }
  const main = shell(route.nav);
  current = route.page(p.match(route.pattern));
  main.append(current.element);
  document.title = `${current.title} · Porthole`;
  // the element that had focus is gone with the old page: start the new one's reading at its content
  if (!document.activeElement || document.activeElement === document.body) main.focus({ preventScroll: true });
}

whenUnauthorized(() => {
  if (!session.key) return;
  session.signOut();
  toast('Your key is no longer valid; sign in again.', { error: true });
  render();
});

window.addEventListener('hashchange', () => {
  if (location.hash.startsWith('#/') || location.hash === '') render();
});
window.addEventListener('unhandledrejection', (e) => {
  // an action's failure the page did not handle: say it, rather than leave only a console error
  if (e.reason instanceof ApiError) {
    e.preventDefault();
    toast(e.reason.message, { error: true });
  }
});
render();
