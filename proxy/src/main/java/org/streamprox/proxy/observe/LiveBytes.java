package org.streamprox.proxy.observe;

/**
 * Bytes a part that serves a connection for a long time (a tunnel's copy loops) has moved so far, readable from
 * other threads while it runs, so the connection's record can show them before it ends.
 */
public interface LiveBytes {

    /** Nothing is being copied. */
    LiveBytes NONE = new LiveBytes() {
        @Override
        public long bytesFromClient() {
            return 0;
        }

        @Override
        public long bytesToClient() {
            return 0;
        }
    };

    /** Bytes read from the client so far. */
    long bytesFromClient();

    /** Bytes written to the client so far. */
    long bytesToClient();
}
