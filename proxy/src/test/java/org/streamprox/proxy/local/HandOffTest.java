package org.streamprox.proxy.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamprox.proxy.http.HeadLimits;

/** Connections handed from the engine to Jetty, over real loopback sockets. */
class HandOffTest {

    private static final Map<String, String> ROUTES = Map.of("/alpha", "alpha", "/beta", "beta");

    private LocalProxy proxy;

    private LocalProxy start(JettyLocalApps apps) throws Exception {
        apps.register("alpha", new RequestEcho("alpha")).register("beta", new RequestEcho("beta"));
        proxy = LocalProxy.start(apps, ROUTES);
        return proxy;
    }

    private LocalProxy start() throws Exception {
        return start(new JettyLocalApps());
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void keepAliveRequestsStayWithTheAppTheConnectionWasHandedTo() throws Exception {
        start();
        try (RawHttpClient client = new RawHttpClient(proxy.address())) {
            for (String path : List.of("/alpha/1", "/beta/2?x=y", "/elsewhere")) {
                client.send("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n");
                RawHttpClient.Response response = client.readResponse();
                assertEquals(200, response.status());
                assertTrue(response.text().startsWith("app alpha\nGET " + path + "\n"), response.text());
            }
        }
    }

    @Test
    void headDeliveredOneBytePerSegmentReachesTheApp() throws Exception {
        start();
        try (RawHttpClient client = new RawHttpClient(proxy.address())) {
            client.sendByteByByte("GET /beta/slow HTTP/1.1\r\nHost: test\r\nX-Drip: yes\r\n\r\n");
            RawHttpClient.Response response = client.readResponse();
            assertTrue(response.text().startsWith("app beta\nGET /beta/slow\n"), response.text());
            assertTrue(response.text().contains("\nX-Drip: yes\n"), response.text());
        }
    }

    @Test
    void headLargerThanJettysDefaultBufferArrivesIntact() throws Exception {
        start();
        String padding = "p".repeat(12_000);
        try (RawHttpClient client = new RawHttpClient(proxy.address())) {
            client.send("GET /alpha/big HTTP/1.1\r\nHost: test\r\nX-Pad: " + padding + "\r\nX-After: end\r\n\r\n");
            RawHttpClient.Response response = client.readResponse();
            assertEquals(200, response.status());
            assertTrue(response.text().contains("\nX-Pad: " + padding + "\nX-After: end\n"), "padding cut");
        }
    }

    @Test
    void bodyAndPipelinedRequestReadWithTheHeadAreReplayed() throws Exception {
        start();
        String body = "name=value&more=" + "b".repeat(500);
        try (RawHttpClient client = new RawHttpClient(proxy.address())) {
            client.send("POST /alpha/form HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length() + "\r\n\r\n"
                    + body.substring(0, 100));
            client.send(body.substring(100) + "GET /alpha/next HTTP/1.1\r\nHost: test\r\n\r\n");
            RawHttpClient.Response post = client.readResponse();
            assertTrue(post.text().startsWith("app alpha\nPOST /alpha/form\n"), post.text());
            assertTrue(post.text().endsWith("\n\n" + body), post.text());
            assertTrue(client.readResponse().text().startsWith("app alpha\nGET /alpha/next\n"));
        }
    }

    @Test
    void appSeesTheRealClientAddress() throws Exception {
        start();
        try (RawHttpClient client = new RawHttpClient(proxy.address())) {
            client.send("GET /beta HTTP/1.1\r\nHost: test\r\n\r\n");
            String expected = "\nclient 127.0.0.1:" + client.socket().getLocalPort() + "\n";
            assertTrue(client.readResponse().text().contains(expected));
        }
    }

    @Test
    void handedOffConnectionRunsNoEngineCopyLoop() throws Exception {
        start();
        try (RawHttpClient client = new RawHttpClient(proxy.address())) {
            client.send("GET /alpha HTTP/1.1\r\nHost: test\r\n\r\n");
            assertEquals(200, client.readResponse().status());
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.proxy().openConnections() == 0);
            assertEquals(0, proxy.proxy().activeCopyLoops());
            assertEquals(1, proxy.apps().openConnections());
            client.send("GET /alpha/again HTTP/1.1\r\nHost: test\r\n\r\n");
            assertEquals(200, client.readResponse().status());
            assertEquals(0, proxy.proxy().activeCopyLoops());
        }
    }

