package org.streamprox.proxy.http;

/**
 * A head that cannot be routed. {@link #status()} is the HTTP status to answer with, or 0 when the client did
 * not speak HTTP at all and the connection is simply closed.
 */
public final class HeadException extends Exception {

    private final int status;

    public HeadException(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public boolean answerable() {
        return status != 0;
    }
}
