package org.streamprox.proxy.observe;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.server.StreamProx;
import org.streamprox.testkit.FreePorts;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.TestCertificates;

/**
 * The engine's meters, read from a registry while real clients go through a real listener to real upstreams: a
 * finished connection's count, bytes and times under its listener and route, its outcome and status; refusals by
 * reason, detections by protocol, TLS handshakes by result; and the open connections as they open and end.
 */
class ConnectionMetricsTest {

    private static final String ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nup";
    private static final String LISTENER = "listener";

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @TempDir
    Path directory;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private LoopbackServer site;
    private LoopbackServer echo;
    private String listener;

    @AfterEach
    void stopUpstreams() throws Exception {
        for (LoopbackServer upstream : new LoopbackServer[] {site, echo}) {
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    @Test
    void aForwardedRequestIsCountedUnderItsRouteWithOutcomeStatusBytesAndTimes() throws Exception {
        start();
        String request = "GET /site/page HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n";

        String answer = exchange(request);

        assertEquals(ANSWER, answer);
        proxy.awaitQuiet();
        assertEquals(1, counter("streamprox.connections", "route", "site", "outcome", "ok", "status", "200"));
        assertEquals(request.length(), counter("streamprox.client.received", "route", "site"));
        assertEquals(answer.length(), counter("streamprox.client.sent", "route", "site"));
        assertOneInTheHistogram(timer("streamprox.head.read"));
        assertOneInTheHistogram(timer("streamprox.upstream.connect", "route", "site", "result", "ok"));
        assertOneInTheHistogram(timer("streamprox.connection.duration", "route", "site"));
        assertEquals(1, counter("streamprox.detections", "protocol", "http"));
        assertRefusedFor();
    }

    @Test
    void theOpenGaugeCountsATunnelWhileItIsOpenAndGoesWhenTheListenerHasDrained() throws Exception {
        start();
        String head = "GET /echo HTTP/1.1\r\nHost: echo.test\r\n\r\n";
        try (Socket client = connect()) {
            client.getOutputStream().write(ascii(head));
            assertArrayEquals(ascii(head), client.getInputStream().readNBytes(head.length()), "echoed");
            assertEquals(1, openConnections());
            assertEquals(1, registry.get("streamprox.route.connections.open").tags(LISTENER, listener, "route", "echo")
                    .gauge().value());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> openConnections() == 0);
        assertEquals(0, registry.get("streamprox.route.connections.open").tags(LISTENER, listener, "route", "echo")
                .gauge().value());
        assertEquals(1, counter("streamprox.connections", "route", "echo", "outcome", "ok", "status", "none"));

        proxy.server().stop(Duration.ofSeconds(1));

        assertNull(registry.find("streamprox.connections.open").gauge(), "a stopped listener has no gauge");
        assertNull(registry.find("streamprox.route.connections.open").gauge(), "nor its routes");
    }

    @Test
    void aStartThatFailsOnItsSecondListenerLeavesNoGaugeOfTheFirst() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ProxyConfig config = new ConfigLoader(Set.of()).load("""
                    listeners:
                      - listen: 127.0.0.1:0
                      - listen: 127.0.0.1:%d
                    routes:
                      - { name: site, remote: 127.0.0.1:9 }
                    """.formatted(taken.getLocalPort()), "taken.yaml");

            assertThrows(IOException.class, () -> StreamProx.start(config, LocalApps.NONE, registry));
        }

        assertNull(registry.find("streamprox.connections.open").gauge(), "the first listener's gauge is gone");
    }

    @Test
    void aHeadNotCompleteInTimeIsRefusedForHeadTimeout() throws Exception {
        start();

        String answer = exchange("GET /site/slow HTTP/1.1\r\nHost: site.test\r\n");

        assertEquals(408, Http.status(answer), answer);
        proxy.awaitQuiet();
        assertRefusedFor("head-timeout");
        assertEquals(1, counter("streamprox.connections", "route", "-", "outcome", "refused", "status", "408"));
    }

