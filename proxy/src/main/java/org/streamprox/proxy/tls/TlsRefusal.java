package org.streamprox.proxy.tls;

import org.streamprox.proxy.observe.Refusal;

/**
 * A ClientHello that cannot be routed. {@link #alert()} is the TLS alert description to answer with
 * ({@link TlsAlert#fatal(int)}), or {@link TlsAlert#NONE} when the client went away, sent nothing, or stalled, or the
 * TLS engine sent its own alert, and the connection is simply closed.
 */
public final class TlsRefusal extends Exception {

    private final int alert;
    private final Refusal refusal;
    private final int bytesRead;

    /** A ClientHello refused with the fatal alert {@code alert}. */
    public TlsRefusal(int alert, String reason) {
        this(alert, Refusal.TLS_ALERT, reason, 0);
    }

    private TlsRefusal(int alert, Refusal refusal, String reason, int bytesRead) {
        super(reason, null, false, false);
        this.alert = alert;
        this.refusal = refusal;
        this.bytesRead = bytesRead;
    }

    /** The ClientHello or the handshake was not complete before the deadline: closed without an alert. */
    public static TlsRefusal tooLate(String reason) {
        return new TlsRefusal(TlsAlert.NONE, Refusal.HEAD_TIMEOUT, reason, 0);
    }

    /** The TLS engine's handshake failed, and it has sent its own alert. */
    public static TlsRefusal handshakeFailed(String reason) {
        return new TlsRefusal(TlsAlert.NONE, Refusal.TLS_HANDSHAKE, reason, 0);
    }

    /** The client ended its stream first: nothing to refuse. */
    public static TlsRefusal clientGone(String reason) {
        return new TlsRefusal(TlsAlert.NONE, null, reason, 0);
    }

    /** The same refusal, knowing how many bytes the client had sent by then. */
    public TlsRefusal afterReading(int bytes) {
        return new TlsRefusal(alert, refusal, getMessage(), bytes);
    }

    public int alert() {
        return alert;
    }

    public boolean answerable() {
        return alert != TlsAlert.NONE;
    }

    /** Why the connection is refused, for the metrics; null when the client went away first. */
    public Refusal refusal() {
        return refusal;
    }

    /** The bytes read from the client before the hello was refused. */
    public int bytesRead() {
        return bytesRead;
    }
}
