package org.streamprox.proxy.http;

import org.streamprox.proxy.observe.Refusal;

/**
 * A head that cannot be routed. {@link #status()} is the HTTP status to answer with, or 0 when the client did
 * not speak HTTP at all, sent nothing, or went away, and the connection is simply closed.
 */
public final class HeadException extends Exception {

    private final int status;
    private final Refusal refusal;
    private final int bytesRead;

    /** A head refused with an answer: {@code 408} when it came too slowly, {@code 431} too large, else malformed. */
    public HeadException(int status, String reason) {
        this(status, switch (status) {
            case 408 -> Refusal.HEAD_TIMEOUT;
            case 431 -> Refusal.HEAD_TOO_LARGE;
            default -> Refusal.BAD_REQUEST;
        }, reason, 0);
    }

    private HeadException(int status, Refusal refusal, String reason, int bytesRead) {
        super(reason, null, false, false);
        this.status = status;
        this.refusal = refusal;
        this.bytesRead = bytesRead;
    }

    /** Bytes that are not HTTP: closed without an answer. */
    static HeadException notHttp(String reason) {
        return new HeadException(0, Refusal.UNKNOWN_PROTOCOL, reason, 0);
    }

    /** A client that sent nothing within the head's time: closed without an answer. */
    static HeadException nothingSent(String reason) {
        return new HeadException(0, Refusal.HEAD_TIMEOUT, reason, 0);
    }

    /** The client ended its stream first: nothing to refuse. */
    static HeadException clientGone(String reason) {
        return new HeadException(0, null, reason, 0);
    }

    /** The same refusal, knowing how many bytes the client had sent by then. */
    HeadException afterReading(int bytes) {
        return new HeadException(status, refusal, getMessage(), bytes);
    }

    public int status() {
        return status;
    }

    public boolean answerable() {
        return status != 0;
    }

    /** Why the connection is refused, for the metrics; null when the client went away first. */
    public Refusal refusal() {
        return refusal;
    }

    /** The bytes read from the client before the head was refused. */
    public int bytesRead() {
        return bytesRead;
    }
}
