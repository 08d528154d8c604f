// What one JavaScript context shows of the browser's identity, for the stealth battery (stealth.html). The same
// file runs as a classic script in the page (which then reads its iframes' realms through stealthCollect(win)), as
// a dedicated worker, as a shared worker and as a service worker; a worker answers its first message (a service
// worker on the message's port) with its findings. Every context also fetches /echo-headers?ctx=<name>, which the
// page server answers with the request's headers, so the headers each context sends are part of what it shows.
(function () {
  const origin = self.location.origin;

  // a canvas holds one kind of context: newCanvas() gives a fresh one for each kind
  function webglInfo(newCanvas) {
    const out = {};
    for (const kind of ['webgl', 'webgl2']) {
      let gl = null;
      try {
        gl = newCanvas().getContext(kind);
      } catch (e) {
        out[kind] = {error: String(e)};
        continue;
      }
      if (!gl) {
        out[kind] = null;
        continue;
      }
      const info = {vendor: gl.getParameter(gl.VENDOR), renderer: gl.getParameter(gl.RENDERER)};
      const debug = gl.getExtension('WEBGL_debug_renderer_info');
      if (debug) {
        info.unmaskedVendor = gl.getParameter(debug.UNMASKED_VENDOR_WEBGL);
        info.unmaskedRenderer = gl.getParameter(debug.UNMASKED_RENDERER_WEBGL);
      }
      out[kind] = info;
    }
    return out;
  }

  async function collect(g, ctx) {
    const n = g.navigator;
    const r = {ctx};
    r.userAgent = n.userAgent;
    r.appVersion = n.appVersion;
    r.platform = n.platform;
    r.language = n.language;
    r.languages = Array.from(n.languages || []);
    r.hardwareConcurrency = n.hardwareConcurrency;
    r.deviceMemory = 'deviceMemory' in n ? n.deviceMemory : null;
    r.onLine = n.onLine;
    r.webdriver = 'webdriver' in n ? n.webdriver : null;
    const uad = n.userAgentData;
    if (uad) {
      r.brands = uad.brands.map((b) => b.brand + '/' + b.version);
      r.mobile = uad.mobile;
      r.uaPlatform = uad.platform;
      try {
        const h = await uad.getHighEntropyValues(['architecture', 'bitness', 'fullVersionList', 'platformVersion',
          'model', 'formFactors', 'wow64']);
        r.highEntropy = {
          architecture: h.architecture, bitness: h.bitness, platformVersion: h.platformVersion, model: h.model,
          wow64: h.wow64, formFactors: h.formFactors === undefined ? null : Array.from(h.formFactors),
          fullVersionList: (h.fullVersionList || []).map((b) => b.brand + '/' + b.version),
        };
      } catch (e) {
        r.highEntropy = {error: String(e)};
      }
    }
    const o = new g.Intl.DateTimeFormat().resolvedOptions();
    r.timeZone = o.timeZone;
    r.locale = o.locale;
    r.offsetJanuary = new g.Date(2026, 0, 1).getTimezoneOffset();
    r.offsetJuly = new g.Date(2026, 6, 1).getTimezoneOffset();
    try {
      const res = await g.fetch(origin + '/echo-headers?ctx=' + ctx, {cache: 'no-store'});
      r.headers = await res.json();
    } catch (e) {
      r.headers = {error: String(e)};
    }
    return r;
  }

  self.stealthCollect = collect;
  self.stealthWebgl = webglInfo;
  if (typeof WorkerGlobalScope === 'undefined' || !(self instanceof WorkerGlobalScope)) return;

  const fail = (ctx) => (e) => ({ctx, error: String(e && e.stack || e)});
  if (typeof ServiceWorkerGlobalScope !== 'undefined' && self instanceof ServiceWorkerGlobalScope) {
    self.addEventListener('install', () => self.skipWaiting());
    self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
    self.addEventListener('message', (e) => {
      e.waitUntil(collect(self, 'serviceworker').catch(fail('serviceworker')).then((r) => e.ports[0].postMessage(r)));
    });
  } else if (typeof SharedWorkerGlobalScope !== 'undefined' && self instanceof SharedWorkerGlobalScope) {
    self.addEventListener('connect', (e) => {
      const port = e.ports[0];
      collect(self, 'sharedworker').catch(fail('sharedworker')).then((r) => port.postMessage(r));
    });
  } else {
    self.addEventListener('message', () => {
      collect(self, 'worker').then((r) => {
        try {
          r.webgl = typeof OffscreenCanvas === 'undefined' ? null : webglInfo(() => new OffscreenCanvas(16, 16));
        } catch (e) {
          r.webgl = {error: String(e)};
        }
        return r;
      }).catch(fail('worker')).then((r) => self.postMessage(r));
    });
  }
})();
