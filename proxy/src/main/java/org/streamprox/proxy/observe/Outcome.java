package org.streamprox.proxy.observe;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * How a connection ended: a kind to count and decide on, the HTTP status when the engine answered, and the detail
 * the access log shows. {@link #toString()} is the access log's outcome field.
 *
 * @param kind   what happened
 * @param status the status of the engine's answer for {@link Kind#REFUSED}, else 0
 * @param detail why, in words; for some kinds the whole phrase
 */
public record Outcome(Kind kind, int status, String detail) {

    public enum Kind {
        /** Both sides finished. */
        OK,
        /** Answered with an HTTP error status and closed. */
        REFUSED,
        /** Refused with a TLS alert and closed: the client spoke TLS, and the engine could not or would not serve it. */
        ALERTED,
        /** Closed without an answer: the client sent no HTTP, was silent or went away, or its app connection broke. */
        CLOSED,
        /** The client reset the connection mid-stream. */
        CLIENT_RESET,
        /** The upstream reset the connection mid-stream. */
        UPSTREAM_RESET,
        /** Reading from or writing to the client failed otherwise. */
        CLIENT_FAILED,
        /** Reading from or writing to the upstream failed otherwise. */
        UPSTREAM_FAILED,
        /** An I/O error in the engine's own steps before a tunnel ran. */
        FAILED,
        /** Nothing moved for the idle timeout. */
        IDLE,
        /** One side ended its output and the other did not finish within the half-close timeout. */
        HALF_CLOSE_TIMEOUT,
        /** Cut because the listener stopped and the drain time ran out. */
        SHUTDOWN,
        /** A local app could not take the connection. */
        HAND_OFF_FAILED,
        /** The connection's thread was interrupted. */
        INTERRUPTED,
        /** A bug: an exception nothing expected. */
        INTERNAL_ERROR;

        private final String text = name().toLowerCase(Locale.ROOT).replace('_', '-');

        /** The kind as logs and metrics write it: {@code ok}, {@code client-reset}. */
        public String text() {
            return text;
        }
    }

    public static final Outcome OK = new Outcome(Kind.OK, 0, "ok");
    public static final Outcome CLIENT_RESET = new Outcome(Kind.CLIENT_RESET, 0, "client reset the connection");
    public static final Outcome UPSTREAM_RESET = new Outcome(Kind.UPSTREAM_RESET, 0, "upstream reset the connection");
    public static final Outcome INTERRUPTED = new Outcome(Kind.INTERRUPTED, 0, "interrupted");
    public static final Outcome DRAIN_TIMEOUT = new Outcome(Kind.SHUTDOWN, 0, "shutdown: drain timeout");

    /** Answered with {@code status}; {@code reason} is what the answer's body said. */
    public static Outcome refused(int status, String reason) {
        return new Outcome(Kind.REFUSED, status, reason);
    }

    /** The answer could not be written: the client had gone. */
    public static Outcome refusedUndelivered(int status, String reason, Exception failure) {
        return refused(status, reason + " (not delivered: " + failure.getMessage() + ")");
    }

    /** Sent elsewhere with the engine's own redirect: it ended as it should. */
    public static Outcome redirected(String location) {
        return new Outcome(Kind.OK, 0, "redirected to " + location);
    }

    /** Refused with the TLS alert named {@code alert}, for example {@code unrecognized_name}. */
    public static Outcome alerted(String alert, String reason) {
        return new Outcome(Kind.ALERTED, 0, "alert " + alert + ": " + reason);
    }

    public static Outcome closed(String why) {
        return new Outcome(Kind.CLOSED, 0, why);
    }

    public static Outcome failed(Exception failure) {
        return new Outcome(Kind.FAILED, 0, String.valueOf(failure.getMessage()));
    }

    public static Outcome sideFailed(boolean client, Exception failure) {
        return new Outcome(client ? Kind.CLIENT_FAILED : Kind.UPSTREAM_FAILED, 0, String.valueOf(failure.getMessage()));
    }

    public static Outcome idleFor(Duration timeout) {
        return new Outcome(Kind.IDLE, 0, "idle for " + timeout.toMillis() + " ms");
    }

    public static Outcome halfClosedFor(Duration timeout) {
        return new Outcome(Kind.HALF_CLOSE_TIMEOUT, 0, "half-closed for " + timeout.toMillis() + " ms");
    }

    /** How a local app's connection ended: {@code cause} is null when it closed normally. */
    public static Outcome ofLocalApp(Throwable cause) {
        if (cause == null) {
            return OK;
        }
        return cause instanceof TimeoutException ? new Outcome(Kind.IDLE, 0, "idle timeout") : closed(cause.toString());
    }

    public static Outcome handOffFailed(Throwable cause) {
        return new Outcome(Kind.HAND_OFF_FAILED, 0, String.valueOf(cause.getMessage()));
    }

    public static Outcome internalError(Throwable cause) {
        return new Outcome(Kind.INTERNAL_ERROR, 0, cause.toString());
    }

    /** The access log's outcome field. */
    @Override
    public String toString() {
        return switch (kind) {
            case REFUSED -> status + " " + detail;
            case CLOSED -> detail.isEmpty() ? "closed" : "closed: " + detail;
            case CLIENT_FAILED -> "client side failed: " + detail;
            case UPSTREAM_FAILED -> "upstream side failed: " + detail;
            case FAILED -> "failed: " + detail;
            case HAND_OFF_FAILED -> "hand-off failed: " + detail;
            case INTERNAL_ERROR -> "internal error: " + detail;
            default -> detail;
        };
    }
}
