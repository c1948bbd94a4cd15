package org.streamprox.apps.admin;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.observe.AccessLog;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.RuleRouter;
import org.streamprox.proxy.server.StreamProx;

/**
 * {@code GET /status.json}: everything the status page shows, in one answer it asks for every second: readiness,
 * listeners and their routes, totals and errors from the engine's meters, the last minutes of traffic, the open
 * connections, and the pools' servers.
 */
final class StatusEndpoint implements Request.Handler {

    /** Open connections a page lists at most, the oldest: enough to read, and the answer stays small. */
    static final int CONNECTIONS_LISTED = 100;

    /**
     * The answer's body.
     *
     * @param time        when it was made, milliseconds since the epoch
     * @param open        connections open, those local apps serve included
     * @param totals      since start: connections finished, bytes from and to clients
     * @param refusals    connections refused, by reason
     * @param failures    connections that ended other than well, by outcome
     * @param reloads     reloads, by result
     * @param history     the last minutes, a point a second, oldest first
     * @param served      how many connections the engine serves now
     * @param connections the oldest of them, at most {@link #CONNECTIONS_LISTED}
     * @param pools       the pools in force, their servers' states and counts, as {@code /pools} lists them
     */
    record Report(long time, boolean ready, String configSource, String configLoadedAt, List<ListenerShown> listeners,
                  int open, Totals totals, Map<String, Double> refusals, Map<String, Double> failures,
                  Map<String, Double> reloads, List<TrafficHistory.Point> history, int served,
                  List<ConnectionsEndpoint.Listed> connections, List<PoolsEndpoint.Listed> pools) {
    }

    /** Counters since start. */
    record Totals(double connections, double received, double sent) {
    }

    /** A listener as bound, whether it terminates TLS, and its routes in order. */
    record ListenerShown(String address, boolean tls, List<RouteShown> routes) {
    }

    /**
     * @param takes what the route is for beyond its match conditions: {@code protocol ssh}, {@code silent clients},
     *              or null for an ordinary route
     */
    record RouteShown(String name, String takes, String target) {
    }

    private final StreamProx proxy;
    private final Supplier<ProxyConfig> inForce;
    private final EngineMeters meters;
    private final TrafficHistory history;

    StatusEndpoint(StreamProx proxy, Supplier<ProxyConfig> inForce, EngineMeters meters, TrafficHistory history) {
        this.proxy = proxy;
        this.inForce = inForce;
        this.meters = meters;
        this.history = history;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Reply.json(response, callback, 200, report());
        return true;
    }

    Report report() {
        ProxyConfig config = inForce.get();
        Map<String, Double> failures = meters.totalsBy(EngineMeters.CONNECTIONS, "outcome");
        failures.remove("ok");
        List<ConnectionsEndpoint.Listed> connections = ConnectionsEndpoint.list(proxy);
        return new Report(System.currentTimeMillis(), proxy.ready(), config.source().name(),
                config.source().loadedAt().toString(), listeners(config, proxy.localAddresses()),
                proxy.admittedConnections(), new Totals(meters.total(EngineMeters.CONNECTIONS),
                        meters.total(EngineMeters.RECEIVED), meters.total(EngineMeters.SENT)),
                meters.totalsBy(EngineMeters.REFUSALS, "reason"), failures,
                meters.totalsBy(EngineMeters.RELOADS, "result"), history.points(), connections.size(),
                connections.subList(0, Math.min(CONNECTIONS_LISTED, connections.size())),
                PoolsEndpoint.list(proxy));
    }

    /** The configuration's listeners, each at the address it is bound to (a port 0 became a real one). */
    private static List<ListenerShown> listeners(ProxyConfig config, List<InetSocketAddress> bound) {
        List<ListenerShown> shown = new ArrayList<>();
        for (int i = 0; i < config.listeners().size(); i++) {
            ProxyConfig.Listener listener = config.listeners().get(i);
            InetSocketAddress listen = listener.settings().listen();
            // As the listener names itself: the configured address (a wildcard stays one) with the port bound.
            InetSocketAddress address = i < bound.size()
                    ? new InetSocketAddress(listen.getAddress(), bound.get(i).getPort()) : listen;
            shown.add(new ListenerShown(AccessLog.address(address),
                    listener.settings().tls().certificates().isPresent(), routes(listener.router())));
        }
        return shown;
    }

    private static List<RouteShown> routes(RuleRouter router) {
        List<RouteShown> routes = new ArrayList<>();
        for (RuleRouter.Rule rule : router.rules()) {
            routes.add(shown(rule.route(), null));
        }
        for (String protocol : router.protocols().stream().sorted().toList()) {
            routes.add(shown(router.forProtocol(protocol).orElseThrow(), "protocol " + protocol));
        }
        router.onSilence().ifPresent(route -> routes.add(shown(route, "silent clients")));
        return routes;
    }

    private static RouteShown shown(Route route, String takes) {
        return new RouteShown(route.name(), takes, route.target().describe());
    }
}
