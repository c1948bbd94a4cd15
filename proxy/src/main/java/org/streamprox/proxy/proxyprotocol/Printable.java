package org.streamprox.proxy.proxyprotocol;

import java.nio.charset.StandardCharsets;

/**
 * Bytes a client chose, made safe for one field of a log line: printable ASCII but for the space stays, anything
 * else (a space, a line break, a byte of a binary protocol) becomes {@code \xNN}.
 */
final class Printable {

    private Printable() {
    }

    static String escaped(byte[] bytes, int from, int to) {
        StringBuilder text = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            int b = bytes[i] & 0xff;
            if (b > ' ' && b < 0x7f && b != '\\') {
                text.append((char) b);
            } else {
                text.append(String.format("\\x%02x", b));
            }
        }
        return text.toString();
    }

    static String escaped(byte[] bytes) {
        return escaped(bytes, 0, bytes.length);
    }

    /** The text's UTF-8 bytes, escaped: a name with a space or a line break stays one field. */
    static String escaped(String text) {
        return escaped(text.getBytes(StandardCharsets.UTF_8));
    }
}
