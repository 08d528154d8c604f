package io.porthole.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.sandbox.Sandbox;
import io.porthole.core.sandbox.SandboxSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real bubblewrap sandboxes on this host. */
class LocalSandboxRuntimeTest {
    private final java.util.List<LocalSandboxRuntime> runtimes = new java.util.ArrayList<>();

    private LocalSandboxRuntime track(LocalSandboxRuntime r) {
        runtimes.add(r);
        return r;
    }

    /** A runtime's cgroups outlive a test unless it is closed. */
    @org.junit.jupiter.api.AfterEach
    void closeRuntimes() {
        runtimes.forEach(LocalSandboxRuntime::close);
    }

    private static String run(Sandbox s, String command) throws Exception {
        var p = s.start(List.of("/bin/sh", "-c", command), Map.of(), Sandbox.WORKSPACE);
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void aSandboxOutlivesTheThreadThatMadeIt(@TempDir Path dir) throws Exception {
        var runtime = track(new LocalSandboxRuntime(List.of(dir), new EgressPolicy(List.of(), () -> -1)));
        var made = new AtomicReference<Sandbox>();
        var thread = Thread.ofPlatform().start(() -> made.set(runtime.start(new SandboxSpec("t1", dir.resolve("c1"), Map.of()))));
        thread.join();
        try (var sandbox = made.get()) {
            Thread.sleep(300);
            assertTrue(sandbox.isAlive(), "the parent-death signal follows the spawning thread, which has ended");
            assertEquals("alive\n", run(sandbox, "echo alive"));
        }
    }

    @Test
    void insideSeesItsOwnFilesystemAndProcessesOnly(@TempDir Path dir) throws Exception {
        var runtime = track(new LocalSandboxRuntime(List.of(dir), new EgressPolicy(List.of(), () -> -1)));
        try (var a = runtime.start(new SandboxSpec("a", dir.resolve("a"), Map.of("MARK", "a")));
             var b = runtime.start(new SandboxSpec("b", dir.resolve("b"), Map.of()))) {
            run(a, "echo secret > /tmp/only-a; echo ws > /workspace/only-a");
            assertEquals("no\nno\n", run(b, "test -e /tmp/only-a && echo yes || echo no; test -e /workspace/only-a && echo yes || echo no"));
            assertEquals("a\n/workspace\ncomputer\n", run(a, "echo $MARK; pwd; hostname"));
            assertEquals("hidden\n", run(a, "test -e '" + dir + "' && echo visible || echo hidden"));
            // pid namespace: b cannot see a's sleep
            run(a, "setsid sleep 123 >/dev/null 2>&1 < /dev/null &");
            assertEquals("0\n", run(b, "pgrep -f 'sleep 12[3]' | wc -l"));
            assertEquals("1\n", run(a, "pgrep -f 'sleep 12[3]' | wc -l"));
        }
    }

    @Test
    void theNetworkHasAnEth0ThatIsUpWithALinkLocalAddressOnlyAndNoRoute(@TempDir Path dir) throws Exception {
        var runtime = track(new LocalSandboxRuntime(List.of(dir), new EgressPolicy(List.of(), () -> -1)));
        try (var a = runtime.start(new SandboxSpec("a", dir.resolve("a"), Map.of()));
             var b = runtime.start(new SandboxSpec("b", dir.resolve("b"), Map.of()))) {
            var links = run(a, "ip -o link show eth0");
            assertTrue(links.contains("UP,LOWER_UP") && links.contains("link/ether 52:54:00:"), links);
            assertEquals("lo inet 127.0.0.1/8\nlo inet6 ::1/128\neth0 inet6 fe80::5054:ff:fe\n",
                    run(a, "ip -o addr | awk '{print $2, $3, $4}' | sed 's/fe80::5054:ff:fe.*/fe80::5054:ff:fe/'"));
            assertEquals("", run(a, "ip route; ip -6 route"), "no route in the main tables");
            // a made-up link for each: the other's is not the same
            assertFalse(run(a, "ip -o link show eth0 | grep -o 'ether [^ ]*'")
                    .equals(run(b, "ip -o link show eth0 | grep -o 'ether [^ ]*'")));
            assertTrue(run(a, "timeout 5 bash -c 'echo > /dev/tcp/192.0.2.1/80' 2>&1; echo rc=$?").contains("unreachable"));
            // and the computer's user cannot change it
            var changed = run(a, "ip addr add 10.1.2.3/8 dev eth0 2>&1; ip link set eth0 down 2>&1; ip -o link show eth0");
            assertTrue(changed.contains("Operation not permitted") && changed.contains("UP,LOWER_UP"), changed);
        }
    }

    @Test
    void closeEndsEveryProcessInside(@TempDir Path dir) throws Exception {
        var runtime = track(new LocalSandboxRuntime(List.of(dir), new EgressPolicy(List.of(), () -> -1)));
        var sandbox = runtime.start(new SandboxSpec("c", dir.resolve("c"), Map.of()));
        // durations no other test run on this machine uses, to tell this test's processes apart
        long n = 300_000 + java.util.concurrent.ThreadLocalRandom.current().nextLong(1_000_000);
        run(sandbox, "nohup sleep " + n + " >/dev/null 2>&1 & setsid sleep " + (n + 1) + " >/dev/null 2>&1 < /dev/null &");
        sandbox.close();
        assertFalse(sandbox.isAlive());
        var left = ProcessHandle.allProcesses().filter(h -> {
            var line = h.info().commandLine().orElse("");
            return line.contains("sleep " + n) || line.contains("sleep " + (n + 1));
        }).toList();
        assertEquals(List.of(), left.stream().filter(ProcessHandle::isAlive).toList());
    }

    @Test
    void aStartingServerSweepsOnlyItsOwnLeftovers(@TempDir Path dir) throws Exception {
        var mine = track(new LocalSandboxRuntime(List.of(dir.resolve("a")), new EgressPolicy(List.of(), () -> -1)));
        try (var sandbox = mine.start(new SandboxSpec("keep", dir.resolve("a/computers/keep"), Map.of()))) {
            var other = track(new LocalSandboxRuntime(List.of(dir.resolve("b")), new EgressPolicy(List.of(), () -> -1)));
            other.sweepLeftovers(dir.resolve("b/computers"), java.util.Set.of());
            Thread.sleep(200);
            assertTrue(sandbox.isAlive(), "another server's start left this sandbox alone");
            assertEquals("alive\n", run(sandbox, "echo alive"));
        }
    }
}
