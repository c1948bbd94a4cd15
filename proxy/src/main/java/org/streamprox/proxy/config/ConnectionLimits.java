package org.streamprox.proxy.config;

/**
 * How many connections a listener holds at once.
 *
 * @param maxConnections          beyond this many, new connections wait in the accept backlog
 * @param maxConnectionsPerClient beyond this many from one source address, a client is answered {@code 429};
 *                                0 for no limit
 */
public record ConnectionLimits(int maxConnections, int maxConnectionsPerClient) {

    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    public static ConnectionLimits defaults() {
        return new ConnectionLimits(DEFAULT_MAX_CONNECTIONS, 0);
    }

    public ConnectionLimits {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max-connections must be at least 1, not " + maxConnections);
        }
        if (maxConnectionsPerClient < 0) {
            throw new IllegalArgumentException("max-connections-per-client must not be negative");
        }
    }
}
