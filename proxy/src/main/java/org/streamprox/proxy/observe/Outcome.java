package org.streamprox.proxy.observe;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * How a connection ended: a kind to count and decide on, the HTTP status when the engine answered, why the engine
 * refused it, and the detail the access log shows. {@link #toString()} is the access log's outcome field.
 *
 * @param kind    what happened
 * @param status  the status of the engine's answer for {@link Kind#REFUSED}, else 0
 * @param refusal why the engine refused the connection, or null when it did not (it was served, or the client went
 *                away first)
 * @param detail  why, in words; for some kinds the whole phrase
 */
public record Outcome(Kind kind, int status, Refusal refusal, String detail) {

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

        private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

        /** As logs and metrics write it: {@code ok}, {@code client-reset}. */
        public String label() {
            return label;
        }
    }

    public static final Outcome OK = new Outcome(Kind.OK, "ok");
    public static final Outcome CLIENT_RESET = new Outcome(Kind.CLIENT_RESET, "client reset the connection");
    public static final Outcome UPSTREAM_RESET = new Outcome(Kind.UPSTREAM_RESET, "upstream reset the connection");
    public static final Outcome INTERRUPTED = new Outcome(Kind.INTERRUPTED, "interrupted");
    public static final Outcome DRAIN_TIMEOUT = new Outcome(Kind.SHUTDOWN, "shutdown: drain timeout");

    /** An outcome without an answer of the engine's and without a refusal. */
    private Outcome(Kind kind, String detail) {
        this(kind, 0, null, detail);
    }

    /** Answered with {@code status}, refused for {@code why}; {@code reason} is what the answer's body said. */
    public static Outcome refused(int status, Refusal why, String reason) {
        return new Outcome(Kind.REFUSED, status, why, reason);
    }

    /** The answer could not be written: the client had gone. */
    public static Outcome refusedUndelivered(int status, Refusal why, String reason, Exception failure) {
        return refused(status, why, reason + " (not delivered: " + failure.getMessage() + ")");
    }

    /** Sent elsewhere with the engine's own redirect: it ended as it should. */
    public static Outcome redirected(String location) {
        return new Outcome(Kind.OK, "redirected to " + location);
    }

    /** Refused with the TLS alert named {@code alert}, for example {@code unrecognized_name}. */
    public static Outcome alerted(String alert, String reason) {
        return new Outcome(Kind.ALERTED, 0, Refusal.TLS_ALERT, "alert " + alert + ": " + reason);
    }

    /** Closed without an answer, and not refused: the client went away, or its app connection broke. */
    public static Outcome closed(String why) {
        return closed(null, why);
    }

    /** Closed without an answer, refused for {@code refusal}; null when nothing was refused (the client went away). */
    public static Outcome closed(Refusal refusal, String why) {
        return new Outcome(Kind.CLOSED, 0, refusal, why);
    }

    public static Outcome failed(Exception failure) {
        return new Outcome(Kind.FAILED, String.valueOf(failure.getMessage()));
    }

    public static Outcome sideFailed(boolean client, Exception failure) {
        return new Outcome(client ? Kind.CLIENT_FAILED : Kind.UPSTREAM_FAILED, String.valueOf(failure.getMessage()));
    }

    public static Outcome idleFor(Duration timeout) {
        return new Outcome(Kind.IDLE, "idle for " + timeout.toMillis() + " ms");
    }

    public static Outcome halfClosedFor(Duration timeout) {
        return new Outcome(Kind.HALF_CLOSE_TIMEOUT, "half-closed for " + timeout.toMillis() + " ms");
    }

    /** How a local app's connection ended: {@code cause} is null when it closed normally. */
    public static Outcome ofLocalApp(Throwable cause) {
        if (cause == null) {
            return OK;
        }
        return cause instanceof TimeoutException ? new Outcome(Kind.IDLE, "idle timeout") : closed(cause.toString());
    }

    public static Outcome handOffFailed(Throwable cause) {
        return new Outcome(Kind.HAND_OFF_FAILED, String.valueOf(cause.getMessage()));
    }

    public static Outcome internalError(Throwable cause) {
        return new Outcome(Kind.INTERNAL_ERROR, cause.toString());
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
