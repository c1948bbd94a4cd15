package org.streamprox.proxy.pool;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.get;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;

/** How each policy spreads new connections over a pool's servers, real upstreams answering with their names. */
@Timeout(60)
class BalancingTest {

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    private final List<LoopbackServer> upstreams = new ArrayList<>();
    private final List<Socket> held = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (Socket socket : held) {
            socket.close();
        }
        for (LoopbackServer upstream : upstreams) {
            upstream.close();
        }
    }

    /** An upstream that answers each request with its name and closes. */
    private int answering(String name) throws Exception {
        return upstream(name, true);
    }

    /** An upstream that answers with its name and keeps the connection open until the client closes it. */
    private int answeringAndKeepingOpen(String name) throws Exception {
        return upstream(name, false);
    }

    private int upstream(String name, boolean close) throws Exception {
        LoopbackServer upstream = LoopbackServer.start(socket -> {
            InputStream in = socket.getInputStream();
            Http.readHead(in);
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + name.length() + "\r\n\r\n" + name)
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (!close) {
                in.readAllBytes();
            }
        });
        upstreams.add(upstream);
        return upstream.port();
    }

    private void start(String yaml) throws Exception {
        proxy.start(config(yaml));
    }

    private static ProxyConfig config(String yaml) throws Exception {
        return new ConfigLoader(LocalApps.NONE.names()).load(yaml, "pool.yaml");
    }

    /** One request on a new connection from {@code from}; the name of the server that answered. */
    private String request(String from) throws Exception {
        try (Socket client = connectFrom(from)) {
            return name(Http.exchange(client, get("/")));
        }
    }

    /**
     * One request on a new connection, kept open while the server keeps it ({@code keeper}), closed otherwise; the
     * name of the server that answered.
     */
    private String requestAndHoldTheKeepers() throws Exception {
        Socket client = connectFrom("127.0.0.1");
        client.getOutputStream().write(Http.ascii(get("/")));
        String head = Http.readHead(client.getInputStream());
        int length = Integer.parseInt(Http.field(head, "Content-Length"));
        String name = new String(client.getInputStream().readNBytes(length), StandardCharsets.ISO_8859_1);
        if (name.equals("keeper")) {
            held.add(client);
        } else {
            client.close();
        }
        return name;
    }

    private Socket connectFrom(String address) throws Exception {
        Socket client = new Socket();
        client.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
        client.connect(proxy.server().localAddress(), 5_000);
        client.setSoTimeout(10_000);
        return client;
    }

    private static String name(String response) {
        assertEquals(200, Http.status(response), response);
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    /** The pool's open connections to each member, counted by the engine. */
    private int openToTheServers() {
        return proxy.server().pools().get(0).members().stream().mapToInt(member -> member.state().openConnections())
                .sum();
    }

    @Test
    void roundRobinGivesEachServerItsWeightInterleaved() throws Exception {
        start("""
                upstreams:
                  web:
                    servers: [{address: 127.0.0.1:%d, weight: 3}, 127.0.0.1:%d, 127.0.0.1:%d]
                routes: [{remote: web}]
                """.formatted(answering("a"), answering("b"), answering("c")));

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            order.add(request("127.0.0.1"));
        }

        // nginx's smooth weighted round-robin: a's three turns are spread out, not taken in a row.
        assertEquals(List.of("a", "b", "a", "c", "a", "a", "b", "a", "c", "a"), order);
    }

    /**
     * One server keeps every connection it gets open; the others answer and close. A least-loaded policy gives
     * the keeping server one connection at most (when every server had none), round-robin a third of them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"least-connections", "power-of-two"})
    void leastLoadedPoliciesPassOverTheServerHoldingConnections(String policy) throws Exception {
        start("""
                upstreams:
                  web:
                    policy: %s
                    servers: [127.0.0.1:%d, 127.0.0.1:%d, 127.0.0.1:%d]
                routes: [{remote: web}]
                """.formatted(policy, answeringAndKeepingOpen("keeper"), answering("b"), answering("c")));

        Map<String, Integer> answers = new TreeMap<>();
        for (int i = 0; i < 30; i++) {
            answers.merge(requestAndHoldTheKeepers(), 1, Integer::sum);
            int keepers = answers.getOrDefault("keeper", 0);
            // The closing servers' connections are over before the next one chooses.
            await().atMost(Duration.ofSeconds(5)).until(() -> openToTheServers() == keepers);
        }

        assertTrue(answers.getOrDefault("keeper", 0) <= 1, answers.toString());
        assertEquals(30, answers.values().stream().mapToInt(Integer::intValue).sum());
        for (Socket socket : held) {
            socket.close();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> openToTheServers() == 0);
    }

    /**
     * One connection at a time, every server has none open when the next comes: the tie goes by weight, so the
     * weight-3 server takes about three in four (150 of 200; ±30 is about five standard deviations of the binomial),
     * not all of them and not half.
     */
    @Test
    void leastConnectionsSplitsTiesByWeight() throws Exception {
        start("""
                upstreams:
                  web:
                    policy: least-connections
                    servers: [127.0.0.1:%d, {address: 127.0.0.1:%d, weight: 3}]
                routes: [{remote: web}]
                """.formatted(answering("light"), answering("heavy")));

        int heavy = 0;
        for (int i = 0; i < 200; i++) {
            heavy += request("127.0.0.1").equals("heavy") ? 1 : 0;
            await().atMost(Duration.ofSeconds(5)).until(() -> openToTheServers() == 0);
        }

        assertTrue(heavy >= 120 && heavy <= 180, heavy + " of 200 to the weight-3 server");
    }

    /**
     * Clients from 40 loopback addresses keep their server on every connection; after a reload without one
     * server, only that server's clients move.
     */
    @Test
    void clientHashKeepsEachClientOnItsServerAndMovesOnlyTheRemovedServersClients() throws Exception {
        int a = answering("a");
        int b = answering("b");
        int c = answering("c");
        String pool = """
                upstreams:
                  web:
                    policy: client-hash
                    servers: [%s]
                routes: [{remote: web}]
                """;
        start(pool.formatted("127.0.0.1:" + a + ", 127.0.0.1:" + b + ", 127.0.0.1:" + c));

        Map<String, String> before = new HashMap<>();
        for (int client = 10; client < 50; client++) {
            String address = "127.0.0." + client;
            String server = request(address);
            before.put(address, server);
            assertEquals(server, request(address), address + " moved between two connections");
        }
        Map<String, Long> shares = new TreeMap<>();
        before.values().forEach(server -> shares.merge(server, 1L, Long::sum));
        // 40 clients over 3 servers, 160 points each: a server with fewer than 4 would be a broken ring.
        assertEquals(3, shares.size(), shares.toString());
        shares.values().forEach(share -> assertTrue(share >= 4, shares.toString()));

        proxy.server().reload(config(pool.formatted("127.0.0.1:" + a + ", 127.0.0.1:" + b)));

        for (Map.Entry<String, String> client : before.entrySet()) {
            String now = request(client.getKey());
            if (client.getValue().equals("c")) {
                assertTrue(now.equals("a") || now.equals("b"), now);
            } else {
                assertEquals(client.getValue(), now, client.getKey() + " moved though its server stayed");
            }
        }
    }

    @Test
    void aBackupTakesConnectionsOnlyWhileNoPrimaryCan() throws Exception {
        int[] closed = org.streamprox.testkit.FreePorts.onLoopback(1);
        int backup = answering("backup");
        int primary = answering("primary");
        start("""
                upstreams:
                  web:
                    servers: [127.0.0.1:%d, {address: 127.0.0.1:%d, backup: true}]
                  lonely:
                    servers: [127.0.0.1:%d, {address: 127.0.0.1:%d, backup: true}]
                routes:
                  - {match: {path-prefix: /}, remote: web}
                """.formatted(primary, backup, closed[0], backup));

        for (int i = 0; i < 5; i++) {
            assertEquals("primary", request("127.0.0.1"));
        }
        proxy.server().reload(config("""
                upstreams:
                  web:
                    servers: [127.0.0.1:%d, {address: 127.0.0.1:%d, backup: true}]
                routes: [{remote: web}]
                """.formatted(closed[0], backup)));
        for (int i = 0; i < 5; i++) {
            assertEquals("backup", request("127.0.0.1"));
        }
    }
}
