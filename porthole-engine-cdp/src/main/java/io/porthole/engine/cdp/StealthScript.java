package io.porthole.engine.cdp;

/**
 * The one script Porthole's headless Chromium runs before every document of its tabs
 * ({@code Page.addScriptToEvaluateOnNewDocument}); everything else a page sees is native (launch flags, see
 * {@link WindowMetrics}). It does nothing where the browser already has its window's size.
 *
 * <p>A document that starts in a new renderer can run before the browser has told that renderer its window's
 * place on the screen: {@code outerWidth}, {@code outerHeight}, {@code screenX} and {@code screenY} read 0 for a
 * few milliseconds (Chromium 156, headless; about one new document in two here, from Page.navigate and from links
 * alike; no launch flag changed it). Only then, the two outer getters answer the viewport's size plus the window's
 * chrome; and as soon as the real size arrives (the first read that finds it, or the next animation frame) the
 * browser's own getters are put back, so a page that inspects them after its first frame finds them native
 * (Function.prototype.toString, another realm's getter, a wrong receiver). Kept in docs/adr/0035-native-stealth.md
 * as a remaining tell: a script at the very top of a document may see the wrapper.
 */
final class StealthScript {
    private StealthScript() {}

    static final String SOURCE = """
            (() => {
              if (window.outerWidth !== 0 || window.outerHeight !== 0) return;
              const own = {};
              const restore = () => {
                for (const k of Object.keys(own)) Object.defineProperty(window, k, own[k]);
                for (const k of Object.keys(own)) delete own[k];
              };
              for (const [outer, inner, extra] of [['outerWidth', 'innerWidth', 0], ['outerHeight', 'innerHeight', %d]]) {
                const d = Object.getOwnPropertyDescriptor(window, outer);
                if (!d || !d.get || !d.configurable) continue;
                own[outer] = d;
                const get = d.get;
                Object.defineProperty(window, outer, {get: new Proxy(get, {apply(g, self, args) {
                  const v = Reflect.apply(g, self, args);
                  if (v !== 0) { restore(); return v; }
                  return self[inner] + extra;
                }}), set: d.set, enumerable: d.enumerable, configurable: true});
              }
              const watch = () => {
                if (!Object.keys(own).length) return;
                if (Reflect.apply(own.outerWidth ? own.outerWidth.get : own.outerHeight.get, window, []) !== 0) restore();
                else requestAnimationFrame(watch);
              };
              requestAnimationFrame(watch);
            })();
            """.formatted(WindowMetrics.CHROME_HEIGHT);
}
