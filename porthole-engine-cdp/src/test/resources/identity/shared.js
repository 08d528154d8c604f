importScripts('probe.js');
onconnect = e => { const port = e.ports[0]; probe().then(r => port.postMessage(r), x => port.postMessage({error: String(x)})); };
