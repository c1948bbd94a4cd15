package org.streamprox.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamprox.testkit.Http;
import org.testcontainers.DockerClientFactory;

/**
 * Faults injected into the containers: the upstream killed, paused and restarted, and StreamProx itself
 * stopped with SIGTERM while it is moving data. Each test gets fresh containers.
 */
class FaultsIT {

    /** Served at 4 MiB/s so a transfer is still running while the fault happens. */
    private static final int SLOW_SIZE = 8 * 1024 * 1024;
    /**
     * Only the paused-upstream test's route has an idle timeout, and a short one: on a loaded machine a transfer can
     * stall for a second, and a test of draining must not be ended by an idle timeout instead.
     */
    private static final String IDLE_PATH = "/idle-timeout/";

    private final DockerClient docker = DockerClientFactory.instance().client();
    private Deployment site;

    @BeforeEach
    void start() throws Exception {
        site = Deployment.start(port -> Images.nginx(port, """
                  location = /slow { root /srv; limit_rate 4m; }
                  location / { default_type text/plain; return 200 "nginx\\n"; }
                """)
                .withCommand("sh", "-c", "head -c " + SLOW_SIZE + " /dev/urandom > /srv/slow"
                        + " && exec nginx -g 'daemon off;'"),
                nginxPort -> """
                        drain-timeout: 60s
                        routes:
                          - { name: bar, match: { path-prefix: /bar }, local: bar }
                          - name: paused
                            match: { path-prefix: %s }
                            remote: 127.0.0.1:%d
                            idle-timeout: 1s
                          - name: site
                            remote: 127.0.0.1:%d
                            connect-timeout: 1s
                        """.formatted(IDLE_PATH, nginxPort, nginxPort));
    }

    @AfterEach
    void stop() {
        site.close();
    }

    private Socket request(String path) throws IOException {
        Socket socket = new Socket("127.0.0.1", site.port);
        socket.setSoTimeout(15_000);
        socket.getOutputStream().write(Http.ascii("GET " + path + " HTTP/1.1\r\nHost: it\r\nConnection: close\r\n\r\n"));
        return socket;
    }

    private String barBody() throws IOException {
        try (Socket socket = request("/bar")) {
            return Http.readAll(socket);
        }
    }

    @Test
    void anUpstreamKilledMidTransferEndsThatTransferOnly() throws Exception {
        try (Socket download = request("/slow")) {
            InputStream in = download.getInputStream();
            assertEquals(200, Http.status(Http.readHead(in)));
            in.readNBytes(1024 * 1024);
            docker.killContainerCmd(site.upstream.getContainerId()).exec();
            long start = System.nanoTime();
            long rest = Http.countUntilTheEnd(in);
            assertTrue(1024 * 1024 + rest < SLOW_SIZE, "the whole body arrived after the kill");
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
        }
        assertTrue(barBody().contains("BAR!"));
    }

    @Test
    void aPausedUpstreamIsCutAtTheIdleTimeout() throws Exception {
        docker.pauseContainerCmd(site.upstream.getContainerId()).exec();
        try (Socket socket = request(IDLE_PATH + "anything")) {
            long start = System.nanoTime();
            // The kernel still accepts for the frozen nginx; nothing answers, so the idle timeout ends it.
            assertEquals(0, Http.countUntilTheEnd(socket.getInputStream()));
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMillis >= 900 && elapsedMillis < 5000, "cut after " + elapsedMillis + " ms");
        } finally {
            docker.unpauseContainerCmd(site.upstream.getContainerId()).exec();
        }
    }

    @Test
    void aRestartedUpstreamServesNewConnectionsAgain() throws Exception {
        docker.stopContainerCmd(site.upstream.getContainerId()).withTimeout(5).exec();
        try (Socket refused = request("/down")) {
            assertEquals(502, Http.status(Http.readAll(refused)));
        }
        docker.startContainerCmd(site.upstream.getContainerId()).exec();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            try (Socket socket = request("/up")) {
                assertTrue(Http.readAll(socket).endsWith("nginx\n"));
            }
        });
    }

    @Test
    void sigtermLetsTransfersFinishThenExitsZeroAndRefusesNewConnections() throws Exception {
        try (Socket download = request("/slow")) {
            InputStream in = download.getInputStream();
            assertEquals(200, Http.status(Http.readHead(in)));
            in.readNBytes(1024 * 1024);
            docker.killContainerCmd(site.streamprox.getContainerId()).withSignal("TERM").exec();
            long rest = Http.countUntilTheEnd(in);
            assertEquals(SLOW_SIZE - 1024 * 1024, rest, () -> "the in-flight transfer was cut; StreamProx logged:\n"
                    + site.streamprox.getLogs());
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> !Boolean.TRUE.equals(
                docker.inspectContainerCmd(site.streamprox.getContainerId()).exec().getState().getRunning()));
        assertEquals(0L, docker.inspectContainerCmd(site.streamprox.getContainerId()).exec().getState()
                .getExitCodeLong());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", site.port).close());
        assertTrue(site.streamprox.getLogs().contains("stop requested"));
    }
}
