package org.streamprox.apps.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A real Prometheus scrapes the admin listener's {@code /metrics}, and PromQL counts the traffic sent. */
class PrometheusScrapeTest {

    private static final int REQUESTS = 7;

    @RegisterExtension
    final RunningAdmin admin = new RunningAdmin();

    @TempDir
    Path folder;

    @Test
    void promQlCountsTheRequestsSentThroughTheProxy() throws Exception {
        admin.start("""
                listen: 127.0.0.1:0
                admin: { listen: 127.0.0.1:0 }
                routes:
                  - { name: bar, local: bar }
                """);
        for (int i = 0; i < REQUESTS; i++) {
            assertEquals("BAR!", admin.getThroughProxy("/bar").body());
        }
        try (PrometheusServer prometheus = PrometheusServer.scraping(admin.address(), folder)) {
            // The local app's requests as Jetty's binder counts them; the engine's own count, once it keeps one, is
            // sum(streamprox_connections_total{route="bar"}).
            String query = "sum(jetty_server_requests_seconds_count{job=\"streamprox\",method=\"GET\",status=\"200\"})";
            Optional<Double> counted = await("Prometheus's count").atMost(Duration.ofSeconds(30))
                    .until(() -> prometheus.query(query), value -> value.isPresent());
            assertEquals(Optional.of((double) REQUESTS), counted, prometheus.output());
            assertEquals(Optional.of(1.0), prometheus.query("up{job=\"streamprox\"}"));
        }
    }
}
