package io.porthole.server;

import io.porthole.core.browser.Identity;
import java.util.Optional;

/**
 * The stealth battery's consistency checks on a computer created with a non-default identity (Europe/Berlin,
 * de-DE): the timezone, the locale and the languages show in every context and in Accept-Language. No public
 * detectors and no cross-site visit here ({@link StealthChecks} runs those on the default identity).
 */
abstract class StealthIdentityChecks extends StealthChecks {
    @Override
    String identityJson() {
        return "{\"timezone\":\"Europe/Berlin\",\"locale\":\"de-DE\"}";
    }

    @Override
    Identity expectedIdentity() {
        var screen = Identity.screenFor(1280, 720);
        return new Identity("Europe/Berlin", "de-DE", Identity.languagesFor("de-DE"), Optional.empty(), screen[0], screen[1]);
    }

    @Override
    boolean full() {
        return false;
    }

    @Override
    String reportName() {
        return "stealth-report-" + engine() + "-identity";
    }
}
