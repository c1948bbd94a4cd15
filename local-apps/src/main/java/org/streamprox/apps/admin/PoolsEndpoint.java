package org.streamprox.apps.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.streamprox.proxy.observe.AccessLog;
import org.streamprox.proxy.pool.Member;
import org.streamprox.proxy.pool.Pool;
import org.streamprox.proxy.pool.ServerState;
import org.streamprox.proxy.server.StreamProx;

/**
 * {@code GET /pools}: the pools in force, as a JSON list: each with its policy, its servers' addresses, each one's
 * state and counts, and the host names that have no address.
 */
final class PoolsEndpoint implements Request.Handler {

    /**
     * One pool as listed.
     *
     * @param servers    its members, primaries first: {@link #server}
     * @param unresolved its host names without an address now
     */
    record Listed(String name, String policy, List<Map<String, Object>> servers, List<String> unresolved) {

        static Listed of(Pool pool) {
            return new Listed(pool.name(), pool.spec().policy().configName(),
                    pool.members().stream().map(Listed::server).toList(), pool.unresolved());
        }

        /** A map rather than a record: {@code cooling-down} is no Java name. */
        private static Map<String, Object> server(Member member) {
            ServerState state = member.state();
            Map<String, Object> server = new LinkedHashMap<>();
            server.put("server", member.server().toString());
            server.put("member", member.name());
            server.put("address", AccessLog.address(member.address()));
            server.put("health", state.health().name().toLowerCase(Locale.ROOT));
            server.put("mode", state.mode().name().toLowerCase(Locale.ROOT));
            server.put("cooling-down", state.coolingDown());
            server.put("available", state.available());
            server.put("open", state.openConnections());
            server.put("connections", state.connections());
            server.put("failures", state.failures());
            return server;
        }
    }

    private final StreamProx proxy;

    PoolsEndpoint(StreamProx proxy) {
        this.proxy = proxy;
    }

    /** The pools in force, named ones first. */
    static List<Listed> list(StreamProx proxy) {
        return proxy.pools().stream().map(Listed::of).toList();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Reply.json(response, callback, 200, list(proxy));
        return true;
    }
}