    @Test
    void accessLogLineCountsEveryByteOfTheHandedOffConnection() throws Exception {
        start();
        try (AccessLogCapture log = new AccessLogCapture()) {
            String expected;
            try (RawHttpClient client = new RawHttpClient(proxy.address())) {
                client.send("GET /alpha/one HTTP/1.1\r\nHost: test\r\n\r\n");
                client.readResponse();
                client.send("GET /alpha/two HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
                client.readResponse();
                assertTrue(client.serverClosed());
                expected = "/alpha/one alpha local alpha in=" + client.bytesSent() + " out="
                        + client.bytesReceived() + " ";
            }
            // Jetty only half-closes after "Connection: close"; the connection ends when the client closes too.
            await().atMost(Duration.ofSeconds(5)).until(log::lines,
                    lines -> lines.stream().anyMatch(line -> line.contains(expected) && line.endsWith(" ok")));
        }
    }

    @Test
    void bufferedBytesBeyondJettysInputBufferFailLoudly() throws Exception {
        // The engine may read up to 32 KiB, but the apps were told heads stop at 8 KiB.
        JettyLocalApps apps = new JettyLocalApps(8192, JettyLocalApps.DEFAULT_IDLE_TIMEOUT);
        apps.register("alpha", new RequestEcho("alpha"));
        proxy = LocalProxy.start(apps, LocalProxy.loopback().withHead(new HeadLimits(HeadLimits.Until.HEADERS,
                32 * 1024, HeadLimits.DEFAULT_MAX_READS, HeadLimits.DEFAULT_TIMEOUT)), Map.of("/", "alpha"));
        try (AccessLogCapture log = new AccessLogCapture();
             RawHttpClient client = new RawHttpClient(proxy.address())) {
            client.send("GET / HTTP/1.1\r\nHost: test\r\nX-Pad: " + "p".repeat(20_000) + "\r\n\r\n");
            assertTrue(client.serverClosed());
            await().atMost(Duration.ofSeconds(5)).until(log::lines, lines -> lines.stream().anyMatch(
                    line -> line.contains("hand-off failed") && line.contains("did not fit")));
        }
    }

    @Test
    void idlePlainHttpConnectionIsClosedAfterTheConnectorsIdleTimeout() throws Exception {
        start(new JettyLocalApps(HeadLimits.DEFAULT_MAX_BYTES, Duration.ofMillis(300)));
        try (RawHttpClient client = new RawHttpClient(proxy.address())) {
            client.send("GET /alpha HTTP/1.1\r\nHost: test\r\n\r\n");
            client.readResponse();
            long start = System.nanoTime();
            assertTrue(client.serverClosed());
            long waitedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(waitedMillis >= 250 && waitedMillis < 5_000, "closed after " + waitedMillis + " ms");
        }
    }

    @Test
    void stopClosesIdleKeepAliveConnectionsWithinTheTimeout() throws Exception {
        start();
        try (RawHttpClient client = new RawHttpClient(proxy.address())) {
            client.send("GET /alpha HTTP/1.1\r\nHost: test\r\n\r\n");
            client.readResponse();
            proxy.proxy().shutdown(Duration.ofSeconds(1));
            assertTimeoutPreemptively(Duration.ofSeconds(4), () -> proxy.apps().stop(Duration.ofSeconds(3)));
            assertTrue(client.serverClosed());
        }
    }
}
