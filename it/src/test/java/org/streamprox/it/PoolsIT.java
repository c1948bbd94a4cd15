package org.streamprox.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.HttpResponse;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;

/**
 * Pools against real servers: the StreamProx container in front of three nginx containers, each answering with its
 * own name, so every answer says which server a connection reached. Each test has its own pool (and the route
 * {@code /POOL/} to it), all over the same three servers, so that no test's turns, counts or cool-downs reach
 * another's; a test that kills or freezes a server has it serving again after it.
 */
class PoolsIT {

    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    private static final int RISE = 2;
    private static final int FALL = 2;
    private static final String HEALTH_CHECK = ("{type: http, path: /healthz, interval: %dms, timeout: %dms,"
            + " rise: %d, fall: %d}").formatted(INTERVAL.toMillis(), TIMEOUT.toMillis(), RISE, FALL);
    /** What a busy two-core machine may add to a timing: scheduling, Docker's pause and start, polling. */
    private static final Duration SLACK = Duration.ofSeconds(1);
    /**
     * Clients of the load tests: a connection cut when a server is killed is at most one per client. While a server
     * is frozen they hold off, so that none of their requests is caught in its queue: that would be a request
     * forwarded, waiting for the thaw, not one that a connect timeout sends on to the next server.
     */
    private static final int CLIENTS = 8;

    private static ContainerGroup containers;
    private static NamedNginx n1;
    private static NamedNginx n2;
    private static NamedNginx n3;
    private static List<NamedNginx> servers;
    /** Loopback ports nothing listens on: servers that refuse. */
    private static List<Integer> closedPorts;
    private static GenericContainer<?> streamprox;
    private static int port;
    private static AdminListener admin;

    @BeforeAll
    static void start() throws Exception {
        containers = new ContainerGroup();
        n1 = NamedNginx.start(containers, "n1");
        n2 = NamedNginx.start(containers, "n2");
        n3 = NamedNginx.start(containers, "n3");
        servers = List.of(n1, n2, n3);
        closedPorts = List.of(Images.freePort(), Images.freePort(), Images.freePort());
        port = Images.freePort();
        int adminPort = Images.freePort();
        streamprox = containers.start(Images.streamprox(port, adminPort, config(servers)));
        admin = new AdminListener(adminPort);
    }

    @AfterEach
    void serveAgain() throws IOException {
        for (NamedNginx server : servers) {
            server.serveAgain();
        }
    }

    @AfterAll
    static void stop() {
        containers.close();
    }

    /** One pool per test, each with the route {@code /NAME/}; {@code sticky-reloaded} has {@code reloaded}. */
    private static String config(List<NamedNginx> reloaded) {
        String all = addresses(servers);
        String closed = closedPorts.stream().map(closedPort -> "127.0.0.1:" + closedPort)
                .collect(Collectors.joining(", ", "[", "]"));
        Map<String, String> pools = new LinkedHashMap<>();
        pools.put("round-robin", "{servers: " + all + "}");
        pools.put("weighted", "{servers: [%s, {address: %s, weight: 2}, {address: %s, weight: 3}]}"
                .formatted(n1.address(), n2.address(), n3.address()));
        pools.put("least-connections", "{policy: least-connections, servers: " + all + "}");
        pools.put("power-of-two", "{policy: power-of-two, servers: " + all + "}");
        pools.put("client-hash", "{policy: client-hash, servers: " + all + "}");
        pools.put("sticky-reloaded", "{policy: client-hash, servers: " + addresses(reloaded) + "}");
        pools.put("sticky-stopped", "{policy: client-hash, servers: " + all + ", health-check: " + HEALTH_CHECK + "}");
        pools.put("guarded", "{servers: " + all + ", connect-timeout: 500ms, passive: {max-failures: 2, cool-down: 2s},"
                + " health-check: " + HEALTH_CHECK + "}");
        pools.put("unreachable", "{servers: " + closed + ", connect-timeout: 1s, connect-budget: 2s}");
        pools.put("last-frozen", "{servers: [127.0.0.1:%d, %s], connect-timeout: 1s}"
                .formatted(closedPorts.get(0), n3.address()));
        pools.put("frozen", "{servers: " + all + ", connect-timeout: 1s, connect-budget: 1500ms}");
        pools.put("drainable", "{servers: " + all + "}");
        StringBuilder yaml = new StringBuilder("upstreams:\n");
        pools.forEach((name, pool) -> yaml.append("  ").append(name).append(": ").append(pool).append('\n'));
        yaml.append("routes:\n");
        pools.keySet().forEach(name -> yaml.append("  - {name: %s, match: {path-prefix: /%s/}, remote: %s}\n"
                .formatted(name, name, name)));
        return yaml.toString();
    }

