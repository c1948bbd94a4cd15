package org.streamprox.proxy.config;

/**
 * How many connections a listener holds at once.
 *
 * @param maxConnections          beyond this many, new connections wait in the accept backlog
 * @param maxConnectionsPerClient beyond this many from one source address, a client is answered {@code 429};
 *                                0 for no limit; by default half of {@code maxConnections}
 */
public record ConnectionLimits(int maxConnections, int maxConnectionsPerClient) {

    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** Bound on both limits: each connection costs descriptors, which a process has far fewer of. */
    public static final int MAX_CONNECTIONS = 1_000_000;

    public static ConnectionLimits defaults() {
        return new ConnectionLimits(DEFAULT_MAX_CONNECTIONS, defaultPerClient(DEFAULT_MAX_CONNECTIONS));
    }

    /** Half the places (at least one): one address alone never holds them all. */
    public static int defaultPerClient(int maxConnections) {
        return Math.max(1, maxConnections / 2);
    }

    public ConnectionLimits {
        if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("max-connections must be between 1 and " + MAX_CONNECTIONS + ", not "
                    + maxConnections);
        }
        if (maxConnectionsPerClient < 0 || maxConnectionsPerClient > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("max-connections-per-client must be between 0 and " + MAX_CONNECTIONS
                    + ", not " + maxConnectionsPerClient);
        }
    }
}
