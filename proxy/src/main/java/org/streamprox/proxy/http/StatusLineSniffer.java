package org.streamprox.proxy.http;

import java.nio.ByteBuffer;

/**
 * Picks the status code out of an HTTP/1.x response's first bytes as they pass through, however the reads cut them:
 * {@code HTTP/1.1 401 ...} gives 401. It looks at the first 12 bytes only, reads them where they are without moving
 * or keeping them, and gives 0 for anything that does not start as a status line.
 */
public final class StatusLineSniffer {

    /** {@code HTTP/1.}, a minor version digit, a space, then three digits. */
    private static final byte[] PREFIX = {'H', 'T', 'T', 'P', '/', '1', '.'};
    private static final int LENGTH = PREFIX.length + 5;

    private int seen;
    private int status;
    private boolean failed;

    /**
     * Looks at the bytes from the buffer's position to its limit.
     *
     * @return whether it is still undecided and wants the next bytes
     */
    public boolean feed(ByteBuffer bytes) {
        for (int i = bytes.position(); i < bytes.limit() && !decided(); i++) {
            accept(bytes.get(i));
        }
        return !decided();
    }

    /** The status code, or 0 while undecided or when the bytes are not an HTTP/1.x status line. */
    public int status() {
        return failed || seen < LENGTH ? 0 : status;
    }

    private boolean decided() {
        return failed || seen == LENGTH;
    }

    private void accept(byte b) {
        int at = seen++;
        if (at < PREFIX.length) {
            failed = b != PREFIX[at];
        } else if (at == PREFIX.length) {
            failed = !isDigit(b);
        } else if (at == PREFIX.length + 1) {
            failed = b != ' ';
        } else {
            failed = !isDigit(b) || (at == PREFIX.length + 2 && b == '0');
            status = status * 10 + (b - '0');
        }
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
