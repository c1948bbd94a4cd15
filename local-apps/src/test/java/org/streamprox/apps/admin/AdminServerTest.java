package org.streamprox.apps.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.proxy.config.ConfigException;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.reload.ConfigSource;
import org.streamprox.proxy.server.StreamProx;
import org.streamprox.testkit.Command;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.TestCertificates;

/** Every admin path over real sockets: statuses, content types, bodies (JSON parsed), methods, and a drain. */
class AdminServerTest {

    private static final String PLAIN = "text/plain; charset=utf-8";
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @RegisterExtension
    final RunningAdmin admin = new RunningAdmin();

    @TempDir
    Path folder;

    /** A configuration serving the built-in apps and one remote route, with the admin listener on a port of its own. */
    private static String config(int upstreamPort) {
        return """
                listen: 127.0.0.1:0
                admin: { listen: 127.0.0.1:0 }
                drain-timeout: 20s
                routes:
                  - { name: bar, match: { path-prefix: /bar }, local: bar }
                  - { name: upstream, remote: 127.0.0.1:%d }
                """.formatted(upstreamPort);
    }

    @Test
    void healthAndReadinessAnswerInPlainText() throws Exception {
        admin.start(config(1));
        for (String path : List.of("/healthz", "/readyz")) {
            HttpResponse<String> response = admin.get(path);
            assertEquals(200, response.statusCode(), path);
            assertEquals(PLAIN, response.headers().firstValue("Content-Type").orElseThrow(), path);
        }
        assertEquals("ok\n", admin.get("/healthz").body());
        assertEquals("ready\n", admin.get("/readyz").body());
    }