    private static String addresses(List<NamedNginx> listed) {
        return listed.stream().map(NamedNginx::address).collect(Collectors.joining(", ", "[", "]"));
    }

    // Spread by each policy

    @Test
    void roundRobinGivesEachServerEveryThirdConnection() throws Exception {
        List<String> answers = askInTurn("round-robin", 300);
        assertEquals(Set.of("n1", "n2", "n3"), Set.copyOf(answers.subList(0, 3)), answers.toString());
        for (int i = 3; i < answers.size(); i++) {
            assertEquals(answers.get(i % 3), answers.get(i), "connection " + i + " of " + answers);
        }
    }

    @Test
    void weightedRoundRobinGivesEachServerItsWeightInEverySixConnections() throws Exception {
        List<String> answers = askInTurn("weighted", 300);
        // Weights 1, 2, 3: a schedule of six, repeated.
        assertEquals(Map.of("n1", 1L, "n2", 2L, "n3", 3L), counts(answers.subList(0, 6)), answers.toString());
        for (int i = 6; i < answers.size(); i++) {
            assertEquals(answers.get(i % 6), answers.get(i), "connection " + i + " of " + answers);
        }
    }

    @Test
    void leastConnectionsGivesEachNewConnectionToAServerWithTheFewestOpen() throws Exception {
        try (HeldConnections held = new HeldConnections("least-connections")) {
            // The connections are held open, so the counts StreamProx goes by are exactly the test's.
            for (int i = 0; i < 9; i++) {
                held.openOnLeastLoaded();
            }
            assertEquals(Map.of("n1", 3L, "n2", 3L, "n3", 3L), held.perServer());
            // Two of n2's end: it is the only server with fewer, so it gets the next two, whatever the turn.
            held.end(n2.name, 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> admin.openOnRoute("least-connections") == 7);
            assertEquals("n2", held.open());
            assertEquals("n2", held.open());
            for (int i = 0; i < 3; i++) {
                held.openOnLeastLoaded();
            }
            assertEquals(Map.of("n1", 4L, "n2", 4L, "n3", 4L), held.perServer());
        }
    }

    @Test
    void powerOfTwoChoicesSpreadsEvenlyAndNeverTakesTheBusiestOfThree() throws Exception {
        // With nothing held open, the two drawn servers tie and the first drawn is taken: each connection picks a
        // server uniformly, so a server's count of 300 is Binomial(300, 1/3), mean 100, standard deviation 8.2. A
        // connection whose end StreamProx has not counted yet only makes a tie less likely and the spread more even.
        // Five deviations either side: 59 to 141; one of three counts outside that by chance: about once in 600,000
        // runs.
        Map<String, Long> spread = counts(askInTurn("power-of-two", 300));
        for (NamedNginx server : servers) {
            long count = spread.getOrDefault(server.name, 0L);
            assertTrue(count >= 59 && count <= 141, server + " took " + count + " of 300: " + spread);
        }
        try (HeldConnections held = new HeldConnections("power-of-two")) {
            // Of two servers drawn out of three, at least one is less busy than a busiest one: that is never taken.
            for (int i = 0; i < 45; i++) {
                Map<String, Long> before = held.perServer();
                String server = held.open();
                long load = before.getOrDefault(server, 0L);
                long others = servers.stream().filter(other -> !other.name.equals(server))
                        .filter(other -> before.getOrDefault(other.name, 0L) >= load).count();
                assertTrue(others > 0, "connection " + i + " went to " + server + ", the only busiest of " + before);
            }
        }
    }

    @Test
    void clientHashSpreadsClientAddressesOverTheServers() throws Exception {
        // Each server owns 160 of the ring's 480 points, placed by a hash of its name: its share s of the ring is
        // close to Beta(160, 320), mean 1/3, standard deviation 0.0215; each of 600 client addresses lands on it with
        // chance s. The count's variance is 600 E[s(1-s)] + 600^2 Var(s) = 133 + 166, standard deviation 17.3, about
        // a mean of 200. Five deviations either side: 113 to 287 (as rare a miss as above).
        Map<String, Long> spread = counts(List.copyOf(serverOfEach("client-hash", clients(1, 600)).values()));
        for (NamedNginx server : servers) {
            long count = spread.getOrDefault(server.name, 0L);
            assertTrue(count >= 113 && count <= 287, server + " took " + count + " of 600 clients: " + spread);
        }
    }

