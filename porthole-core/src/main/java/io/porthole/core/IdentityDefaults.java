package io.porthole.core;

import io.porthole.core.browser.Identity;
import java.util.Optional;

/**
 * The identity a browser computer gets for what its request leaves out (and what the warm pool's computers are
 * started with): {@link Identity#defaults}, with the operator's time zone and locale when set
 * ({@code PORTHOLE_IDENTITY_TIMEZONE}, {@code PORTHOLE_IDENTITY_LOCALE}).
 */
public record IdentityDefaults(String timezone, String locale) {
    public static final IdentityDefaults BUILT_IN = new IdentityDefaults(Identity.DEFAULT_TIMEZONE, Identity.DEFAULT_LOCALE);

    /**
     * Checks both as a request's would be.
     *
     * @throws IllegalArgumentException naming the setting, if one is not a zone or a language tag
     */
    public static IdentityDefaults of(Optional<String> timezone, Optional<String> locale) {
        String tz = Identity.DEFAULT_TIMEZONE;
        String loc = Identity.DEFAULT_LOCALE;
        try {
            if (timezone.isPresent()) tz = IdentityRequest.timezone(timezone.get());
        } catch (PortholeException e) {
            throw new IllegalArgumentException("PORTHOLE_IDENTITY_TIMEZONE must be an IANA time zone name such as"
                    + " Europe/Berlin, not '" + timezone.get() + "'");
        }
        try {
            if (locale.isPresent()) loc = IdentityRequest.languageTag(locale.get(), "PORTHOLE_IDENTITY_LOCALE");
        } catch (PortholeException e) {
            throw new IllegalArgumentException("PORTHOLE_IDENTITY_LOCALE must be a BCP 47 language tag such as de-DE,"
                    + " not '" + locale.get() + "'");
        }
        return new IdentityDefaults(tz, loc);
    }

    /** The default identity of a computer with a viewport of {@code width}x{@code height}. */
    public Identity forViewport(int width, int height) {
        var d = Identity.defaults(width, height);
        return new Identity(timezone, locale, locale.equals(d.locale()) ? d.languages() : Identity.languagesFor(locale),
                Optional.empty(), d.screenWidth(), d.screenHeight());
    }
}
