package org.streamprox.apps.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.proxy.server.StreamProx;

/** A real Prometheus scrapes the admin listener's {@code /metrics}, and PromQL counts the traffic sent. */
class PrometheusScrapeTest {

    private static final int REQUESTS = 7;

    @RegisterExtension
    final RunningAdmin admin = new RunningAdmin();

    @TempDir
    Path folder;

    @Test
    void promQlCountsTheConnectionsRequestsAndBytesSentThroughTheProxy() throws Exception {
        StreamProx proxy = admin.start("""
                listen: 127.0.0.1:0
                admin: { listen: 127.0.0.1:0 }
                routes:
                  - { name: bar, local: bar }
                """);
        long sent = 0;
        long received = 0;
        for (int i = 0; i < REQUESTS; i++) {
            byte[] request = ("GET /bar/" + i + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            try (Socket client = new Socket("127.0.0.1", proxy.localAddress().getPort())) {
                client.getOutputStream().write(request);
                byte[] response = client.getInputStream().readAllBytes();
                assertTrue(new String(response, StandardCharsets.US_ASCII).endsWith("BAR!"));
                sent += request.length;
                received += response.length;
            }
        }
        try (PrometheusServer prometheus = PrometheusServer.scraping(admin.address(), folder)) {
            String connections = "sum(streamprox_connections_total{job=\"streamprox\",route=\"bar\",outcome=\"ok\"})";
            Optional<Double> counted = await("Prometheus's count").atMost(Duration.ofSeconds(30))
                    .until(() -> prometheus.query(connections), value -> value.equals(Optional.of((double) REQUESTS)));
            assertEquals(Optional.of((double) REQUESTS), counted, prometheus.output());
            assertEquals(Optional.of((double) sent),
                    prometheus.query("sum(streamprox_client_received_bytes_total{route=\"bar\"})"));
            assertEquals(Optional.of((double) received),
                    prometheus.query("sum(streamprox_client_sent_bytes_total{route=\"bar\"})"));
            // The local app's own count, by Jetty's binder.
            assertEquals(Optional.of((double) REQUESTS), prometheus.query(
                    "sum(jetty_server_requests_seconds_count{job=\"streamprox\",method=\"GET\",status=\"200\"})"));
            assertEquals(Optional.of(1.0), prometheus.query("up{job=\"streamprox\"}"));
        }
    }
}