    // Sticky clients

    @Test
    void clientsKeepTheirServerAndRemovingOneByReloadMovesOnlyItsClients() throws Exception {
        List<InetAddress> clients = clients(2, 90);
        Map<InetAddress, String> before = serverOfEach("sticky-reloaded", clients);
        assertEquals(before, serverOfEach("sticky-reloaded", clients), "a client changed servers");
        assertTrue(before.containsValue(n3.name), "no client on n3, so removing it shows nothing: " + before);
        try {
            reloadWith(List.of(n1, n2));
            Map<InetAddress, String> after = serverOfEach("sticky-reloaded", clients);
            for (InetAddress client : clients) {
                if (before.get(client).equals(n3.name)) {
                    assertNotEquals(n3.name, after.get(client), client + " still reached the removed n3");
                } else {
                    assertEquals(before.get(client), after.get(client), client + " moved though its server stayed");
                }
            }
        } finally {
            reloadWith(servers);
        }
        // Consistent hashing: n3 back, its clients come back to it and nobody else moves.
        assertEquals(before, serverOfEach("sticky-reloaded", clients));
    }

    @Test
    void aStoppedServerPassesOnItsClientsOnlyAndTheOthersKeepTheirs() throws Exception {
        List<InetAddress> clients = clients(3, 90);
        Map<InetAddress, String> before = serverOfEach("sticky-stopped", clients);
        assertTrue(before.containsValue(n2.name), "no client on n2, so stopping it shows nothing: " + before);
        n2.kill();
        // Refused, the try goes round the ring to the next server: where n2's clients go when it is removed.
        Map<InetAddress, String> after = serverOfEach("sticky-stopped", clients);
        for (InetAddress client : clients) {
            if (before.get(client).equals(n2.name)) {
                assertNotEquals(n2.name, after.get(client), client + " still reached the stopped n2");
            } else {
                assertEquals(before.get(client), after.get(client), client + " moved though its server ran");
            }
        }
    }

    // Faults under load

    @Test
    void aServerKilledThenOneFrozenUnderLoadCostNoClientAnAnswer() throws Exception {
        SteadyLoad load = SteadyLoad.start(port, "/guarded/", CLIENTS);
        try (load) {
            awaitEveryServerAnswered(load);
            n1.kill();
            awaitMoreAnswers(load, 100);
            long byN1 = load.answeredBy(n1.name);
            n1.restart();
            await("n1 answering again").atMost(Duration.ofSeconds(10)).until(() -> load.answeredBy(n1.name) > byN1);

            load.holdingOff(n2::freeze);
            // Connections to n2 now time out and go on to the next server.
            awaitMoreAnswers(load, 100);
            long byN2 = load.answeredBy(n2.name);
            n2.thaw();
            await("n2 answering again").atMost(Duration.ofSeconds(10)).until(() -> load.answeredBy(n2.name) > byN2);
        }
        assertEquals(List.of(), load.errors(), load.toString());
        // Only connections already forwarded to n1 when it was killed may end without an answer: one per client.
        assertTrue(load.cuts().size() <= CLIENTS, load.toString());
    }

