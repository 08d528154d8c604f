package io.porthole.core;

import io.porthole.core.browser.Identity;
import java.util.Optional;

/**
 * Where an upstream proxy's exit address is, as a GeoIP database says: the parts of an identity a request leaves
 * out come from here when GeoIP is on.
 *
 * @param address the address looked up
 * @param source how that address was found: {@code echo} (the echo URL, fetched through the proxy) or
 *     {@code proxy_host} (the proxy's own host, resolved)
 * @param timezone the IANA zone of the place, if the database has one
 * @param country its ISO 3166-1 alpha-2 country code, if the database has one
 * @param geolocation its position and accuracy radius, if the database has one
 */
public record ProxyPlace(String address, String source, Optional<String> timezone, Optional<String> country,
                         Optional<Identity.Geolocation> geolocation) {
    /** A place nothing is known of. */
    public static final ProxyPlace NOWHERE = new ProxyPlace("", "none", Optional.empty(), Optional.empty(),
            Optional.empty());

    /** Whether the database said anything of the address. */
    public boolean isKnown() {
        return timezone.isPresent() || country.isPresent() || geolocation.isPresent();
    }
}
