package io.porthole.desktop;

import java.io.File;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An Xvfb of the test's own on this host, on a free display, reached at its socket; killed by {@link #close}. */
final class HostXvfb implements AutoCloseable {
    final int display;
    final Process process;
    final int width;
    final int height;

    private HostXvfb(int display, Process process, int width, int height) {
        this.display = display;
        this.process = process;
        this.width = width;
        this.height = height;
    }

    static HostXvfb start(int width, int height) throws Exception {
        for (int n = 240; n < 400; n++) {
            if (Files.exists(Path.of("/tmp/.X" + n + "-lock")) || Files.exists(socket(n))) continue;
            var p = new ProcessBuilder("/usr/bin/Xvfb", ":" + n, "-screen", "0", width + "x" + height + "x24",
                    "-nolisten", "tcp", "-nolisten", "local", "-noreset")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            var xvfb = new HostXvfb(n, p, width, height);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline && p.isAlive()) {
                try (var x = xvfb.connect()) {
                    return xvfb;
                } catch (IOException e) {
                    Thread.sleep(20); // polled: Xvfb has no other way to say it listens
                }
            }
            xvfb.close();
        }
        throw new IllegalStateException("no Xvfb could be started on a free display");
    }

    static Path socket(int n) {
        return Path.of("/tmp/.X11-unix/X" + n);
    }

    SocketChannel channel() throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(socket(display)));
    }

    X11Connection connect() throws IOException {
        return X11Connection.open(channel(), Duration.ofSeconds(5));
    }

    /** Runs a program against this display and returns its standard output. */
    byte[] run(List<String> argv) throws Exception {
        var pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("DISPLAY", ":" + display);
        var p = pb.start();
        var out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(argv + " failed");
        return out;
    }

    @Override
    public void close() throws Exception {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        Files.deleteIfExists(Path.of("/tmp/.X" + display + "-lock"));
        Files.deleteIfExists(socket(display));
    }
}
