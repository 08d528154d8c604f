importScripts('probe.js');
probe().then(r => postMessage(r), e => postMessage({error: String(e)}));
