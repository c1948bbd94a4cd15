package org.streamprox.apps.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.apps.admin.AdminServerTest.sample;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.config.ConfigException;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.reload.ConfigSource;
import org.streamprox.testkit.FreePorts;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;

/**
 * The pools as the operator sees and steers them over real sockets: {@code /pools} and {@code /status.json} list
 * each server's state and counts, {@code /metrics} has them per pool and server, and {@code POST /pools/server}
 * drains a server and brings it back; the meters follow the pools and servers a reload keeps, adds and removes.
 */
class PoolsAdminTest {

    private static final String PLAIN = "text/plain; charset=utf-8";
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final String A = "127.0.0.2";
    private static final String B = "127.0.0.3";

    @RegisterExtension
    final RunningAdmin admin = new RunningAdmin();

    private final List<LoopbackServer> upstreams = new ArrayList<>();

    @AfterEach
    void closeUpstreams() throws Exception {
        for (LoopbackServer upstream : upstreams) {
            upstream.close();
        }
    }

    /** {@code HOST:PORT} of an upstream on {@code host} that answers every request with {@code host}. */
    private String namingItself(String host) throws Exception {
        LoopbackServer upstream = LoopbackServer.namingItself(new InetSocketAddress(host, 0));
        upstreams.add(upstream);
        return host + ":" + upstream.port();
    }

    /** Pool {@code web} with these servers for {@code /}, and route {@code api} with a remote of its own. */
    private static String config(String webServers, String webSettings, String api) {
        return """
                listen: 127.0.0.1:0
                admin: { listen: 127.0.0.1:0 }
                upstreams:
                  web: { servers: [%s] %s }
                routes:
                  - { name: api, match: { path-prefix: /api }, remote: %s }
                  - { name: site, remote: web }
                """.formatted(webServers, webSettings, api);
    }

    /** What a new connection asking for {@code path} was answered; closed after. */
    private String askOnANewConnection(String path) throws Exception {
        try (Socket client = new Socket("127.0.0.1", admin.proxy().localAddress().getPort())) {
            return Http.ask(client, path);
        }
    }

    /**
     * Pool {@code web} of a server on {@link #A} and one that refuses, out after one failure: four connections reach
     * the first (the one the second refused among them) and a fifth stays open to it.
     *
     * @return the connection held open
     */
    private Socket trafficThroughAPoolWithARefusingServer(String answering, String refusing, String api)
            throws Exception {
        admin.start(config(answering + ", " + refusing, ", passive: { max-failures: 1, cool-down: 10m }", api));
        for (int i = 0; i < 4; i++) {
            assertEquals(A, askOnANewConnection("/page-" + i));
        }
        Socket held = new Socket("127.0.0.1", admin.proxy().localAddress().getPort());
        assertEquals(A, Http.ask(held, "/held"));
        await("the closed connections given back").atMost(PATIENCE)
                .until(() -> admin.proxy().pools().getFirst().members().getFirst().state().openConnections() == 1);
        return held;
    }

    private static String refusing() throws Exception {
        return "127.0.0.1:" + FreePorts.onLoopback(1)[0];
    }

    @Test
    void poolsAndStatusJsonListEveryServersStateAndCounts() throws Exception {
        String answering = namingItself(A);
        String refusing = refusing();
        String api = namingItself(B);
        try (Socket held = trafficThroughAPoolWithARefusingServer(answering, refusing, api)) {
            HttpResponse<String> response = admin.get("/pools");
            assertEquals(200, response.statusCode());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
            List<Object> expected = List.of(
                    Map.of("name", "web", "policy", "round-robin", "unresolved", List.of(), "servers", List.of(
                            server(answering, "active", false, true, 1, 5, 0),
                            server(refusing, "active", true, false, 0, 0, 1))),
                    Map.of("name", "api", "policy", "round-robin", "unresolved", List.of(), "servers", List.of(
                            server(api, "active", false, true, 0, 0, 0))));
            assertEquals(expected, admin.list("/pools"));
            assertEquals(expected, admin.object("/status.json").get("pools"));
        }
    }

    /** A server as {@code /pools} lists it, its address a literal (so its member's name is its own), health up. */
    private static Map<String, Object> server(String address, String mode, boolean coolingDown, boolean available,
                                              int open, int connections, int failures) {
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("server", address);
        server.put("member", address);
        server.put("address", address);
        server.put("health", "up");
        server.put("mode", mode);
        server.put("cooling-down", coolingDown);
        server.put("available", available);
        server.put("open", open);
        server.put("connections", connections);
        server.put("failures", failures);
        return server;
    }

    @Test
    void metricsHaveEachServersConnectionsFailuresAvailabilityAndStateChanges() throws Exception {
        String answering = namingItself(A);
        String refusing = refusing();
        String api = namingItself(B);
        try (Socket held = trafficThroughAPoolWithARefusingServer(answering, refusing, api)) {
            String metrics = admin.get("/metrics").body();
            String a = "pool=\"web\",server=\"" + answering + "\"";
            String r = "pool=\"web\",server=\"" + refusing + "\"";
            assertEquals(1, sample(metrics, "streamprox_upstream_connections_open", a), metrics);
            assertEquals(0, sample(metrics, "streamprox_upstream_connections_open", r));
            assertEquals(5, sample(metrics, "streamprox_upstream_connections_total", a));
            assertEquals(0, sample(metrics, "streamprox_upstream_connections_total", r));
            assertEquals(0, sample(metrics, "streamprox_upstream_connect_failures_total", a));
            assertEquals(1, sample(metrics, "streamprox_upstream_connect_failures_total", r));
            assertEquals(1, sample(metrics, "streamprox_upstream_available", a));
            assertEquals(0, sample(metrics, "streamprox_upstream_available", r));
            assertEquals(0, sample(metrics, "streamprox_upstream_state_changes_total", a));
            assertEquals(1, sample(metrics, "streamprox_upstream_state_changes_total", r));
            assertEquals(0, sample(metrics, "streamprox_upstream_connections_total",
                    "pool=\"api\",server=\"" + api + "\""));
        }
    }

