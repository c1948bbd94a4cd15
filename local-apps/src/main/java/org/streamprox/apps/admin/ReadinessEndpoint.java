package org.streamprox.apps.admin;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.streamprox.proxy.server.StreamProx;

/**
 * {@code GET /readyz}: 200 while the proxy takes new clients, 503 from the moment a drain starts, so a load
 * balancer stops sending before open connections are cut.
 */
final class ReadinessEndpoint implements Request.Handler {

    private final StreamProx proxy;

    ReadinessEndpoint(StreamProx proxy) {
        this.proxy = proxy;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (proxy.ready()) {
            Reply.text(response, callback, 200, "ready\n");
        } else {
            Reply.text(response, callback, 503, "draining\n");
        }
        return true;
    }
}
