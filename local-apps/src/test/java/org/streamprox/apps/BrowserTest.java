package org.streamprox.apps;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.ProxyServer;
import org.streamprox.proxy.local.JettyLocalApps;
import org.streamprox.proxy.local.LocalAppsExtension;
import org.streamprox.proxy.testing.ProxyExtension;

/** The demo pages in a real browser (headless Chromium), loaded through the proxy port. */
class BrowserTest {

    private static final Path TARGET = Path.of("target");
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    @Order(1)
    final LocalAppsExtension local = new LocalAppsExtension();

    @RegisterExtension
    @Order(2)
    final ProxyExtension proxy = new ProxyExtension();

    private ProxyServer server;

    @BeforeEach
    void start() throws Exception {
        JettyLocalApps apps = new JettyLocalApps();
        BuiltInApps.registerAll(apps, BuiltInApps.Options.defaults());
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("/demo", BuiltInApps.MJPEG);
        routes.put("/websocketdemo", BuiltInApps.MJPEG);
        routes.put("/echo", BuiltInApps.ECHO_PAGE);
        routes.put("/", BuiltInApps.WS_ECHO);
        server = proxy.start(LocalAppsExtension.byPathPrefix(routes), settings -> settings, local.start(apps));
    }

    private HeadlessChromium chromium(String path, String name) throws Exception {
        return HeadlessChromium.open(LocalAppsExtension.url(server, "http", path),
                TARGET.resolve(name + "-chromium.log"));
    }

    @Test
    void motionJpegPageShowsChangingFrames() throws Exception {
        try (HeadlessChromium browser = chromium("/demo", "mjpeg")) {
            Set<String> frames = new LinkedHashSet<>();
            Set<String> images = new LinkedHashSet<>();
            await("three different frames in the page").atMost(PATIENCE).until(() -> {
                String[] shown = browser.evaluate("document.getElementById('timestamp').textContent + ' '"
                        + " + document.getElementById('image').src.slice(0, 23)"
                        + " + document.getElementById('image').src.length + ':'"
                        + " + document.getElementById('image').src.slice(-40)").split(" ", 2);
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
                    .until(() -> browser.evaluate("document.getElementById('output').innerText"),
                            text -> text.contains("RESPONSE: WebSocket rocks"));
            browser.screenshot(TARGET.resolve("echo-demo.png"));
        }
    }
}