    @Test
    void healthChecksTakeAServerOutWithinFallIntervalsAndBackWithinRiseIntervals() throws Exception {
        String pool = "guarded";
        await("every server of guarded available").atMost(Duration.ofSeconds(10)).until(() -> {
            for (NamedNginx server : servers) {
                if (!Boolean.TRUE.equals(admin.server(pool, server.address()).get("available"))) {
                    return false;
                }
            }
            return true;
        });
        // A check fails at most an interval plus its timeout after the fault, then fall - 1 more follow.
        Duration outWithin = INTERVAL.plus(TIMEOUT).multipliedBy(FALL).plus(SLACK);
        // The first check after the server is back comes within an interval, then rise - 1 more.
        Duration backWithin = INTERVAL.multipliedBy(RISE).plus(SLACK);
        SteadyLoad load = SteadyLoad.start(port, "/" + pool + "/", CLIENTS);
        try (load) {
            awaitEveryServerAnswered(load);
            long killed = n1.kill();
            assertWithin(outWithin, killed, () -> "down".equals(health(pool, n1)), "n1 down after its kill");
            assertEquals(0.0, admin.availableMetric(pool, n1.address()));
            long restarted = n1.restart();
            assertWithin(backWithin, restarted, () -> "up".equals(health(pool, n1)), "n1 up after its restart");
            await().atMost(SLACK).until(() -> admin.availableMetric(pool, n1.address()) == 1.0);

            long frozen = load.holdingOff(n2::freeze);
            assertWithin(outWithin, frozen, () -> "down".equals(health(pool, n2)), "n2 down once frozen");
            long thawed = n2.thaw();
            assertWithin(backWithin, thawed, () -> "up".equals(health(pool, n2)), "n2 up once thawed");
        }
        assertEquals(List.of(), load.errors(), load.toString());
        assertTrue(load.cuts().size() <= CLIENTS, load.toString());
    }

    // Retries bounded

    @Test
    void everyServerRefusingGives502AtOnce() throws Exception {
        long start = System.nanoTime();
        HttpResponse response = askFor("unreachable");
        long millis = millisSince(start);
        assertEquals(502, response.status(), response.text());
        assertTrue(response.text().contains("none of the 3 servers"), response.text());
        // Refusals come at once: no try waits out its connect timeout (1 s), let alone the budget (2 s).
        assertTrue(millis < 1000, "answered after " + millis + " ms");
    }

    @Test
    void serversThatNeverAcceptGive504WithinTheConnectTimeoutAndTheBudget() throws Exception {
        for (NamedNginx server : servers) {
            server.freeze();
        }
        long start = System.nanoTime();
        HttpResponse lastTimedOut = askFor("last-frozen");
        long millis = millisSince(start);
        // The first server refuses at once, the second is given its connect timeout (1 s) and no answer comes.
        assertEquals(504, lastTimedOut.status(), lastTimedOut.text());
        assertTrue(millis >= 950 && millis < 2000, "answered after " + millis + " ms");

        start = System.nanoTime();
        HttpResponse budgetSpent = askFor("frozen");
        millis = millisSince(start);
        // Three tries of 1 s each would take 3 s, two 2 s: the budget (1.5 s) cuts the second short.
        assertEquals(504, budgetSpent.status(), budgetSpent.text());
        assertTrue(millis >= 1450 && millis < 2000, "answered after " + millis + " ms");
    }

    // Drain

    @Test
    void aDrainedServerGetsNoNewConnectionWhileItsOpenOneGoesOnThenGetsThemAgain() throws Exception {
        String pool = "drainable";
        try (HeldConnections held = new HeldConnections(pool)) {
            String drained = held.open();
            String member = servers.stream().filter(server -> server.name.equals(drained)).findFirst().orElseThrow()
                    .address();
            assertEquals(200, admin.mode(pool, member, "draining"));
            Map<String, Long> whileDraining = counts(askInTurn(pool, 30));
            assertEquals(30, whileDraining.values().stream().mapToLong(Long::longValue).sum());
            assertEquals(0L, whileDraining.getOrDefault(drained, 0L), "new connections to draining " + drained
                    + ": " + whileDraining);
            Map<String, Object> state = admin.server(pool, member);
            assertEquals("draining", state.get("mode"), state.toString());
            assertEquals(1, ((Number) state.get("open")).intValue(), state.toString());
            // Routing is per connection: the one open to the draining server goes on being served by it.
            assertEquals(drained, held.askAgainOnFirst());

            assertEquals(200, admin.mode(pool, member, "active"));
            assertEquals(10L, counts(askInTurn(pool, 30)).get(drained), drained + " back in the turn");
        }
    }

    // Helpers

    /** Reloads StreamProx with {@code sticky-reloaded} made of {@code reloaded}. */
    private static void reloadWith(List<NamedNginx> reloaded) throws Exception {
        streamprox.copyFileToContainer(Transferable.of(config(reloaded)), Images.STREAMPROX_CONFIG);
        assertEquals(200, admin.reload());
    }

