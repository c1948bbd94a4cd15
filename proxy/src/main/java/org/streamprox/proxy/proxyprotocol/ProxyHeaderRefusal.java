package org.streamprox.proxy.proxyprotocol;

/**
 * A connection whose first bytes are not one well-formed PROXY header within the limits: it is closed without an
 * answer, since its peer is a proxy that does not read one. The message says why, for the access log.
 */
public final class ProxyHeaderRefusal extends Exception {

    private final int bytesRead;

    ProxyHeaderRefusal(String reason) {
        this(reason, 0);
    }

    private ProxyHeaderRefusal(String reason, int bytesRead) {
        super(reason, null, false, false);
        this.bytesRead = bytesRead;
    }

    /** Bytes that cannot start either version's signature: the reason shows them, up to the one that differs. */
    static ProxyHeaderRefusal notAHeader(byte[] bytes, int count) {
        return new ProxyHeaderRefusal("not a PROXY header: it starts \"" + Printable.escaped(bytes, 0, count) + "\"");
    }

    static ProxyHeaderRefusal malformed(int version, String what) {
        return new ProxyHeaderRefusal("malformed PROXY v" + version + " header: " + what);
    }

    /** The same refusal, knowing how many bytes the client had sent by then. */
    ProxyHeaderRefusal afterReading(int bytes) {
        return new ProxyHeaderRefusal(getMessage(), bytes);
    }

    /** The bytes read from the client before the header was refused. */
    public int bytesRead() {
        return bytesRead;
    }
}
