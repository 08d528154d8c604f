package io.porthole.sdk;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's ten lines, compiled and run against the real server (only the URL, key and page differ). */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleRuns(@TempDir Path dir) throws Exception {
        var server = RealServer.get();
        String baseUrl = server.server.baseUrl();
        String apiKey = RealServer.KEY;
        String url = server.pages.url("input.html");
        Path png = dir.resolve("page.png");
        // ---- README ----
        try (Porthole porthole = Porthole.builder().baseUrl(baseUrl).apiKey(apiKey).build();
             Computer computer = porthole.computers().create(ComputerSpec.browser().viewport(1280, 720))) {
            computer.navigate(url);
            computer.click(100, 35);
            computer.type("hello from Java");
            computer.hotkey("Enter");
            Files.write(png, computer.screenshot().png());
            System.out.println(computer.html().length() + " characters of HTML");
        }
        // ---- end ----
        assertTrue(Files.size(png) > 0);
    }
}
