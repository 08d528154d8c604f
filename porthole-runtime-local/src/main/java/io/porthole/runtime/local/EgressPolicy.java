package io.porthole.runtime.local;

import io.porthole.core.Telemetry;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where a computer may connect. Refuses loopback, private (RFC 1918, unique local), link-local (with the
 * cloud metadata address 169.254.169.254), CGNAT, multicast and reserved ranges, IPv4 and IPv6 alike,
 * checked on the addresses a name resolves to (the proxy then connects to that checked address, so a
 * second lookup cannot rebind it). {@code allow} lists host names and CIDRs that are let through anyway;
 * the server's own port on a local address is refused even then. Thread-safe (immutable).
 */
public final class EgressPolicy {
    private static final List<Cidr> BLOCKED = List.of(
            Cidr.parse("0.0.0.0/8"), Cidr.parse("10.0.0.0/8"), Cidr.parse("100.64.0.0/10"), Cidr.parse("127.0.0.0/8"),
            Cidr.parse("169.254.0.0/16"), Cidr.parse("172.16.0.0/12"), Cidr.parse("192.0.0.0/24"),
            Cidr.parse("192.0.2.0/24"), Cidr.parse("192.168.0.0/16"), Cidr.parse("198.18.0.0/15"),
            Cidr.parse("198.51.100.0/24"), Cidr.parse("203.0.113.0/24"), Cidr.parse("224.0.0.0/4"),
            Cidr.parse("240.0.0.0/4"),
            Cidr.parse("::/128"), Cidr.parse("::1/128"), Cidr.parse("fc00::/7"), Cidr.parse("fe80::/10"),
            Cidr.parse("fec0::/10"), Cidr.parse("ff00::/8"), Cidr.parse("2001:db8::/32"), Cidr.parse("100::/64"));

    private final Set<String> allowedHosts;
    private final List<Cidr> allowedNets;
    private final java.util.function.IntSupplier serverPort;
    private final java.util.function.Supplier<Set<java.net.InetSocketAddress>> cluster;

    /** Where refusals and bytes are counted (the server's metrics); nothing by default. */
    private final Telemetry telemetry;

    /** A refusal, with the reason shown to the computer and its kind for the metrics. */
    public static final class Refused extends Exception {
        private final String reason;

        public Refused(String message) {
            this(message, "private_address");
        }

        /** @param reason as {@link Telemetry#egressRefused} names it */
        public Refused(String message, String reason) {
            super(message);
            this.reason = reason;
        }

        /** Why, as {@link Telemetry#egressRefused} names it. */
        public String reason() {
            return reason;
        }
    }

    /**
     * @param allow host names, IP addresses and CIDRs that may be reached although they are private
     * @param serverPort the server's own port (known once it listens), never reachable on a local address
     */
    public EgressPolicy(List<String> allow, java.util.function.IntSupplier serverPort) {
        this(allow, serverPort, Set::of);
    }

    /**
     * @param allow host names, IP addresses and CIDRs that may be reached although they are private
     * @param serverPort the server's own port (known once it listens), never reachable on a local address
     * @param cluster the addresses and ports of the other servers of the cluster, never reachable, whatever
     *     {@code allow} says
     */
    public EgressPolicy(List<String> allow, java.util.function.IntSupplier serverPort,
                        java.util.function.Supplier<Set<java.net.InetSocketAddress>> cluster) {
        this(allow, serverPort, cluster, Telemetry.NONE);
    }

