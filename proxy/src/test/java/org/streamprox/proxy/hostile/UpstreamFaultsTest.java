package org.streamprox.proxy.hostile;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;
import static org.streamprox.testkit.Http.get;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.config.ProxySettings;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.route.HeadRewrite;
import org.streamprox.proxy.route.RequestMatcher;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.RuleRouter;
import org.streamprox.proxy.route.Target;
import org.streamprox.proxy.upstream.TunnelSettings;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;

/**
 * Upstreams that fail in the ways real servers do. Each time the client sees an outcome it cannot mistake for a
 * complete response, within the configured bound (lower bound: the timeout minus timer slack; upper bound: the
 * timeout plus 4.5 s for a loaded machine), and the proxy goes on serving an ordinary route.
 *
 * <p>The upstream that half-closes and then lingers silently is {@code ConnectionLimitsTest}'s; here it lingers
 * while the client keeps sending.
 */
class UpstreamFaultsTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final long SLACK_MILLIS = 50;
    private static final long LATE_MILLIS = 4500;

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    /** Requests under /fault go to the faulty upstream, the rest to an ordinary one. */
    private void start(Route faulty, LoopbackServer ordinary, UnaryOperator<ProxySettings> settings) throws Exception {
        proxy.start(new RuleRouter(List.of(
                new RuleRouter.Rule(RequestMatcher.pathPrefix("/fault"), faulty),
                new RuleRouter.Rule(RequestMatcher.all(List.of()), OrdinaryTraffic.routeTo(ordinary)))),
                settings, LocalApps.NONE);
    }

    private static Route faulty(int port, Optional<Duration> idleTimeout) {
        return new Route("faulty", new Target.Remote("127.0.0.1", port), HeadRewrite.NONE, idleTimeout);
    }

    private static void assertWithinTimeout(long sinceNanos) {
        long elapsedMillis = (System.nanoTime() - sinceNanos) / 1_000_000;
        assertTrue(elapsedMillis >= TIMEOUT.toMillis() - SLACK_MILLIS && elapsedMillis < TIMEOUT.toMillis()
                + LATE_MILLIS, "ended after " + elapsedMillis + " ms; the timeout is " + TIMEOUT.toMillis() + " ms");
    }

    private void awaitOutcome(String fragment) {
        await().atMost(Duration.ofSeconds(5)).until(() -> accessLog.lines().stream()
                .anyMatch(line -> line.contains(" faulty ") && line.contains(fragment)));
    }

    @Test
    void anUpstreamThatAcceptsAndNeverAnswersIsCutAtTheIdleTimeout() throws Exception {
        CountDownLatch testOver = new CountDownLatch(1);
        try (LoopbackServer silent = LoopbackServer.start(socket -> testOver.await());
             LoopbackServer ordinary = OrdinaryTraffic.upstream()) {
            start(faulty(silent.port(), Optional.of(TIMEOUT)), ordinary, UnaryOperator.identity());
            try (Socket client = proxy.connect()) {
                long start = System.nanoTime();
                client.getOutputStream().write(ascii(get("/fault/silent")));
                assertThrows(SocketException.class, () -> client.getInputStream().read());
                assertWithinTimeout(start);
            }
            awaitOutcome("idle for " + TIMEOUT.toMillis() + " ms");
            OrdinaryTraffic.request(proxy);
        } finally {
            testOver.countDown();
        }
    }

    @Test
    void anUpstreamResetMidResponseResetsTheClientBeforeTheBodyEnds() throws Exception {
        try (LoopbackServer resetting = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n"));
            socket.getOutputStream().write(new byte[100_000]);
            socket.setSoLinger(true, 0);
        });
             LoopbackServer ordinary = OrdinaryTraffic.upstream()) {
            start(faulty(resetting.port(), Optional.empty()), ordinary, UnaryOperator.identity());
            try (Socket client = proxy.connect()) {
                InputStream in = responseBodyOf(client, "/fault/reset");
                assertThrows(SocketException.class, () -> in.transferTo(OutputStream.nullOutputStream()));
            }
            awaitOutcome("upstream reset the connection");
            OrdinaryTraffic.request(proxy);
        }
    }

    @Test
    void anUpstreamThatAnswersEarlyThenLingersIsCutAtTheHalfCloseTimeoutThoughTheClientStillSends()
            throws Exception {
        try (LoopbackServer early = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(ascii("HTTP/1.1 413 Content Too Large\r\nConnection: close\r\n\r\n"));
            socket.shutdownOutput();
            socket.getInputStream().transferTo(OutputStream.nullOutputStream());
        });
             LoopbackServer ordinary = OrdinaryTraffic.upstream()) {
            start(faulty(early.port(), Optional.empty()), ordinary,
                    settings -> settings.withTunnel(new TunnelSettings(16 * 1024, TIMEOUT)));
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(ascii(
                        "POST /fault/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000000\r\n\r\n"));
                assertEquals(413, Http.status(Http.readAll(client)));
                long halfClosedAt = System.nanoTime();
                assertThrows(SocketException.class, () -> keepUploading(client.getOutputStream()));
                assertWithinTimeout(halfClosedAt);
            }
            awaitOutcome("half-closed for " + TIMEOUT.toMillis() + " ms");
            OrdinaryTraffic.request(proxy);
        }
    }

    /** The client's body, a kilobyte every 20 ms (its own pace, not synchronisation) for at most 10 s. */
    private static void keepUploading(OutputStream out) throws IOException, InterruptedException {
        long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < giveUp) {
            out.write(new byte[1024]);
            Thread.sleep(20);
        }
    }

    @Test
    void anUpstreamProcessKilledMidTransferEndsTheResponseShortAndTheProxyServesOn() throws Exception {
        long size = 256L * 1024 * 1024;
        try (UpstreamProcess bulk = new UpstreamProcess(size);
             LoopbackServer ordinary = OrdinaryTraffic.upstream()) {
            start(faulty(bulk.port(), Optional.empty()), ordinary, UnaryOperator.identity());
            try (Socket client = proxy.connect()) {
                InputStream in = responseBodyOf(client, "/fault/bulk");
                long received = in.readNBytes(1024 * 1024).length;
                bulk.kill();
                received += Http.countUntilTheEnd(in);
                assertTrue(received < size, "all " + size + " bytes arrived from a killed upstream");
            }
            try (Socket client = proxy.connect()) {
                assertEquals(502, Http.status(Http.exchange(client, get("/fault/bulk"))));
            }
            OrdinaryTraffic.request(proxy);
        }
    }

    /** Sends a GET for the path, checks the answer is a 200 and returns the stream positioned at its body. */
    private static InputStream responseBodyOf(Socket client, String path) throws IOException {
        client.getOutputStream().write(ascii(get(path)));
        InputStream in = client.getInputStream();
        assertEquals(200, Http.status(Http.readHead(in)));
        return in;
    }
}
