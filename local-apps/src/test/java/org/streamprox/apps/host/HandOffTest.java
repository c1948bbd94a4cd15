package org.streamprox.apps.host;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.config.LoadedDocument;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.config.ProxySettings;
import org.streamprox.proxy.http.HeadLimits;
import org.streamprox.proxy.local.HandOff;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.route.RequestMatcher;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.RuleRouter;
import org.streamprox.proxy.route.Target;
import org.streamprox.proxy.server.StreamProx;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.HttpResponse;
import org.streamprox.testkit.RawHttpClient;

/** Connections handed from the engine to Jetty, over real loopback sockets. */
class HandOffTest {

    private static final Map<String, String> ROUTES = Map.of("/alpha", "alpha", "/beta", "beta");
    private static final Duration SETTLE = Duration.ofSeconds(5);

    @RegisterExtension
    final LocalProxyExtension proxy = new LocalProxyExtension();

    @RegisterExtension
    final AccessLogCapture log = new AccessLogCapture();

    private JettyLocalApps apps;
    private StreamProx server;

    private JettyLocalApps register(JettyLocalApps unstarted) {
        return unstarted.register("alpha", new RequestEcho("alpha")).register("beta", new RequestEcho("beta"));
    }

    private void start(JettyLocalApps unstarted) throws Exception {
        apps = register(unstarted);
        server = proxy.start(apps, ROUTES);
    }

    private void start() throws Exception {
        start(new JettyLocalApps());
    }

    private RawHttpClient connect() throws Exception {
        return new RawHttpClient(server.localAddress());
    }

    @Test
    void keepAliveRequestsStayWithTheAppTheConnectionWasHandedTo() throws Exception {
        start();
        try (RawHttpClient client = connect()) {
            for (String path : List.of("/alpha/1", "/beta/2?x=y", "/elsewhere")) {
                client.send("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n");
                HttpResponse response = client.readResponse();
                assertEquals(200, response.status());
                assertTrue(response.text().startsWith("app alpha\nGET " + path + "\n"), response.text());
            }
        }
    }

    @Test
    void headDeliveredOneBytePerSegmentReachesTheApp() throws Exception {
        start();
        try (RawHttpClient client = connect()) {
            client.sendByteByByte("GET /beta/slow HTTP/1.1\r\nHost: test\r\nX-Drip: yes\r\n\r\n");
            HttpResponse response = client.readResponse();
            assertTrue(response.text().startsWith("app beta\nGET /beta/slow\n"), response.text());
            assertTrue(response.text().contains("\nX-Drip: yes\n"), response.text());
        }
    }

    @Test
    void headLargerThanJettysDefaultBufferArrivesIntact() throws Exception {
        start();
        String padding = "p".repeat(12_000);
        try (RawHttpClient client = connect()) {
            client.send("GET /alpha/big HTTP/1.1\r\nHost: test\r\nX-Pad: " + padding + "\r\nX-After: end\r\n\r\n");
            HttpResponse response = client.readResponse();
            assertEquals(200, response.status());
            assertTrue(response.text().contains("\nX-Pad: " + padding + "\nX-After: end\n"), "padding cut");
        }
    }

    @Test
    void bodyAndPipelinedRequestReadWithTheHeadAreReplayed() throws Exception {
        start();
        String body = "name=value&more=" + "b".repeat(500);
        try (RawHttpClient client = connect()) {
            client.send("POST /alpha/form HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length() + "\r\n\r\n"
                    + body.substring(0, 100));
            client.send(body.substring(100) + "GET /alpha/next HTTP/1.1\r\nHost: test\r\n\r\n");
            HttpResponse post = client.readResponse();
            assertTrue(post.text().startsWith("app alpha\nPOST /alpha/form\n"), post.text());
            assertTrue(post.text().endsWith("\n\n" + body), post.text());
            assertTrue(client.readResponse().text().startsWith("app alpha\nGET /alpha/next\n"));
        }
    }

    @Test
    void appSeesTheRealClientAddress() throws Exception {
        start();
        try (RawHttpClient client = connect()) {
            client.send("GET /beta HTTP/1.1\r\nHost: test\r\n\r\n");
            String expected = "\nclient 127.0.0.1:" + client.socket().getLocalPort() + "\n";
            assertTrue(client.readResponse().text().contains(expected));
        }
    }

    @Test
    void handedOffConnectionRunsNoEngineCopyLoop() throws Exception {
        start();
        try (RawHttpClient client = connect()) {
            client.send("GET /alpha HTTP/1.1\r\nHost: test\r\n\r\n");
            assertEquals(200, client.readResponse().status());
            await().atMost(SETTLE).until(server::openConnections, open -> open == 0);
            assertEquals(0, server.activeCopyLoops());
            assertEquals(1, apps.openConnections());
            client.send("GET /alpha/again HTTP/1.1\r\nHost: test\r\n\r\n");
            assertEquals(200, client.readResponse().status());
            assertEquals(0, server.activeCopyLoops());
        }
    }

