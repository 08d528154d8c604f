importScripts('probe.js');
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', e => e.waitUntil(clients.claim()));
self.addEventListener('message', e => { probe().then(r => e.source.postMessage(r), x => e.source.postMessage({error: String(x)})); });
