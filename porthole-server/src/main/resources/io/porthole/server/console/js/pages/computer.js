// One computer: its live view, take over and hand back, and the panels around it (tabs, timeline, activity,
// shell, artifacts), with sharing and deleting.

import { api, events, seg, ApiError } from '../api.js';
import { h, icon, replace, toast, confirmDanger, spinner, busyButton } from '../dom.js';
import { ago, until, kindLabel, dateTime, duration } from '../format.js';
import { LiveView, Input, toolsFor } from '../live.js';
import { Control } from '../control.js';
import { go } from '../router.js';
import { timeline, activity, shell, artifacts, tabs } from './panels.js';
import { shareDialog } from './share.js';

const POLL_MS = 5000;

export function computerPage(id) {
  const element = h('div', {}, h('div', { class: 'empty' }, spinner('Loading the computer')));
  const page = { element, title: id, dispose };
  const cleanups = [];
  let disposed = false;
  let computer = null;

  start();
  return page;

  async function start() {
    try {
      computer = await api(`/computers/${seg(id)}`);
    } catch (e) {
      if (disposed) return;
      replace(element, h('div', { class: 'card' }, h('div', { class: 'empty' },
        h('h2', { text: e.status === 404 ? 'No such computer' : 'The computer could not be loaded' }),
        h('p', { text: e.status === 404 ? `There is no computer ${id} in this tenant (it may have ended long ago).` : e.message }),
        h('a', { class: 'btn', href: '#/computers', text: 'All computers' }))));
      return;
    }
    if (!disposed) build();
  }

  function dispose() {
    disposed = true;
    for (const f of cleanups.splice(0)) {
      try {
        f();
      } catch {
        // the rest still cleans up
      }
    }
  }

  function build() {
    const running = () => computer.status === 'running' || computer.status === 'paused';
    const isBrowser = computer.kind === 'browser';

    // ---- header ----
    const statusBadge = h('span', { class: `badge ${computer.status}`, text: computer.status });
    const controlButton = h('button', { class: 'btn primary', type: 'button' });
    const shareButton = h('button', { class: 'btn', type: 'button', onclick: () => shareDialog(id) }, icon('share'), 'Share');
    const deleteButton = h('button', { class: 'btn danger', type: 'button', onclick: remove }, icon('trash'), 'Delete');
    const header = h('div', { class: 'page-head' },
      h('div', { class: 'titles' },
        h('a', { class: 'crumb', href: '#/computers' }, icon('back'), 'Computers'),
        h('div', { class: 'row' }, h('h1', { class: 'mono', text: id }), statusBadge),
        h('p', { text: `${kindLabel(computer)} · ${computer.display.width}×${computer.display.height}` })),
      h('div', { class: 'actions' }, controlButton, shareButton, deleteButton));

    // ---- live view and control ----
    const live = new LiveView(computer, { onEnd: (r) => { if (r.code === 'computer_not_running') refresh(); } });
    cleanups.push(() => live.stop());
    const holderText = h('span', { class: 'holder' });
    const watching = h('span', { class: 'badge plain' });
    const controlTools = h('div', { class: 'control-tools', hidden: true });
    const control = new Control(id, {
      onChange: () => { drawControl(); if (!control.held && control.lost) toast(control.lost); },
      onError: (m) => toast(m, { error: true }),
    });
    cleanups.push(() => control.dispose());
    let input = null;

    /** Runs an action: through the person's control while they hold it, else as the API's own. */
    async function act(action, { quiet = false } = {}) {
      try {
        const r = control.held
          ? await api(`/computers/${seg(id)}/control/input`, { method: 'POST', body: { lease_id: control.lease.lease_id, action } })
          : await api(`/computers/${seg(id)}/execute`, { method: 'POST', body: { action } });
        if (r.status === 'error') {
          if (!quiet) toast(r.error_code === 'human_in_control' ? `${computer.control?.holder || 'Someone'} is in control of this computer`
            : r.error_message || 'The action failed', { error: true });
          return null;
        }
        return r;
      } catch (e) {
        if (!quiet) toast(e.message, { error: true });
        return null;
      }
    }

    controlTools.append(...toolsFor(control));

    async function takeOrHandBack() {
      controlButton.disabled = true;
      try {
        if (control.held) {
          await control.handBack();
          toast('Control handed back to the agents');
        } else if (computer.control && computer.control.holder) {
          // someone else holds it: the owner's key may end their lease first
          const ok = await confirmDanger('End their control?', `${computer.control.holder} is in control. End their control and take it?`, 'Take over');
          if (!ok) return;
          await api(`/computers/${seg(id)}/control`, { method: 'DELETE' });
          await control.take();
        } else {
          await control.take();
          live.screen.focus({ preventScroll: true });
        }
      } catch (e) {
        toast(e instanceof ApiError && e.code === 'control_taken' ? 'Someone else took control first' : e.message, { error: true });
      } finally {
        controlButton.disabled = false;
        refresh();
      }
    }
    controlButton.addEventListener('click', takeOrHandBack);

    function drawControl() {
      const held = control.held;
      const other = !held && computer.control && computer.control.holder;
      replace(controlButton, icon('hand'), held ? 'Hand back' : 'Take over');
      controlButton.classList.toggle('primary', !other);
      controlButton.disabled = !running();
      controlButton.setAttribute('aria-pressed', held ? 'true' : 'false');
      holderText.textContent = held ? 'You are in control' : other ? `Controlled by ${other}` : 'Agents in control';
      controlTools.hidden = !held;
      if (held && !input) input = new Input(live, (a, o) => control.send(a, o), { onLeave: () => controlButton.focus() });
      if (!held && input) {
        input.detach();
        input = null;
      }
      watching.textContent = computer.viewers ? `${computer.viewers} watching` : '';
      watching.hidden = !computer.viewers;
    }

    const urlField = h('input', { type: 'url', id: 'address', placeholder: 'Enter an address', 'aria-label': 'Address',
      autocomplete: 'off', spellcheck: 'false' });
    const urlbar = isBrowser ? h('form', { class: 'urlbar', onsubmit: async (e) => {
      e.preventDefault();
      let url = urlField.value.trim();
      if (!url) return;
      if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) url = 'https://' + url;
      const r = await act({ type: 'navigate', url });
      if (r) tabPanel?.refresh();
    } }, urlField, h('button', { class: 'btn', type: 'submit', text: 'Go' })) : null;

    const screenCard = h('section', { class: 'card screen-card', 'aria-label': 'Screen' },
      urlbar, live.element,
      h('div', { class: 'screen-bar' }, live.badge, watching,
        h('span', { class: 'grow' }), holderText),
      controlTools);

    // ---- panels ----
    const tl = timeline(id);
    cleanups.push(() => tl.dispose());
    const act_ = activity();
    const panels = [
      { name: 'Timeline', make: () => tl },
      { name: 'Activity', make: () => act_ },
      { name: 'Shell', make: () => shell(id) },
    ];
    panels.push({ name: 'Artifacts', make: () => artifacts(id, isBrowser) });
    const panelCard = tabbed(panels);
    cleanups.push(() => panelCard.dispose());

    const tabPanel = isBrowser ? tabs(act) : null;
    tabPanel?.onMainTab((t) => { if (document.activeElement !== urlField) urlField.value = t.url || ''; });

    const facts = h('dl', { class: 'facts' });
    const side = h('div', { class: 'side' },
      isBrowser ? h('section', { class: 'card', 'aria-labelledby': 'tabs-title' },
        h('div', { class: 'card-head' }, h('h2', { id: 'tabs-title', text: 'Tabs' }),
          busyButton({ class: 'btn small ghost', 'aria-label': 'Refresh tabs' }, [icon('refresh')], () => tabPanel.refresh())),
        tabPanel.element) : null,
      h('section', { class: 'card', 'aria-labelledby': 'details-title' },
        h('div', { class: 'card-head' }, h('h2', { id: 'details-title', text: 'Details' })),
        h('div', { class: 'card-body' }, facts)));

    replace(element, header, h('div', { class: 'computer-grid' },
      h('div', { class: 'stack' }, screenCard, panelCard.element), side));

    function drawFacts() {
      const rows = [
        ['Kind', kindLabel(computer)],
        ['Screen', `${computer.display.width}×${computer.display.height}${computer.display.scale !== 1 ? ` @${computer.display.scale}x` : ''}`],
        ['Started', `${dateTime(computer.created_at)} (${ago(computer.created_at)})`],
        ['Idle timeout', computer.idle_timeout_enabled ? `${duration(computer.inactivity_timeout_seconds)}, ends ${until(computer.idle_expires_at)}` : 'off'],
        ['Lifetime', `${duration(computer.max_lifetime_seconds)}, ends ${until(computer.expires_at)}`],
        ['Saves state', computer.persistent ? 'yes, when it ends' : 'no'],
      ];
      // where Playwright or Puppeteer connect (with the API key as a Bearer header)
      if (isBrowser && computer.engine === 'firefox') {
        rows.push(['WebDriver BiDi', h('code', { text: `${location.origin.replace(/^http/, 'ws')}/browser-sandboxes/${id}/bidi` })]);
      } else if (isBrowser && computer.endpoints?.cdp) {
        rows.push(['CDP', h('code', { text: location.origin + computer.endpoints.cdp })]);
      }
      if (computer.terminated_at) rows.push(['Ended', `${dateTime(computer.terminated_at)} (${computer.termination_reason || 'ended'})`]);
      replace(facts, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)]));
    }

    function drawStatus() {
      statusBadge.className = `badge ${computer.status}`;
      statusBadge.textContent = computer.status;
      shareButton.disabled = !running();
      deleteButton.disabled = !running();
      if (urlbar) for (const el of urlbar.elements) el.disabled = !running();
      drawControl();
      drawFacts();
    }

    async function refresh() {
      try {
        computer = await api(`/computers/${seg(id)}`);
      } catch (e) {
        if (e.status === 404) {
          computer = { ...computer, status: 'terminated' };
        } else {
          return;
        }
      }
      if (disposed) return;
      drawStatus();
      if (!running()) {
        live.stop();
        live.setStatus('ended', 'This computer has ended.');
        control.ended(null);
      }
    }

    async function remove() {
      const ok = await confirmDanger('Delete this computer?', `${id} stops at once, with everything running in it.`, 'Delete');
      if (!ok) return;
      try {
        await api(`/computers/${seg(id)}`, { method: 'DELETE' });
        toast(`${id} deleted`);
        go('/computers');
      } catch (e) {
        toast(e.message, { error: true });
      }
    }

    // ---- live events: control, viewers, actions ----
    const eventsAbort = new AbortController();
    cleanups.push(() => eventsAbort.abort());
    (async () => {
      let attempt = 0;
      while (!disposed && running()) {
        try {
          for await (const ev of events(`/computers/${seg(id)}/events`, { signal: eventsAbort.signal })) {
            if (ev.comment !== undefined) continue;
            if (ev.event === 'error') break;
            attempt = 0;
            let e;
            try {
              e = JSON.parse(ev.data);
            } catch {
              continue;
            }
            act_.add(e);
            tl.refreshSoon();
            if (e.type === 'control') {
              control.observe(e);
              refresh();
            } else if (e.type === 'preview') {
              computer.viewers = e.viewers;
              drawControl();
            }
          }
        } catch (e) {
          if (e.name === 'AbortError') return;
        }
        if (disposed) return;
        await refresh();
        attempt++;
        await new Promise((r) => setTimeout(r, Math.min(10000, 1000 * 2 ** Math.min(attempt, 4))));
      }
    })();

    const timer = setInterval(() => { if (!document.hidden) refresh(); }, POLL_MS);
    cleanups.push(() => clearInterval(timer));

    drawStatus();
    if (running()) {
      live.start();
      tabPanel?.refresh();
    } else {
      live.setStatus('ended', 'This computer has ended.');
    }
  }
}

