package io.porthole.server;

import com.maxmind.db.Reader;
import io.porthole.core.ProxyLocator;
import io.porthole.core.ProxyPlace;
import io.porthole.core.browser.Identity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

/**
 * Finds an upstream proxy's place in a MaxMind-format database (ADR 0037): its exit address from the echo URL,
 * fetched through the proxy ({@link ProxyExit}), else the proxy host's own address; then the database's
 * {@code location.time_zone}, {@code country.iso_code} (or {@code registered_country}) and
 * {@code location.latitude/longitude/accuracy_radius}. Thread-safe (the reader is). Logs which address it used at
 * INFO, naming the proxy by host and port only.
 */
final class GeoIpLocator implements ProxyLocator {
    private static final System.Logger LOG = System.getLogger(GeoIpLocator.class.getName());

    /**
     * The address the server may connect to for a proxy: the egress policy's answer (a proxy a computer chose is held
     * to the rules of any destination: no loopback, private or metadata address unless allowed), or a refusal.
     */
    @FunctionalInterface
    interface ProxyAddress {
        InetAddress resolve(URI proxy) throws IOException;

        /** Any address the name resolves to (tests, and the operator's own proxy). */
        ProxyAddress ANY = proxy -> InetAddress.getByName(proxy.getHost());
    }

    private final Reader reader;
    private final Optional<URI> echoUrl;
    private final Duration echoTimeout;
    private final ProxyAddress proxyAddress;

    private GeoIpLocator(Reader reader, Optional<URI> echoUrl, Duration echoTimeout, ProxyAddress proxyAddress) {
        this.reader = reader;
        this.echoUrl = echoUrl;
        this.echoTimeout = echoTimeout;
        this.proxyAddress = proxyAddress;
    }

    /** The locator a configuration asks for: {@link ProxyLocator#NONE} without a database. */
    static ProxyLocator of(ServerConfig.GeoIpConfig config, ProxyAddress proxyAddress) {
        if (config.database().isEmpty()) return ProxyLocator.NONE;
        return open(config.database().get(), config.echoUrl(), config.echoTimeout(), proxyAddress);
    }

    static GeoIpLocator open(Path database, Optional<URI> echoUrl, Duration echoTimeout, ProxyAddress proxyAddress) {
        try {
            var reader = new Reader(database.toFile());
            LOG.log(System.Logger.Level.INFO, "GeoIP: {0} ({1}, built {2})", database,
                    reader.getMetadata().getDatabaseType(), reader.getMetadata().getBuildDate().toInstant());
            return new GeoIpLocator(reader, echoUrl, echoTimeout, proxyAddress);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("PORTHOLE_GEOIP_DATABASE names " + database + ", which is not a MaxMind"
                    + " database that can be read: " + e.getMessage());
        }
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public Optional<ProxyPlace> locate(URI upstream) {
        var proxy = upstream.getHost() + ":" + upstream.getPort();
        Optional<InetAddress> address = Optional.empty();
        String source = "echo";
        if (echoUrl.isPresent()) {
            try {
                // connected to the address the policy checked, not to the name again
                var checked = proxyAddress.resolve(upstream);
                address = Optional.of(ProxyExit.fetch(upstream, checked, echoUrl.get(), echoTimeout));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.INFO, "GeoIP: the echo URL through {0} did not answer an address ({1});"
                        + " looking up the proxy host instead", proxy, e.getMessage());
            }
        }
        if (address.isEmpty()) {
            source = "proxy_host";
            try {
                address = Optional.of(InetAddress.getByName(upstream.getHost()));
            } catch (UnknownHostException e) {
                LOG.log(System.Logger.Level.INFO, "GeoIP: the proxy host of {0} has no address; the identity keeps its"
                        + " defaults", proxy);
                return Optional.empty();
            }
        }
        var place = lookup(address.get(), source);
        LOG.log(System.Logger.Level.INFO, "GeoIP: upstream {0} exits at {1} (from the {2}): {3}", proxy,
                address.get().getHostAddress(), source.equals("echo") ? "echo URL" : "proxy host",
                place.filter(ProxyPlace::isKnown).map(p -> p.timezone().orElse("no zone") + ", "
                        + p.country().orElse("no country")).orElse("not in the database; the identity keeps its defaults"));
        return place.filter(ProxyPlace::isKnown);
    }

    /** What the database says of {@code address}; empty when it has no record of it. */
    Optional<ProxyPlace> lookup(InetAddress address, String source) {
        Map<?, ?> record;
        try {
            record = reader.get(address, Map.class);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "GeoIP: the database could not be read for {0}: {1}",
                    address.getHostAddress(), e.getMessage());
            return Optional.empty();
        }
        if (record == null) return Optional.empty();
        var location = map(record.get("location"));
        var timezone = string(location.get("time_zone")).filter(z -> ZoneId.getAvailableZoneIds().contains(z));
        var country = string(map(record.get("country")).get("iso_code"))
                .or(() -> string(map(record.get("registered_country")).get("iso_code")))
                .filter(c -> c.matches("[A-Za-z]{2}"));
        Optional<Identity.Geolocation> geolocation = Optional.empty();
        if (location.get("latitude") instanceof Number lat && location.get("longitude") instanceof Number lon
                && Math.abs(lat.doubleValue()) <= 90 && Math.abs(lon.doubleValue()) <= 180) {
            // accuracy_radius is in kilometres; without one, a city's size
            double km = location.get("accuracy_radius") instanceof Number r && r.doubleValue() > 0 ? r.doubleValue() : 20;
            geolocation = Optional.of(new Identity.Geolocation(lat.doubleValue(), lon.doubleValue(), km * 1000));
        }
        return Optional.of(new ProxyPlace(address.getHostAddress(), source, timezone, country, geolocation));
    }

    private static Map<?, ?> map(Object o) {
        return o instanceof Map<?, ?> m ? m : Map.of();
    }

    private static Optional<String> string(Object o) {
        return o instanceof String s && !s.isBlank() ? Optional.of(s) : Optional.empty();
    }
}