    /** {@code count} connections one after the other, from 127.0.0.1: who answered each. */
    private static List<String> askInTurn(String pool, int count) throws IOException {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            answers.add(ask(pool, InetAddress.getLoopbackAddress()));
        }
        return answers;
    }

    /** Who answered each client's new connection. */
    private static Map<InetAddress, String> serverOfEach(String pool, List<InetAddress> clients) throws IOException {
        Map<InetAddress, String> servedBy = new HashMap<>();
        for (InetAddress client : clients) {
            servedBy.put(client, ask(pool, client));
        }
        return servedBy;
    }

    /**
     * {@code count} loopback addresses 127.{@code block}.x.y: all of 127.0.0.0/8 reaches this machine, so a client
     * socket bound to one of them is a client of that address.
     */
    private static List<InetAddress> clients(int block, int count) throws UnknownHostException {
        List<InetAddress> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] address = {127, (byte) block, (byte) (i / 250), (byte) (i % 250 + 1)};
            clients.add(InetAddress.getByAddress(address));
        }
        return clients;
    }

    /** Who answered {@code GET /POOL/} on a new connection from {@code client}; fails unless it was 200. */
    private static String ask(String pool, InetAddress client) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(client, 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            return served(request(socket, pool, true));
        }
    }

    /** {@code GET /POOL/} on a new connection from 127.0.0.1, the answer whatever it is. */
    private static HttpResponse askFor(String pool) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return request(socket, pool, true);
        }
    }

    private static HttpResponse request(Socket socket, String pool, boolean close) throws IOException {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(Http.ascii("GET /" + pool + "/ HTTP/1.1\r\nHost: it\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n"));
        return HttpResponse.read(socket.getInputStream());
    }

    private static String served(HttpResponse response) {
        assertEquals(200, response.status(), response.head() + response.text());
        return response.text().strip();
    }

    private static Map<String, Long> counts(List<String> answers) {
        return answers.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static String health(String pool, NamedNginx server) throws IOException, InterruptedException {
        return (String) admin.server(pool, server.address()).get("health");
    }

    /** Fails unless {@code condition} holds within {@code limit} of {@code since} ({@link System#nanoTime()}). */
    private static void assertWithin(Duration limit, long since, Callable<Boolean> condition, String what) {
        await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(condition);
        long millis = millisSince(since);
        assertTrue(millis <= limit.toMillis(), what + " after " + millis + " ms, more than " + limit.toMillis());
    }

    private static void awaitEveryServerAnswered(SteadyLoad load) {
        await("every server answering").atMost(Duration.ofSeconds(10))
                .until(() -> servers.stream().allMatch(server -> load.answeredBy(server.name) >= 5));
    }

    private static void awaitMoreAnswers(SteadyLoad load, int more) {
        long before = load.answered();
        await(more + " more answers").atMost(Duration.ofSeconds(10)).until(() -> load.answered() >= before + more);
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Keep-alive connections through one pool, each held open after its first answer, closed together. */
    private static final class HeldConnections implements AutoCloseable {

        private record Held(Socket socket, String server) {
        }

        private final String pool;
        private final List<Held> open = new ArrayList<>();

        HeldConnections(String pool) {
            this.pool = pool;
        }

        /** Opens one more and returns who answered it. */
        String open() throws IOException {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            String server;
            try {
                server = served(request(socket, pool, false));
            } catch (IOException | RuntimeException | Error e) {
                socket.close();
                throw e;
            }
            open.add(new Held(socket, server));
            return server;
        }

        /** Opens one more and checks that a server with the fewest open connections answered it. */
        void openOnLeastLoaded() throws IOException {
            Map<String, Long> before = perServer();
            String server = open();
            long fewest = servers.stream().mapToLong(each -> before.getOrDefault(each.name, 0L)).min().orElseThrow();
            assertEquals(fewest, before.getOrDefault(server, 0L), server + " got a connection while holding "
                    + before);
        }

        /** Who answers a second request on the first connection. */
        String askAgainOnFirst() throws IOException {
            return served(request(open.getFirst().socket(), pool, false));
        }

        Map<String, Long> perServer() {
            return open.stream().collect(Collectors.groupingBy(Held::server, Collectors.counting()));
        }

        /** Closes {@code count} of those open to {@code server}. */
        void end(String server, int count) throws IOException {
            List<Held> closing = open.stream().filter(held -> held.server().equals(server)).limit(count).toList();
            for (Held held : closing) {
                held.socket().close();
                open.remove(held);
            }
        }

        @Override
        public void close() throws IOException {
            for (Held held : open) {
                held.socket().close();
            }
            open.clear();
        }
    }
}
