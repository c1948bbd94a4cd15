package org.streamprox.proxy.pool;

import java.util.Objects;

/**
 * One server of a pool as the configuration names it: a host name or address and a port, its share of the
 * connections, and whether it only takes them when no other server can.
 *
 * @param weight its share relative to the others': 1 to {@link #MAX_WEIGHT}
 * @param backup taken only while no server that is not a backup is available
 */
public record Server(String host, int port, int weight, boolean backup) {

    /** As HAProxy's: enough for any ratio an operator writes, small enough for a round-robin schedule. */
    public static final int MAX_WEIGHT = 256;

    public Server {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("a weight is 1 to " + MAX_WEIGHT + ", not " + weight);
        }
    }

    /** Weight 1, not a backup. */
    public Server(String host, int port) {
        this(host, port, 1, false);
    }

    /** {@code host:port}, as the access log shows a remote. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
