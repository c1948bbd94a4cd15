package org.streamprox.proxy.observe;

/** Where finished connections are reported: the access log, and a listener's meters ({@link ListenerMetrics}). */
@FunctionalInterface
public interface ConnectionLog {

    /** Called once per connection, on whatever thread finished it. */
    void finished(ConnectionSummary connection);
}
