package org.streamprox.proxy.hostile;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;
import static org.streamprox.testkit.Http.get;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Router;
import org.streamprox.proxy.route.Target;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.StalledUpstream;

/**
 * A client that resets or half-closes at each stage of its connection: while its head is being read, while the
 * engine connects upstream, and mid-stream. Whatever the stage, the engine ends up holding nothing (the
 * extension's after-check: no connection, place or copy loop left), and a half-closed client still gets what the
 * engine has to say. Each waits for the engine to finish before its upstream goes away, so the fault alone
 * decides how the connection ends.
 */
class ClientFaultsTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    enum Fault {
        /** SO_LINGER 0 and close: the engine's next read or write fails. */
        RESET,
        /** Shut down output only: the engine reads an end of stream, and the client keeps reading. */
        HALF_CLOSE;

        void applyTo(Socket client) throws IOException {
            if (this == RESET) {
                client.setSoLinger(true, 0);
                client.close();
            } else {
                client.shutdownOutput();
            }
        }
    }

    private void startInFrontOf(LoopbackServer upstream) throws Exception {
        proxy.start(ProxyExtension.everythingTo(Route.to("echo", new Target.Remote("127.0.0.1", upstream.port()))));
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void duringTheHead(Fault fault) throws Exception {
        try (LoopbackServer upstream = LoopbackServer.echo()) {
            startInFrontOf(upstream);
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(ascii("GET /unfinished HTTP/1.1\r\nHost: a"));
                await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server().openConnections() == 1);
                fault.applyTo(client);
                if (fault == Fault.HALF_CLOSE) {
                    assertEquals("", Http.readAll(client), "an unfinished head is closed without an answer");
                }
            }
            proxy.awaitQuiet();
            assertEquals(0, upstream.acceptedConnections());
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void duringTheUpstreamConnect(Fault fault) throws Exception {
        try (StalledUpstream stalled = new StalledUpstream()) {
            CountDownLatch routed = new CountDownLatch(1);
            Route route = Route.to("stalled", new Target.Remote("127.0.0.1", stalled.port(), CONNECT_TIMEOUT));
            proxy.start((Router) (head, hello) -> {
                routed.countDown();
                return Optional.of(route);
            });
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(ascii(get("/connecting")));
                assertTrue(routed.await(5, TimeUnit.SECONDS), "the head was never routed");
                fault.applyTo(client);
                if (fault == Fault.HALF_CLOSE) {
                    assertEquals(504, Http.status(Http.readAll(client)));
                }
            }
            // Closing the stalled listener would end the connect early: let it run into its timeout.
            proxy.awaitQuiet();
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void midStream(Fault fault) throws Exception {
        String sent = get("/stream") + "first part of a body";
        try (LoopbackServer upstream = LoopbackServer.echo()) {
            startInFrontOf(upstream);
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(ascii(sent));
                assertEquals(sent, new String(client.getInputStream().readNBytes(sent.length()),
                        StandardCharsets.ISO_8859_1));
                fault.applyTo(client);
                if (fault == Fault.HALF_CLOSE) {
                    assertEquals("", Http.readAll(client), "the echo ends with the client's half-close");
                }
            }
            proxy.awaitQuiet();
        }
    }
}