    /**
     * As {@link #EgressPolicy(List, java.util.function.IntSupplier, java.util.function.Supplier)}, counting every
     * computer's egress bytes and refusals into {@code telemetry}.
     */
    public EgressPolicy(List<String> allow, java.util.function.IntSupplier serverPort,
                        java.util.function.Supplier<Set<java.net.InetSocketAddress>> cluster, Telemetry telemetry) {
        this.telemetry = telemetry;
        this.cluster = cluster;
        var hosts = new java.util.HashSet<String>();
        var nets = new ArrayList<Cidr>();
        for (var a : allow) {
            var entry = a.trim().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) continue;
            var cidr = Cidr.tryParse(entry);
            if (cidr != null) nets.add(cidr);
            else hosts.add(entry);
        }
        this.allowedHosts = Set.copyOf(hosts);
        this.allowedNets = List.copyOf(nets);
        this.serverPort = serverPort;
    }

    /** Where the egress proxies count bytes and refusals. */
    Telemetry telemetry() {
        return telemetry;
    }

    /** The address to connect to for {@code host:port}, or a refusal saying why. */
    public InetAddress resolve(String host, int port) throws Refused, UnknownHostException {
        var name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) name = name.substring(1, name.length() - 1);
        var addresses = InetAddress.getAllByName(name);
        boolean hostAllowed = allowedHosts.contains(name);
        String why = null;
        String reason = "no_address";
        for (var a : addresses) {
            if (port == serverPort.getAsInt() && isLocal(a)) {
                why = host + ":" + port + " is this server";
                reason = "this_server";
                continue;
            }
            if (cluster.get().contains(new java.net.InetSocketAddress(a, port))) {
                why = host + ":" + port + " is a server of this cluster";
                reason = "cluster_node";
                continue;
            }
            if (hostAllowed || allowedNets.stream().anyMatch(n -> n.contains(a)) || !blocked(a)) return a;
            why = host + " resolves to " + a.getHostAddress() + ", a loopback, private, link-local or reserved address";
            reason = "private_address";
        }
        throw new Refused(why == null ? host + " has no address" : why, reason);
    }

    /** Loopback, any-local, or an address of this machine's interfaces. */
    private static boolean isLocal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress()) return true;
        try {
            return java.net.NetworkInterface.getByInetAddress(a) != null;
        } catch (java.net.SocketException e) {
            return false;
        }
    }

    static boolean blocked(InetAddress a) {
        if (a instanceof Inet6Address v6) {
            var embedded = embeddedIpv4(v6.getAddress());
            if (embedded != null) return blocked(embedded);
        }
        for (var net : BLOCKED) if (net.contains(a)) return true;
        return false;
    }

    /** The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 address, if any. */
    private static InetAddress embeddedIpv4(byte[] b) {
        try {
            boolean mapped = allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                    && allZero(b, 4, 12);
            if (mapped || nat64) return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
            if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
                return InetAddress.getByAddress(new byte[] {b[2], b[3], b[4], b[5]});
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != 0) return false;
        return true;
    }

    /** An address range. */
    record Cidr(byte[] network, int bits) {
        static Cidr parse(String s) {
            var c = tryParse(s);
            if (c == null) throw new IllegalArgumentException("not a CIDR: " + s);
            return c;
        }

        /** A CIDR or a single IP literal; null for a host name. */
        static Cidr tryParse(String s) {
            var slash = s.indexOf('/');
            var ip = slash < 0 ? s : s.substring(0, slash);
            if (!ip.matches("[0-9.]+") && !ip.contains(":")) return null;
            try {
                var addr = InetAddress.getByName(ip).getAddress();
                int bits = slash < 0 ? addr.length * 8 : Integer.parseInt(s.substring(slash + 1));
                if (bits < 0 || bits > addr.length * 8) return null;
                return new Cidr(addr, bits);
            } catch (UnknownHostException | NumberFormatException e) {
                return null;
            }
        }

        boolean contains(InetAddress a) {
            var b = a.getAddress();
            if (b.length != network.length) return false;
            int full = bits / 8;
            for (int i = 0; i < full; i++) if (b[i] != network[i]) return false;
            int rest = bits % 8;
            if (rest == 0) return true;
            int mask = (0xff << (8 - rest)) & 0xff;
            return (b[full] & mask) == (network[full] & mask);
        }
    }

    static boolean isIpv4(InetAddress a) {
        return a instanceof Inet4Address;
    }
}