    @Test
    void aServerDrainedByPostTakesNoNewConnectionUntilItIsActiveAgain() throws Exception {
        String a = namingItself(A);
        String b = namingItself(B);
        admin.start(config(a + ", " + b, "", namingItself("127.0.0.4")));
        String query = "/pools/server?pool=web&server=" + a + "&mode=";

        HttpResponse<String> drained = admin.send("POST", query + "draining");
        assertEquals(200, drained.statusCode());
        assertEquals(PLAIN, drained.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("pool web server " + a + " is now draining\n", drained.body());
        Map<?, ?> shown = serverShown(a);
        assertEquals("draining", shown.get("mode"));
        assertEquals(false, shown.get("available"));
        assertEquals(0, sample(admin.get("/metrics").body(), "streamprox_upstream_available", "server=\"" + a + "\""));
        for (int i = 0; i < 3; i++) {
            assertEquals(B, askOnANewConnection("/while-draining-" + i));
        }

        assertEquals("pool web server " + a + " is now maintenance\n",
                admin.send("POST", query + "maintenance").body());
        assertEquals("maintenance", serverShown(a).get("mode"));
        assertEquals(B, askOnANewConnection("/in-maintenance"));

        assertEquals("pool web server " + a + " is now active\n", admin.send("POST", query + "active").body());
        assertEquals(true, serverShown(a).get("available"));
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            answers.add(askOnANewConnection("/active-" + i));
        }
        assertTrue(answers.contains(A), answers.toString());
        assertEquals(3, sample(admin.get("/metrics").body(), "streamprox_upstream_state_changes_total",
                "server=\"" + a + "\""));
    }

    /** The server of pool {@code web} as {@code /pools} lists it. */
    private Map<?, ?> serverShown(String server) throws Exception {
        Map<?, ?> web = (Map<?, ?>) admin.list("/pools").getFirst();
        return ((List<?>) web.get("servers")).stream().map(shown -> (Map<?, ?>) shown)
                .filter(shown -> server.equals(shown.get("server"))).findFirst().orElseThrow();
    }

    @Test
    void anUnknownPoolOrServerIs404AndABadOrMissingMode400() throws Exception {
        String a = namingItself(A);
        admin.start(config(a, "", namingItself(B)));

        HttpResponse<String> noPool = admin.send("POST", "/pools/server?pool=nope&server=" + a + "&mode=draining");
        assertEquals(404, noPool.statusCode());
        assertEquals("there is no pool nope; the pools are web, api\n", noPool.body());
        HttpResponse<String> noServer = admin.send("POST", "/pools/server?pool=web&server=127.0.0.1:1&mode=draining");
        assertEquals(404, noServer.statusCode());
        assertEquals("pool web has no server 127.0.0.1:1; its servers are " + a + "\n", noServer.body());
        HttpResponse<String> badMode = admin.send("POST", "/pools/server?pool=web&server=" + a + "&mode=off");
        assertEquals(400, badMode.statusCode());
        assertEquals("mode is one of active, draining, maintenance; not off\n", badMode.body());
        HttpResponse<String> noMode = admin.send("POST", "/pools/server?pool=web&server=" + a);
        assertEquals(400, noMode.statusCode());
        assertEquals("mode is one of active, draining, maintenance; none was given\n", noMode.body());
        assertEquals(400, admin.send("POST", "/pools/server?mode=draining").statusCode());
        assertEquals(PLAIN, noMode.headers().firstValue("Content-Type").orElseThrow());

        // Nothing of it changed a mode.
        assertEquals("active", serverShown(a).get("mode"));
    }

    @Test
    void aReloadRemovesTheMetersOfServersAndPoolsThatAreGoneAndKeepsTheOthersCounts() throws Exception {
        String a = namingItself(A);
        String b = namingItself(B);
        String api = namingItself("127.0.0.4");
        AtomicReference<String> reloaded = new AtomicReference<>(config(a + ", " + b, "", api));
        admin.start(reloaded.get(), new ConfigSource() {
            @Override
            public ProxyConfig read() throws ConfigException {
                return new ConfigLoader(Set.of()).load(reloaded.get(), name());
            }

            @Override
            public String name() {
                return "admin-test.yaml";
            }
        });
        assertEquals(Set.of(A, B), Set.of(askOnANewConnection("/1"), askOnANewConnection("/2")));
        String before = admin.get("/metrics").body();
        assertTrue(before.contains("server=\"" + b + "\"") && before.contains("pool=\"api\""), before);

        reloaded.set("""
                listen: 127.0.0.1:0
                admin: { listen: 127.0.0.1:0 }
                upstreams:
                  web: { servers: [%s] }
                routes:
                  - { name: site, remote: web }
                """.formatted(a));
        assertEquals(200, admin.send("POST", "/reload").statusCode());

        String after = admin.get("/metrics").body();
        assertFalse(after.contains("server=\"" + b + "\""), after);
        assertFalse(after.contains("pool=\"api\""), after);
        assertEquals(1, sample(after, "streamprox_upstream_connections_total", "server=\"" + a + "\""));
        assertEquals(A, askOnANewConnection("/3"));
        assertEquals(2, sample(admin.get("/metrics").body(), "streamprox_upstream_connections_total",
                "server=\"" + a + "\""));
        assertEquals(List.of("web"), admin.list("/pools").stream().map(pool -> ((Map<?, ?>) pool).get("name")).toList());
    }
}
