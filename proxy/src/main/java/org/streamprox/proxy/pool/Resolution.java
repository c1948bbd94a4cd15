package org.streamprox.proxy.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * How a pool turns its servers' host names into addresses: again every {@code interval}, so a server that moves is
 * followed, keeping the last addresses while a name does not resolve.
 *
 * @param all every address of a name becomes a server of its own; otherwise the first address only
 */
public record Resolution(boolean all, Duration interval) {

    /** The JDK's own cache keeps a name for 30 s. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final Resolution DEFAULT = new Resolution(false, DEFAULT_INTERVAL);

    public Resolution {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("a resolve interval is longer than zero");
        }
    }
}
