package org.streamprox.apps.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.apps.HeadlessChromium;
import org.streamprox.proxy.server.StreamProx;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;

/**
 * The status page in a real browser (headless Chromium), kept open while traffic comes and goes: the numbers it
 * renders follow without a reload.
 */
class StatusPageBrowserTest {

    private static final Path TARGET = Path.of("target");
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final String RESPONSE_HEAD = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n";
    private static final int RESPONSE_START = 2000;

    @RegisterExtension
    final RunningAdmin admin = new RunningAdmin();

    private HeadlessChromium open(String name) throws Exception {
        HeadlessChromium page = HeadlessChromium.open(admin.url("/"), TARGET.resolve(name + "-chromium.log"),
                Optional.empty());
        await("the page's first refresh").atMost(PATIENCE).until(() -> text(page, "ready"), "ready"::equals);
        return page;
    }

    /** The exact number an element shows, from its {@code data-value}. */
    private static double number(HeadlessChromium page, String id) throws Exception {
        return Double.parseDouble(page.evaluate("document.getElementById('" + id + "')?.dataset.value ?? 'NaN'"));
    }

    private static String text(HeadlessChromium page, String id) throws Exception {
        return page.evaluate("document.getElementById('" + id + "')?.textContent ?? ''");
    }

    /**
     * Three tunnels open through the proxy show as three open connections, each with its client and route in the
     * table; once they close, the page says none.
     */
    @Test
    void openConnectionsOnThePageFollowTheTunnelsOpenedAndClosed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(Http.ascii(RESPONSE_HEAD + "x".repeat(RESPONSE_START)));
            release.await();
        })) {
            admin.start("""
                    listen: 127.0.0.1:0
                    admin: { listen: 127.0.0.1:0 }
                    routes:
                      - { name: bar, match: { path-prefix: /bar }, local: bar }
                      - { name: download, remote: 127.0.0.1:%d }
                    """.formatted(upstream.port()));
            try (HeadlessChromium page = open("status-page")) {
                assertEquals(0, number(page, "open-connections"));
                String routes = text(page, "routes");
                assertTrue(routes.contains("download") && routes.contains("remote 127.0.0.1:" + upstream.port())
                        && routes.contains("local bar"), routes);

                List<Socket> clients = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) {
                        Socket client = new Socket("127.0.0.1", admin.proxy().localAddress().getPort());
                        clients.add(client);
                        client.getOutputStream().write(Http.ascii(Http.get("/file-" + i)));
                        InputStream in = client.getInputStream();
                        assertEquals(RESPONSE_HEAD.length() + RESPONSE_START,
                                in.readNBytes(RESPONSE_HEAD.length() + RESPONSE_START).length);
                    }
                    await("three open connections on the page").atMost(PATIENCE)
                            .until(() -> number(page, "open-connections") == 3 && number(page, "connection-count") == 3);
                    String table = text(page, "connections");
                    for (Socket client : clients) {
                        assertTrue(table.contains("127.0.0.1:" + client.getLocalPort()), table);
                    }
                    assertTrue(table.contains("download"), table);
                    page.screenshot(TARGET.resolve("admin-status-page.png"));
                } finally {
                    for (Socket client : clients) {
                        client.close();
                    }
                    release.countDown();
                }
                await("no open connection on the page").atMost(PATIENCE)
                        .until(() -> number(page, "open-connections") == 0 && number(page, "connection-count") == 0);
            }
        }
    }

    /**
     * Totals, rates and errors follow real traffic: connections answered by a local app and refused for want of a
     * route, counted by the engine when they end and read by the page from the registry.
     */
    @Test
    void totalsRatesAndErrorsOnThePageFollowTheTrafficSent() throws Exception {
        StreamProx proxy = admin.start("""
                listen: 127.0.0.1:0
                admin: { listen: 127.0.0.1:0 }
                routes:
                  - { name: bar, match: { path-prefix: /bar }, local: bar }
                """);
        try (HeadlessChromium page = open("status-page-totals")) {
            assertEquals(0, number(page, "total-connections"));
            assertEquals("none", text(page, "errors"));

            long sent = 0;
            long received = 0;
            for (String path : List.of("/bar/1", "/bar/2", "/bar/3", "/nowhere/1", "/nowhere/2")) {
                byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                try (Socket client = new Socket("127.0.0.1", proxy.localAddress().getPort())) {
                    client.getOutputStream().write(request);
                    sent += request.length;
                    received += client.getInputStream().readAllBytes().length;
                }
            }
            long bytesIn = sent;
            long bytesOut = received;
            await("the totals on the page").atMost(PATIENCE).until(() -> number(page, "total-connections") == 5
                    && number(page, "total-received") == bytesIn && number(page, "total-sent") == bytesOut);
            // The second that took the jump is in the last five the page averages.
            await("the rate on the page").atMost(PATIENCE).until(() -> number(page, "rate-connections") > 0);
            String errors = text(page, "errors");
            assertTrue(errors.contains("refused") && errors.contains("no-route") && errors.contains("2"), errors);
            page.screenshot(TARGET.resolve("admin-status-page-totals.png"));
        }
    }

    /**
     * Each pool's servers on the page, with their counts as connections come and go, and the state a {@code POST}
     * sets: a drained server reads "draining".
     */
    @Test
    void poolsOnThePageShowEachServersStateAndCounts() throws Exception {
        try (LoopbackServer a = LoopbackServer.namingItself(new InetSocketAddress("127.0.0.2", 0));
             LoopbackServer b = LoopbackServer.namingItself(new InetSocketAddress("127.0.0.3", 0))) {
            admin.start("""
                    listen: 127.0.0.1:0
                    admin: { listen: 127.0.0.1:0 }
                    upstreams:
                      web: { servers: [127.0.0.2:%d, 127.0.0.3:%d] }
                    routes:
                      - { name: site, remote: web }
                    """.formatted(a.port(), b.port()));
            try (HeadlessChromium page = open("status-page-pools")) {
                for (int i = 0; i < 4; i++) {
                    try (Socket client = new Socket("127.0.0.1", admin.proxy().localAddress().getPort())) {
                        Http.ask(client, "/" + i);
                    }
                }
                assertEquals(200, admin.send("POST", "/pools/server?pool=web&server=127.0.0.3:" + b.port()
                        + "&mode=draining").statusCode());
                List<String> expected = List.of("web (round-robin)|127.0.0.2:" + a.port() + "|up|0|2|0",
                        "|127.0.0.3:" + b.port() + "|draining|0|2|0");
                await("the pools on the page").atMost(PATIENCE).until(() -> poolRows(page), expected::equals);
                page.evaluate("(document.getElementById('pools').scrollIntoView(), '')");
                page.screenshot(TARGET.resolve("admin-status-page-pools.png"));
            }
        }
    }

    /** The rows of the page's pools table, each its cells' text joined by {@code |}. */
    private static List<String> poolRows(HeadlessChromium page) throws Exception {
        return page.evaluate("[...document.querySelectorAll('#pools tr')]"
                + ".map(row => [...row.cells].map(cell => cell.textContent).join('|')).join('\\n')").lines().toList();
    }
}
