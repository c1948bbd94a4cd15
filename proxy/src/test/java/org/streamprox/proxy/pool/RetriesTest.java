package org.streamprox.proxy.pool;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.get;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.testkit.FreePorts;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.StalledUpstream;

/** How far a new connection goes when servers cannot be connected to: tries, the connect budget, cool-downs. */
@Timeout(60)
class RetriesTest {

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    private final List<AutoCloseable> upstreams = new ArrayList<>();

    @AfterEach
    void closeUpstreams() throws Exception {
        for (AutoCloseable upstream : upstreams) {
            upstream.close();
        }
    }

    private void start(String yaml) throws Exception {
        proxy.start(new ConfigLoader(LocalApps.NONE.names()).load(yaml, "pool.yaml"));
    }

    private String request() throws Exception {
        try (Socket client = proxy.connect()) {
            return Http.exchange(client, get("/"));
        }
    }

    private int stalled() throws Exception {
        StalledUpstream upstream = new StalledUpstream();
        upstreams.add(upstream);
        return upstream.port();
    }

    private int answering() throws Exception {
        LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        });
        upstreams.add(upstream);
        return upstream.port();
    }

    @Test
    void triesBoundHowManyServersOneConnectionTries() throws Exception {
        int[] refusing = FreePorts.onLoopback(3);
        start("""
                upstreams:
                  web: {servers: [127.0.0.1:%d, 127.0.0.1:%d, 127.0.0.1:%d], tries: 2, passive: off}
                routes: [{remote: web}]
                """.formatted(refusing[0], refusing[1], refusing[2]));

        String response = request();

        assertEquals(502, Http.status(response), response);
        assertTrue(response.contains("none of the 2 servers tried could be connected to"), response);
    }

    /** Three silent servers at 1 s each would take 3 s; the budget ends the connection's tries at 1.5 s. */
    @Test
    void theConnectBudgetBoundsTheWholeWaitAndAnswers504() throws Exception {
        start("""
                upstreams:
                  web:
                    servers: [127.0.0.1:%d, 127.0.0.1:%d, 127.0.0.1:%d]
                    connect-timeout: 1s
                    connect-budget: 1500ms
                    passive: off
                routes: [{remote: web}]
                """.formatted(stalled(), stalled(), stalled()));

        long began = System.nanoTime();
        String response = request();
        Duration took = Duration.ofNanos(System.nanoTime() - began);

        assertEquals(504, Http.status(response), response);
        assertTrue(took.compareTo(Duration.ofMillis(1400)) > 0, took.toString());
        assertTrue(took.compareTo(Duration.ofMillis(2500)) < 0, took.toString());
    }

    /**
     * After two connect failures in a row the refusing server is out for its cool-down: connections go to the
     * other without trying it; after the cool-down it is tried again, and out again after two more.
     */
    @Test
    void consecutiveConnectFailuresTakeAServerOutForItsCoolDown() throws Exception {
        int refusing = FreePorts.onLoopback(1)[0];
        start("""
                upstreams:
                  web:
                    servers: [127.0.0.1:%d, 127.0.0.1:%d]
                    passive: {max-failures: 2, cool-down: 2s}
                routes: [{remote: web}]
                """.formatted(refusing, answering()));
        Member refuser = proxy.server().pools().get(0).members().get(0);

        // Round-robin: every other connection starts at the refusing server, fails there, and goes on.
        for (int i = 0; i < 4; i++) {
            assertEquals(200, Http.status(request()));
        }
        assertTrue(refuser.state().coolingDown());
        assertEquals(2, refuser.state().failures());
        for (int i = 0; i < 4; i++) {
            assertEquals(200, Http.status(request()));
        }
        assertEquals(2, refuser.state().failures(), "tried while cooling down");

        await().atMost(Duration.ofSeconds(5)).until(() -> !refuser.state().coolingDown());
        // Back, it is tried again: each connection's first choice, since a failed try takes a turn too.
        for (int i = 0; i < 2; i++) {
            assertEquals(200, Http.status(request()));
        }
        assertEquals(4, refuser.state().failures());
        assertTrue(refuser.state().coolingDown(), "two more failures in a row take it out again");
    }

    /**
     * Every server out for a cool-down is no reason to refuse: a connection with nowhere else to go tries them, and
     * gets through to one that is back before its cool-down ends.
     */
    @Test
    void whenEveryServerIsCoolingDownAConnectionStillTriesThem() throws Exception {
        int[] ports = FreePorts.onLoopback(2);
        start("""
                upstreams:
                  web:
                    servers: [127.0.0.1:%d, 127.0.0.1:%d]
                    passive: {max-failures: 1, cool-down: 1m}
                routes: [{remote: web}]
                """.formatted(ports[0], ports[1]));
        assertEquals(502, Http.status(request()));
        List<Member> members = proxy.server().pools().get(0).members();
        assertTrue(members.stream().allMatch(member -> member.state().coolingDown()));

        upstreams.add(LoopbackServer.on(ports[1], socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(Http.ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        }));

        assertEquals(200, Http.status(request()));
    }

    /**
     * A server that takes the connection and closes it unanswered got the request's bytes: the client's connection
     * ends there, and the next server never sees it (it could not tell whether the first acted on the request).
     */
    @Test
    void nothingIsRetriedOnceTheRequestWasForwarded() throws Exception {
        LoopbackServer closing = LoopbackServer.start(socket -> Http.readHead(socket.getInputStream()));
        upstreams.add(closing);
        LoopbackServer answering = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(Http.ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        });
        upstreams.add(answering);
        start("""
                upstreams:
                  web: {servers: [127.0.0.1:%d, 127.0.0.1:%d]}
                routes: [{remote: web}]
                """.formatted(closing.port(), answering.port()));

        List<String> responses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            responses.add(request());
        }

        // Round-robin: two connections each; the closing server's two got no answer, and were not sent on.
        assertEquals(2, responses.stream().filter(response -> response.startsWith("HTTP/1.1 200")).count(),
                responses.toString());
        await().atMost(Duration.ofSeconds(5)).until(() -> closing.acceptedConnections() == 2);
        assertEquals(2, answering.acceptedConnections());
    }
}
