package org.streamprox.proxy.pool;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.streamprox.proxy.pool.ServerState.Mode;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Target;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;

/**
 * The operator takes a server out of a pool (draining, or maintenance) and back: while out it gets no new connection,
 * and a connection already open to it goes on working; back, it takes its turn again.
 */
@Timeout(30)
class DrainTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    private static final String A = "127.0.0.2";
    private static final String B = "127.0.0.3";

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    private final List<LoopbackServer> upstreams = new ArrayList<>();

    @AfterEach
    void closeUpstreams() throws Exception {
        for (LoopbackServer upstream : upstreams) {
            upstream.close();
        }
    }

    /** A server on 127.0.0.{@code last} that answers every request with that address. */
    private LoopbackServer namingItself(int last) throws Exception {
        LoopbackServer upstream = LoopbackServer.namingItself(new InetSocketAddress("127.0.0." + last, 0));
        upstreams.add(upstream);
        return upstream;
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"DRAINING", "MAINTENANCE"})
    void aServerOutGetsNoNewConnectionItsOpenOneGoesOnAndActiveAgainItTakesItsTurn(Mode out) throws Exception {
        LoopbackServer a = namingItself(2);
        LoopbackServer b = namingItself(3);
        Server serverA = new Server(A, a.port());
        Pool pool = new Pool("pool", PoolSpec.of(List.of(serverA, new Server(B, b.port())),
                CONNECT_TIMEOUT, Optional.empty(), Optional.empty()));
        proxy.start(ProxyExtension.everythingTo(Route.to("pool", new Target.Remote(pool))));
        ServerState stateA = pool.members().getFirst().state();

        // Taken in turn: of two connections, one reaches a (127.0.0.2); it stays open.
        try (Socket first = proxy.connect(); Socket second = proxy.connect()) {
            Socket held = Http.ask(first, "/1").equals(A) ? first : second;
            assertEquals(A, Http.ask(held, "/2"));
            assertEquals(1, stateA.openConnections());

            assertTrue(pool.mode(serverA.toString(), out));
            assertFalse(stateA.available());

            assertEquals(Map.of(B, 6), answersOfNewConnections(6));
            assertEquals(1, a.acceptedConnections(), "a got a new connection while " + out);
            assertEquals(A, Http.ask(held, "/3"), "the connection open to a goes on");
            assertEquals(1, stateA.openConnections());

            assertTrue(pool.mode(serverA.toString(), Mode.ACTIVE));
            assertTrue(stateA.available());
            assertEquals(Map.of(A, 2, B, 2), answersOfNewConnections(4));
            assertEquals(3, a.acceptedConnections());
        }
        await("a's open connection given back").atMost(Duration.ofSeconds(10))
                .until(stateA::openConnections, open -> open == 0);
    }

    /** What each of {@code connections} new connections was answered, by how many got it; each closed after. */
    private Map<String, Integer> answersOfNewConnections(int connections) throws Exception {
        Map<String, Integer> answers = new TreeMap<>();
        for (int i = 0; i < connections; i++) {
            try (Socket client = proxy.connect()) {
                answers.merge(Http.ask(client, "/new-" + i), 1, Integer::sum);
            }
        }
        return answers;
    }
}
