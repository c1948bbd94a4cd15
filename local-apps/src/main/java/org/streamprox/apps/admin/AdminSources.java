package org.streamprox.apps.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Objects;
import org.streamprox.proxy.reload.ConfigReloader;
import org.streamprox.proxy.server.StreamProx;

/**
 * What the admin listener shows, and the one thing it can do.
 *
 * @param proxy    the running proxy: readiness, open connections, bound addresses
 * @param registry every meter: served at {@code /metrics}, read by name for the status page
 * @param reloader the configuration in force, asked for on every request, and what {@code POST /reload} runs
 */
public record AdminSources(StreamProx proxy, PrometheusMeterRegistry registry, ConfigReloader reloader) {

    public AdminSources {
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(reloader, "reloader");
    }
}
