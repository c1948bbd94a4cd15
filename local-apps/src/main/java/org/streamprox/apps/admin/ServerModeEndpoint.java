package org.streamprox.apps.admin;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.pool.Member;
import org.streamprox.proxy.pool.Pool;
import org.streamprox.proxy.pool.ServerState.Mode;
import org.streamprox.proxy.server.StreamProx;

/**
 * {@code POST /pools/server?pool=NAME&server=SERVER&mode=MODE}: the operator drains a pool's server, puts it in
 * maintenance, or makes it active again. {@code SERVER} is a member's name or the configured {@code host:port}
 * (every address of that name, then). Answers 200 when the server is in that mode, 404 for a pool or server there is
 * not, 400 for a mode there is not; each with a line of text saying so.
 */
final class ServerModeEndpoint implements Request.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(ServerModeEndpoint.class);
    private static final String MODES = Arrays.stream(Mode.values()).map(ServerModeEndpoint::name)
            .collect(Collectors.joining(", "));

    private final StreamProx proxy;

    ServerModeEndpoint(StreamProx proxy) {
        this.proxy = proxy;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Fields query = Request.extractQueryParameters(request);
        String poolName = query.getValue("pool");
        String server = query.getValue("server");
        String modeName = query.getValue("mode");
        if (poolName == null || server == null) {
            Reply.text(response, callback, 400, "say which server: ?pool=NAME&server=HOST:PORT&mode=MODE\n");
            return true;
        }
        Optional<Mode> mode = Arrays.stream(Mode.values()).filter(each -> name(each).equals(modeName)).findFirst();
        if (mode.isEmpty()) {
            Reply.text(response, callback, 400, "mode is one of " + MODES + "; "
                    + (modeName == null ? "none was given" : "not " + modeName) + "\n");
            return true;
        }
        Optional<Pool> pool = proxy.pools().stream().filter(each -> each.name().equals(poolName)).findFirst();
        if (pool.isEmpty()) {
            Reply.text(response, callback, 404, "there is no pool " + poolName + "; the pools are "
                    + proxy.pools().stream().map(Pool::name).collect(Collectors.joining(", ")) + "\n");
            return true;
        }
        LOG.info("pool {} server {}: {} asked for by {}", poolName, server, name(mode.get()),
                Request.getRemoteAddr(request));
        if (!pool.get().mode(server, mode.get())) {
            Reply.text(response, callback, 404, "pool " + poolName + " has no server " + server + "; its servers are "
                    + pool.get().members().stream().map(Member::name).collect(Collectors.joining(", ")) + "\n");
            return true;
        }
        Reply.text(response, callback, 200, "pool " + poolName + " server " + server + " is now "
                + name(mode.get()) + "\n");
        return true;
    }

    private static String name(Mode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }
}
