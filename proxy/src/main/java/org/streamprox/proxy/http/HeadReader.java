package org.streamprox.proxy.http;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.streamprox.proxy.transport.Transport;

/**
 * Reads a connection's head with blocking IO under {@link HeadLimits}, keeping whatever arrives after it in the
 * same reads so it can be replayed byte for byte.
 *
 * <p>Line ends are checked as the bytes arrive, so a bare LF or CR, or a first line that cannot be a request line,
 * is answered at once rather than at the deadline, and a first byte that cannot start an HTTP method (a TLS or SSH greeting, binary noise) closes the
 * connection without an answer.
 */
public final class HeadReader {

    /** The buffer a head starts in; it doubles up to the byte limit only for heads that need it. */
    private static final int INITIAL_BUFFER = 2048;

    private final HeadLimits limits;

    public HeadReader(HeadLimits limits) {
        this.limits = limits;
    }

    /**
     * The head and the bytes read after it.
     *
     * @param head      the parsed head
     * @param buffered  everything read from the socket: the head's bytes and then the rest
     * @param bytesRead how many bytes the reads returned in all
     */
    public record Result(RequestHead head, ByteBuffer buffered, int bytesRead) {

        /** The bytes that followed the head in the same reads (a body, pipelined requests, frames). */
        public ByteBuffer leftover() {
            return buffered.duplicate().position(head.raw().length).slice();
        }
    }

    /**
     * Reads until the head is complete.
     *
     * @throws HeadException when the head breaks a limit or the grammar, or the client goes away first; it says
     *                       how many bytes had been read
     */
    public Result read(Transport client) throws IOException, HeadException {
        return read(client, System.nanoTime() + limits.timeout().toNanos());
    }

    /**
     * Reads until the head is complete, or {@code deadlineNanos} ({@link System#nanoTime()}) passes: for a head that
     * follows other stages (a TLS handshake) under the same time limit.
     *
     * @throws HeadException as {@link #read(Transport)}
     */
    public Result read(Transport client, long deadlineNanos) throws IOException, HeadException {
        Reading reading = new Reading(deadlineNanos);
        try {
            return reading.readFrom(client);
        } catch (HeadException e) {
            throw e.afterReading(reading.length);
        }
    }

    /** One head being read: the bytes so far and what has been checked of them. */
    private final class Reading {

        private final long deadline;
        private byte[] buffer = new byte[Math.min(INITIAL_BUFFER, limits.maxBytes())];
        private int length;
        private boolean requestLineChecked;

        Reading(long deadline) {
            this.deadline = deadline;
        }

        Result readFrom(Transport client) throws IOException, HeadException {
            int reads = 0;
            int headEnd = -1;
            while (headEnd < 0) {
                if (length == buffer.length) {
                    if (length == limits.maxBytes()) {
                        throw new HeadException(431, "head larger than " + limits.maxBytes() + " bytes");
                    }
                    buffer = Arrays.copyOf(buffer, Math.min(limits.maxBytes(), buffer.length * 2));
                }
                int read = readBeforeDeadline(client, ByteBuffer.wrap(buffer, length, buffer.length - length));
                if (read < 0) {
                    throw HeadException.clientGone(length == 0
                            ? "client closed the connection without sending anything"
                            : "client closed the connection after " + length + " bytes of an unfinished head");
                }
                int from = length;
                length += read;
                headEnd = scan(from);
                if (headEnd < 0 && ++reads >= limits.maxReads()) {
                    throw new HeadException(400, "head not complete after " + reads + " reads");
                }
            }
            byte[] raw = Arrays.copyOf(buffer, headEnd);
            RequestHead head = HeadParser.parse(raw, limits.until() == HeadLimits.Until.HEADERS);
            if (head.headers().size() > limits.maxHeaders()) {
                throw new HeadException(431, "more than " + limits.maxHeaders() + " header fields");
            }
            return new Result(head, ByteBuffer.wrap(buffer, 0, length), length);
        }

        private int readBeforeDeadline(Transport client, ByteBuffer into) throws IOException, HeadException {
            try {
                return client.readBefore(into, deadline);
            } catch (SocketTimeoutException e) {
                // A client that never sent a byte (a browser's speculative connection, a port scan) is closed quietly.
                long timeout = limits.timeout().toMillis();
                throw length > 0 ? new HeadException(408, "head not complete within " + timeout + " ms")
                        : HeadException.nothingSent("nothing sent within " + timeout + " ms");
            }
        }

        /**
         * Checks the newly read bytes {@code [from, length)} and returns the head's length if its end is among
         * them, else -1.
         */
        private int scan(int from) throws HeadException {
            byte[] bytes = buffer;
            for (int i = from; i < length; i++) {
                byte b = bytes[i];
                if (i == 0) {
                    checkFirstByte(b);
                } else if (bytes[i - 1] == '\r' && b != '\n') {
                    throw new HeadException(400, "bare CR in the head");
                }
                if (i == 3 && bytes[0] == 'S' && bytes[1] == 'S' && bytes[2] == 'H' && b == '-') {
                    throw HeadException.notHttp("not HTTP: an SSH greeting");
                }
                if (b == 0) {
                    throw new HeadException(400, "NUL byte in the head");
                }
                if (b == '\n') {
                    if (i == 0 || bytes[i - 1] != '\r') {
                        throw new HeadException(400, "bare LF in the head");
                    }
                    if (limits.until() == HeadLimits.Until.REQUEST_LINE) {
                        return i + 1;
                    }
                    if (!requestLineChecked) {
                        HeadParser.requestLine(bytes, i - 1);
                        requestLineChecked = true;
                    } else if (bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
                        return i + 1;
                    }
                }
            }
            return -1;
        }
    }

    private static void checkFirstByte(byte b) throws HeadException {
        if (b == '\r' || b == '\n') {
            throw new HeadException(400, "empty line before the request line");
        }
        if (!HeadParser.isTokenChar(b)) {
            throw HeadException.notHttp(String.format("not HTTP: first byte 0x%02x%s", b & 0xff,
                    b == 0x16 ? " (a TLS handshake)" : ""));
        }
    }
}