    @Test
    void aHeadOverTheLimitIsRefusedForHeadTooLarge() throws Exception {
        start();

        String answer = exchange("GET /site/big HTTP/1.1\r\nHost: site.test\r\nX-Big: " + "x".repeat(2000)
                + "\r\n\r\n");

        assertEquals(431, Http.status(answer), answer);
        proxy.awaitQuiet();
        assertRefusedFor("head-too-large");
    }

    @Test
    void aProxyHeaderFromAPeerNotTrustedIsRefusedAndDetectedAsSuch() throws Exception {
        start();

        String answer = exchange("PROXY TCP4 192.0.2.1 192.0.2.2 40000 80\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");

        assertEquals("", answer, "closed without an answer");
        proxy.awaitQuiet();
        assertRefusedFor("proxy-header");
        assertEquals(1, counter("streamprox.detections", "protocol", "proxy-header"));
        assertEquals(1, counter("streamprox.connections", "route", "-", "outcome", "closed", "status", "none"));
    }

    @Test
    void bytesOfNoProtocolAreRefusedForUnknownProtocol() throws Exception {
        start();

        String answer = exchange("\u0000\u0001 binary noise");

        assertEquals("", answer, "closed without an answer");
        proxy.awaitQuiet();
        assertRefusedFor("unknown-protocol");
        assertEquals(1, counter("streamprox.detections", "protocol", "unknown"));
    }

    @Test
    void anUpstreamNotListeningIsRefusedAndItsConnectTimedAsFailed() throws Exception {
        start();

        String answer = exchange("GET /down HTTP/1.1\r\nHost: site.test\r\n\r\n");

        assertEquals(502, Http.status(answer), answer);
        proxy.awaitQuiet();
        assertRefusedFor("upstream-unreachable");
        assertEquals(1, counter("streamprox.connections", "route", "down", "outcome", "refused", "status", "502"));
        assertOneInTheHistogram(timer("streamprox.upstream.connect", "route", "down", "result", "failed"));
    }

    @Test
    void anotherProtocolIsDetectedByItsName() throws Exception {
        start();
        byte[] greeting = ascii("SSH-2.0-OpenSSH_9.2\r\n");

        try (Socket client = connect()) {
            client.getOutputStream().write(greeting);
            client.shutdownOutput();
            assertArrayEquals(greeting, client.getInputStream().readAllBytes(), "echoed");
        }

        proxy.awaitQuiet();
        assertEquals(1, counter("streamprox.detections", "protocol", "ssh"));
        assertEquals(1, counter("streamprox.connections", "route", "ssh", "outcome", "ok", "status", "none"));
        assertEquals(greeting.length, counter("streamprox.client.sent", "route", "ssh"));
    }

    @Test
    void tlsHandshakesAreCountedDoneAndFailed() throws Exception {
        TestCertificates.Pem certificate = TestCertificates.selfSigned(directory, "localhost");
        startTls(certificate);
        String request = "GET /site/tls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

        try (Socket client = tlsClient(certificate.clientContext())) {
            assertEquals(ANSWER, Http.exchange(client, request));
        }
        // The JDK's own trust store does not know the test's certificate: the client ends the handshake.
        try (Socket client = tlsClient(SSLContext.getDefault())) {
            assertThrows(SSLException.class, () -> Http.exchange(client, request));
        }

        proxy.awaitQuiet();
        assertEquals(1, counter("streamprox.tls.handshakes", "result", "ok"));
        assertEquals(1, counter("streamprox.tls.handshakes", "result", "failed"));
        assertEquals(2, counter("streamprox.detections", "protocol", "tls"));
        assertRefusedFor("tls-handshake");
        assertEquals(1, counter("streamprox.connections", "route", "site", "outcome", "ok", "status", "200"));
    }

