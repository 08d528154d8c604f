package io.porthole.engine.cdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.browser.Identity;
import io.porthole.core.browser.LaunchSpec;
import io.porthole.core.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a Chromium is started with: the identity's window, screen, languages and timezone; a GPU only when lent. */
class ChromiumCommandTest {
    private static final Identity BERLIN = new Identity("Europe/Berlin", "de-DE", List.of("de-DE", "de"), Optional.empty(),
            1920, 1080);

    private static List<String> command(ChromiumConfig config, double scale) {
        var engine = new ChromiumEngine(config);
        return engine.command(new LaunchSpec("c", noProxy(), 1280, 720, scale, false, m -> { }, BERLIN));
    }

    /** A sandbox whose only answer is that it has no egress proxy: all command() asks it. */
    private static Sandbox noProxy() {
        return (Sandbox) java.lang.reflect.Proxy.newProxyInstance(Sandbox.class.getClassLoader(), new Class<?>[] {Sandbox.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("httpProxy")) return Optional.empty();
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void theWindowHoldsTheViewportAndTheChromeOnTheIdentitysScreen() {
        var cmd = command(ChromiumConfig.defaults(), 1);
        assertTrue(cmd.contains("--window-size=1280," + (720 + WindowMetrics.CHROME_HEIGHT)), cmd.toString());
        assertTrue(cmd.contains("--screen-info={0,0 1920x1080 workAreaBottom=" + WindowMetrics.TASKBAR_HEIGHT
                + " devicePixelRatio=1}"), cmd.toString());
        assertTrue(cmd.contains("--lang=de-DE") && cmd.contains("--accept-lang=de-DE,de"), cmd.toString());
        assertTrue(cmd.stream().anyMatch(f -> f.startsWith("--blink-settings=primaryPointerType=4")), cmd.toString());
        var scaled = command(ChromiumConfig.defaults(), 2);
        assertTrue(scaled.contains("--screen-info={0,0 3840x2160 workAreaBottom=" + 2 * WindowMetrics.TASKBAR_HEIGHT
                + " devicePixelRatio=2}"), scaled.toString());
    }

    @Test
    void theTimezoneIsTheBrowsersEnvironment() {
        assertEquals(Map.of("TZ", "Europe/Berlin"), ChromiumEngine.environment(BERLIN));
    }

    @Test
    void withoutAGpuNothingChangesAndWithOneChromiumUsesIt() {
        var cmd = command(ChromiumConfig.defaults(), 1);
        assertTrue(cmd.contains("--disable-gpu"), cmd.toString());
        assertFalse(cmd.stream().anyMatch(f -> f.startsWith("--use-angle")), cmd.toString());
        var lent = command(new ChromiumConfig(Optional.empty(), List.of(), 30, false, List.of(Path.of("/dev/dri/renderD128"))), 1);
        assertFalse(lent.contains("--disable-gpu"), lent.toString());
        assertTrue(lent.contains("--use-angle=gl-egl"), lent.toString());
    }
}
