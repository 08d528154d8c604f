// A viewer link's page, /view#pv_…: the token comes in the URL fragment (which no request carries), is moved to
// this tab's sessionStorage and taken out of the address bar at once; then the computer's live view, and
// take-over when the link allows control. The token is the only credential here: no API key is read or kept.

import { api, ApiError } from './api.js';
import { h, icon, replace, toast } from './dom.js';
import { until, kindLabel } from './format.js';
import { LiveView, Input, toolsFor } from './live.js';
import { Control } from './control.js';

const TOKEN = 'porthole.viewer-link';
const root = document.getElementById('app');

function takeToken() {
  const fragment = location.hash.slice(1);
  if (fragment.startsWith('pv_')) {
    sessionStorage.setItem(TOKEN, fragment);
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem(TOKEN);
}

function frame(...content) {
  replace(root,
    h('header', { class: 'topbar' },
      h('span', { class: 'brand' }, h('img', { src: '/console/favicon.svg', alt: '' }), h('span', { text: 'Porthole' })),
      h('span', { class: 'spacer' })),
    h('main', { id: 'main', class: 'viewer-main' }, ...content));
}

function problem(title, text) {
  frame(h('div', { class: 'card' }, h('div', { class: 'empty' }, h('h1', { text: title }), h('p', { text }))));
  document.title = `${title} · Porthole`;
}

async function main() {
  const token = takeToken();
  if (!token) {
    problem('No link', 'Open the whole viewer link you were given: its secret part comes after the # sign.');
    return;
  }
  let info;
  try {
    info = await api('/viewer', { token });
  } catch (e) {
    sessionStorage.removeItem(TOKEN);
    problem('This link does not work', e instanceof ApiError && e.status === 401
      ? 'It has expired or been revoked. Ask whoever shared it for a new one.' : e.message);
    return;
  }
  const canControl = info.mode === 'control';
  const computer = { id: info.computer_id, ...info.computer };
  const expires = h('span', { class: 'muted' });
  const live = new LiveView(computer, { token, onEnd: (r) => {
    if (r.code === 'viewer_link_revoked' || r.code === 'viewer_link_expired') sessionStorage.removeItem(TOKEN);
    control?.ended(null);
    drawControl();
  } });
  const holder = h('span', { class: 'holder' });
  const tools = h('div', { class: 'control-tools', hidden: true });
  const button = h('button', { class: 'btn primary', type: 'button', hidden: !canControl });
  let input = null;
  const control = canControl ? new Control(computer.id, {
    token,
    onChange: () => { drawControl(); if (!control.held && control.lost) toast(control.lost); },
    onError: (m) => toast(m, { error: true }),
  }) : null;
  if (control) tools.append(...toolsFor(control));

  function drawControl() {
    const held = control?.held;
    replace(button, icon('hand'), held ? 'Hand back' : 'Take over');
    holder.textContent = held ? 'You are in control' : canControl ? 'Watching' : 'Watching (read-only link)';
    tools.hidden = !held;
    if (held && !input) input = new Input(live, (a, o) => control.send(a, o), { onLeave: () => button.focus() });
    if (!held && input) {
      input.detach();
      input = null;
    }
    button.disabled = live.stopped;
  }
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      if (control.held) await control.handBack();
      else {
        await control.take();
        live.screen.focus({ preventScroll: true });
      }
    } catch (e) {
      toast(e instanceof ApiError && e.code === 'control_taken' ? 'Someone else is in control right now' : e.message, { error: true });
    } finally {
      button.disabled = false;
      drawControl();
    }
  });

  const tick = () => { expires.textContent = `Link expires ${until(info.expires_at)}`; };
  tick();
  setInterval(tick, 15000);

  frame(
    h('div', { class: 'page-head' },
      h('div', { class: 'titles' },
        h('div', { class: 'row' }, h('h1', { text: 'Shared computer' }),
          h('span', { class: 'badge plain ' + (canControl ? 'info' : ''), text: canControl ? 'can control' : 'watch only' })),
        h('p', { text: `${kindLabel(computer)} · ${computer.display.width}×${computer.display.height}` })),
      h('div', { class: 'actions' }, button)),
    h('section', { class: 'card screen-card', 'aria-label': 'Screen' }, live.element,
      h('div', { class: 'screen-bar' }, live.badge, expires,
        h('span', { class: 'grow' }), holder), tools));
  document.title = 'Shared computer · Porthole';
  drawControl();
  live.start();
}

main();
