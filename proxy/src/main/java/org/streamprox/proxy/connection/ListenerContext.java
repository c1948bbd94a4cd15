package org.streamprox.proxy.connection;

import org.streamprox.proxy.config.ProxySettings;
import org.streamprox.proxy.http.HeadReader;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.observe.ConnectionLog;
import org.streamprox.proxy.route.Router;
import org.streamprox.proxy.upstream.Tunnels;

/**
 * Everything a connection needs from its listener, as one immutable snapshot taken when it is accepted: a
 * connection keeps the routes it started with even if the listener's context is replaced meanwhile.
 */
public final class ListenerContext {

    private final ProxySettings settings;
    private final Router router;
    private final LocalApps apps;
    private final Tunnels tunnels;
    private final ConnectionLog log;
    private final FirstBytes firstBytes;

    /**
     * @param settings the listener's settings
     * @param router   the routing table
     * @param apps     the local apps routes can hand connections to
     * @param tunnels  the machinery remote connections are copied with
     * @param log      where finished connections are reported
     */
    public ListenerContext(ProxySettings settings, Router router, LocalApps apps, Tunnels tunnels,
                           ConnectionLog log) {
        this.settings = settings;
        this.router = router;
        this.apps = apps;
        this.tunnels = tunnels;
        this.log = log;
        this.firstBytes = new FirstBytes(settings, router);
    }

    public ProxySettings settings() {
        return settings;
    }

    public Router router() {
        return router;
    }

    public LocalApps apps() {
        return apps;
    }

    public Tunnels tunnels() {
        return tunnels;
    }

    public ConnectionLog log() {
        return log;
    }

    /** What the listener makes of the first bytes: PROXY headers, protocols. */
    FirstBytes firstBytes() {
        return firstBytes;
    }

    /** Reads heads under the listener's limits; it keeps no state between connections. */
    HeadReader heads() {
        return new HeadReader(settings.head());
    }
}
