package org.streamprox.proxy.tls;

/**
 * A ClientHello that cannot be routed. {@link #alert()} is the TLS alert description to answer with
 * ({@link TlsAlert#fatal(int)}), or {@link TlsAlert#NONE} when the client went away, sent nothing, or stalled, and
 * the connection is simply closed.
 */
public final class TlsRefusal extends Exception {

    private final int alert;
    private final int bytesRead;

    public TlsRefusal(int alert, String reason) {
        this(alert, reason, 0);
    }

    private TlsRefusal(int alert, String reason, int bytesRead) {
        super(reason, null, false, false);
        this.alert = alert;
        this.bytesRead = bytesRead;
    }

    /** The same refusal, knowing how many bytes the client had sent by then. */
    public TlsRefusal afterReading(int bytes) {
        return new TlsRefusal(alert, getMessage(), bytes);
    }

    public int alert() {
        return alert;
    }

    public boolean answerable() {
        return alert != TlsAlert.NONE;
    }

    /** The bytes read from the client before the hello was refused. */
    public int bytesRead() {
        return bytesRead;
    }
}
