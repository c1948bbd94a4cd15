package org.streamprox.proxy.observe;

/**
 * One listener's meters. A finished connection is reported to them as to the access log, once, and the route that
 * took it before, so they count each route's open connections; they read the listener's open connections themselves.
 */
public interface ListenerMetrics extends ConnectionLog {

    /** Records nothing. */
    ListenerMetrics OFF = new ListenerMetrics() {

        @Override
        public void routed(String route) {
        }

        @Override
        public void finished(ConnectionSummary connection) {
        }

        @Override
        public void close() {
        }
    };

    /** A route took a connection: it counts as open on that route until it finishes. */
    void routed(String route);

    /**
     * The listener has drained: the meters that read its live state go. Its counts stay, as counters do, for a
     * connection that ends later and for the last scrape.
     */
    void close();
}
