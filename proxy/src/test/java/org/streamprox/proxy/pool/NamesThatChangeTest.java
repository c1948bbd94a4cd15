package org.streamprox.proxy.pool;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LogCapture;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.TestNames;

/**
 * A pool whose server is a host name follows the name's addresses while it runs: servers that move, names with
 * several addresses ({@code resolve: all}), names that stop resolving and names that never did. Names are the test's
 * own ({@link TestNames}), the servers real ones on loopback addresses of their own (127.0.0.2, 127.0.0.3, ...), all
 * on one port, as a server moved to another machine would be.
 */
@Timeout(60)
class NamesThatChangeTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    /** Time for a change to be seen: a lookup once per interval, with room for a slow machine. */
    private static final Duration WITHIN = INTERVAL.multipliedBy(15);
    private static final AtomicInteger NAMES = new AtomicInteger();

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @RegisterExtension
    final LogCapture poolLog = new LogCapture(Pool.class);

    /** A name of this test's own, so no other test's lookups count. */
    private final String name = "web-" + NAMES.incrementAndGet() + TestNames.SUFFIX;
    private final List<LoopbackServer> servers = new ArrayList<>();
    /** Every server's: the first one's, chosen free. */
    private int port;

    @AfterEach
    void closeServers() throws Exception {
        for (LoopbackServer server : servers) {
            server.close();
        }
    }

    /** A server on {@code address} and the port of this test, answering each request with its address. */
    private void serverAt(String address) throws Exception {
        LoopbackServer server = LoopbackServer.namingItself(new InetSocketAddress(address, port));
        servers.add(server);
        port = server.port();
    }

    private ProxyConfig config(String resolve) throws Exception {
        return new ConfigLoader(Set.of()).load("""
                listen: 127.0.0.1:0
                upstreams:
                  web:
                    servers: [%s:%d]
                    resolve: %s
                    resolve-interval: %dms
                routes:
                  - { name: site, remote: web }
                """.formatted(name, port, resolve, INTERVAL.toMillis()), "names.yaml");
    }

    private void start(String resolve) throws Exception {
        proxy.startAsConfigured(config(resolve));
    }

    private Pool pool() {
        return proxy.server().pools().get(0);
    }

    private List<String> memberNames() {
        return pool().members().stream().map(Member::name).toList();
    }

    private String member(String address) {
        return name + "/" + address + ":" + port;
    }

    /** The answer to one request on a new connection. */
    private String request() throws Exception {
        try (Socket client = proxy.connect()) {
            return Http.exchange(client, "GET / HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n");
        }
    }

    /** Which server answered a request on a new connection. */
    private String answeredBy() throws Exception {
        String response = request();
        assertEquals(200, Http.status(response), response);
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    /** How many of {@code connections} new connections each server answered. */
    private Map<String, Integer> answersOf(int connections) throws Exception {
        Map<String, Integer> answers = new TreeMap<>();
        for (int i = 0; i < connections; i++) {
            answers.merge(answeredBy(), 1, Integer::sum);
        }
        return answers;
    }

    /** Waits until the pool has looked its name up {@code times} more: that many intervals went by. */
    private void awaitLookups(int times) {
        int seen = TestNames.lookups(name);
        await().atMost(WITHIN.multipliedBy(times)).until(() -> TestNames.lookups(name) >= seen + times);
    }

    @Test
    void aServerThatMovesIsFollowedWithoutARestart() throws Exception {
        serverAt("127.0.0.2");
        TestNames.answer(name, "127.0.0.2");
        start("first");
        assertEquals("127.0.0.2", answeredBy());

        serverAt("127.0.0.3");
        TestNames.answer(name, "127.0.0.3");

        // The old server still runs: only the name says where the server is now.
        await().atMost(WITHIN).until(this::answeredBy, "127.0.0.3"::equals);
        assertEquals(Map.of("127.0.0.3", 5), answersOf(5));
        assertEquals(List.of(member("127.0.0.3")), memberNames());
        poolLog.awaitLineContaining("pool web: members now [" + member("127.0.0.3") + "] (were ["
                + member("127.0.0.2") + "])");
    }

    @Test
    void resolveAllMakesEveryAddressAMemberAndOneThatDisappearsGetsNoNewConnection() throws Exception {
        serverAt("127.0.0.2");
        serverAt("127.0.0.3");
        serverAt("127.0.0.4");
        TestNames.answer(name, "127.0.0.2", "127.0.0.3", "127.0.0.4");
        start("all");

        assertEquals(List.of(member("127.0.0.2"), member("127.0.0.3"), member("127.0.0.4")), memberNames());
        assertEquals(Map.of("127.0.0.2", 5, "127.0.0.3", 5, "127.0.0.4", 5), answersOf(15));

        TestNames.answer(name, "127.0.0.2", "127.0.0.4");
        await().atMost(WITHIN).until(this::memberNames, List.of(member("127.0.0.2"), member("127.0.0.4"))::equals);
        // 127.0.0.3 still serves, and is never asked again.
        assertEquals(Map.of("127.0.0.2", 6, "127.0.0.4", 6), answersOf(12));
    }

    @Test
    void resolvingAgainToTheSameAddressesKeepsTheRoundRobinsTurn() throws Exception {
        serverAt("127.0.0.2");
        serverAt("127.0.0.3");
        TestNames.answer(name, "127.0.0.2", "127.0.0.3");
        start("all");

        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // A whole lookup between two connections: the one that started may still be running.
            awaitLookups(2);
            answers.add(answeredBy());
        }

        assertEquals(List.of("127.0.0.2", "127.0.0.3", "127.0.0.2", "127.0.0.3"), answers);
    }

    @Test
    void anAddressKeepsItsStateWhileItStaysAndItsOpenConnectionsAreCountedAfterItGoes() throws Exception {
        serverAt("127.0.0.2");
        serverAt("127.0.0.3");
        TestNames.answer(name, "127.0.0.2");
        start("all");
        try (Socket client = proxy.connect()) {
            assertEquals("127.0.0.2", keepAliveRequest(client));
            ServerState first = pool().members().get(0).state();
            assertEquals(1, first.openConnections());

            TestNames.answer(name, "127.0.0.2", "127.0.0.3");
            await().atMost(WITHIN).until(() -> pool().members().size() == 2);
            assertSame(first, pool().members().get(0).state());

            TestNames.answer(name, "127.0.0.3");
            await().atMost(WITHIN).until(this::memberNames, List.of(member("127.0.0.3"))::equals);
            // The open connection goes on where it went, and is still counted there.
            assertEquals("127.0.0.2", keepAliveRequest(client));
            assertEquals(1, first.openConnections());
            client.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> first.openConnections() == 0);

            TestNames.answer(name, "127.0.0.2", "127.0.0.3");
            await().atMost(WITHIN).until(() -> pool().members().size() == 2);
            assertSame(first, pool().members().get(0).state());
            assertEquals(1, first.connections());
        }
    }

    /** A request on a connection that stays open, and who answered it. */
    private static String keepAliveRequest(Socket client) throws Exception {
        client.getOutputStream().write(Http.ascii(Http.get("/")));
        InputStream in = client.getInputStream();
        String head = Http.readHead(in);
        return new String(in.readNBytes(Integer.parseInt(Http.field(head, "Content-Length"))),
                StandardCharsets.ISO_8859_1);
    }

    @Test
    void aNameThatStopsResolvingKeepsItsLastAddressesAndSaysSoOnce() throws Exception {
        serverAt("127.0.0.2");
        TestNames.answer(name, "127.0.0.2");
        start("first");
        assertEquals("127.0.0.2", answeredBy());

        TestNames.forget(name);
        awaitLookups(3);

        assertEquals("127.0.0.2", answeredBy());
        assertEquals(List.of(member("127.0.0.2")), memberNames());
        List<String> saidSo = poolLog.linesContaining(name + " does not resolve");
        assertEquals(1, saidSo.size(), poolLog.lines().toString());
        assertTrue(saidSo.get(0).contains("keeping its last addresses [" + member("127.0.0.2") + "]"), saidSo.get(0));

        serverAt("127.0.0.3");
        TestNames.answer(name, "127.0.0.3");
        await().atMost(WITHIN).until(this::answeredBy, "127.0.0.3"::equals);
        awaitLookups(2);
        assertEquals(1, poolLog.linesContaining(name + " resolves again, to [" + name + "/127.0.0.3]").size(),
                poolLog.lines().toString());
    }

    @Test
    void aReloadKeepsTheLastAddressesOfANameThatDoesNotResolve() throws Exception {
        serverAt("127.0.0.2");
        TestNames.answer(name, "127.0.0.2");
        start("first");
        TestNames.forget(name);
        poolLog.awaitLineContaining(name + " does not resolve");

        proxy.server().reload(config("first"));

        assertEquals("127.0.0.2", answeredBy());
        assertEquals(List.of(member("127.0.0.2")), memberNames());
        assertEquals(1, poolLog.linesContaining(name + " does not resolve").size(), poolLog.lines().toString());
    }

    @Test
    void aNameThatNeverResolvedIsAnswered502WithTheReasonUntilItResolves() throws Exception {
        serverAt("127.0.0.2");
        start("first");

        String response = request();
        assertEquals(502, Http.status(response), response);
        assertTrue(response.contains("pool web: upstream host " + name + " cannot be resolved"), response);
        assertEquals(List.of(name), pool().unresolved());
        poolLog.awaitLineContaining(name + " does not resolve", "it has no address");

        TestNames.answer(name, "127.0.0.2");

        await().atMost(WITHIN).until(() -> Http.status(request()) == 200);
        assertEquals("127.0.0.2", answeredBy());
        assertEquals(List.of(), pool().unresolved());
    }
}
