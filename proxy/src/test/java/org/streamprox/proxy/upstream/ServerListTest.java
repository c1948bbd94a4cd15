package org.streamprox.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.get;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.pool.Pool;
import org.streamprox.proxy.pool.PoolSpec;
import org.streamprox.proxy.pool.Server;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Target;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.FreePorts;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;

/** A remote route with several servers: taken in turn, and the next tried while one cannot be connected to. */
@Timeout(30) // a retry that never ends would otherwise hang the build
class ServerListTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    private final List<LoopbackServer> upstreams = new ArrayList<>();

    @AfterEach
    void closeUpstreams() throws Exception {
        for (LoopbackServer upstream : upstreams) {
            upstream.close();
        }
    }

    /** An upstream that answers every request with its own name, then closes. */
    private Server answering(String name) throws Exception {
        LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + name.length() + "\r\nConnection: close\r\n\r\n"
                    + name).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        });
        upstreams.add(upstream);
        return new Server("127.0.0.1", upstream.port());
    }

    /** A port nothing listens on: connecting to it is refused at once. */
    private static Server refusing() throws Exception {
        return new Server("127.0.0.1", FreePorts.onLoopback(1)[0]);
    }

    private void startWith(Server... servers) throws Exception {
        proxy.start(ProxyExtension.everythingTo(Route.to("pool", new Target.Remote(new Pool("pool",
                PoolSpec.of(List.of(servers), CONNECT_TIMEOUT, Optional.empty(), Optional.empty()))))));
    }

    private String request() throws Exception {
        try (Socket client = proxy.connect()) {
            return Http.exchange(client, get("/"));
        }
    }

    /** How many answers each upstream gave, by the name in the body. */
    private Map<String, Integer> answersOf(int connections) throws Exception {
        Map<String, Integer> answers = new TreeMap<>();
        for (int i = 0; i < connections; i++) {
            String response = request();
            assertEquals(200, Http.status(response), response);
            answers.merge(response.substring(response.indexOf("\r\n\r\n") + 4), 1, Integer::sum);
        }
        return answers;
    }

    @Test
    void newConnectionsTakeTheServersInTurn() throws Exception {
        Server a = answering("a");
        Server b = answering("b");
        startWith(a, b);

        assertEquals(Map.of("a", 5, "b", 5), answersOf(10));
        // The access log names the server each connection reached, not the list.
        accessLog.awaitLineContaining(" pool remote " + a + " status=200 ");
        accessLog.awaitLineContaining(" pool remote " + b + " status=200 ");
    }

    @Test
    void aRefusingServerIsPassedOverForTheNext() throws Exception {
        Server refusing = refusing();
        Server b = answering("b");
        startWith(refusing, b);

        assertEquals(Map.of("b", 10), answersOf(10));
    }

    @Test
    void whenEveryServerRefusesTheClientGets502Promptly() throws Exception {
        startWith(refusing(), refusing(), refusing());

        // Each server is tried once, so even three connect timeouts would end it; refusals end it sooner.
        String response = assertTimeoutPreemptively(CONNECT_TIMEOUT.multipliedBy(3), this::request);

        assertEquals(502, Http.status(response), response);
        assertTrue(response.contains("none of the 3 servers tried could be connected to"), response);
    }
}
