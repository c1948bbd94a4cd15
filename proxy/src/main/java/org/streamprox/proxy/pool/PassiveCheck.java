package org.streamprox.proxy.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * What real connections say about a server: after {@code maxFailures} connect failures in a row it takes no new
 * connections for {@code coolDown}, or until an active check passes.
 *
 * @param maxFailures 0 turns it off
 */
public record PassiveCheck(int maxFailures, Duration coolDown) {

    /** A single server is never taken out this way unless asked: there is nowhere else to send its clients. */
    public static final PassiveCheck OFF = new PassiveCheck(0, Duration.ZERO);
    /** For a pool of several: nginx takes a server out for 10 s; three failures make a blip no reason to. */
    public static final PassiveCheck DEFAULT = new PassiveCheck(3, Duration.ofSeconds(10));

    public PassiveCheck {
        Objects.requireNonNull(coolDown, "coolDown");
        if (maxFailures < 0 || coolDown.isNegative()) {
            throw new IllegalArgumentException("max-failures and cool-down are not negative");
        }
        if (maxFailures > 0 && coolDown.isZero()) {
            throw new IllegalArgumentException("a cool-down is longer than zero");
        }
    }

    public boolean on() {
        return maxFailures > 0;
    }
}
