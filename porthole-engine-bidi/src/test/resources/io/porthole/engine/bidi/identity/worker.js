// One script for every kind of worker: each answers what it sees of the zone, the locale and the languages.
function info() {
  const o = Intl.DateTimeFormat().resolvedOptions();
  return {timezone: o.timeZone, winterOffset: new Date(2024, 0, 15).getTimezoneOffset(), locale: o.locale,
          languages: navigator.languages};
}
if (typeof DedicatedWorkerGlobalScope !== 'undefined' && self instanceof DedicatedWorkerGlobalScope) postMessage(info());
self.onconnect = e => e.ports[0].postMessage(info());
self.onmessage = e => { if (e.ports && e.ports[0]) e.ports[0].postMessage(info()); };
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', e => e.waitUntil(self.clients.claim()));
