package org.streamprox.it;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** StreamProx's admin listener on 127.0.0.1, asked the way an operator's tools ask it. */
final class AdminListener {

    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AdminListener(int port) {
        this.port = port;
    }

    /** {@code POST /reload}: its status, 200 when the file on disk is in force. */
    int reload() throws IOException, InterruptedException {
        return post("/reload").statusCode();
    }

    /** {@code POST /pools/server?pool=&server=&mode=}: its status, 200 when the mode is set. */
    int mode(String pool, String server, String mode) throws IOException, InterruptedException {
        return post("/pools/server?pool=" + encoded(pool) + "&server=" + encoded(server) + "&mode=" + mode)
                .statusCode();
    }

    /**
     * One server's entry of {@code GET /pools}: {@code server}, {@code health} ({@code up|down}), {@code mode},
     * {@code available}, {@code open}, ...
     */
    Map<String, Object> server(String pool, String server) throws IOException, InterruptedException {
        for (Object entry : JSON.std.listFrom(get("/pools"))) {
            Map<?, ?> listed = (Map<?, ?>) entry;
            if (pool.equals(listed.get("name"))) {
                for (Object member : (List<?>) listed.get("servers")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> state = (Map<String, Object>) member;
                    if (server.equals(state.get("server"))) {
                        return state;
                    }
                }
                throw new AssertionError("pool " + pool + " lists no server " + server + ": " + listed);
            }
        }
        throw new AssertionError("GET /pools lists no pool " + pool);
    }

    /** {@code streamprox_upstream_available{pool, server}} as {@code GET /metrics} gives it now. */
    double availableMetric(String pool, String server) throws IOException, InterruptedException {
        Pattern sample = Pattern.compile("(?m)^streamprox_upstream_available\\{([^}]*)} (\\S+)$");
        Matcher samples = sample.matcher(get("/metrics"));
        while (samples.find()) {
            String labels = samples.group(1);
            if (labels.contains("pool=\"" + pool + "\"") && labels.contains("server=\"" + server + "\"")) {
                return Double.parseDouble(samples.group(2));
            }
        }
        throw new AssertionError("/metrics has no streamprox_upstream_available for pool " + pool + ", " + server);
    }

    /** How many connections {@code GET /connections} lists on the route. */
    long openOnRoute(String route) throws IOException, InterruptedException {
        return JSON.std.listFrom(get("/connections")).stream()
                .filter(connection -> Objects.equals(route, ((Map<?, ?>) connection).get("route")))
                .count();
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
