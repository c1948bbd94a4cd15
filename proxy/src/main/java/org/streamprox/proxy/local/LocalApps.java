package org.streamprox.proxy.local;

import java.io.IOException;

/**
 * The in-process apps a route can target with {@code local: NAME}. The engine hands a connection over once
 * it has read and routed its head; from then on the app owns the socket.
 */
public interface LocalApps {

    /** Whether an app is registered under this name (checked when the configuration loads). */
    boolean contains(String name);

    /**
     * Gives the live connection to the named app. The buffered bytes are replayed to the app before anything
     * else is read from the socket. On return the engine must not touch the channel again; on an exception the
     * channel is still the caller's to close.
     */
    void handOff(String name, HandOff handOff) throws IOException;

    /** No apps at all: every {@code local:} route is a configuration error. */
    LocalApps NONE = new LocalApps() {
        @Override
        public boolean contains(String name) {
            return false;
        }

        @Override
        public void handOff(String name, HandOff handOff) throws IOException {
            throw new IOException("no local app named '" + name + "'");
        }
    };
}
