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
    private static final String MADE = "porthole-link ";

    private final Path nsenter;
    private final Optional<Path> ip;
    private final boolean keepCaps;
    /** Which kinds of device to try, in order; once one was made, only that one. */
    private volatile List<String> types = List.of("dummy", "ifb");
    private final AtomicBoolean warned = new AtomicBoolean();

    OnlineLink(Path unshare, Path nsenter) {
        this.nsenter = nsenter;
        this.ip = List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip").stream().map(Path::of)
                .filter(Files::isExecutable).findFirst();
        this.keepCaps = ip.isPresent() && supportsKeepCaps(unshare);
        if (ip.isEmpty()) {
            warnOnce("ip (Debian: iproute2) is not installed");
        } else if (!keepCaps) {
            warnOnce(unshare + " has no --keep-caps (util-linux 2.36 or later has)");
        }
    }

    private static boolean supportsKeepCaps(Path unshare) {
        try {
            var p = Commands.builder(unshare.toString(), "--help").redirectErrorStream(true).start();
            var help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            return help.contains("--keep-caps");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The command of the process that holds a sandbox's user namespace: it says on its standard output that the
     * namespace exists, then waits for one line (see {@link #request}) and makes the link in the network namespace
     * of the process it names; it ends when its standard input does.
     */
    List<String> holderCommand(Path unshare) {
        if (!keepCaps) return List.of(unshare.toString(), "--user", "--", "/bin/sh", "-c", "echo; read x", "porthole-userns");
        // every value comes as an argument: the line carries only digits, hex and the kinds of device we name
        var link = "ip=$1 mac=$2 ll=$3; shift 3; for t; do"
                + " if \"$ip\" link add " + NAME + " address \"$mac\" type \"$t\"; then"
                + " \"$ip\" link set " + NAME + " addrgenmode none && \"$ip\" link set " + NAME + " up"
                + " && \"$ip\" -6 addr add \"$ll/64\" dev " + NAME + " noprefixroute nodad && echo \"" + MADE + "$t\";"
                + " exit; fi; done; exit 1";
        var holder = "echo; read -r pid mac ll types || exit 0; exec 2>&1;"
                + " exec \"$1\" --net=/proc/\"$pid\"/ns/net -- /bin/sh -c '" + link + "' porthole-link \"$2\" \"$mac\""
                + " \"$ll\" $types";
        return List.of(unshare.toString(), "--user", "--keep-caps", "--", "/bin/sh", "-c", holder, "porthole-userns",
                nsenter.toString(), ip.get().toString());
    }

    /**
     * Asks the holder to make the link in the network namespace of {@code pid} (the sandbox's first process), and
     * returns what it says; empty at once when this host cannot make links. The holder ends after it.
     */
    Optional<Future<String>> request(Process holder, long pid) {
        if (!keepCaps) return Optional.empty();
        var mac = new byte[3];
        RANDOM.nextBytes(mac);
        // a QEMU/KVM guest's NIC, and its EUI-64 link-local address
        var line = String.format("%d 52:54:00:%02x:%02x:%02x fe80::5054:ff:fe%02x:%02x%02x %s%n", pid, mac[0], mac[1],
                mac[2], mac[0], mac[1], mac[2], String.join(" ", types));
        try {
            var in = holder.getOutputStream();
            in.write(line.getBytes(StandardCharsets.US_ASCII));
            in.close();
        } catch (IOException e) {
            warnOnce("the holder of the user namespace ended before it was asked: " + e.getMessage());
            return Optional.empty();
        }
        return Optional.of(Threads.onPipeThread(() -> {
            var said = new String(holder.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
            holder.waitFor(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return said;
        }));
    }

    /** Waits for what {@link #request} asked; a link that could not be made is said once, and the sandbox goes on. */
    void await(Optional<Future<String>> requested) {
        if (requested.isEmpty()) return;
        try {
            var said = requested.get().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            var made = said.lines().filter(l -> l.startsWith(MADE)).findFirst();
            if (made.isPresent()) {
                types = List.of(made.get().substring(MADE.length()).strip());
            } else {
                warnOnce(said.strip());
            }
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
