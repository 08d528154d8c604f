// The panels of a computer's page: timeline (replay events), activity (live events), shell (exec), artifacts,
// tabs. Each returns {element, …} and cleans up in dispose().

import { api, ndjson, seg, bytes as fromBase64 } from '../api.js';
import { h, icon, replace, toast, busyButton, spinner } from '../dom.js';
import { clock, bytes, ago } from '../format.js';

const PAGE = 50;

/** What an event's data says, in a few words: its simple fields, the interesting ones first. */
function summary(data) {
  if (!data || typeof data !== 'object') return '';
  const first = ['url', 'holder', 'reason', 'viewer', 'viewers', 'protocol', 'name', 'type', 'status', 'error'];
  const keys = Object.keys(data).sort((a, b) => {
    const ia = first.indexOf(a);
    const ib = first.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  });
  const parts = [];
  for (const k of keys) {
    const v = data[k];
    // ids of tabs and the lease's end say little to a person reading the timeline
    if (v === null || typeof v === 'object' || k === 'tabId' || k === 'expiresAt') continue;
    parts.push(k === 'url' ? String(v) : `${k}: ${v}`);
    if (parts.length === 4) break;
  }
  return parts.join(' · ');
}

/** The replay-event log, newest first, a page at a time; refresh() reloads the first page. */
export function timeline(computerId) {
  const list = h('ol', { class: 'timeline', 'aria-label': 'Replay events, newest first' });
  const more = h('div', { class: 'more', hidden: true });
  const element = h('div', {}, list, more);
  let cursor = null;
  let loading = false;

  function item(e) {
    return h('li', { dataset: { category: e.category, type: e.type } },
      h('time', { datetime: e.at, title: e.at, text: clock(e.at) }),
      h('div', { class: 'what' },
        h('span', { class: 'cat', text: e.category }), h('span', { text: e.type.replaceAll('_', ' ') }),
        summary(e.data) ? h('div', { class: 'detail', text: summary(e.data) }) : null));
  }

  async function load(reset) {
    if (loading) return;
    loading = true;
    try {
      const q = `limit=${PAGE}` + (!reset && cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
      const page = await api(`/computers/${seg(computerId)}/replay-events?${q}`);
      if (reset) list.replaceChildren();
      list.append(...page.items.map(item));
      if (!list.children.length) list.append(h('li', { class: 'muted' }, h('span'), h('span', { text: 'Nothing yet.' })));
      cursor = page.nextCursor;
      replace(more, busyButton({ class: 'btn small' }, 'Load older events', () => load(false)));
      more.hidden = !cursor;
    } catch (e) {
      if (reset) replace(list, h('li', {}, h('span'), h('span', { class: 'error-text', text: e.message })));
    } finally {
      loading = false;
    }
  }

  load(true);
  let timer = null;
  return {
    element,
    refresh: () => load(true),
    /** Reloads soon, once, however many events arrive meanwhile. */
    refreshSoon() {
      if (timer) return;
      timer = setTimeout(() => { timer = null; load(true); }, 1200);
    },
    dispose() {
      clearTimeout(timer);
    },
  };
}

/** The live events (actions of agents and of the console, command output, control, viewers), newest first. */
export function activity() {
  const list = h('ol', { class: 'timeline activity', 'aria-label': 'Live activity, newest first', 'aria-live': 'off' });
  const empty = h('li', { class: 'muted' }, h('span'), h('span', { text: 'Actions appear here as agents and people act.' }));
  list.append(empty);

  function describe(e) {
    switch (e.type) {
      case 'action_request': {
        const a = e.action || {};
        const where = a.x !== undefined && a.y !== undefined ? ` at ${a.x}, ${a.y}` : '';
        const what = a.url ? ` ${a.url}` : a.text !== undefined ? ` “${String(a.text).slice(0, 40)}”` : a.keys ? ` ${[].concat(a.keys).join('+')}` : '';
        return [`${e.source || 'api'}`, `${a.type || 'action'}${where}${what}`];
      }
      case 'action_response':
        return ['result', e.status === 'error' ? `${e.error_code || 'error'}: ${e.error_message || ''}` : (e.status || 'done')];
      case 'command_output': {
        let text = '';
        try {
          text = new TextDecoder().decode(fromBase64(e.data || ''));
        } catch {
          text = '';
        }
        return [e.is_stderr ? 'stderr' : 'stdout', text.slice(0, 200)];
      }
      case 'control':
        return ['control', `${e.event} by ${e.holder}${e.reason ? ` (${e.reason})` : ''}`];
      case 'preview':
        return ['viewers', `${e.event === 'viewer_joined' ? 'someone joined' : 'someone left'} · ${e.viewers} watching`];
      default:
        return [e.type || 'event', ''];
    }
  }

  return {
    element: list,
    add(e) {
      empty.remove();
      const [cat, text] = describe(e);
      list.prepend(h('li', { dataset: { type: e.type || '' } },
        h('time', { text: clock(Date.now()) }),
        h('div', { class: 'what' }, h('span', { class: 'cat', text: cat }), h('span', { text }))));
      while (list.children.length > 200) list.lastChild.remove();
    },
  };
}

/** A shell: runs a command in the computer (POST /exec), its output as it comes. */
export function shell(computerId) {
  const input = h('input', { type: 'text', id: 'shell-command', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'ls -la ~', 'aria-label': 'Command' });
  const out = h('pre', { class: 'terminal', 'aria-live': 'polite', tabindex: '0', 'aria-label': 'Command output' });
  const run = h('button', { class: 'btn primary', type: 'submit', text: 'Run' });
  const stop = h('button', { class: 'btn', type: 'button', text: 'Stop', hidden: true });
  let abort = null;
  const history = [];
  let back = 0;

  const write = (text, cls) => {
    out.append(cls ? h('span', { class: cls, text }) : document.createTextNode(text));
    out.scrollTop = out.scrollHeight;
  };

  const form = h('form', {
    class: 'shell-form',
    onsubmit: async (e) => {
      e.preventDefault();
      const command = input.value.trim();
      if (!command || abort) return;
      history.push(command);
      back = 0;
      input.value = '';
      write(`$ ${command}\n`, 'sys');
      abort = new AbortController();
      run.hidden = true;
      stop.hidden = false;
      try {
        for await (const line of ndjson(`/computers/${seg(computerId)}/exec`, { body: { command }, signal: abort.signal })) {
          if (line.type === 'stdout') write(line.data || '');
          else if (line.type === 'stderr') write(line.data || '', 'err');
          else if (line.type === 'exit') write(`[exit ${line.code}]\n`, 'sys');
          else if (line.type === 'error') write(`[${line.code}] ${line.message}\n`, 'err');
        }
      } catch (err) {
        write(err.name === 'AbortError' ? '[stopped]\n' : `${err.message}\n`, 'err');
      } finally {
        abort = null;
        run.hidden = false;
        stop.hidden = true;
        input.focus();
      }
    },
  }, input, run, stop);
  stop.addEventListener('click', () => abort?.abort());
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowUp' && history.length) {
      back = Math.min(history.length, back + 1);
      input.value = history[history.length - back];
      e.preventDefault();
    } else if (e.key === 'ArrowDown' && back > 0) {
      back--;
      input.value = back ? history[history.length - back] : '';
      e.preventDefault();
    }
  });
  write('Commands run inside the computer\'s sandbox, as its user.\n', 'sys');
  return { element: h('div', {}, form, out), dispose: () => abort?.abort() };
}

