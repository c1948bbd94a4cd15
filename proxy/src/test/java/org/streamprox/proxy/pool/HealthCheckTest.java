package org.streamprox.proxy.pool;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.pool.ServerState.Health;
import org.streamprox.proxy.pool.ServerState.Mode;
import org.streamprox.proxy.reload.ConfigReloader;
import org.streamprox.proxy.reload.ConfigSource;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LogCapture;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.ThreadLeakCheck;

/**
 * A pool's active check against real upstreams: servers taken down after {@code fall} failed checks and back after
 * {@code rise} passed ones, each change logged once with its reason, a down server given no connection; the check's
 * request as a server sees it; no check in maintenance; and nothing left running once the pool stops.
 */
@Timeout(60)
class HealthCheckTest {

    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final int RISE = 2;
    private static final int FALL = 3;
    private static final String CHECK = "health-check: {type: http, path: /healthz, interval: 100ms, rise: 2, fall: 3}";
    /** Checks start late on a busy machine, never early: room above interval times rise or fall. */
    private static final Duration LATENESS = Duration.ofSeconds(3);
    private static final Duration UNTIL_DOWN = INTERVAL.multipliedBy(FALL).plus(LATENESS);
    private static final Duration UNTIL_UP = INTERVAL.multipliedBy(RISE).plus(LATENESS);

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @RegisterExtension
    final LogCapture poolLog = new LogCapture(Pool.class);

    @TempDir
    Path directory;

    private final List<AutoCloseable> upstreams = new ArrayList<>();

    @AfterEach
    void closeUpstreams() throws Exception {
        for (AutoCloseable upstream : upstreams) {
            upstream.close();
        }
    }

    private NamedUpstream upstream(String name) throws Exception {
        NamedUpstream upstream = NamedUpstream.start(name);
        upstreams.add(upstream);
        return upstream;
    }

    private static String servers(NamedUpstream... upstreams) {
        return "servers: [" + String.join(", ", Arrays.stream(upstreams).map(NamedUpstream::address).toList()) + "]";
    }

    private List<String> changesOf(NamedUpstream upstream) {
        return poolLog.linesContaining("pool web: server " + upstream.address() + " ");
    }

    @Test
    void aServerFailingItsHttpCheckGetsNoConnectionUntilItPassesAgain() throws Exception {
        NamedUpstream a = upstream("a");
        NamedUpstream b = upstream("b");
        WebPool web = WebPool.start(proxy, servers(a, b), CHECK);
        // When a's state changes, how many checks in a row it had failed, and passed.
        List<List<Integer>> checksAtChanges = new CopyOnWriteArrayList<>();
        web.pool().watch((member, reason) -> checksAtChanges.add(List.of(a.lastChecksAnswered(503),
                a.lastChecksAnswered(200))));
        assertEquals(Map.of("a", 2, "b", 2), web.answers(4));

        // a still answers its clients: only the check tells it apart.
        a.answerChecksWith(503);
        await().atMost(UNTIL_DOWN).until(() -> web.state(a).health() == Health.DOWN);
        assertEquals(List.of("pool web: server " + a.address() + " down: 3 checks failed in a row; the last: "
                + "status 503, not 200-399"), changesOf(a));
        assertEquals(Map.of("b", 6), web.answers(6));

        a.answerChecksWith(200);
        await().atMost(UNTIL_UP).until(() -> web.state(a).health() == Health.UP);
        assertEquals("pool web: server " + a.address() + " up: 2 checks passed in a row; the last: status 200",
                changesOf(a).getLast());
        assertEquals(Map.of("a", 2, "b", 2), web.answers(4));
        assertEquals(List.of(), changesOf(b));
        assertEquals(List.of(List.of(FALL, 0), List.of(0, RISE)), checksAtChanges);
    }

