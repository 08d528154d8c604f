package io.porthole.core;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The locale and languages a browser in a country most commonly has: its main language in that country, then the
 * language alone, then English (as browsers outside the English-speaking countries commonly list it). A country not
 * in the table keeps the server's default locale.
 */
final class CountryLocales {
    record Entry(String locale, List<String> languages) {}

    private static final Map<String, String> PRIMARY = Map.ofEntries(
            Map.entry("US", "en-US"), Map.entry("GB", "en-GB"), Map.entry("CA", "en-CA"), Map.entry("AU", "en-AU"),
            Map.entry("NZ", "en-NZ"), Map.entry("IE", "en-IE"), Map.entry("IN", "en-IN"), Map.entry("SG", "en-SG"),
            Map.entry("ZA", "en-ZA"), Map.entry("DE", "de-DE"), Map.entry("AT", "de-AT"), Map.entry("CH", "de-CH"),
            Map.entry("FR", "fr-FR"), Map.entry("BE", "fr-BE"), Map.entry("LU", "fr-LU"), Map.entry("IT", "it-IT"),
            Map.entry("ES", "es-ES"), Map.entry("MX", "es-MX"), Map.entry("AR", "es-AR"), Map.entry("CO", "es-CO"),
            Map.entry("CL", "es-CL"), Map.entry("PE", "es-PE"), Map.entry("PT", "pt-PT"), Map.entry("BR", "pt-BR"),
            Map.entry("NL", "nl-NL"), Map.entry("SE", "sv-SE"), Map.entry("NO", "nb-NO"), Map.entry("DK", "da-DK"),
            Map.entry("FI", "fi-FI"), Map.entry("PL", "pl-PL"), Map.entry("CZ", "cs-CZ"), Map.entry("SK", "sk-SK"),
            Map.entry("HU", "hu-HU"), Map.entry("RO", "ro-RO"), Map.entry("BG", "bg-BG"), Map.entry("GR", "el-GR"),
            Map.entry("TR", "tr-TR"), Map.entry("UA", "uk-UA"), Map.entry("RU", "ru-RU"), Map.entry("IL", "he-IL"),
            Map.entry("SA", "ar-SA"), Map.entry("AE", "ar-AE"), Map.entry("EG", "ar-EG"), Map.entry("JP", "ja-JP"),
            Map.entry("KR", "ko-KR"), Map.entry("CN", "zh-CN"), Map.entry("TW", "zh-TW"), Map.entry("HK", "zh-HK"),
            Map.entry("TH", "th-TH"), Map.entry("VN", "vi-VN"), Map.entry("ID", "id-ID"), Map.entry("MY", "ms-MY"),
            Map.entry("PH", "en-PH"), Map.entry("HR", "hr-HR"), Map.entry("RS", "sr-RS"), Map.entry("SI", "sl-SI"),
            Map.entry("LT", "lt-LT"), Map.entry("LV", "lv-LV"), Map.entry("EE", "et-EE"));

    private CountryLocales() {}

    /** The entry for an ISO 3166-1 alpha-2 code, e.g. DE: de-DE, [de-DE, de, en-US, en]. */
    static Optional<Entry> of(String country) {
        var locale = PRIMARY.get(country.toUpperCase(Locale.ROOT));
        if (locale == null) return Optional.empty();
        var base = locale.substring(0, locale.indexOf('-'));
        var languages = base.equals("en") ? List.of(locale, "en") : List.of(locale, base, "en-US", "en");
        return Optional.of(new Entry(locale, languages));
    }
}