/**
 * A computer's artifacts: list, download (fetched with the key, then saved from a blob); on a browser, a
 * screenshot now.
 */
export function artifacts(computerId, isBrowser) {
  const base = `/computers/${seg(computerId)}/artifacts`;
  const list = h('ul', { class: 'list-plain', 'aria-label': 'Artifacts' });
  const element = h('div', {},
    h('div', { class: 'panel-pad row' },
      h('p', { class: 'muted grow', text: isBrowser
        ? 'Files this browser stored: screenshots, PDFs, HAR and video recordings, uploads.'
        : 'Files this desktop stored: its video recording.' }),
      isBrowser ? busyButton({ class: 'btn small' }, [icon('camera'), 'Save a screenshot'], async () => {
        try {
          await api(`/browser-sandboxes/${seg(computerId)}/artifacts/screenshot`, { method: 'POST', body: {} });
          await load();
        } catch (e) {
          toast(e.message, { error: true });
        }
      }) : null),
    list);

  async function download(a) {
    try {
      const res = await api(`${base}/${seg(a.id)}`, { raw: true });
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const link = h('a', { href: url, download: a.name || a.id, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      toast(e.message, { error: true });
    }
  }

  async function load() {
    try {
      const { items } = await api(base);
      if (!items.length) {
        replace(list, h('li', { class: 'muted', text: 'No artifacts yet.' }));
        return;
      }
      replace(list, items.map((a) => h('li', { dataset: { id: a.id } },
        h('div', { class: 'text' },
          h('div', { text: a.name || a.id }),
          h('div', { class: 'muted', text: `${a.type} · ${bytes(a.size)} · ${ago(a.createdAt)}` })),
        h('button', { class: 'btn small', type: 'button', onclick: () => download(a), 'aria-label': `Download ${a.name || a.id}` },
          icon('download'), 'Download'))));
    } catch (e) {
      replace(list, h('li', { class: 'error-text', text: e.message }));
    }
  }
  replace(list, h('li', {}, spinner('Loading')));
  load();
  return { element, refresh: load, dispose() {} };
}

/**
 * A browser's tabs: list, switch, close, open. act(action) runs an action (through the person's control when
 * they hold it) and returns its ActionResult.
 */
export function tabs(act) {
  const list = h('ul', { class: 'tabs-list', 'aria-label': 'Tabs' });
  const url = h('input', { type: 'url', id: 'new-tab-url', placeholder: 'https://example.com', 'aria-label': 'Address for a new tab' });
  const element = h('div', {},
    list,
    h('form', {
      class: 'panel-pad row',
      onsubmit: async (e) => {
        e.preventDefault();
        const r = await act({ type: 'new_tab', url: url.value.trim() || undefined });
        if (r) url.value = '';
        load();
      },
    }, url, h('button', { class: 'btn', type: 'submit' }, icon('plus'), 'Open tab')));
  let onMain = () => {};

  async function load() {
    const r = await act({ type: 'list_tabs' }, { quiet: true });
    const items = r?.result?.tabs || [];
    const main = items.find((t) => t.is_main_tab) || items[0];
    if (main) onMain(main);
    replace(list, items.length ? items.map((t) => h('li', { class: t.is_main_tab ? 'main' : '', dataset: { id: t.tab_id } },
      h('div', { class: 'text' },
        h('div', { class: 'title', text: t.title || 'Untitled' }),
        h('div', { class: 'url', text: t.url || '' })),
      t.is_main_tab ? null : h('button', { class: 'btn small', type: 'button', text: 'Switch', 'aria-label': `Switch to ${t.title || t.url}`,
        onclick: async () => { await act({ type: 'switch_tab', tab_id: t.tab_id }); load(); } }),
      items.length > 1 ? h('button', { class: 'btn small ghost', type: 'button', 'aria-label': `Close ${t.title || t.url}`,
        onclick: async () => { await act({ type: 'close_tab', tab_id: t.tab_id }); load(); } }, '✕') : null))
      : h('li', { class: 'muted', text: r ? 'No tabs.' : 'The tabs could not be listed.' }));
  }
  return {
    element,
    refresh: load,
    /** Called with the main tab whenever the list is read (the address bar shows its URL). */
    onMainTab(f) {
      onMain = f;
    },
    dispose() {},
  };
}
