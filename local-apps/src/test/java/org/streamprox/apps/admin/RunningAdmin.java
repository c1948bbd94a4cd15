package org.streamprox.apps.admin;

import com.fasterxml.jackson.jr.ob.JSON;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.streamprox.apps.BuiltInApps;
import org.streamprox.apps.host.JettyLocalApps;
import org.streamprox.proxy.config.ConfigException;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.reload.ConfigReloader;
import org.streamprox.proxy.reload.ConfigSource;
import org.streamprox.proxy.server.StreamProx;
import org.streamprox.testkit.ThreadLeakCheck;

/**
 * A real StreamProx with the built-in apps, measured into a Prometheus registry, and its admin listener beside it,
 * as the command line runs them, for one test; a client for the admin paths. After the test it stops both and
 * checks that no thread outlives them.
 */
final class RunningAdmin implements BeforeEachCallback, AfterEachCallback {

    private static final Duration SETTLE = Duration.ofSeconds(5);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(SETTLE).build();
    private ThreadLeakCheck threads;
    private PrometheusMeterRegistry registry;
    private StreamProx proxy;
    private AdminServer admin;
    private ConfigReloader reloader;

    /**
     * Starts from a configuration's text, which should listen on port 0 and put the admin listener on port 0; a
     * reload reads {@code reloads}.
     */
    StreamProx start(String yaml, ConfigSource reloads) throws Exception {
        return start(loader -> loader.load(yaml, "admin-test.yaml"), loader -> reloads);
    }

    /** Starts from a configuration's text, which a reload reads again. */
    StreamProx start(String yaml) throws Exception {
        return start(loader -> loader.load(yaml, "admin-test.yaml"), loader -> text(yaml, loader));
    }

    /** Starts from a file, whose certificate and key names are relative to its folder, and which a reload reads. */
    StreamProx start(Path file) throws Exception {
        return start(loader -> loader.load(file), loader -> ConfigSource.file(file, loader));
    }

    private interface Loading {
        ProxyConfig load(ConfigLoader loader) throws Exception;
    }

    private StreamProx start(Loading loading, Function<ConfigLoader, ConfigSource> reloads) throws Exception {
        JettyLocalApps apps = new JettyLocalApps();
        BuiltInApps.registerAll(apps, BuiltInApps.Options.defaults());
        ConfigLoader loader = new ConfigLoader(apps.names());
        ProxyConfig config = loading.load(loader);
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        apps.measureWith(registry);
        proxy = StreamProx.start(config, apps, registry);
        reloader = new ConfigReloader(proxy, reloads.apply(loader), config);
        reloader.bindTo(registry);
        admin = AdminServer.start(config.admin().orElseThrow(), new AdminSources(proxy, registry, reloader));
        return proxy;
    }

    private static ConfigSource text(String yaml, ConfigLoader loader) {
        return new ConfigSource() {
            @Override
            public ProxyConfig read() throws ConfigException {
                return loader.load(yaml, name());
            }

            @Override
            public String name() {
                return "admin-test.yaml";
            }
        };
    }

    ConfigReloader reloader() {
        return reloader;
    }

    StreamProx proxy() {
        return proxy;
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The admin listener's {@code 127.0.0.1:PORT}. */
    String address() {
        return "127.0.0.1:" + admin.localAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT/PATH} on the admin listener. */
    String url(String path) {
        return "http://" + address() + path;
    }

    /** {@code http://127.0.0.1:PORT/PATH} on the proxy's first listener. */
    String proxyUrl(String path) {
        return "http://127.0.0.1:" + proxy.localAddress().getPort() + path;
    }

    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        return send("GET", path, headers);
    }

    HttpResponse<String> send(String method, String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).timeout(SETTLE)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET on the proxy's listener, as a client of the site would make it. */
    HttpResponse<String> getThroughProxy(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(proxyUrl(path))).timeout(SETTLE).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The JSON object an admin path answers. */
    Map<String, Object> object(String path) throws IOException, InterruptedException {
        return JSON.std.mapFrom(get(path).body());
    }

    /** The JSON list an admin path answers. */
    List<Object> list(String path) throws IOException, InterruptedException {
        return JSON.std.listFrom(get(path).body());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        threads = ThreadLeakCheck.snapshot();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            if (proxy != null) {
                proxy.stop(SETTLE);
            }
        } finally {
            if (admin != null) {
                admin.close();
            }
            if (registry != null) {
                registry.close();
            }
            http.close();
        }
        threads.awaitNoneLeaked(SETTLE);
    }
}
