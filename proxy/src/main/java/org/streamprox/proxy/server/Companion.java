package org.streamprox.proxy.server;

/**
 * Something that serves beside a running StreamProx, such as the admin listener: started once every listener is
 * bound, closed once the drain is over, so it answers all through the drain.
 */
@FunctionalInterface
public interface Companion {

    /** Nothing beside the proxy. */
    Companion NONE = proxy -> () -> { };

    /**
     * Starts beside the proxy, whose listeners are bound.
     *
     * @return what to close after the proxy has stopped
     */
    AutoCloseable start(StreamProx proxy) throws Exception;
}
