package org.streamprox.proxy.connection;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.get;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.http.HeadLimits;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.route.RequestMatcher;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Router;
import org.streamprox.proxy.route.RuleRouter;
import org.streamprox.proxy.route.Target;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.StalledUpstream;

/** Every way the engine refuses a connection, as the client and the access log see it. */
class ErrorAnswersTest {

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    private static final Pattern CLOSE = Pattern.compile("(?s).*\r\nConnection: close\r\n.*");

    private void startWith(Target target) throws Exception {
        Router router = new RuleRouter(List.of(
                new RuleRouter.Rule(RequestMatcher.pathPrefix("/up"), Route.to("up", target))));
        proxy.start(router, settings -> settings.withHead(
                new HeadLimits(HeadLimits.Until.HEADERS, 1024, 100, Duration.ofMillis(500))), LocalApps.NONE);
    }

    private String send(String request) throws Exception {
        try (Socket client = proxy.connect()) {
            return Http.exchange(client, request);
        }
    }

    private void assertAnswered(String response, int status, String reasonFragment) {
        assertEquals(status, Http.status(response), response);
        assertTrue(CLOSE.matcher(response).matches(), "no Connection: close in " + response);
        assertTrue(response.contains("Content-Type: text/plain"), response);
        assertTrue(response.contains(reasonFragment), response);
        await().atMost(Duration.ofSeconds(5)).until(() -> accessLog.lines().stream()
                .anyMatch(line -> line.matches("#\\d+ 127\\.0\\.0\\.1:\\d+ .* " + status + " .*")
                        && line.contains(reasonFragment)));
    }

    @Test
    void noMatchingRouteIs404() throws Exception {
        startWith(new Target.Remote("127.0.0.1", 9));
        assertAnswered(send(get("/elsewhere")), 404, "no route for GET /elsewhere");
    }

    @Test
    void anUnfinishedHeadIs408() throws Exception {
        startWith(new Target.Remote("127.0.0.1", 9));
        assertAnswered(send("GET /up HTTP/1.1\r\nHost: a\r\n"), 408, "head not complete");
    }

    @Test
    void anOversizedHeadIs431() throws Exception {
        startWith(new Target.Remote("127.0.0.1", 9));
        assertAnswered(send("GET /up HTTP/1.1\r\nHost: a\r\nX: " + "y".repeat(2000) + "\r\n\r\n"), 431,
                "larger than 1024 bytes");
    }

    /** The bytes read before the refusal are counted, not shown as {@code in=0}. */
    @Test
    void aRefusedHeadCountsTheBytesRead() throws Exception {
        startWith(new Target.Remote("127.0.0.1", 9));
        send("GET /up HTTP/1.1\r\nHost: a\r\nX: " + "y".repeat(2000) + "\r\n\r\n");
        send("HELO example.org\r\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> accessLog.lines().size() == 2);
        assertTrue(accessLog.lines().stream().anyMatch(line -> line.contains(" in=1024 ") && line.contains(" 431 ")),
                accessLog.lines().toString());
        assertTrue(accessLog.lines().stream().anyMatch(line -> line.contains(" in=18 ") && line.contains(" 400 ")),
                accessLog.lines().toString());
    }

    @Test
    void aMalformedHeadIs400() throws Exception {
        startWith(new Target.Remote("127.0.0.1", 9));
        assertAnswered(send("GET /up HTTP/1.1\r\nHost a\r\n\r\n"), 400, "malformed header line");
    }

    @Test
    void aRefusedUpstreamIs502() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        startWith(new Target.Remote("127.0.0.1", closedPort));
        assertAnswered(send(get("/up")), 502, "refused or unreachable");
    }

    @Test
    void anUnresolvableUpstreamIs502() throws Exception {
        startWith(new Target.Remote("no-such-host.invalid", 80));
        assertAnswered(send(get("/up")), 502, "cannot be resolved");
    }

    @Test
    void anUpstreamThatDoesNotAcceptIs504() throws Exception {
        try (StalledUpstream stalled = new StalledUpstream()) {
            startWith(new Target.Remote("127.0.0.1", stalled.port(), Duration.ofMillis(300)));
            long start = System.nanoTime();
            assertAnswered(send(get("/up")), 504, "did not accept within 300 ms");
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMillis >= 290 && elapsedMillis < 5000, "answered after " + elapsedMillis + " ms");
        }
    }

    @Test
    void nonHttpBytesAreClosedWithoutAnAnswer() throws Exception {
        startWith(new Target.Remote("127.0.0.1", 9));
        try (Socket client = proxy.connect()) {
            client.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05});
            assertEquals(-1, client.getInputStream().read());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> accessLog.lines().stream()
                .anyMatch(line -> line.contains("closed: not HTTP") && line.contains("TLS")));
    }

    @Test
    void theAccessLogHasOneLinePerConnectionWithBytesAndRoute() throws Exception {
        startWith(new Target.Remote("127.0.0.1", 9));
        send(get("/one"));
        send(get("/two"));
        await().atMost(Duration.ofSeconds(5)).until(() -> accessLog.lines().size() == 2);
        String first = accessLog.lines().get(0);
        assertTrue(first.matches("#\\d+ 127\\.0\\.0\\.1:\\d+ GET /(one|two) - - status=404 in=\\d+ out=\\d+ \\d+ms 404 .*"),
                first);
    }
}
