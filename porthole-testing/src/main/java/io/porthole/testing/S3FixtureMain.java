package io.porthole.testing;

import java.io.IOException;

/**
 * The entry point of the JVM {@link S3Fixture} starts: runs s3proxy's own {@code main} (found on the class path,
 * not compiled against), and ends the JVM when its standard input ends, which it does when the test JVM that
 * started it goes, however it goes. So no S3 server outlives its tests.
 */
public final class S3FixtureMain {
    private S3FixtureMain() {
    }

    public static void main(String[] args) throws Exception {
        var watch = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // nothing is ever sent; only the end matters
                }
            } catch (IOException ignored) {
                // the parent is gone as well
            }
            Runtime.getRuntime().halt(0);
        }, "parent-watch");
        watch.setDaemon(true);
        watch.start();
        Class.forName("org.gaul.s3proxy.Main").getMethod("main", String[].class).invoke(null, (Object) args);
    }
}
