package io.porthole.sdk;

import java.util.List;
import java.util.Optional;

/**
 * Who a browser computer appears to be, as the server resolved it at create ({@code identity} of a computer or
 * sandbox).
 *
 * @param timezone its IANA time zone
 * @param locale its BCP 47 locale
 * @param languages {@code navigator.languages}, most preferred first
 * @param geolocation what the Geolocation API answers; empty when none
 * @param screenWidth its screen's width in CSS pixels
 * @param screenHeight its screen's height in CSS pixels
 */
public record IdentityInfo(String timezone, String locale, List<String> languages, Optional<Geolocation> geolocation,
                           int screenWidth, int screenHeight) {
    /**
     * A position.
     *
     * @param latitude degrees
     * @param longitude degrees
     * @param accuracyMeters its accuracy in metres
     */
    public record Geolocation(double latitude, double longitude, double accuracyMeters) {
    }
}
