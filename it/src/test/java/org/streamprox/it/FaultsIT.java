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
import org.streamprox.proxy.testing.Http;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * Faults injected into the containers: the upstream killed, paused and restarted, and StreamProx itself
 * stopped with SIGTERM while it is moving data. Each test gets fresh containers.
 */
class FaultsIT {

    /** Served at 4 MiB/s so a transfer is still running while the fault happens. */
    private static final int SLOW_SIZE = 8 * 1024 * 1024;

    private final DockerClient docker = DockerClientFactory.instance().client();
    private GenericContainer<?> nginx;
    private GenericContainer<?> streamprox;
    private int port;

    @BeforeEach
    void start() throws Exception {
        int nginxPort = Images.freePort();
        port = Images.freePort();
        nginx = Images.nginx(nginxPort, """
                  location = /slow { root /srv; limit_rate 4m; }
                  location / { default_type text/plain; return 200 "nginx\\n"; }
                """)
                .withCommand("sh", "-c", "head -c " + SLOW_SIZE + " /dev/urandom > /srv/slow"
                        + " && exec nginx -g 'daemon off;'");
        nginx.start();
        streamprox = Images.streamprox(port, """
                drain-timeout: 20s
                routes:
                  - { name: bar, match: { path-prefix: /bar }, local: bar }
                  - name: site
                    remote: 127.0.0.1:%d
                    connect-timeout: 1s
                    idle-timeout: 1s
                """.formatted(nginxPort));
        streamprox.start();
    }

    @AfterEach
    void stop() {
        streamprox.stop();
        nginx.stop();
    }

    private Socket request(String path) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        socket.getOutputStream().write(Http.ascii("GET " + path + " HTTP/1.1\r\nHost: it\r\nConnection: close\r\n\r\n"));
        return socket;
    }

    /** Bytes of body read until the stream ends or resets. */
    private static long drainBody(InputStream in) {
        long received = 0;
        byte[] buffer = new byte[64 * 1024];
        try {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                received += read;
            }
        } catch (IOException e) {
            // A reset ends the transfer as surely as an end of stream; the count says how far it got.
        }
        return received;
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
            docker.killContainerCmd(nginx.getContainerId()).exec();
            long start = System.nanoTime();
            long rest = drainBody(in);
            assertTrue(1024 * 1024 + rest < SLOW_SIZE, "the whole body arrived after the kill");
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
        }
        assertTrue(barBody().contains("BAR!"));
    }

    @Test
    void aPausedUpstreamIsCutAtTheIdleTimeout() throws Exception {
        docker.pauseContainerCmd(nginx.getContainerId()).exec();
        try (Socket socket = request("/anything")) {
            long start = System.nanoTime();
            // The kernel still accepts for the frozen nginx; nothing answers, so the idle timeout ends it.
            assertEquals(0, drainBody(socket.getInputStream()));
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMillis >= 900 && elapsedMillis < 5000, "cut after " + elapsedMillis + " ms");
        } finally {
            docker.unpauseContainerCmd(nginx.getContainerId()).exec();
        }
    }

    @Test
    void aRestartedUpstreamServesNewConnectionsAgain() throws Exception {
        docker.stopContainerCmd(nginx.getContainerId()).withTimeout(5).exec();
        try (Socket refused = request("/down")) {
            assertEquals(502, Http.status(Http.readAll(refused)));
        }
        docker.startContainerCmd(nginx.getContainerId()).exec();
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
            docker.killContainerCmd(streamprox.getContainerId()).withSignal("TERM").exec();
            assertEquals(SLOW_SIZE - 1024 * 1024, drainBody(in), "the in-flight transfer was cut");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> !Boolean.TRUE.equals(
                docker.inspectContainerCmd(streamprox.getContainerId()).exec().getState().getRunning()));
        assertEquals(0L, docker.inspectContainerCmd(streamprox.getContainerId()).exec().getState()
                .getExitCodeLong());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        assertTrue(streamprox.getLogs().contains("stop requested"));
    }
}
