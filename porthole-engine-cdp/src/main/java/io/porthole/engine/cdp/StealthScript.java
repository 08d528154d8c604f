package io.porthole.engine.cdp;

/**
 * The script Porthole's headless Chromium runs before every document of its tabs
 * ({@code Page.addScriptToEvaluateOnNewDocument}): as small as it can be, and doing nothing where the browser
 * already looks like a desktop one.
 *
 * <p>A page that replaces the renderer of a tab (a navigation to another site) can start before the renderer has
 * heard of its window's size, and reads {@code outerWidth}/{@code outerHeight} 0 for a while: a classic
 * headless tell. In that case the getters answer the viewport's size (what the window has, with no browser UI
 * around it) until the real values arrive.
 */
final class StealthScript {
    private StealthScript() {}

    static final String SOURCE = """
            (() => {
              if (window.outerWidth !== 0 || window.outerHeight !== 0) return;
              for (const [outer, inner] of [['outerWidth', 'innerWidth'], ['outerHeight', 'innerHeight']]) {
                const d = Object.getOwnPropertyDescriptor(window, outer);
                if (!d || !d.get || !d.configurable) continue;
                d.get = new Proxy(d.get, {apply: (get, self, args) => Reflect.apply(get, self, args) || self[inner]});
                Object.defineProperty(window, outer, d);
              }
            })();
            """;
}
