package org.streamprox.proxy.local;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import org.streamprox.proxy.http.HeadLimits;

/**
 * The in-process apps a route can target with {@code local: NAME}. The engine hands a connection over once it has
 * read and routed its head; from then on the app owns the socket. The lifecycle starts them before the listener
 * and stops them after it.
 */
public interface LocalApps {

    /** The names apps are registered under, in order: what {@code local:} routes may name. */
    Set<String> names();

    /**
     * Starts serving.
     *
     * @param head the engine's head limits: a hand-off carries at most {@code head.maxBytes()} buffered bytes
     */
    void start(HeadLimits head) throws Exception;

    /**
     * A reload's head limits, for hand-offs from now on. They may only grow what the apps accept: a connection
     * accepted before the reload may still hand off as many buffered bytes as the old limit allowed.
     */
    default void headLimitsChanged(HeadLimits head) {
    }

    /**
     * Gives the live connection to the named app. The buffered bytes are replayed to the app before anything
     * else is read from the socket. On return the engine must not touch the channel again; on an exception the
     * channel is still the caller's to close.
     */
    void handOff(HandOff handOff) throws IOException;

    /** Lets what the apps are serving finish within {@code timeout}, then closes what is left. */
    void stop(Duration timeout) throws Exception;

    /** No apps at all: every {@code local:} route is a configuration error. */
    LocalApps NONE = new LocalApps() {
        @Override
        public Set<String> names() {
            return Set.of();
        }

        @Override
        public void start(HeadLimits head) {
        }

        @Override
        public void handOff(HandOff handOff) throws IOException {
            throw new IOException("no local app named '" + handOff.app() + "'");
        }

        @Override
        public void stop(Duration timeout) {
        }
    };
}
