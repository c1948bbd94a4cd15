package org.streamprox.proxy.http;

import java.time.Duration;

/**
 * How much of a connection's start the engine reads before routing, and how long it waits for it.
 *
 * @param until    where the head ends: after the header block, or after the request line
 * @param maxBytes the most bytes buffered while looking for the end; a longer head is answered {@code 431}
 * @param maxReads the most socket reads the head may arrive in, against clients that drip it byte by byte
 * @param timeout  the deadline for the whole head, counted from the first read, not per read
 * @param maxHeaders the most header fields a head may have; more are answered {@code 431}
 */
public record HeadLimits(Until until, int maxBytes, int maxReads, Duration timeout, int maxHeaders) {

    public enum Until {
        /** The head ends with the empty line after the header fields. */
        HEADERS,
        /** The head ends with the request line; header fields are not read or parsed. */
        REQUEST_LINE
    }

    public static final int DEFAULT_MAX_BYTES = 16 * 1024;
    public static final int DEFAULT_MAX_READS = 4096;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_HEADERS = 100;

    /** Bounds on {@code maxBytes}: a short request line must fit; the whole head is held in memory. */
    public static final int MIN_MAX_BYTES = 64;
    public static final int MAX_MAX_BYTES = 1024 * 1024;
    /** Bound on {@code maxHeaders}, far above what any client sends. */
    public static final int MAX_MAX_HEADERS = 10_000;

    public static HeadLimits defaults() {
        return new HeadLimits(Until.HEADERS, DEFAULT_MAX_BYTES, DEFAULT_MAX_READS, DEFAULT_TIMEOUT);
    }

    /** Limits with the default cap on the number of header fields. */
    public HeadLimits(Until until, int maxBytes, int maxReads, Duration timeout) {
        this(until, maxBytes, maxReads, timeout, DEFAULT_MAX_HEADERS);
    }

    public HeadLimits {
        if (maxBytes < MIN_MAX_BYTES || maxBytes > MAX_MAX_BYTES) {
            throw new IllegalArgumentException("max-bytes must be between " + MIN_MAX_BYTES + " and " + MAX_MAX_BYTES
                    + ", not " + maxBytes);
        }
        if (maxReads < 1) {
            throw new IllegalArgumentException("max-reads must be at least 1, not " + maxReads);
        }
        if (maxHeaders < 1 || maxHeaders > MAX_MAX_HEADERS) {
            throw new IllegalArgumentException("max-headers must be between 1 and " + MAX_MAX_HEADERS + ", not "
                    + maxHeaders);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
    }
}
