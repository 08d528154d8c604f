package io.porthole.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Who a browser computer appears to be, as both API surfaces show it (and the store keeps it): its IANA time zone,
 * BCP 47 locale, {@code navigator.languages} (most preferred first), the position the Geolocation API answers (null
 * when none) and its screen in CSS pixels. The same names on both surfaces.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record IdentityInfo(String timezone, String locale, List<String> languages, Geolocation geolocation,
                           Screen screen) {
    /** A position in degrees and its accuracy in metres. */
    public record Geolocation(double latitude, double longitude, double accuracy) {}

    /** A screen size in CSS pixels. */
    public record Screen(int width, int height) {}
}