    @Test
    void aTcpCheckTakesDownAServerThatRefusesAndBringsItBackWhenItListensAgain() throws Exception {
        NamedUpstream a = upstream("a");
        NamedUpstream b = upstream("b");
        WebPool web = WebPool.start(proxy, servers(a, b), "passive: off",
                "health-check: {type: tcp, interval: 100ms, rise: 2, fall: 3}");

        a.stop();
        await().atMost(UNTIL_DOWN).until(() -> web.state(a).health() == Health.DOWN);
        String down = changesOf(a).getFirst();
        assertTrue(down.startsWith("pool web: server " + a.address() + " down: 3 checks failed in a row; the last: "),
                down);
        assertTrue(down.contains("refused"), down);

        a.startAgain();
        await().atMost(UNTIL_UP).until(() -> web.state(a).health() == Health.UP);
        assertEquals("pool web: server " + a.address() + " up: 2 checks passed in a row; the last: connected",
                changesOf(a).getLast());
        assertEquals(Map.of("a", 2, "b", 2), web.answers(4));
    }

    @Test
    void everyChangeIsLoggedOnceWithItsReason() throws Exception {
        NamedUpstream a = upstream("a");
        WebPool web = WebPool.start(proxy, servers(a),
                "health-check: {type: http, path: /healthz, interval: 100ms, rise: 1, fall: 1}");
        a.answerChecksWith(500);
        await().atMost(UNTIL_DOWN).until(() -> web.state(a).health() == Health.DOWN);
        a.answerChecksWith(200);
        await().atMost(UNTIL_UP).until(() -> web.state(a).health() == Health.UP);
        a.answerChecksWith(404);
        await().atMost(UNTIL_DOWN).until(() -> web.state(a).health() == Health.DOWN);

        // Checks go on failing: each must not log the change again.
        int checks = a.checks().size();
        await().atMost(LATENESS.multipliedBy(2)).until(() -> a.checks().size() >= checks + 5);
        String server = "pool web: server " + a.address();
        assertEquals(List.of(server + " down: a check failed; the last: status 500, not 200-399",
                server + " up: a check passed; the last: status 200",
                server + " down: a check failed; the last: status 404, not 200-399"), changesOf(a));
        assertEquals("status 502", web.answer());
    }

    @Test
    void theCheckIsAGetOfItsPathNamingItsHostThatAsksForTheEnd() throws Exception {
        NamedUpstream a = upstream("a");
        NamedUpstream b = upstream("b");
        WebPool.start(proxy, servers(a),
                "health-check: {type: http, path: /healthz, host: status.example, interval: 100ms}");
        await().atMost(LATENESS).until(() -> !a.checks().isEmpty());
        String head = a.checks().getFirst().head();

        assertTrue(head.startsWith("GET /healthz HTTP/1.1\r\n"), head);
        assertEquals("status.example", Http.field(head, "Host"));
        assertEquals("close", Http.field(head, "Connection"));
        assertEquals("StreamProx-check", Http.field(head, "User-Agent"));
        assertTrue(b.checks().isEmpty());
    }

    @Test
    void withoutAHostTheCheckNamesTheServer() throws Exception {
        NamedUpstream a = upstream("a");
        WebPool.start(proxy, servers(a), CHECK);
        await().atMost(LATENESS).until(() -> !a.checks().isEmpty());

        assertEquals(a.address(), Http.field(a.checks().getFirst().head(), "Host"));
    }

    @Test
    void expectStatusSaysWhichStatusesPass() throws Exception {
        NamedUpstream a = upstream("a");
        WebPool web = WebPool.start(proxy, servers(a),
                "health-check: {type: http, path: /healthz, expect-status: 204, interval: 100ms, fall: 3}");

        await().atMost(UNTIL_DOWN).until(() -> web.state(a).health() == Health.DOWN);
        assertEquals(List.of("pool web: server " + a.address() + " down: 3 checks failed in a row; the last: "
                + "status 200, not 204"), changesOf(a));
    }

