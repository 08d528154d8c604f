package io.porthole.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * Separate hosts on this machine, for a test: each host a network namespace of its own, plugged by a veth pair into
 * one bridge, the hosts' LAN, on a private /24 that nothing else here uses. The bridge is in a namespace of its own
 * too (a switch), so that what the machine's firewall does to bridged or forwarded traffic (Docker's FORWARD policy
 * with bridge netfilter on) cannot come between the hosts; the root namespace is plugged in like a host, with
 * {@code .1} ({@link #gateway}: where the test's own servers listen); the hosts have {@code .11}, {@code .12}, … in
 * the order named. A program runs on a host through {@link #enter} (nsenter into
 * the namespace's network only: {@code ip netns exec} would also remount {@code /sys}, and with it lose the cgroup
 * mounts a node's computers need). Needs root.
 *
 * <p>Every name carries this JVM's pid: namespaces {@code porthole-hosts-<pid>-<host>} and
 * {@code porthole-hosts-<pid>-lan} (the switch), and in the root namespace the link {@code phtest<pid>r} (its veth to
 * the switch; the hosts' veths are between their namespaces and the switch's only). A run holds a lock on {@code /run/porthole-test-hosts/<pid>.lock}
 * while it lives; {@link #create} first removes whatever belongs to a pid whose lock is not held (a run that was
 * killed): the processes still in its namespaces (SIGTERM, which lets a node end its computers, then SIGKILL), its
 * namespaces and its links. {@link #close} removes everything of this run, and fails if something stays; it is
 * idempotent, for a shutdown hook that calls it again.
 */
final class NetworkNamespaces implements AutoCloseable {
    /** Why hosts cannot be made here (not root, no iproute2): a test may skip for it outside CI. */
    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private static final Path STATE = Path.of("/run/porthole-test-hosts");
    private static final String NETNS_PREFIX = "porthole-hosts-";
    private static final String LINK_PREFIX = "phtest";
    private static final Pattern LINK = Pattern.compile(LINK_PREFIX + "(\\d+)r");
    /** The switch's namespace, after the pid; not a host's name. */
    private static final String LAN = "lan";
    private static final Pattern NETNS = Pattern.compile(Pattern.quote(NETNS_PREFIX) + "(\\d+)-.+");
    private static final long COMMAND_SECONDS = 30;
    private static final long TERM_SECONDS = 60;

    private final long pid = ProcessHandle.current().pid();
    private final String prefix;
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final FileChannel lockFile;
    private final FileLock lock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private NetworkNamespaces(String prefix, List<String> hosts, FileChannel lockFile, FileLock lock) {
        this.prefix = prefix;
        for (int i = 0; i < hosts.size(); i++) addresses.put(hosts.get(i), prefix + "." + (11 + i));
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /**
     * Makes the hosts (at most 10; names of letters and digits), after removing those of earlier runs that were
     * killed.
     *
     * @throws Unavailable when this is not root or {@code ip} / {@code nsenter} are missing
     */
    static NetworkNamespaces create(String... hosts) throws Unavailable {
        if (hosts.length == 0 || hosts.length > 10) throw new IllegalArgumentException("1 to 10 hosts");
        for (var h : hosts) {
            if (!h.matches("[a-z0-9]{1,20}") || h.equals(LAN)) throw new IllegalArgumentException("bad host name " + h);
        }
        if (!isRoot()) throw new Unavailable("network namespaces need root, and this test runs as uid " + uid());
        for (var tool : List.of("ip", "nsenter", "setpriv")) {
            if (!onPath(tool)) throw new Unavailable("'" + tool + "' is not on the PATH (script/setup installs iproute2 and util-linux)");
        }
        FileChannel own = null;
        FileLock ownLock = null;
        NetworkNamespaces made = null;
        try {
            Files.createDirectories(STATE);
            own = FileChannel.open(STATE.resolve(ProcessHandle.current().pid() + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            ownLock = own.tryLock();
            if (ownLock == null) throw new IllegalStateException("another run holds this pid's lock");
            // one run at a time chooses a subnet and makes its links, so two runs never take the same one
            try (var global = FileChannel.open(STATE.resolve("setup.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 var ignored = lockWithin(global, 60)) {
                removeStale();
                made = new NetworkNamespaces(freeSubnet(), List.of(hosts), own, ownLock);
                made.setUp();
            }
            return made;
        } catch (IOException | RuntimeException e) {
            if (made != null) {
                try {
                    made.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            } else {
                release(own, ownLock, ProcessHandle.current().pid());
            }
            if (e instanceof IOException io && io.getMessage() != null && io.getMessage().contains("Operation not permitted")) {
                throw new Unavailable("network namespaces cannot be made here: " + io.getMessage());
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException("the hosts could not be made: " + e.getMessage(), e);
        }
    }

    /** The bridge's address, in the root namespace: the hosts reach the test's servers there. */
    String gateway() {
        return prefix + ".1";
    }

    /** The hosts' subnet, as a CIDR. */
    String subnet() {
        return prefix + ".0/24";
    }

    /** The host's own address. */
    String address(String host) {
        var a = addresses.get(host);
        if (a == null) throw new IllegalArgumentException("no host " + host);
        return a;
    }

    /**
     * The command prefix that runs a program on {@code host}: in its network namespace (nothing else changes), sent
     * SIGTERM if the thread that started it ends (so a node started by a test JVM that is killed ends its computers
     * and itself). The program keeps the pid the prefix started with (both exec).
     */
    List<String> enter(String host) {
        return List.of("nsenter", "--net=/run/netns/" + namespace(host), "--", "setpriv", "--pdeathsig=TERM", "--");
    }

    private String namespace(String host) {
        if (!addresses.containsKey(host)) throw new IllegalArgumentException("no host " + host);
        return NETNS_PREFIX + pid + "-" + host;
    }

    private String lan() {
        return NETNS_PREFIX + pid + "-" + LAN;
    }

    /** The root namespace's end of its veth to the switch. */
    private String uplink() {
        return LINK_PREFIX + pid + "r";
    }

    private void setUp() throws IOException {
        var lan = lan();
        ip("netns", "add", lan);
        ip("-n", lan, "link", "add", "br0", "type", "bridge");
        ip("-n", lan, "link", "set", "br0", "up");
        ip("link", "add", uplink(), "type", "veth", "peer", "name", "uplink", "netns", lan);
        ip("-n", lan, "link", "set", "uplink", "master", "br0", "up");
        ip("addr", "add", gateway() + "/24", "dev", uplink());
        ip("link", "set", uplink(), "up");
        int i = 0;
        for (var host : addresses.keySet()) {
            var ns = namespace(host);
            ip("netns", "add", ns);
            ip("-n", lan, "link", "add", "port" + i, "type", "veth", "peer", "name", "eth0", "netns", ns);
            ip("-n", lan, "link", "set", "port" + i, "master", "br0", "up");
            ip("-n", ns, "link", "set", "lo", "up");
            ip("-n", ns, "addr", "add", address(host) + "/24", "dev", "eth0");
            ip("-n", ns, "link", "set", "eth0", "up");
            i++;
        }
    }

    /**
     * Ends what still runs on the hosts (SIGTERM; SIGKILL after a minute), removes the links and namespaces, and
     * checks that none is left.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        var namespaces = addresses.keySet().stream().map(this::namespace).toList();
        try {
            endProcesses(namespaces);
            ipQuietly("link", "del", uplink());
            for (var ns : namespaces) ipQuietly("netns", "del", ns);
            ipQuietly("netns", "del", lan());
            // the links in a namespace go with it, after a moment
            var left = new ArrayList<String>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            do {
                left.clear();
                left.addAll(linksOf(pid));
                left.addAll(namespacesOf(pid));
                if (left.isEmpty()) break;
                pause();
            } while (System.nanoTime() < deadline);
            if (!left.isEmpty()) throw new IllegalStateException("still there after the hosts were removed: " + left);
        } finally {
            release(lockFile, lock, pid);
        }
    }

    /** What belongs to runs whose lock nobody holds: their processes, namespaces and links. */
    private static void removeStale() throws IOException {
        var self = ProcessHandle.current().pid();
        var stale = new java.util.TreeSet<Long>();
        for (var ns : allNamespaces()) {
            var m = NETNS.matcher(ns);
            if (m.matches() && Long.parseLong(m.group(1)) != self && !alive(Long.parseLong(m.group(1)))) stale.add(Long.parseLong(m.group(1)));
        }
        for (var link : allLinks()) {
            var m = LINK.matcher(link);
            if (m.matches() && Long.parseLong(m.group(1)) != self && !alive(Long.parseLong(m.group(1)))) stale.add(Long.parseLong(m.group(1)));
        }
        try (var files = Files.list(STATE)) {
            for (var f : files.toList()) {
                var name = f.getFileName().toString();
                if (name.matches("\\d+\\.lock") && Long.parseLong(name.substring(0, name.indexOf('.'))) != self
                        && !alive(Long.parseLong(name.substring(0, name.indexOf('.'))))) {
                    stale.add(Long.parseLong(name.substring(0, name.indexOf('.'))));
                }
            }
        }
        for (var run : stale) {
            endProcesses(namespacesOf(run));
            for (var link : linksOf(run)) ipQuietly("link", "del", link);
            for (var ns : namespacesOf(run)) ipQuietly("netns", "del", ns);
            Files.deleteIfExists(STATE.resolve(run + ".lock"));
            System.err.println("NetworkNamespaces: removed the hosts of an earlier run (pid " + run + ") that was killed");
        }
    }

    /** Whether the run of {@code pid} still holds its lock. */
    private static boolean alive(long pid) {
        var file = STATE.resolve(pid + ".lock");
        if (!Files.exists(file)) return false;
        try (var ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            var l = ch.tryLock();
            if (l == null) return true;
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Ends every process in the namespaces: SIGTERM first (a node ends its computers and exits), and after
     * {@link #TERM_SECONDS} SIGKILL to whatever of them and their descendants (as they were before the signal: a
     * node's sandboxes) is still there; then removes the computers' cgroups those left behind. Nothing is there
     * after a clean run: this is for a run that was killed, whose nodes may have gone without ending their computers.
     */
    private static void endProcesses(List<String> namespaces) {
        var listed = new ArrayList<ProcessHandle>();
        for (var ns : namespaces) {
            String out;
            try {
                out = ip("netns", "pids", ns);
            } catch (IOException e) {
                continue; // gone already
            }
            for (var line : out.split("\\s+")) {
                if (line.matches("\\d+")) ProcessHandle.of(Long.parseLong(line)).ifPresent(listed::add);
            }
        }
        if (listed.isEmpty()) return;
        var all = new ArrayList<>(listed);
        listed.forEach(p -> p.descendants().forEach(all::add));
        var cgroups = new java.util.TreeSet<Path>(java.util.Comparator.reverseOrder());
        all.forEach(p -> cgroups.addAll(computerCgroups(p.pid())));
        listed.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TERM_SECONDS);
        while (listed.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) pause();
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (all.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) pause();
        for (var dir : cgroups) removeCgroup(dir, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }

    /**
     * The directories of the process's cgroups that a Porthole server made for a computer: the one right under a
     * {@code porthole} directory, in every hierarchy it is in.
     */
    private static List<Path> computerCgroups(long pid) {
        var out = new ArrayList<Path>();
        List<String> lines;
        // (root, mount point, type, super options) of every cgroup mount, from mountinfo
        var mounts = new ArrayList<String[]>();
        try {
            lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"));
            for (var l : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                var halves = l.split(" - ", 2);
                if (halves.length < 2) continue;
                var first = halves[0].split(" ");
                var second = halves[1].split(" ");
                if (first.length < 5 || second.length < 3) continue;
                if (second[0].equals("cgroup") || second[0].equals("cgroup2")) {
                    mounts.add(new String[] {first[3], first[4], second[0], second[2]});
                }
            }
        } catch (IOException e) {
            return out;
        }
        for (var line : lines) {
            var parts = line.split(":", 3);
            if (parts.length < 3) continue;
            var segments = List.of(parts[2].split("/"));
            int at = segments.indexOf("porthole");
            if (at < 0 || at + 1 >= segments.size()) continue;
            var path = String.join("/", segments.subList(0, at + 2));
            for (var m : mounts) {
                boolean match = parts[1].isEmpty() ? m[2].equals("cgroup2")
                        : m[2].equals("cgroup") && List.of(m[3].split(",")).containsAll(List.of(parts[1].split(",")));
                var root = m[0].equals("/") ? "" : m[0];
                if (match && path.startsWith(root + "/")) out.add(Path.of(m[1] + path.substring(root.length())));
            }
        }
        return out;
    }

    /** Removes a cgroup and the cgroups under it (rmdir: the kernel removes their files), retrying while busy. */
    private static void removeCgroup(Path dir, long deadlineNanos) {
        if (!Files.isDirectory(dir)) return;
        try (var children = Files.list(dir)) {
            for (var child : children.filter(Files::isDirectory).toList()) removeCgroup(child, deadlineNanos);
        } catch (IOException ignored) {
            // gone
        }
        while (true) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadlineNanos) {
                    System.err.println("NetworkNamespaces: could not remove the cgroup " + dir + ": " + e);
                    return;
                }
                pause();
            }
        }
    }

    /** A /24 of 10.231.0.0/16 that no address or route of this machine overlaps, starting from one by the pid. */
    private static String freeSubnet() throws IOException {
        var taken = new ArrayList<long[]>();
        for (var line : ip("-4", "-o", "addr", "show").split("\n")) {
            var m = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/(\\d+)").matcher(line);
            if (m.find()) taken.add(new long[] {toInt(m.group(1)), Integer.parseInt(m.group(2))});
        }
        for (var line : ip("-4", "route", "show", "table", "all").split("\n")) {
            var m = Pattern.compile("^(?:\\S+ )?(\\d+\\.\\d+\\.\\d+\\.\\d+)(?:/(\\d+))?\\s").matcher(line.trim() + " ");
            if (m.find()) taken.add(new long[] {toInt(m.group(1)), m.group(2) == null ? 32 : Integer.parseInt(m.group(2))});
        }
        int start = (int) (ProcessHandle.current().pid() % 256);
        for (int k = 0; k < 256; k++) {
            int third = (start + k) % 256;
            long net = toInt("10.231." + third + ".0");
            boolean free = taken.stream().noneMatch(t -> overlaps(net, 24, t[0], (int) t[1]));
            if (free) return "10.231." + third;
        }
        throw new IllegalStateException("no free /24 in 10.231.0.0/16");
    }

    private static boolean overlaps(long a, int aLen, long b, int bLen) {
        int len = Math.min(aLen, bLen);
        long mask = len == 0 ? 0 : (0xFFFFFFFFL << (32 - len)) & 0xFFFFFFFFL;
        return (a & mask) == (b & mask);
    }

    private static long toInt(String address) {
        long v = 0;
        for (var part : address.split("\\.")) v = (v << 8) | Integer.parseInt(part);
        return v;
    }

    private static List<String> allNamespaces() {
        try (var files = Files.list(Path.of("/run/netns"))) {
            return files.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<String> namespacesOf(long pid) {
        return allNamespaces().stream().filter(n -> n.startsWith(NETNS_PREFIX + pid + "-")).toList();
    }

    private static List<String> allLinks() throws IOException {
        var out = new ArrayList<String>();
        for (var line : ip("-o", "link", "show").split("\n")) {
            // "7: phtest123b: <…" or "8: phtest1230@if2: <…"
            var m = Pattern.compile("^\\d+: ([^:@ ]+)").matcher(line);
            if (m.find()) out.add(m.group(1));
        }
        return out;
    }

    private static List<String> linksOf(long pid) {
        try {
            return allLinks().stream().filter(l -> {
                var m = LINK.matcher(l);
                return m.matches() && Long.parseLong(m.group(1)) == pid;
            }).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code ip} with these arguments; its output, or an exception with it if it fails. */
    private static String ip(String... args) throws IOException {
        var cmd = new ArrayList<String>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var out = new java.util.concurrent.CompletableFuture<String>();
        Thread.ofPlatform().daemon(true).start(() -> {
            try (var in = p.getInputStream()) {
                out.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.complete("");
            }
        });
        try {
            if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in " + COMMAND_SECONDS + " s");
            }
            var text = out.get(COMMAND_SECONDS, TimeUnit.SECONDS);
            if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + text.trim());
            return text;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException(String.join(" ", cmd) + ": its output could not be read", e);
        }
    }

    /** {@link #ip}, for removing what may be gone already: a failure is reported by the check for what is left. */
    private static void ipQuietly(String... args) {
        try {
            ip(args);
        } catch (IOException ignored) {
            // gone already, or reported later
        }
    }

    private static FileLock lockWithin(FileChannel channel, long seconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            var l = channel.tryLock();
            if (l != null) return l;
            if (System.nanoTime() > deadline) throw new IOException("another run held " + STATE.resolve("setup.lock") + " for " + seconds + " s");
            pause();
        }
    }

    private static void release(FileChannel channel, FileLock lock, long pid) {
        try {
            if (lock != null) lock.release();
            if (channel != null) channel.close();
            Files.deleteIfExists(STATE.resolve(pid + ".lock"));
        } catch (IOException ignored) {
            // a file under /run: removed as stale by the next run at worst
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private static boolean onPath(String tool) {
        for (var dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    private static boolean isRoot() {
        return uid() == 0;
    }

    private static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
