package org.streamprox.apps;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.apps.host.LocalProxyExtension;

/** The demo pages in a real browser (headless Chromium), loaded through the proxy port. */
class BrowserTest {

    private static final Path TARGET = Path.of("target");
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final LocalProxyExtension proxy = new LocalProxyExtension();

    @BeforeEach
    void start() throws Exception {
        AllBuiltInApps.start(proxy);
    }

    private HeadlessChromium chromium(String path, String name) throws Exception {
        return HeadlessChromium.open(proxy.url("http", path),
                TARGET.resolve(name + "-chromium.log"));
    }

    @Test
    void motionJpegPageShowsChangingFrames() throws Exception {
        try (HeadlessChromium browser = chromium("/demo", "mjpeg")) {
            Set<String> frames = new LinkedHashSet<>();
            Set<String> images = new LinkedHashSet<>();
            await("three different frames in the page").atMost(PATIENCE).until(() -> {
                // Null-safe: the first evaluations may run before the page has been parsed.
                String[] shown = browser.evaluate("(document.getElementById('timestamp')?.textContent ?? '') + ' '"
                        + " + ((src) => src.slice(0, 23) + src.length + ':' + src.slice(-40))"
                        + "(document.getElementById('image')?.src ?? '')").split(" ", 2);
                if (!shown[0].isEmpty()) {
                    frames.add(shown[0]);
                    images.add(shown[1]);
                }
                return frames.size() >= 3;
            });
            assertTrue(images.size() >= 2, "the image source never changed: " + images);
            assertTrue(images.stream().allMatch(source -> source.startsWith("data:image/jpeg;base64,")), images.toString());
            browser.screenshot(TARGET.resolve("mjpeg-demo.png"));
        }
    }

    @Test
    void echoPageGetsItsMessageBack() throws Exception {
        try (HeadlessChromium browser = chromium("/echo", "echo")) {
            await("the echo in the page").atMost(PATIENCE)
                    .until(() -> browser.evaluate("document.getElementById('output')?.innerText ?? ''"),
                            text -> text.contains("RESPONSE: WebSocket rocks"));
            browser.screenshot(TARGET.resolve("echo-demo.png"));
        }
    }
}
