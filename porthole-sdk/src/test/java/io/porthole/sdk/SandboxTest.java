package io.porthole.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native browser-sandboxes API through the SDK: one Chromium sandbox for the class. */
class SandboxTest {
    private static RealServer server;
    private static Porthole porthole;
    private static Sandbox sandbox;

    @BeforeAll
    static void create() {
        server = RealServer.get();
        porthole = server.client();
        sandbox = porthole.sandboxes().create(SandboxSpec.chromium().viewport(1024, 768, 1.0).metadata("suite", "sdk")
                .identity(IdentitySpec.create().timezone("Europe/Lisbon").locale("pt-PT").fromProxy(false)));
    }

    @AfterAll
    static void closeTwice() {
        if (sandbox != null) {
            sandbox.close();
            sandbox.close();
            assertEquals("closed", porthole.sandboxes().get(sandbox.id()).info().state());
        }
        porthole.close();
    }

    @Test
    void aCreatedSandboxRunsWithItsTokenAndConnectUrls() {
        var info = sandbox.info();
        assertEquals("running", info.state());
        assertEquals("chromium", info.browser());
        assertEquals(1024, info.viewport().width());
        assertEquals("sdk", info.metadata().get("suite"));
        var identity = info.identity().orElseThrow();
        assertEquals("Europe/Lisbon", identity.timezone());
        assertEquals(List.of("pt-PT", "pt"), identity.languages());
        assertTrue(identity.geolocation().isEmpty());
        assertTrue(identity.screenHeight() >= 768 + 140, identity.toString());
        assertFalse(sandbox.accessToken().isEmpty());
        assertTrue(sandbox.cdpUrl().startsWith("ws://") && sandbox.cdpUrl().contains("token="), sandbox.cdpUrl());
        assertThrows(IllegalStateException.class, sandbox::bidiUrl, "Chromium has no BiDi endpoint here");
        assertTrue(porthole.sandboxes().list("running").anyMatch(s -> s.id().equals(sandbox.id())));
        assertEquals(sandbox.id(), porthole.sandboxes().get(sandbox.id()).info().id());
    }

    @Test
    void contextsAreCreatedGivenTabsAndClosed() {
        var contexts = sandbox.contexts();
        assertTrue(contexts.list().stream().anyMatch(BrowserContext::isDefault));
        var made = contexts.create();
        assertFalse(made.isDefault());
        assertTrue(contexts.list().stream().anyMatch(c -> c.id().equals(made.id())));
        var tab = contexts.newTab(made.id(), server.pages.url("second.html"));
        assertEquals(made.id(), tab.contextId());
        assertTrue(contexts.tabs(made.id()).stream().anyMatch(t -> t.tabId().equals(tab.tabId())));
        contexts.delete(made.id());
        assertFalse(contexts.list().stream().anyMatch(c -> c.id().equals(made.id())));
    }

    @Test
    void artifactsAreUploadedListedAndDownloaded(@TempDir Path dir) throws Exception {
        var bytes = "{\"log\":{}}".getBytes(StandardCharsets.UTF_8);
        var stored = sandbox.artifacts().upload("har", "application/json", "run.har", bytes);
        assertEquals(bytes.length, stored.size());
        assertEquals("run.har", stored.name().orElse(""));
        assertTrue(sandbox.artifacts().list().stream().anyMatch(a -> a.id().equals(stored.id())));
        var file = sandbox.artifacts().download(stored.id(), dir.resolve("run.har"));
        assertArrayEquals(bytes, Files.readAllBytes(file));
        try (var listing = Files.list(dir)) {
            assertEquals(1, listing.count(), "no partial file is left beside the download");
        }

        var shot = sandbox.artifacts().screenshot();
        assertEquals("screenshot", shot.type());
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(sandbox.artifacts().bytes(shot.id()), 4));
        assertThrows(NotFoundException.class, () -> sandbox.artifacts().bytes("art_missing"));
    }

    @Test
    void replayEventsArePagedLazilyNewestFirst() {
        // something to log beyond the creation
        sandbox.computer().navigate(server.pages.url("input.html"));
        var all = sandbox.replayEvents(1000).toList();
        assertTrue(all.size() >= 2, all.toString());
        assertTrue(all.stream().anyMatch(e -> e.category().equals("lifecycle") && e.type().equals("created")), all.toString());
        // pages of two: the same log (events logged since may lead it), newest first across page boundaries
        var paged = sandbox.replayEvents(2).map(ReplayEvent::id).collect(Collectors.toList());
        assertTrue(paged.containsAll(all.stream().map(ReplayEvent::id).collect(Collectors.toList())), paged.toString());
        for (int i = 1; i < paged.size(); i++) {
            assertTrue(Long.parseLong(paged.get(i - 1)) > Long.parseLong(paged.get(i)), "newest first: " + paged);
        }
    }

    @Test
    void rpcCallsAreAnsweredInOrderAndAFailureDoesNotStopTheRest() {
        var replies = sandbox.rpc(java.util.List.of(
                RpcCall.of("1", "navigate", java.util.Map.of("url", server.pages.url("second.html"))),
                RpcCall.of("2", "no_such_method", java.util.Map.of()),
                RpcCall.of("3", "html", java.util.Map.of())));
        assertEquals(java.util.List.of("1", "2", "3"), replies.stream().map(r -> r.id().orElse("")).toList());
        assertTrue(replies.get(0).ok(), replies.toString());
        assertFalse(replies.get(1).ok());
        assertFalse(replies.get(1).errorMessage().orElse("").isBlank());
        assertTrue(replies.get(2).ok(), replies.toString());
        assertTrue(replies.get(2).result().containsKey("html_content"), replies.get(2).toString());
    }

    @Test
    void suspendAndResumeAreReflectedInTheState() {
        assertEquals("paused", sandbox.suspend().state());
        assertEquals("paused", sandbox.info().state());
        var refused = assertThrows(UnprocessableEntityException.class, () -> sandbox.computer().click(1, 1));
        assertEquals("computer_paused", refused.code());
        assertEquals("running", sandbox.resume().state());
        assertTrue(sandbox.computer().execute(Action.waitFor(java.time.Duration.ofMillis(1))).succeeded());
    }
}
