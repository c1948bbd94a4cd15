package org.streamprox.apps.admin;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.jr.ob.JSON;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.streamprox.testkit.FreePorts;
import org.streamprox.testkit.Tool;

/**
 * A real Prometheus server (Debian's) run for a test on 127.0.0.1, with a configuration and a data folder of its own
 * in the test's directory, scraping one target every second; PromQL queries through its HTTP API.
 */
final class PrometheusServer implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/prometheus");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Tool process;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private PrometheusServer(Tool process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts Prometheus scraping {@code http://TARGET/metrics} every second, and waits until it is ready. */
    static PrometheusServer scraping(String target, Path directory) throws Exception {
        Tool.requireInstalled(BINARY, "local-apps/setup-test-env.sh (bin/test runs it)");
        Path config = Files.writeString(directory.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: streamprox
                    static_configs:
                      - targets: ['%s']
                """.formatted(target));
        int port = FreePorts.onLoopback(1)[0];
        Tool process = Tool.start(directory, BINARY.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port);
        PrometheusServer prometheus = new PrometheusServer(process, port);
        try {
            await("Prometheus ready").atMost(WAIT).ignoreExceptions().until(() -> prometheus.http.send(
                    HttpRequest.newBuilder(prometheus.uri("/-/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        } catch (RuntimeException e) {
            prometheus.close();
            throw new AssertionError("Prometheus did not start: " + process.output(), e);
        }
        return prometheus;
    }

    /** The value of an instant query whose result is one sample, or empty when it has none (yet). */
    Optional<Double> query(String promql) throws Exception {
        String body = http.send(HttpRequest.newBuilder(uri("/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Map<String, Object> answer = JSON.std.mapFrom(body);
        if (!"success".equals(answer.get("status"))) {
            throw new AssertionError(promql + ": " + body);
        }
        List<?> result = (List<?>) ((Map<?, ?>) answer.get("data")).get("result");
        if (result.isEmpty()) {
            return Optional.empty();
        }
        List<?> value = (List<?>) ((Map<?, ?>) result.getFirst()).get("value");
        return Optional.of(Double.parseDouble((String) value.get(1)));
    }

    /** What it logged, for a failure's message. */
    String output() {
        return process.output();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    @Override
    public void close() throws InterruptedException {
        http.close();
        process.close();
    }
}
