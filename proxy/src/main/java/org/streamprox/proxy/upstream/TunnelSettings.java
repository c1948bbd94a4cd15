package org.streamprox.proxy.upstream;

import java.time.Duration;

/**
 * How remote connections are copied.
 *
 * @param copyBufferSize   bytes per direction copied at once: the memory bound of a connection
 * @param halfCloseTimeout once one side has ended its output, how long the other may keep sending before both
 *                         are cut, so a peer that never finishes cannot hold a connection for ever
 */
public record TunnelSettings(int copyBufferSize, Duration halfCloseTimeout) {

    /** Large, because only bursting connections hold one: fewer system calls per GiB, no cost when idle. */
    public static final int DEFAULT_COPY_BUFFER_SIZE = 64 * 1024;
    public static final Duration DEFAULT_HALF_CLOSE_TIMEOUT = Duration.ofSeconds(60);

    public static TunnelSettings defaults() {
        return new TunnelSettings(DEFAULT_COPY_BUFFER_SIZE, DEFAULT_HALF_CLOSE_TIMEOUT);
    }

    public TunnelSettings {
        if (copyBufferSize < 512) {
            throw new IllegalArgumentException("copy buffer must be at least 512 bytes, not " + copyBufferSize);
        }
        if (halfCloseTimeout.isNegative() || halfCloseTimeout.isZero()) {
            throw new IllegalArgumentException("half-close timeout must be positive");
        }
    }
}
