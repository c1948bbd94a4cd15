package org.streamprox.apps.admin;

import java.util.Comparator;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.streamprox.proxy.observe.AccessLog;
import org.streamprox.proxy.observe.ConnectionSummary;
import org.streamprox.proxy.server.OpenConnection;
import org.streamprox.proxy.server.StreamProx;

/**
 * {@code GET /connections}: the open connections, local apps' included, as a JSON list, oldest first. Bytes of a
 * tunnelled connection are counted as they flow; a local app's bytes out when its connection ends.
 */
final class ConnectionsEndpoint implements Request.Handler {

    /**
     * One connection as listed.
     *
     * @param client    the client's address (as a trusted PROXY header named it, if one did)
     * @param route     the route's name, null before one matched
     * @param target    where the route sends it ({@code remote host:port}), null before one matched
     * @param ageMillis since it was accepted
     * @param bytesIn   read from the client so far
     * @param bytesOut  written to the client so far
     */
    record Listed(long id, String client, String listener, String route, String target, long ageMillis,
                  long bytesIn, long bytesOut) {

        static Listed of(OpenConnection connection) {
            ConnectionSummary now = connection.now();
            return new Listed(now.id(), AccessLog.address(now.client()), connection.listener(), now.route(),
                    now.target(), now.duration().toMillis(), now.bytesFromClient(), now.bytesToClient());
        }
    }

    private final StreamProx proxy;

    ConnectionsEndpoint(StreamProx proxy) {
        this.proxy = proxy;
    }

    /** The open connections, oldest first. */
    static List<Listed> list(StreamProx proxy) {
        return proxy.connections().stream().map(Listed::of)
                .sorted(Comparator.comparingLong(Listed::id)).toList();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Reply.json(response, callback, 200, list(proxy));
        return true;
    }
}
