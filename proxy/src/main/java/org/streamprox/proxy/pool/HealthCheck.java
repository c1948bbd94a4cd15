package org.streamprox.proxy.pool;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a pool asks its servers whether they are up, every {@code interval}: a TCP connect, or an HTTP request whose
 * response status must be within {@code expect} (over TLS when the pool speaks TLS). A server is taken down after
 * {@code fall} failed checks in a row, and back up after {@code rise} passed ones.
 *
 * @param path   the HTTP request's target; unused for TCP
 * @param host   the HTTP request's {@code Host}; empty for the server's own host:port
 * @param expect the statuses that pass, such as 200-399
 */
public record HealthCheck(Kind kind, String path, Optional<String> host, StatusRange expect, Duration interval,
                          Duration timeout, int rise, int fall) {

    /** What a check does. */
    public enum Kind { TCP, HTTP }

    /** Statuses from {@code low} to {@code high}, both included. */
    public record StatusRange(int low, int high) {

        public StatusRange {
            if (low < 100 || high > 599 || low > high) {
                throw new IllegalArgumentException("a status range is within 100-599, low first: " + low + "-" + high);
            }
        }

        public boolean contains(int status) {
            return status >= low && status <= high;
        }

        @Override
        public String toString() {
            return low == high ? Integer.toString(low) : low + "-" + high;
        }
    }

    /** HAProxy's defaults: a check every 2 s, 3 failures to go down, 2 passes to come back. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;
    public static final StatusRange DEFAULT_EXPECT = new StatusRange(200, 399);

    public HealthCheck {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(expect, "expect");
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a check's interval and timeout are longer than zero");
        }
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall are at least 1");
        }
    }

    /** A TCP connect with the defaults. */
    public static HealthCheck tcp() {
        return new HealthCheck(Kind.TCP, "/", Optional.empty(), DEFAULT_EXPECT, DEFAULT_INTERVAL, DEFAULT_TIMEOUT,
                DEFAULT_RISE, DEFAULT_FALL);
    }
}
