// The getters and methods a stealth patch might touch, checked as a detector would (stealth.html and
// stealth-metrics.html load this first in <head>, to check at document start as well as later): toString says native
// code and names the function; the same function from a fresh realm prints the same (through that realm's own
// Function.prototype.toString) and has the same descriptor shape; called on a wrong receiver it throws a TypeError
// like the fresh realm's twin does, with no more stack frames than the twin's.
(function () {
  const NATIVES = [
    ['window', 'outerWidth'], ['window', 'outerHeight'], ['window', 'innerWidth'], ['window', 'innerHeight'],
    ['window', 'screenX'], ['window', 'screenY'], ['window', 'devicePixelRatio'], ['window', 'screen'],
    ['screen', 'width'], ['screen', 'height'], ['screen', 'availWidth'], ['screen', 'availHeight'],
    ['screen', 'availLeft'], ['screen', 'availTop'], ['screen', 'colorDepth'], ['screen', 'pixelDepth'],
    ['navigator', 'userAgent'], ['navigator', 'appVersion'], ['navigator', 'platform'], ['navigator', 'language'],
    ['navigator', 'languages'], ['navigator', 'hardwareConcurrency'], ['navigator', 'deviceMemory'],
    ['navigator', 'webdriver'], ['navigator', 'plugins'], ['navigator', 'mimeTypes'], ['navigator', 'userAgentData'],
    ['navigator', 'onLine'], ['navigator', 'maxTouchPoints'], ['navigator', 'vendor'], ['navigator', 'connection'],
    ['Function.prototype', 'toString'], ['Document.prototype', 'hasFocus'], ['window', 'matchMedia'],
    ['Intl.DateTimeFormat.prototype', 'resolvedOptions'], ['Date.prototype', 'getTimezoneOffset'],
    ['WebGLRenderingContext.prototype', 'getParameter'],
  ];

  function holder(win, path) {
    return path.split('.').reduce((o, k) => (k === 'window' ? o : o == null ? o : o[k]), win);
  }

  function lookUp(win, path, name) {
    for (let o = holder(win, path); o != null; o = Object.getPrototypeOf(o)) {
      const d = Object.getOwnPropertyDescriptor(o, name);
      if (d) return {d, fn: d.get || d.value, getter: !!d.get};
    }
    return null;
  }

  function frames(stack) {
    // V8 puts the message first and "    at ..." frames after it; SpiderMonkey lists "fn@url:line:col" frames only
    return String(stack || '').split('\n').filter((l) => /^\s+at |@/.test(l));
  }

  // the receiver is a plain object of the function's own realm, so that messages compare across realms
  function throwOnWrongReceiver(fn, getter, receiver) {
    try {
      if (getter) fn.call(receiver); else fn.call(receiver, '(min-width: 1px)');
      return {threw: false};
    } catch (e) {
      return {threw: true, type: e && e.constructor && e.constructor.name, message: String(e && e.message),
        frames: frames(e && e.stack), stack: String(e && e.stack)};
    }
  }

  window.stealthNatives = function (fresh) {
    const toString = Function.prototype.toString;
    const freshToString = fresh.Function.prototype.toString;
    const baseline = throwOnWrongReceiver(Object.getOwnPropertyDescriptor(Node.prototype, 'nodeName').get, true, {});
    const found = {};
    for (const [path, name] of NATIVES) {
      const key = path + '.' + name;
      const here = lookUp(window, path, name);
      if (!here || typeof here.fn !== 'function') {
        found[key] = {present: false};
        continue;
      }
      const there = lookUp(fresh, path, name);
      const r = {present: true, getter: here.getter, toString: toString.call(here.fn)};
      r.freshToStringOfThis = freshToString.call(here.fn);
      r.freshToStringOfFresh = there && typeof there.fn === 'function' ? freshToString.call(there.fn) : null;
      r.shapeMatchesFresh = !!there && there.getter === here.getter && there.d.enumerable === here.d.enumerable
        && there.d.configurable === here.d.configurable && typeof there.d.set === typeof here.d.set
        && here.fn.length === there.fn.length && here.fn.name === there.fn.name && !('prototype' in here.fn);
      r.name = here.fn.name;
      r.wrongReceiver = throwOnWrongReceiver(here.fn, here.getter, {});
      r.freshWrongReceiver = there ? throwOnWrongReceiver(there.fn, there.getter, new fresh.Object()) : null;
      r.baselineFrames = baseline.frames.length;
      found[key] = r;
    }
    return found;
  };
})();
