package org.streamprox.proxy.http;

/**
 * A head that cannot be routed. {@link #status()} is the HTTP status to answer with, or 0 when the client did
 * not speak HTTP at all and the connection is simply closed.
 */
public final class HeadException extends Exception {

    private final int status;
    private final int bytesRead;

    public HeadException(int status, String reason) {
        this(status, reason, 0);
    }

    private HeadException(int status, String reason, int bytesRead) {
        super(reason, null, false, false);
        this.status = status;
        this.bytesRead = bytesRead;
    }

    /** The same refusal, knowing how many bytes the client had sent by then. */
    HeadException afterReading(int bytes) {
        return new HeadException(status, getMessage(), bytes);
    }

    public int status() {
        return status;
    }

    public boolean answerable() {
        return status != 0;
    }

    /** The bytes read from the client before the head was refused. */
    public int bytesRead() {
        return bytesRead;
    }
}
