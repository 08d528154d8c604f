package io.porthole.runtime.local;

import io.porthole.core.internal.Commands;
import io.porthole.core.internal.Threads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The network interface a sandbox's network namespace gets so that browsers count the computer as online:
 * {@code eth0}, a device that drops whatever is sent to it ({@code dummy}, or {@code ifb} where the kernel has no
 * dummy), up, with one IPv6 link-local address and no route. Chromium reports {@code navigator.onLine} false unless
 * a link other than loopback is up and carries an address (a link that is up with no address is not enough); a
 * link-local address added without its prefix route is, and reaches nothing. The only way out stays the egress
 * proxy on loopback.
 *
 * <p>The holder of the sandbox's user namespace makes it, after bubblewrap has made the network namespace in that
 * user namespace: {@code unshare --keep-caps} leaves the holder every capability in its own user namespace and
 * none on the host, so the same works whether the server runs as root or not, and the commands it runs could
 * change no network but the sandbox's. Thread-safe.
 */
final class OnlineLink {
    private static final System.Logger LOG = System.getLogger(OnlineLink.class.getName());
    static final String NAME = "eth0";
    private static final long TIMEOUT_MILLIS = 5_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path nsenter;
    private final Optional<Path> ip;
    /** The kind of device this host makes, found at start; empty when it cannot make any (said once, then). */
    private final Optional<String> type;
    private final AtomicBoolean warned = new AtomicBoolean();

    OnlineLink(Path unshare, Path nsenter) {
        this.nsenter = nsenter;
        this.ip = List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip").stream().map(Path::of)
                .filter(Files::isExecutable).findFirst();
        if (ip.isEmpty()) {
            warnOnce("ip (Debian: iproute2) is not installed");
            this.type = Optional.empty();
        } else {
            this.type = probe(unshare, ip.get());
        }
    }

    /**
     * Which kind of device a holder can make, tried the way a holder does it (in a throwaway user and network
     * namespace of the server's): dummy where the kernel has it, else ifb.
     */
    private Optional<String> probe(Path unshare, Path ip) {
        var said = new StringBuilder();
        for (var t : List.of("dummy", "ifb")) {
            try {
                var p = Commands.builder(unshare.toString(), "--user", "--keep-caps", "--net", "--", ip.toString(), "link",
                        "add", NAME, "type", t).redirectErrorStream(true).start();
                p.getOutputStream().close();
                var out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
                if (!p.waitFor(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    said.append(t).append(": no answer within ").append(TIMEOUT_MILLIS).append(" ms; ");
                } else if (p.exitValue() == 0) {
                    return Optional.of(t);
                } else {
                    said.append(t).append(": ").append(out).append("; ");
                }
            } catch (IOException e) {
                said.append(t).append(": ").append(e.getMessage()).append("; ");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        warnOnce("no kind of link can be made here (" + said.toString().replaceAll("; $", "") + ")");
        return Optional.empty();
    }

    /**
     * The command of the process that holds a sandbox's user namespace: it says on its standard output that the
     * namespace exists, then waits for the line {@link #request} sends and makes the link in the network namespace of
     * the process it names, from the commands that follow; without a line it ends when its standard input does.
     */
    List<String> holderCommand(Path unshare) {
        if (type.isEmpty()) return List.of(unshare.toString(), "--user", "--", "/bin/sh", "-c", "echo; read x", "porthole-userns");
        // the shell's read takes the first line only (a byte at a time from a pipe); ip reads the rest as its batch
        return List.of(unshare.toString(), "--user", "--keep-caps", "--", "/bin/sh", "-c",
                "echo; read -r pid || exit 0; exec 2>&1; exec \"$1\" --net=/proc/\"$pid\"/ns/net -- \"$2\" -batch -",
                "porthole-userns", nsenter.toString(), ip.get().toString());
    }

    /**
     * Asks the holder to make the link in the network namespace of {@code pid} (the sandbox's first process), and
     * returns its exit status and what it said; empty at once when this host cannot make links. The holder ends
     * after it.
     */
    Optional<Future<String>> request(Process holder, long pid) {
        if (type.isEmpty()) return Optional.empty();
        var mac = new byte[3];
        RANDOM.nextBytes(mac);
        // a QEMU/KVM guest's NIC, and its EUI-64 link-local address, added without the prefix route
        var batch = String.format("%d%n"
                + "link add %s address 52:54:00:%02x:%02x:%02x type %s%n"
                + "link set %s addrgenmode none%n"
                + "link set %s up%n"
                + "addr add fe80::5054:ff:fe%02x:%02x%02x/64 dev %s noprefixroute nodad%n",
                pid, NAME, mac[0], mac[1], mac[2], type.get(), NAME, NAME, mac[0], mac[1], mac[2], NAME);
        try {
            var in = holder.getOutputStream();
            in.write(batch.getBytes(StandardCharsets.US_ASCII));
            in.close();
        } catch (IOException e) {
            warnOnce("the holder of the user namespace ended before it was asked: " + e.getMessage());
            return Optional.empty();
        }
        return Optional.of(Threads.onPipeThread(() -> {
            var said = new String(holder.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            if (!holder.waitFor(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) return "no answer within " + TIMEOUT_MILLIS + " ms";
            return holder.exitValue() == 0 ? "" : "exit " + holder.exitValue() + ": " + said;
        }));
    }

    /** Waits for what {@link #request} asked; a link that could not be made is said once, and the sandbox goes on. */
    void await(Optional<Future<String>> requested) {
        if (requested.isEmpty()) return;
        try {
            var failed = requested.get().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            if (!failed.isEmpty()) warnOnce(failed);
        } catch (ExecutionException e) {
            warnOnce(String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            warnOnce("it was not made within " + TIMEOUT_MILLIS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void warnOnce(String why) {
        if (warned.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "computers get no " + NAME + " (their network has loopback only, so"
                    + " Chromium reports navigator.onLine false): " + why);
        }
    }
}