    /**
     * A listener with a short head timeout and a small head limit that takes PROXY headers from no loopback peer,
     * with an SSH route to the echo upstream, {@code /site} to a site, {@code /down} to a port nobody listens on,
     * and the rest to the echo upstream.
     */
    private void start() throws Exception {
        site = startSite();
        echo = LoopbackServer.echo();
        startWith("""
                listen: 127.0.0.1:0
                head: { timeout: 500ms, max-bytes: 1024 }
                accept-proxy-protocol: { trusted: [192.0.2.0/24] }
                routes:
                  - { name: ssh, match: { protocol: ssh }, remote: 127.0.0.1:%d }
                  - { name: site, match: { path-prefix: /site }, remote: 127.0.0.1:%d }
                  - { name: down, match: { path-prefix: /down }, remote: 127.0.0.1:%d }
                  - { name: echo, match: { path-prefix: /echo }, remote: 127.0.0.1:%d }
                """.formatted(echo.port(), site.port(), FreePorts.onLoopback(1)[0], echo.port()));
    }

    private void startTls(TestCertificates.Pem certificate) throws Exception {
        site = startSite();
        startWith("""
                listen: 127.0.0.1:0
                tls: { certificates: [ { cert: %s, key: %s } ] }
                routes:
                  - { name: site, remote: 127.0.0.1:%d }
                """.formatted(certificate.certificate(), certificate.key(), site.port()));
    }

    /** An upstream that reads a head and answers {@link #ANSWER}. */
    private static LoopbackServer startSite() throws Exception {
        return LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(ascii(ANSWER));
        });
    }

    private void startWith(String yaml) throws Exception {
        int port = proxy.start(new ConfigLoader(Set.of()).load(yaml, "metrics.yaml"), registry).localAddress()
                .getPort();
        listener = "127.0.0.1:" + port;
    }

    private Socket connect() throws Exception {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.server().localAddress().getPort());
        client.setSoTimeout(30_000);
        return client;
    }

    private Socket tlsClient(SSLContext context) throws Exception {
        SSLSocket client = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                proxy.server().localAddress().getPort());
        client.setSoTimeout(30_000);
        return client;
    }

    /** Sends the bytes and reads the answer until the engine closes. */
    private String exchange(String bytes) throws Exception {
        try (Socket client = connect()) {
            return Http.exchange(client, bytes);
        }
    }

    private double openConnections() {
        return registry.get("streamprox.connections.open").tag(LISTENER, listener).gauge().value();
    }

    /** The count of the listener's counter with these labels besides its own; it must exist. */
    private double counter(String name, String... labels) {
        return registry.get(name).tag(LISTENER, listener).tags(labels).counter().count();
    }

    private Timer timer(String name, String... labels) {
        return registry.get(name).tag(LISTENER, listener).tags(labels).timer();
    }

    /** One connection refused for each of these reasons, if any; every other reason is there, at zero. */
    private void assertRefusedFor(String... reasons) {
        Set<String> refusedFor = Set.of(reasons);
        int found = 0;
        for (Counter refusals : registry.get("streamprox.refusals").tag(LISTENER, listener).counters()) {
            String reason = refusals.getId().getTag("reason");
            found += refusedFor.contains(reason) ? 1 : 0;
            assertEquals(refusedFor.contains(reason) ? 1 : 0, refusals.count(), "refusals for " + reason);
        }
        assertEquals(refusedFor.size(), found, "reasons counted: " + refusedFor);
    }

    /** One time recorded, and it is in the histogram's buckets (the last one holds every time). */
    private static void assertOneInTheHistogram(Timer timer) {
        assertEquals(1, timer.count());
        CountAtBucket[] buckets = timer.takeSnapshot().histogramCounts();
        assertTrue(buckets.length > 0, "no histogram buckets");
        assertEquals(1, buckets[buckets.length - 1].count(), "in the last bucket");
    }
}
