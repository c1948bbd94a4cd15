package org.streamprox.apps.admin;

import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.streamprox.proxy.config.LoadedDocument;
import org.streamprox.proxy.config.ProxyConfig;

/**
 * {@code GET /config}: the configuration in force as JSON: its file, when it was loaded (ISO-8601), and the YAML
 * document with its secrets hidden ({@link LoadedDocument}).
 */
final class ConfigEndpoint implements Request.Handler {

    /** The answer's body. */
    record Shown(String source, String loadedAt, Map<String, Object> config) {
    }

    private final Supplier<ProxyConfig> inForce;

    ConfigEndpoint(Supplier<ProxyConfig> inForce) {
        this.inForce = inForce;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        LoadedDocument source = inForce.get().source();
        Reply.json(response, callback, 200, new Shown(source.name(), source.loadedAt().toString(), source.document()));
        return true;
    }
}