    @Test
    void accessLogLineCountsEveryByteOfTheHandedOffConnection() throws Exception {
        start();
        String expected;
        try (RawHttpClient client = connect()) {
            client.send("GET /alpha/one HTTP/1.1\r\nHost: test\r\n\r\n");
            client.readResponse();
            client.send("GET /alpha/two HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
            client.readResponse();
            assertTrue(client.serverClosed());
            expected = "/alpha/one alpha local alpha status=200 in=" + client.bytesSent() + " out=" + client.bytesReceived()
                    + " ";
        }
        // Jetty only half-closes after "Connection: close"; the connection ends when the client closes too.
        await().atMost(SETTLE).until(log::lines,
                lines -> lines.stream().anyMatch(line -> line.contains(expected) && line.endsWith(" ok")));
    }

    @Test
    void bufferedBytesBeyondJettysInputBufferFailLoudly() throws Exception {
        // The engine may read up to 32 KiB, but the apps were told heads stop at 8 KiB.
        HeadLimits engineHeads = new HeadLimits(HeadLimits.Until.HEADERS, 32 * 1024, HeadLimits.DEFAULT_MAX_READS,
                HeadLimits.DEFAULT_TIMEOUT);
        apps = register(new JettyLocalApps());
        server = proxy.start(apps, toldOfSmallerHeads(apps, new HeadLimits(HeadLimits.Until.HEADERS, 8192,
                HeadLimits.DEFAULT_MAX_READS, HeadLimits.DEFAULT_TIMEOUT)), ROUTES,
                settings -> settings.withHead(engineHeads));
        try (RawHttpClient client = connect()) {
            client.send("GET /alpha HTTP/1.1\r\nHost: test\r\nX-Pad: " + "p".repeat(20_000) + "\r\n\r\n");
            assertTrue(client.serverClosed());
        }
        await().atMost(SETTLE).until(log::lines, lines -> lines.stream().anyMatch(
                line -> line.contains("hand-off failed") && line.contains("did not fit")));
    }

    @Test
    void aReloadThatRaisesTheHeadLimitRaisesJettysBuffersForTheHeadsThatFollow() throws Exception {
        start();
        HeadLimits larger = new HeadLimits(HeadLimits.Until.HEADERS, 64 * 1024, HeadLimits.DEFAULT_MAX_READS,
                HeadLimits.DEFAULT_TIMEOUT);
        server.reload(new ProxyConfig(List.of(new ProxyConfig.Listener(
                ProxySettings.listeningOn(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).withHead(larger),
                List.of(new RuleRouter.Rule(RequestMatcher.pathPrefix("/alpha"),
                        Route.to("alpha", new Target.Local("alpha")))))), Optional.empty(),
                new LoadedDocument("raised head limit", Instant.now(), Map.of())));
        String padding = "p".repeat(40_000);
        try (RawHttpClient client = connect()) {
            client.send("GET /alpha/big HTTP/1.1\r\nHost: test\r\nX-Pad: " + padding + "\r\n\r\n");
            HttpResponse response = client.readResponse();
            assertEquals(200, response.status());
            assertTrue(response.text().contains("\nX-Pad: " + padding + "\n"), "padding cut");
        }
    }

    @Test
    void idlePlainHttpConnectionIsClosedAfterTheConnectorsIdleTimeout() throws Exception {
        start(new JettyLocalApps(Duration.ofMillis(300)));
        try (RawHttpClient client = connect()) {
            client.send("GET /alpha HTTP/1.1\r\nHost: test\r\n\r\n");
            client.readResponse();
            long idleSince = System.nanoTime();
            assertTrue(client.serverClosed());
            long idleMillis = Duration.ofNanos(System.nanoTime() - idleSince).toMillis();
            assertTrue(idleMillis >= 250 && idleMillis < 5_000, "closed after " + idleMillis + " ms");
        }
    }

    @Test
    void stopClosesIdleKeepAliveConnectionsWithinTheTimeout() throws Exception {
        start();
        try (RawHttpClient client = connect()) {
            client.send("GET /alpha HTTP/1.1\r\nHost: test\r\n\r\n");
            client.readResponse();
            assertTimeoutPreemptively(Duration.ofSeconds(4), () -> server.stop(Duration.ofSeconds(3)));
            assertTrue(client.serverClosed());
        }
    }

    /** The apps, started as if the engine's heads stopped at {@code heads.maxBytes()}, whatever the engine reads. */
    private static LocalApps toldOfSmallerHeads(JettyLocalApps apps, HeadLimits heads) {
        return new LocalApps() {
            @Override
            public Set<String> names() {
                return apps.names();
            }

            @Override
            public void start(HeadLimits engineHeads) throws Exception {
                apps.start(heads);
            }

            @Override
            public void handOff(HandOff handOff) throws IOException {
                apps.handOff(handOff);
            }

            @Override
            public void stop(Duration timeout) throws Exception {
                apps.stop(timeout);
            }
        };
    }
}
