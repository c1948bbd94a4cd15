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
    /** Bounds on the copy buffer: smaller costs a system call per few packets, larger only memory. */
    public static final int MIN_COPY_BUFFER_SIZE = 512;
    public static final int MAX_COPY_BUFFER_SIZE = 16 * 1024 * 1024;

    public static TunnelSettings defaults() {
        return new TunnelSettings(DEFAULT_COPY_BUFFER_SIZE, DEFAULT_HALF_CLOSE_TIMEOUT);
    }

    public TunnelSettings {
        if (copyBufferSize < MIN_COPY_BUFFER_SIZE || copyBufferSize > MAX_COPY_BUFFER_SIZE) {
            throw new IllegalArgumentException("the copy buffer must be between " + MIN_COPY_BUFFER_SIZE + " and "
                    + MAX_COPY_BUFFER_SIZE + " bytes, not " + copyBufferSize);
        }
        if (halfCloseTimeout.isNegative() || halfCloseTimeout.isZero()) {
            throw new IllegalArgumentException("half-close timeout must be positive");
        }
    }
}
