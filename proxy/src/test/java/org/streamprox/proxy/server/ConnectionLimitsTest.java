package org.streamprox.proxy.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;
import static org.streamprox.testkit.Http.get;

import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.config.ConnectionLimits;
import org.streamprox.proxy.config.ProxySettings;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.route.HeadRewrite;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Target;
import org.streamprox.proxy.upstream.TunnelSettings;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;

/** Connection limits and the timeouts that keep peers from holding connections for ever. */
class ConnectionLimitsTest {

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    /** An upstream that answers each request head with "ok" once released, then echoes. */
    private static LoopbackServer heldUpstream(CountDownLatch release) throws Exception {
        return LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            release.await();
            socket.getOutputStream().write(ascii("ok"));
        });
    }

    private StreamProx start(LoopbackServer upstream, UnaryOperator<ProxySettings> settings) throws Exception {
        return proxy.start(ProxyExtension.everythingTo(Route.to("up", new Target.Remote("127.0.0.1",
                upstream.port()))), settings, LocalApps.NONE);
    }

    private List<Socket> openTunnels(StreamProx server, int count) throws Exception {
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket client = proxy.connect();
            client.getOutputStream().write(ascii(get("/held/" + i)));
            clients.add(client);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.activeCopyLoops() == 2 * count);
        return clients;
    }

    private static void finish(List<Socket> clients) throws Exception {
        for (Socket client : clients) {
            assertEquals("ok", Http.readAll(client));
            client.close();
        }
    }

    @Test
    void aClientOverItsConnectionLimitIsAnswered429AndOthersAreNot() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (LoopbackServer upstream = heldUpstream(release)) {
            StreamProx server = start(upstream, s -> s.withConnections(new ConnectionLimits(100, 2)));
            List<Socket> held = openTunnels(server, 2);

            try (Socket third = proxy.connect()) {
                String answer = Http.exchange(third, get("/third"));
                assertEquals(429, Http.status(answer), answer);
                assertTrue(answer.contains("Connection: close"), answer);
            }

            release.countDown();
            finish(held);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.admittedConnections() == 0);
            try (Socket again = proxy.connect()) {
                assertEquals("ok", Http.exchange(again, get("/again")));
            }
        }
    }

    @Test
    void beyondMaxConnectionsNewConnectionsWaitUntilAPlaceIsFree() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (LoopbackServer upstream = heldUpstream(release)) {
            StreamProx server = start(upstream, s -> s.withConnections(new ConnectionLimits(2, 0)));
            List<Socket> held = openTunnels(server, 2);

            try (Socket waiting = proxy.connect()) {
                waiting.getOutputStream().write(ascii(get("/waiting")));
                waiting.setSoTimeout(300);
                // Connected by the kernel's backlog, but not served while both places are taken.
                assertThrows(SocketTimeoutException.class, () -> waiting.getInputStream().read());
                assertEquals(2, server.admittedConnections());
                assertEquals(2, upstream.acceptedConnections());

                release.countDown();
                finish(held);
                waiting.setSoTimeout(10_000);
                assertEquals("ok", Http.readAll(waiting));
            }
        }
    }

    @Test
    void aPeerThatHalfClosesAndLingersIsCutAtTheHalfCloseTimeout() throws Exception {
        CountDownLatch upstreamCut = new CountDownLatch(1);
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.shutdownOutput();
            try {
                socket.getInputStream().readAllBytes();
            } finally {
                upstreamCut.countDown();
            }
        })) {
            StreamProx server = start(upstream, s -> s.withTunnel(new TunnelSettings(4096, Duration.ofMillis(300))));
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(ascii(get("/linger")));
                assertEquals(-1, client.getInputStream().read());
                long halfClosedAt = System.nanoTime();
                // The client keeps its side open and silent; the deadline must end the connection.
                assertTrue(upstreamCut.await(5, TimeUnit.SECONDS), "upstream still connected");
                long elapsedMillis = (System.nanoTime() - halfClosedAt) / 1_000_000;
                assertTrue(elapsedMillis >= 250 && elapsedMillis < 5000, "cut after " + elapsedMillis + " ms");
                await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);
            }
        }
    }

    @Test
    void upgradedConnectionsUseTheirOwnIdleTimeout() throws Exception {
        try (LoopbackServer upstream = LoopbackServer.echo()) {
            proxy.start(ProxyExtension.everythingTo(new Route("ws", new Target.Remote("127.0.0.1", upstream.port()),
                    HeadRewrite.NONE, Optional.of(Duration.ofMillis(200)), Optional.of(Duration.ofSeconds(30)))));
            String upgrade = "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
            try (Socket websocket = proxy.connect(); Socket plain = proxy.connect()) {
                websocket.getOutputStream().write(ascii(upgrade));
                plain.getOutputStream().write(ascii(get("/plain")));
                assertEquals(upgrade, new String(websocket.getInputStream().readNBytes(upgrade.length())));

                plain.getInputStream().readNBytes(get("/plain").length());
                assertThrows(java.net.SocketException.class, () -> plain.getInputStream().read(),
                        "the plain connection outlived its 200 ms idle timeout");

                // Quiet for longer than the plain timeout, the upgraded one still carries traffic.
                websocket.getOutputStream().write(ascii("ping"));
                assertEquals("ping", new String(websocket.getInputStream().readNBytes(4)));
            }
        }
    }
}
