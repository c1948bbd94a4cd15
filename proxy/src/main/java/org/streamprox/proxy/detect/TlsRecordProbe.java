package org.streamprox.proxy.detect;

/**
 * Matches the header of a TLS handshake record: content type 22, then a record version of 3.0 to 3.4. A client
 * sends its whole ClientHello in one write, so waiting for the version's second byte costs nothing, and a 0x16
 * followed by something else is not taken for TLS.
 */
final class TlsRecordProbe implements Probe {

    static final TlsRecordProbe INSTANCE = new TlsRecordProbe();

    private static final byte[] HANDSHAKE_VERSION_3 = {0x16, 0x03};
    /** Versions 3.0 (SSL 3.0) to 3.4: what ClientHelloReader takes in a record header. */
    private static final int MAX_MINOR_VERSION = 4;

    private TlsRecordProbe() {
    }

    @Override
    public Answer answer(byte[] bytes, int length) {
        Answer start = PrefixProbe.startsWith(HANDSHAKE_VERSION_3, bytes, 0, length);
        if (start != Answer.MATCH) {
            return start;
        }
        if (length == HANDSHAKE_VERSION_3.length) {
            return Answer.NEED_MORE;
        }
        int minor = bytes[HANDSHAKE_VERSION_3.length];
        return minor >= 0 && minor <= MAX_MINOR_VERSION ? Answer.MATCH : Answer.NO;
    }
}
