package org.streamprox.proxy.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import org.streamprox.proxy.http.HeadLimits;
import org.streamprox.proxy.tls.TlsSettings;
import org.streamprox.proxy.upstream.TunnelSettings;

/**
 * How a listener behaves, whatever its routes.
 *
 * @param listen       the address to bind
 * @param head         limits on reading each connection's head
 * @param connections  limits on how many connections are served at once
 * @param tunnel       how remote connections are copied
 * @param drainTimeout on shutdown, how long open connections may take to finish before they are closed
 * @param tls          how it treats TLS
 * @param arrival      how it reads the first bytes: PROXY headers, protocol detection
 */
public record ProxySettings(InetSocketAddress listen, HeadLimits head, ConnectionLimits connections,
                            TunnelSettings tunnel, Duration drainTimeout, TlsSettings tls, ArrivalSettings arrival) {

    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public ProxySettings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(connections, "connections");
        Objects.requireNonNull(tunnel, "tunnel");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(arrival, "arrival");
    }

    /** Settings of a plain listener. */
    public ProxySettings(InetSocketAddress listen, HeadLimits head, ConnectionLimits connections,
                         TunnelSettings tunnel, Duration drainTimeout) {
        this(listen, head, connections, tunnel, drainTimeout, TlsSettings.NONE, ArrivalSettings.DEFAULTS);
    }

    /** Default limits on the given address. */
    public static ProxySettings listeningOn(InetSocketAddress listen) {
        return new ProxySettings(listen, HeadLimits.defaults(), ConnectionLimits.defaults(), TunnelSettings.defaults(),
                DEFAULT_DRAIN_TIMEOUT);
    }

    public ProxySettings withListen(InetSocketAddress newListen) {
        return new ProxySettings(newListen, head, connections, tunnel, drainTimeout, tls, arrival);
    }

    public ProxySettings withHead(HeadLimits newHead) {
        return new ProxySettings(listen, newHead, connections, tunnel, drainTimeout, tls, arrival);
    }

    public ProxySettings withConnections(ConnectionLimits newConnections) {
        return new ProxySettings(listen, head, newConnections, tunnel, drainTimeout, tls, arrival);
    }

    public ProxySettings withTunnel(TunnelSettings newTunnel) {
        return new ProxySettings(listen, head, connections, newTunnel, drainTimeout, tls, arrival);
    }

    public ProxySettings withTls(TlsSettings newTls) {
        return new ProxySettings(listen, head, connections, tunnel, drainTimeout, newTls, arrival);
    }

    public ProxySettings withArrival(ArrivalSettings newArrival) {
        return new ProxySettings(listen, head, connections, tunnel, drainTimeout, tls, newArrival);
    }
}
