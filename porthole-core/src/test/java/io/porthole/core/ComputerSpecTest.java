package io.porthole.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.porthole.api.ErrorCode;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ComputerSpecTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ComputersConfig DEFAULTS = ComputersConfig.defaults();

    private static JsonNode json(String singleQuoted) {
        try {
            return MAPPER.readTree(singleQuoted.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new AssertionError("bad test JSON: " + singleQuoted, e);
        }
    }

    private static ComputerSpec parse(String singleQuoted) {
        return ComputerSpec.parse(json(singleQuoted), DEFAULTS);
    }

    private static PortholeException refused(String singleQuoted, ErrorCode expected) {
        var e = assertThrows(PortholeException.class, () -> parse(singleQuoted));
        assertEquals(expected, e.code(), () -> "code for " + singleQuoted + " (" + e.getMessage() + ")");
        return e;
    }

    private static void assertDefaults(ComputerSpec s, ComputersConfig cfg) {
        assertEquals("browser", s.kind());
        assertEquals("chromium", s.engine());
        assertEquals(cfg.defaultMaxLifetimeSeconds(), s.maxLifetimeSeconds());
        assertEquals(cfg.defaultInactivityTimeoutSeconds(), s.inactivityTimeoutSeconds());
        assertTrue(s.idleTimeoutEnabled());
        assertFalse(s.persistent());
        assertEquals(cfg.defaultWidth(), s.width());
        assertEquals(cfg.defaultHeight(), s.height());
        assertEquals(1.0, s.scale());
        assertEquals(Optional.empty(), s.environmentId());
        assertEquals(Optional.empty(), s.contextId());
        assertFalse(s.useAdvancedProxy());
    }

    @Test
    void anEmptyBodyTakesEveryDefaultFromTheConfig() {
        assertDefaults(parse("{}"), DEFAULTS);
    }

    @Test
    void theShippedDefaultsAreAnHourFiveIdleMinutesAnd1280By720() {
        var s = parse("{}");
        assertEquals(3600, s.maxLifetimeSeconds());
        assertEquals(300, s.inactivityTimeoutSeconds());
        assertEquals(1280, s.width());
        assertEquals(720, s.height());
    }

    @Test
    void aNullBodyTakesEveryDefault() {
        assertDefaults(ComputerSpec.parse(null, DEFAULTS), DEFAULTS);
        assertDefaults(ComputerSpec.parse(NullNode.getInstance(), DEFAULTS), DEFAULTS);
        assertDefaults(ComputerSpec.parse(MissingNode.getInstance(), DEFAULTS), DEFAULTS);
    }

    @Test
    void defaultsComeFromTheConfigGiven() {
        var cfg = new ComputersConfig(600, 60, 7200, 4, 800, 600);
        assertDefaults(ComputerSpec.parse(json("{}"), cfg), cfg);
    }

    @Test
    void nullFieldsTakeTheirDefaults() {
        assertDefaults(parse("{'kind':null,'engine':null,'max_lifetime_seconds':null,'inactivity_timeout_seconds':null,"
                + "'idle_timeout_enabled':null,'persistent':null,'display':null,'environment_id':null,"
                + "'context_id':null,'use_advanced_proxy':null,'timeout_seconds':null,'auto_kill':null}"), DEFAULTS);
    }

    @Test
    void everyFieldIsRead() {
        var s = parse("{'kind':'browser','engine':'chromium','max_lifetime_seconds':900,'inactivity_timeout_seconds':45,"
                + "'idle_timeout_enabled':false,'persistent':true,'display':{'width':1920,'height':1080,'scale':2},"
                + "'environment_id':'env-1','context_id':'ctx-9','use_advanced_proxy':true,'record_video':true}");
        assertEquals(new ComputerSpec("browser", "chromium", 900, 45, false, true, 1920, 1080, 2.0,
                Optional.of("env-1"), Optional.of("ctx-9"), true, Optional.empty(), "{}", Optional.empty(), false, true), s);
    }

    @Test
    void unknownFieldsAndAnyStealthValueAreIgnored() {
        assertDefaults(parse("{'stealth':{'level':3,'fingerprint':[1,2]},'flavour':'vanilla'}"), DEFAULTS);
        assertDefaults(parse("{'stealth':true}"), DEFAULTS);
    }

    @Test
    void aBodyThatIsNotAnObjectIsInvalidJson() {
        var e = assertThrows(PortholeException.class, () -> ComputerSpec.parse(json("[]"), DEFAULTS));
        assertEquals(ErrorCode.INVALID_JSON, e.code());
    }

    // --- deprecated names ---

    @Test
    void deprecatedTimeoutSecondsIsReadAsMaxLifetime() {
        assertEquals(1200, parse("{'timeout_seconds':1200}").maxLifetimeSeconds());
    }

    @Test
    void maxLifetimeSecondsWinsOverTimeoutSeconds() {
        assertEquals(600, parse("{'timeout_seconds':1200,'max_lifetime_seconds':600}").maxLifetimeSeconds());
        assertEquals(600, parse("{'max_lifetime_seconds':600,'timeout_seconds':1200}").maxLifetimeSeconds());
    }

    @Test
    void aNullMaxLifetimeFallsBackToTimeoutSeconds() {
        assertEquals(1200, parse("{'max_lifetime_seconds':null,'timeout_seconds':1200}").maxLifetimeSeconds());
    }

    @Test
    void deprecatedAutoKillIsReadAsIdleTimeoutEnabled() {
        assertFalse(parse("{'auto_kill':false}").idleTimeoutEnabled());
        assertTrue(parse("{'auto_kill':true}").idleTimeoutEnabled());
    }

    @Test
    void idleTimeoutEnabledWinsOverAutoKill() {
        assertTrue(parse("{'auto_kill':false,'idle_timeout_enabled':true}").idleTimeoutEnabled());
        assertFalse(parse("{'auto_kill':true,'idle_timeout_enabled':false}").idleTimeoutEnabled());
    }

    @Test
    void timeoutSecondsOverTheCapIsRejectedToo() {
        refused("{'timeout_seconds':" + (DEFAULTS.maxLifetimeCapSeconds() + 1) + "}", ErrorCode.INVALID_ARGUMENT);
    }

    // --- lifetimes ---

    @Test
    void maxLifetimeUpToTheCapIsAccepted() {
        assertEquals(DEFAULTS.maxLifetimeCapSeconds(),
                parse("{'max_lifetime_seconds':" + DEFAULTS.maxLifetimeCapSeconds() + "}").maxLifetimeSeconds());
    }

    @Test
    void maxLifetimeOverTheCapIsRejected() {
        var e = refused("{'max_lifetime_seconds':" + (DEFAULTS.maxLifetimeCapSeconds() + 1) + "}",
                ErrorCode.INVALID_ARGUMENT);
        assertTrue(e.getMessage().contains(String.valueOf(DEFAULTS.maxLifetimeCapSeconds())), e.getMessage());
    }

    @Test
    void theCapComesFromTheConfig() {
        var cfg = new ComputersConfig(60, 30, 120, 4, 800, 600);
        assertEquals(120, ComputerSpec.parse(json("{'max_lifetime_seconds':120}"), cfg).maxLifetimeSeconds());
        var e = assertThrows(PortholeException.class,
                () -> ComputerSpec.parse(json("{'max_lifetime_seconds':121}"), cfg));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{'max_lifetime_seconds':0}",
            "{'max_lifetime_seconds':-5}",
            "{'max_lifetime_seconds':90.5}",
            "{'max_lifetime_seconds':'600'}",
            "{'timeout_seconds':0}",
            "{'inactivity_timeout_seconds':0}",
            "{'inactivity_timeout_seconds':1.5}",
            "{'inactivity_timeout_seconds':'60'}",
            "{'inactivity_timeout_seconds':1e12}"})
    void lifetimesThatAreNotWholePositiveSecondsAreRejected(String body) {
        refused(body, ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void aWholeNumberWrittenAsAFloatIsAccepted() {
        assertEquals(600, parse("{'max_lifetime_seconds':600.0}").maxLifetimeSeconds());
    }

    @Test
    void inactivityTimeoutIsRead() {
        assertEquals(30, parse("{'inactivity_timeout_seconds':30}").inactivityTimeoutSeconds());
    }

    // --- display ---

    @Test
    void displayIsRead() {
        var s = parse("{'display':{'width':1024,'height':768,'scale':1.5}}");
        assertEquals(1024, s.width());
        assertEquals(768, s.height());
        assertEquals(1.5, s.scale());
    }

    @Test
    void aPartialDisplayKeepsTheOtherDefaults() {
        var s = parse("{'display':{'width':800}}");
        assertEquals(800, s.width());
        assertEquals(DEFAULTS.defaultHeight(), s.height());
        assertEquals(1.0, s.scale());
        var t = parse("{'display':{'scale':2}}");
        assertEquals(DEFAULTS.defaultWidth(), t.width());
        assertEquals(DEFAULTS.defaultHeight(), t.height());
        assertEquals(2.0, t.scale());
    }

    @Test
    void displayAcceptsItsExtremes() {
        var s = parse("{'display':{'width':100,'height':7680,'scale':0.25}}");
        assertEquals(100, s.width());
        assertEquals(7680, s.height());
        assertEquals(0.25, s.scale());
        assertEquals(4.0, parse("{'display':{'width':7680,'height':100,'scale':4}}").scale());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{'display':{'width':99}}",
            "{'display':{'width':7681}}",
            "{'display':{'height':99}}",
            "{'display':{'height':7681}}",
            "{'display':{'width':1024.5}}",
            "{'display':{'width':'1024'}}",
            "{'display':{'scale':0.2}}",
            "{'display':{'scale':4.01}}",
            "{'display':{'scale':0}}",
            "{'display':{'scale':-1}}",
            "{'display':'1280x720'}",
            "{'display':[1280,720]}"})
    void displayOutOfRangeOrMisshapenIsRejected(String body) {
        refused(body, ErrorCode.INVALID_ARGUMENT);
    }

    // --- kind and engine ---

    @Test
    void kindIsCaseInsensitive() {
        assertEquals("browser", parse("{'kind':'Browser'}").kind());
    }

    @Test
    void desktopIsAKind() {
        assertEquals("desktop", parse("{'kind':'desktop'}").kind());
        assertEquals("desktop", parse("{'kind':'DESKTOP'}").kind());
    }

    @Test
    void anotherKindIsAnInvalidArgument() {
        var e = refused("{'kind':'vm'}", ErrorCode.INVALID_ARGUMENT);
        assertTrue(e.getMessage().contains("vm"), e.getMessage());
    }

    @Test
    void aNonStringKindIsAnInvalidArgument() {
        refused("{'kind':1}", ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void chromiumIsTheEngineInAnyCase() {
        assertEquals("chromium", parse("{'engine':'Chromium'}").engine());
        assertEquals("chromium", parse("{'browser':'CHROMIUM'}").engine());
    }

    @Test
    void firefoxIsAnEngine() {
        assertEquals("firefox", parse("{'engine':'Firefox'}").engine());
    }

    @Test
    void theBrowserFieldIsAnAliasOfEngine() {
        var e = refused("{'browser':'webkit'}", ErrorCode.INVALID_ARGUMENT);
        assertTrue(e.getMessage().contains("webkit"), e.getMessage());
    }

    @Test
    void engineWinsOverBrowser() {
        assertEquals("chromium", parse("{'engine':'chromium','browser':'firefox'}").engine());
    }

    // --- flags and ids ---

    @Test
    void persistentAndAdvancedProxyAreRead() {
        var s = parse("{'persistent':true,'use_advanced_proxy':true}");
        assertTrue(s.persistent());
        assertTrue(s.useAdvancedProxy());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{'persistent':'yes'}",
            "{'persistent':1}",
            "{'idle_timeout_enabled':'false'}",
            "{'auto_kill':0}",
            "{'use_advanced_proxy':'true'}",
            "{'environment_id':7}",
            "{'context_id':{'id':'x'}}",
            "{'engine':5}"})
    void wrongTypesAreInvalidArguments(String body) {
        refused(body, ErrorCode.INVALID_ARGUMENT);
    }
}