/** A card with an ARIA tab list over panels made when first shown (arrow keys move between the tabs). */
function tabbed(panels) {
  const list = h('div', { class: 'seg', role: 'tablist', 'aria-label': 'Computer panels' });
  const body = h('div', { class: 'panel' });
  const made = new Map();
  const buttons = panels.map((p, i) => h('button', {
    role: 'tab', type: 'button', id: `tab-${p.name.toLowerCase()}`, 'aria-controls': 'panel-body',
    'aria-selected': 'false', tabindex: '-1', text: p.name,
    onclick: () => select(i),
    onkeydown: (e) => {
      const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!d) return;
      e.preventDefault();
      const next = (i + d + panels.length) % panels.length;
      select(next);
      buttons[next].focus();
    },
  }));
  list.append(...buttons);
  body.id = 'panel-body';
  body.setAttribute('role', 'tabpanel');

  function select(i) {
    buttons.forEach((b, j) => {
      b.setAttribute('aria-selected', String(i === j));
      b.tabIndex = i === j ? 0 : -1;
    });
    body.setAttribute('aria-labelledby', buttons[i].id);
    if (!made.has(i)) made.set(i, panels[i].make());
    replace(body, made.get(i).element);
    made.get(i).refresh?.();
  }
  select(0);
  return {
    element: h('section', { class: 'card', 'aria-label': 'Timeline, activity, shell' }, list, body),
    dispose() {
      for (const p of made.values()) p.dispose?.();
    },
  };
}