    @Test
    void metricsAreInPrometheusTextWithTheJvmTheProcessAndTheLocalAppsRequests() throws Exception {
        admin.start(config(1));
        for (int i = 0; i < 3; i++) {
            assertEquals("BAR!", admin.getThroughProxy("/bar").body());
        }
        HttpResponse<String> response = admin.get("/metrics");
        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8",
                response.headers().firstValue("Content-Type").orElseThrow());
        String metrics = response.body();
        for (String family : List.of("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads ",
                "jvm_classes_loaded_classes ", "process_cpu_usage ", "process_files_open_files ",
                "process_uptime_seconds ", "jetty_connections_")) {
            assertTrue(metrics.contains("\n" + family), family + " missing from\n" + metrics);
        }
        assertEquals(3.0, sample(metrics, "jetty_server_requests_seconds_count", "status=\"200\""), metrics);
    }

    @Test
    void prometheusAskingForOpenMetricsGetsIt() throws Exception {
        admin.start(config(1));
        HttpResponse<String> response = admin.get("/metrics", "Accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow()
                .startsWith("application/openmetrics-text; version=1.0.0"), response.headers().toString());
        assertTrue(response.body().endsWith("# EOF\n"), response.body());
    }

    /** The value of the first sample of a family whose labels contain {@code label}. */
    static double sample(String metrics, String family, String label) {
        return metrics.lines().filter(line -> line.startsWith(family + "{") && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + family + " with " + label));
    }

    @Test
    void configShowsTheDocumentItsFileAndWhenItWasLoadedButNoSecret() throws Exception {
        TestCertificates.Pem site = TestCertificates.selfSigned(folder, "localhost");
        Files.move(site.certificate(), folder.resolve("site.crt"));
        Files.move(site.key(), folder.resolve("site.key"));
        Command.succeed("openssl", "pkcs12", "-export", "-in", folder.resolve("site.crt").toString(), "-inkey",
                folder.resolve("site.key").toString(), "-out", folder.resolve("site.p12").toString(),
                "-passout", "pass:open-sesame");
        Path file = Files.writeString(folder.resolve("streamprox.yaml"), """
                listen: 127.0.0.1:0
                admin: { listen: 127.0.0.1:0 }
                tls:
                  certificates:
                    - { cert: site.crt, key: site.key }
                    - { pkcs12: site.p12, password: open-sesame }
                routes:
                  - name: api
                    remote: 127.0.0.1:1
                    rewrite: { set-headers: { Authorization: Bearer sesame-token, X-Team: blue } }
                """);
        Instant before = Instant.now();
        admin.start(file);

        HttpResponse<String> response = admin.get("/config");
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        Map<String, Object> shown = JSON.std.mapFrom(response.body());
        assertEquals(file.toString(), shown.get("source"));
        Instant loadedAt = Instant.parse((String) shown.get("loadedAt"));
        assertFalse(loadedAt.isBefore(before) || loadedAt.isAfter(Instant.now()), loadedAt.toString());
        Map<?, ?> config = (Map<?, ?>) shown.get("config");
        assertEquals("127.0.0.1:0", config.get("listen"));
        List<?> certificates = (List<?>) ((Map<?, ?>) config.get("tls")).get("certificates");
        assertEquals(Map.of("cert", "site.crt", "key", "site.key"), certificates.get(0));
        assertEquals(Map.of("pkcs12", "site.p12", "password", "(hidden)"), certificates.get(1));
        Map<?, ?> route = (Map<?, ?>) ((List<?>) config.get("routes")).get(0);
        assertEquals(Map.of("Authorization", "(hidden)", "X-Team", "blue"),
                ((Map<?, ?>) route.get("rewrite")).get("set-headers"));
        String key = Files.readString(folder.resolve("site.key")).lines().skip(1).findFirst().orElseThrow();
        for (String secret : List.of("sesame", "BEGIN", key)) {
            assertFalse(response.body().contains(secret), secret + " in " + response.body());
        }
    }

    /**
     * A tunnel's bytes show while it runs: the upstream has read the whole request body and answered part of its
     * response, and holds the connection open.
     */
    /** A keep-alive connection a local app serves is open too, and listed until the client closes it. */
    @Test
    void connectionsListsAConnectionALocalAppServes() throws Exception {
        admin.start(config(1));
        try (Socket client = new Socket("127.0.0.1", admin.proxy().localAddress().getPort())) {
            client.getOutputStream().write(Http.ascii("GET /bar HTTP/1.1\r\nHost: test\r\n\r\n"));
            Http.readHead(client.getInputStream());
            List<Object> listed = admin.list("/connections");
            assertEquals(1, listed.size(), listed.toString());
            Map<?, ?> connection = (Map<?, ?>) listed.getFirst();
            assertEquals("bar", connection.get("route"));
            assertEquals("local bar", connection.get("target"));
            assertEquals("127.0.0.1:" + client.getLocalPort(), connection.get("client"));
        }
        await("the closed connection gone from /connections").atMost(PATIENCE)
                .until(() -> admin.list("/connections").isEmpty());
    }

    @Test
    void connectionsListsATunnelWithItsBytesAsTheyFlow() throws Exception {
        byte[] body = new byte[5000];
        CountDownLatch done = new CountDownLatch(1);
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            InputStream in = socket.getInputStream();
            Http.readHead(in);
            in.readNBytes(body.length);
            socket.getOutputStream().write(Http.ascii("HTTP/1.1 200 OK\r\nContent-Length: 9000\r\n\r\n"
                    + "x".repeat(3000)));
            done.await();
        })) {
            admin.start(config(upstream.port()));
            String head = "POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 9000\r\n\r\n";
            try (Socket client = new Socket("127.0.0.1", admin.proxy().localAddress().getPort())) {
                client.getOutputStream().write(Http.ascii(head));
                client.getOutputStream().write(body);
                long expectedOut = "HTTP/1.1 200 OK\r\nContent-Length: 9000\r\n\r\n".length() + 3000;
                client.getInputStream().readNBytes((int) expectedOut);

                Map<?, ?> listed = await("the tunnel's bytes in /connections").atMost(PATIENCE).until(
                        () -> (Map<?, ?>) admin.list("/connections").getFirst(),
                        connection -> ((Number) connection.get("bytesOut")).longValue() == expectedOut);
                assertEquals((long) head.length() + body.length, ((Number) listed.get("bytesIn")).longValue());
                assertEquals("127.0.0.1:" + client.getLocalPort(), listed.get("client"));
                assertEquals("127.0.0.1:" + admin.proxy().localAddress().getPort(), listed.get("listener"));
                assertEquals("upstream", listed.get("route"));
                assertEquals("remote 127.0.0.1:" + upstream.port(), listed.get("target"));
                assertTrue(((Number) listed.get("id")).longValue() > 0, listed.toString());
                assertTrue(((Number) listed.get("ageMillis")).longValue() >= 0, listed.toString());
                assertEquals(1, admin.list("/connections").size());
            } finally {
                done.countDown();
            }
        }
    }

    @Test
    void statusJsonHasTheListenersTheirRoutesAndTheOpenConnections() throws Exception {
        StreamProx proxy = admin.start(config(4321));
        try (Socket client = new Socket("127.0.0.1", proxy.localAddress().getPort())) {
            client.getOutputStream().write(Http.ascii("GET /half-a-head HTTP/1.1\r\n"));
            Map<String, Object> status = await("the open connection in /status.json").atMost(PATIENCE)
                    .until(() -> admin.object("/status.json"), report -> ((List<?>) report.get("connections")).size() == 1);
            assertEquals(true, status.get("ready"));
            assertEquals("admin-test.yaml", status.get("configSource"));
            assertEquals(1, ((Number) status.get("open")).intValue());
            assertEquals(1, ((Number) status.get("served")).intValue());
            assertEquals(List.of(Map.of("address", "127.0.0.1:" + proxy.localAddress().getPort(), "tls", false,
                    "routes", List.of(
                            map("name", "bar", "takes", null, "target", "local bar"),
                            map("name", "upstream", "takes", null, "target", "remote 127.0.0.1:4321")))),
                    status.get("listeners"));
            Map<?, ?> totals = (Map<?, ?>) status.get("totals");
            assertEquals(Map.of("connections", 0.0, "received", 0.0, "sent", 0.0), totals);
        }
    }

    /** {@link Map#of} refuses nulls, which JSON has. */
    private static Map<String, Object> map(String... keysAndValues) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    @Test
    void otherMethodsAre405WithAllowAndOtherPaths404() throws Exception {
        admin.start(config(1));
        for (String path : List.of("/metrics", "/healthz", "/readyz", "/config", "/connections", "/pools", "/",
                "/status", "/status.json")) {
            HttpResponse<String> response = admin.send("POST", path);
            assertEquals(405, response.statusCode(), path);
            assertEquals("GET", response.headers().firstValue("Allow").orElseThrow(), path);
        }
        for (String path : List.of("/reload", "/pools/server")) {
            HttpResponse<String> response = admin.get(path);
            assertEquals(405, response.statusCode(), path);
            assertEquals("POST", response.headers().firstValue("Allow").orElseThrow(), path);
        }
        assertEquals(405, admin.send("DELETE", "/config").statusCode());
        assertEquals(404, admin.get("/nothing-here").statusCode());
        assertEquals(404, admin.get("/metrics/").statusCode());
        assertEquals(200, admin.send("HEAD", "/metrics").statusCode());
    }

    @Test
    void postReloadAnswersWhatTheReloadDid() throws Exception {
        AtomicReference<String> reloaded = new AtomicReference<>(config(1));
        admin.start(config(1), new ConfigSource() {
            @Override
            public ProxyConfig read() throws ConfigException {
                return new ConfigLoader(Set.of("bar")).load(reloaded.get(), name());
            }

            @Override
            public String name() {
                return "admin-test.yaml";
            }
        });
        HttpResponse<String> applied = admin.send("POST", "/reload");
        assertEquals(200, applied.statusCode());
        assertEquals("application/json", applied.headers().firstValue("Content-Type").orElseThrow());
        Map<String, Object> ok = JSON.std.mapFrom(applied.body());
        assertEquals("ok", ok.get("result"));
        assertTrue(ok.get("message").toString().contains("listeners kept: 127.0.0.1:"), ok.toString());

        reloaded.set("listen: 127.0.0.1:0\nroutes:\n  - remote: nowhere\n");
        HttpResponse<String> refused = admin.send("POST", "/reload");
        assertEquals(400, refused.statusCode());
        Map<String, Object> failed = JSON.std.mapFrom(refused.body());
        assertEquals("failed", failed.get("result"));
        assertTrue(failed.get("message").toString().startsWith("admin-test.yaml:3"), failed.toString());
        assertEquals(1.0, admin.registry().get("streamprox.reloads").tag("result", "failed").functionCounter().count());
    }

    /**
     * The moment a stop begins, {@code /readyz} says 503, while a tunnel to an upstream that says nothing is still
     * open: a load balancer learns before anyone is cut.
     */
    @Test
    void readinessTurns503WhenADrainStartsBeforeAnyConnectionIsCut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (LoopbackServer silent = LoopbackServer.start(socket -> release.await())) {
            StreamProx proxy = admin.start(config(silent.port()));
            try (Socket held = new Socket("127.0.0.1", proxy.localAddress().getPort())) {
                held.getOutputStream().write(Http.ascii(Http.get("/held")));
                await("the tunnel").atMost(PATIENCE).until(proxy::activeCopyLoops, loops -> loops == 2);
                assertEquals(200, admin.get("/readyz").statusCode());

                CompletableFuture<Boolean> stopping = CompletableFuture.supplyAsync(() -> {
                    try {
                        return proxy.stop(Duration.ofSeconds(20));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                HttpResponse<String> notReady = await("503 from /readyz").atMost(PATIENCE)
                        .until(() -> admin.get("/readyz"), response -> response.statusCode() == 503);
                assertEquals("draining\n", notReady.body());
                // The held connection is open: nothing has been cut, nor has its tunnel ended.
                assertEquals(1, proxy.openConnections());
                assertEquals(2, proxy.activeCopyLoops());
                held.setSoTimeout(200);
                assertThrows(SocketTimeoutException.class, () -> held.getInputStream().read());
                assertEquals(200, admin.get("/healthz").statusCode());
                assertFalse(stopping.isDone());

                held.shutdownOutput();
                release.countDown();
                assertTrue(stopping.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
                assertEquals(503, admin.get("/readyz").statusCode());
            }
        }
    }

    @Test
    void anAddressInUseIsReportedWithTheAddress() throws Exception {
        StreamProx proxy = admin.start(config(1));
        IOException e = assertThrows(IOException.class, () -> AdminServer.start(ConfigLoader.listenAddress(
                admin.address()), new AdminSources(proxy, admin.registry(), admin.reloader())));
        assertTrue(e.getMessage().startsWith(admin.address() + " (the admin listener): "), e.getMessage());
    }
}
