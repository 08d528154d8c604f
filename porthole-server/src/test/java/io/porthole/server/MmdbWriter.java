package io.porthole.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny writer of MaxMind DB files (the {@code .mmdb} format: a binary search tree of 24-bit records over IPv4
 * addresses, 16 zero bytes, a data section, then the metadata marker and map) for tests: a handful of IPv4 networks,
 * each with a City-schema record. Not thread-safe.
 */
final class MmdbWriter {
    /** A network and what the database says of it. */
    record Entry(String network, int prefix, String timezone, String country, double latitude, double longitude,
                 int accuracyKm) {}

    private final List<Entry> entries = new ArrayList<>();

    MmdbWriter add(String network, int prefix, String timezone, String country, double lat, double lon, int accuracyKm) {
        entries.add(new Entry(network, prefix, timezone, country, lat, lon, accuracyKm));
        return this;
    }

    /** A node of the search tree: each side a child node, a data offset, or nothing. */
    private static final class Node {
        final Object[] sides = new Object[2];
    }

    void write(Path file) {
        try {
            Files.write(file, bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] bytes() throws IOException {
        var data = new ByteArrayOutputStream();
        var nodes = new ArrayList<Node>();
        nodes.add(new Node());
        for (var e : entries) {
            int offset = data.size();
            encode(data, record(e));
            var address = InetAddress.getByName(e.network()).getAddress();
            var node = nodes.get(0);
            for (int bit = 0; bit < e.prefix(); bit++) {
                int side = (address[bit / 8] >> (7 - bit % 8)) & 1;
                if (bit == e.prefix() - 1) {
                    node.sides[side] = offset;
                } else {
                    if (!(node.sides[side] instanceof Node)) {
                        var child = new Node();
                        nodes.add(child);
                        node.sides[side] = child;
                    }
                    node = (Node) node.sides[side];
                }
            }
        }
        int count = nodes.size();
        var out = new ByteArrayOutputStream();
        for (var n : nodes) {
            for (var side : n.sides) {
                int value = side instanceof Node child ? nodes.indexOf(child)
                        : side instanceof Integer offset ? count + 16 + offset : count;
                out.write(value >> 16);
                out.write(value >> 8);
                out.write(value);
            }
        }
        out.write(new byte[16]);
        data.writeTo(out);
        out.write(new byte[] {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF});
        out.write("MaxMind.com".getBytes(StandardCharsets.US_ASCII));
        var meta = new LinkedHashMap<String, Object>();
        meta.put("binary_format_major_version", new U16(2));
        meta.put("binary_format_minor_version", new U16(0));
        meta.put("build_epoch", new U64(1_700_000_000L));
        meta.put("database_type", "Porthole-Test-City");
        meta.put("description", Map.of("en", "Porthole's test database"));
        meta.put("ip_version", new U16(4));
        meta.put("languages", List.of("en"));
        meta.put("node_count", new U32(count));
        meta.put("record_size", new U16(24));
        encode(out, meta);
        return out.toByteArray();
    }

    private static Map<String, Object> record(Entry e) {
        var location = new LinkedHashMap<String, Object>();
        location.put("accuracy_radius", new U16(e.accuracyKm()));
        location.put("latitude", e.latitude());
        location.put("longitude", e.longitude());
        location.put("time_zone", e.timezone());
        var out = new LinkedHashMap<String, Object>();
        out.put("country", Map.of("iso_code", e.country()));
        out.put("location", location);
        return out;
    }

    private record U16(int value) {}

    private record U32(long value) {}

    private record U64(long value) {}

    private static void encode(ByteArrayOutputStream out, Object v) throws IOException {
        switch (v) {
            case String s -> {
                var bytes = s.getBytes(StandardCharsets.UTF_8);
                control(out, 2, bytes.length);
                out.write(bytes);
            }
            case Double d -> {
                control(out, 3, 8);
                long bits = Double.doubleToLongBits(d);
                for (int i = 7; i >= 0; i--) out.write((int) (bits >> (8 * i)));
            }
            case U16 u -> unsigned(out, 5, u.value());
            case U32 u -> unsigned(out, 6, u.value());
            case U64 u -> unsigned(out, 9, u.value());
            case Map<?, ?> m -> {
                control(out, 7, m.size());
                for (var e : m.entrySet()) {
                    encode(out, (String) e.getKey());
                    encode(out, e.getValue());
                }
            }
            case List<?> l -> {
                control(out, 11, l.size());
                for (var x : l) encode(out, x);
            }
            default -> throw new IllegalArgumentException("cannot encode " + v);
        }
    }

    private static void unsigned(ByteArrayOutputStream out, int type, long value) {
        int n = 0;
        for (long x = value; x != 0; x >>>= 8) n++;
        control(out, type, n);
        for (int i = n - 1; i >= 0; i--) out.write((int) (value >> (8 * i)));
    }

    /** A control byte: the type in its top three bits (extended types in a second byte), the size below (< 29 here). */
    private static void control(ByteArrayOutputStream out, int type, int size) {
        if (size >= 29) throw new IllegalArgumentException("sizes of 29 and more are not written here");
        if (type <= 7) {
            out.write((type << 5) | size);
        } else {
            out.write(size);
            out.write(type - 7);
        }
    }
}
