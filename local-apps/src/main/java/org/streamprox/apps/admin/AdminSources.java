package org.streamprox.apps.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Objects;
import java.util.function.Supplier;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.server.StreamProx;

/**
 * What the admin listener shows, and the one thing it can do.
 *
 * @param proxy    the running proxy: readiness, open connections, bound addresses
 * @param registry every meter: served at {@code /metrics}, read by name for the status page
 * @param inForce  the configuration in force, asked for on every request (a reload replaces it)
 * @param reload   what {@code POST /reload} does
 */
public record AdminSources(StreamProx proxy, PrometheusMeterRegistry registry, Supplier<ProxyConfig> inForce,
                           ReloadAction reload) {

    public AdminSources {
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(inForce, "inForce");
        Objects.requireNonNull(reload, "reload");
    }
}
