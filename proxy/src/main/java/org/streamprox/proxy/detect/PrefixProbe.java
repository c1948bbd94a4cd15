package org.streamprox.proxy.detect;

import java.nio.charset.StandardCharsets;

/** Matches bytes that start with a fixed greeting, answering as soon as a byte differs. */
final class PrefixProbe implements Probe {

    /**
     * An SSH client's identification string, {@code SSH-2.0-...} or {@code SSH-1.99-...} (RFC 4253 section 4.2),
     * which clients send first. The version is the server's to judge, as sslh leaves it.
     */
    static final PrefixProbe SSH = new PrefixProbe("SSH-");
    /** The HTTP/2 connection preface of a client with prior knowledge (RFC 9113 section 3.4). */
    static final PrefixProbe H2C = new PrefixProbe("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    private final byte[] prefix;

    private PrefixProbe(String prefix) {
        this.prefix = prefix.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public Answer answer(byte[] bytes, int length) {
        return startsWith(prefix, bytes, 0, length);
    }

    /** Whether {@code bytes[from, length)} starts with {@code expected}, or could once more bytes arrive. */
    static Answer startsWith(byte[] expected, byte[] bytes, int from, int length) {
        int compared = Math.min(expected.length, length - from);
        for (int i = 0; i < compared; i++) {
            if (bytes[from + i] != expected[i]) {
                return Answer.NO;
            }
        }
        return compared == expected.length ? Answer.MATCH : Answer.NEED_MORE;
    }
}
