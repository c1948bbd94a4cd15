package org.streamprox.proxy.pool;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.proxy.pool.ServerState.Health;
import org.streamprox.testkit.FreePorts;
import org.streamprox.testkit.LogCapture;
import org.streamprox.testkit.Nginx;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.TestCertificates;

/**
 * A pool's HTTP check against a real nginx: its status followed down and up, and the check speaking as the pool's
 * connections do where nginx requires it, with a PROXY header (v1's UNKNOWN, v2's LOCAL) and over verified TLS.
 */
@Timeout(60)
class HealthCheckWithNginxTest {

    /** Checks start late on a busy machine, never early: room above interval times rise or fall. */
    private static final Duration LATENESS = Duration.ofSeconds(3);
    private static final String SERVER_NAME = "nginx.example.test";
    /**
     * What nginx logs of each check: what it read of the PROXY header (no client: "-") and the TLS protocol agreed
     * ("-" for none).
     */
    private static final String LOG_FORMAT =
            "log_format checks '$request $status proxied=[$proxy_protocol_addr] tls=[$ssl_protocol]';";

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @RegisterExtension
    final LogCapture poolLog = new LogCapture(Pool.class);

    @TempDir
    Path directory;

    private int port;
    private Nginx nginx;

    @BeforeEach
    void choosePort() throws Exception {
        port = FreePorts.onLoopback(1)[0];
    }

    @AfterEach
    void stopNginx() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
    }

    private void startNginx(String listen, String server) throws Exception {
        nginx = Nginx.start(directory, LOG_FORMAT + """

                server {
                    listen 127.0.0.1:%d %s;
                    access_log checks.log checks;
                %s
                }
                """.formatted(port, listen, server.indent(4)), "");
    }

    /**
     * Three checks as nginx logged them, and the pool's one server still up: one failed check would have taken it
     * down ({@code fall: 1}).
     */
    private void assertChecksPassed(WebPool web, String loggedPattern) throws Exception {
        Path log = directory.resolve("checks.log");
        await().atMost(LATENESS).until(() -> Files.exists(log) && Files.readAllLines(log).size() >= 3);
        for (String line : Files.readAllLines(log)) {
            assertTrue(line.matches(loggedPattern), line);
        }
        assertEquals(Health.UP, web.pool().members().getFirst().state().health());
        assertEquals(List.of(), poolLog.lines());
    }

    private String member() {
        return "127.0.0.1:" + port;
    }

    @Test
    void aServerAnswering503IsDownUntilItAnswers200() throws Exception {
        Path healthy = Files.createDirectories(directory.resolve("www")).resolve("healthy");
        // nginx answers the check 200 while the file exists, 503 while it does not.
        startNginx("", """
                root www;
                location = /healthz { try_files /healthy =503; }
                location / { return 200 "nginx\\n"; }
                """);
        WebPool web = WebPool.start(proxy, "servers: [" + member() + "]",
                "health-check: {type: http, path: /healthz, interval: 100ms, rise: 2, fall: 2}");
        ServerState state = web.pool().members().getFirst().state();

        await().atMost(LATENESS).until(() -> state.health() == Health.DOWN);
        poolLog.awaitLineContaining("pool web: server " + member()
                + " down: 2 checks failed in a row; the last: status 503, not 200-399");
        assertEquals("status 502", web.answer());

        Files.writeString(healthy, "ok\n");
        await().atMost(LATENESS).until(() -> state.health() == Health.UP);
        poolLog.awaitLineContaining("pool web: server " + member()
                + " up: 2 checks passed in a row; the last: status 200");
        assertEquals("nginx\n", web.answer());
        nginx.awaitLogLine("checks.log", "GET /healthz HTTP/1.1 503 ");
        nginx.awaitLogLine("checks.log", "GET /healthz HTTP/1.1 200 ");
    }

    @Test
    void aCheckSendsAV1ProxyHeaderNamingNoClientWhereThePoolSendsOne() throws Exception {
        startNginx("proxy_protocol", "location = /healthz { return 200; }");
        WebPool web = WebPool.start(proxy, "servers: [" + member() + "]", "proxy-protocol: v1",
                "health-check: {type: http, path: /healthz, interval: 100ms, fall: 1}");

        assertChecksPassed(web, "GET /healthz HTTP/1.1 200 proxied=\\[-\\] tls=\\[-\\]");
    }

    @Test
    void anHttpsCheckSendsAV2LocalHeaderThenVerifiesTheCertificate() throws Exception {
        TestCertificates.Pem certificate = TestCertificates.selfSigned(directory, SERVER_NAME);
        startNginx("ssl proxy_protocol", """
                ssl_certificate %s;
                ssl_certificate_key %s;
                location = /healthz { return 200; }
                """.formatted(certificate.certificate(), certificate.key()));
        WebPool web = WebPool.start(proxy, "servers: [" + member() + "]", "proxy-protocol: v2",
                "tls: {ca: " + certificate.certificate() + ", sni: " + SERVER_NAME + "}",
                "health-check: {type: http, path: /healthz, interval: 100ms, fall: 1}");

        assertChecksPassed(web, "GET /healthz HTTP/1.1 200 proxied=\\[-\\] tls=\\[TLSv1\\.[23]\\]");
    }

    @Test
    void aCertificateThatDoesNotNameTheServerFailsTheCheck() throws Exception {
        TestCertificates.Pem certificate = TestCertificates.selfSigned(directory, "other.example.test");
        startNginx("ssl", """
                ssl_certificate %s;
                ssl_certificate_key %s;
                location = /healthz { return 200; }
                """.formatted(certificate.certificate(), certificate.key()));
        WebPool web = WebPool.start(proxy, "servers: [" + member() + "]",
                "tls: {ca: " + certificate.certificate() + ", sni: " + SERVER_NAME + "}",
                "health-check: {type: http, path: /healthz, interval: 100ms, fall: 1}");

        await().atMost(LATENESS).until(() -> web.pool().members().getFirst().state().health() == Health.DOWN);
        String down = poolLog.awaitLineContaining("pool web: server " + member() + " down: a check failed; the last: ");
        assertTrue(down.contains("TLS handshake failed"), down);
    }
}