    @Test
    void aServerThatDoesNotAnswerFailsAtTheTimeout() throws Exception {
        CountDownLatch checked = new CountDownLatch(1);
        LoopbackServer silent = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            checked.countDown();
            socket.getInputStream().transferTo(OutputStream.nullOutputStream());
        });
        upstreams.add(silent);
        WebPool web = WebPool.start(proxy, "servers: [127.0.0.1:" + silent.port() + "]",
                "health-check: {type: http, timeout: 200ms, interval: 100ms, fall: 1}");

        assertTrue(checked.await(LATENESS.toMillis(), TimeUnit.MILLISECONDS));
        await().atMost(Duration.ofMillis(200).plus(LATENESS)).until(() -> web.pool().members().getFirst().state()
                .health() == Health.DOWN);
        poolLog.awaitLineContaining("pool web: server 127.0.0.1:" + silent.port()
                + " down: a check failed; the last: no answer within 200 ms");
    }

    @Test
    void aServerInMaintenanceIsNotChecked() throws Exception {
        NamedUpstream a = upstream("a");
        WebPool web = WebPool.start(proxy, servers(a), CHECK);
        await().atMost(LATENESS).until(() -> !a.checks().isEmpty());

        web.pool().mode(a.address(), Mode.MAINTENANCE);
        int checks = a.checks().size();
        // A check under way may still arrive; checked, five intervals would bring five more.
        await().during(INTERVAL.multipliedBy(5)).atMost(INTERVAL.multipliedBy(10))
                .until(() -> a.checks().size() <= checks + 1);

        web.pool().mode(a.address(), Mode.ACTIVE);
        int before = a.checks().size();
        await().atMost(LATENESS).until(() -> a.checks().size() >= before + 2);
    }

    @Test
    void stoppingEndsTheChecksUnderWayAndTheirConnections() throws Exception {
        ThreadLeakCheck threads = ThreadLeakCheck.snapshot();
        CountDownLatch checked = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        LoopbackServer silent = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            checked.countDown();
            try {
                socket.getInputStream().transferTo(OutputStream.nullOutputStream());
            } finally {
                closed.countDown();
            }
        });
        upstreams.add(silent);
        WebPool.start(proxy, "servers: [127.0.0.1:" + silent.port() + "]",
                "health-check: {type: http, timeout: 30s, interval: 100ms}");
        assertTrue(checked.await(LATENESS.toMillis(), TimeUnit.MILLISECONDS));

        // Well before the check's own timeout.
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            proxy.server().stop(Duration.ofSeconds(1));
            assertTrue(closed.await(5, TimeUnit.SECONDS), "the check's connection is still open");
        });
        threads.awaitNoneLeaked(Duration.ofSeconds(5));
    }

    @Test
    void aReloadThatRemovesTheCheckBringsADownServerBackAndAReloadKeepsWhatTheCheckFound() throws Exception {
        NamedUpstream a = upstream("a");
        NamedUpstream b = upstream("b");
        Path file = directory.resolve("streamprox.yaml");
        String yaml = "listen: 127.0.0.1:0\nupstreams:\n  web:\n    " + servers(a, b) + "\n    %s\n"
                + "routes:\n  - { name: site, remote: web }\n";
        Files.writeString(file, yaml.formatted(CHECK));
        ConfigSource source = ConfigSource.file(file, new ConfigLoader(Set.of()));
        ProxyConfig config = source.read();
        ConfigReloader reloader = new ConfigReloader(proxy.startAsConfigured(config), source, config);
        WebPool web = WebPool.attach(proxy);
        a.answerChecksWith(503);
        await().atMost(UNTIL_DOWN).until(() -> web.state(a).health() == Health.DOWN);

        // The pool made again: a stays down, without waiting for the new pool's checks to fail.
        assertTrue(reloader.reload().ok());
        WebPool reloaded = WebPool.attach(proxy);
        assertEquals(Health.DOWN, reloaded.state(a).health());
        assertEquals(Map.of("b", 4), reloaded.answers(4));

        Files.writeString(file, yaml.formatted("passive: off"));
        assertTrue(reloader.reload().ok());
        WebPool unchecked = WebPool.attach(proxy);
        assertEquals(Health.UP, unchecked.state(a).health());
        assertEquals("pool web: server " + a.address() + " up: the pool has no active check now",
                changesOf(a).getLast());
        assertEquals(Map.of("a", 2, "b", 2), unchecked.answers(4));
    }

}
