package org.streamprox.proxy.proxyprotocol;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.streamprox.proxy.transport.Transport;

/**
 * Reads the PROXY protocol header (v1 or v2) that a trusted proxy in front sends first, with blocking reads under
 * one deadline, however the network cuts it. Bytes read past the header are given back to the transport
 * ({@link Transport#replay}), so the next stage (a TLS hello, an HTTP head) reads them first.
 *
 * <p>Strict and bounded: the first byte chooses the version and each byte of the signature and fixed fields is
 * checked as it arrives, so a client that does not start with a header is refused at once rather than at the
 * deadline; a v1 line is at most 107 bytes, a v2 header at most the limit given here, which its length field is
 * checked against before the rest is waited for.
 */
public final class ProxyHeaderReader {

    /** HAProxy's v2 headers, TLS details and all, take a few hundred bytes. */
    public static final int DEFAULT_MAX_BYTES = 4096;
    /** A v2 header with UNIX addresses and no TLVs. */
    public static final int MIN_BYTES = BinaryHeaderParser.FIXED_BYTES + 2 * 108;
    /** What v2's 16-bit length field can say. */
    public static final int MAX_BYTES = BinaryHeaderParser.FIXED_BYTES + 0xffff;
    /** Holds any v1 line and a usual v2 header, and the first bytes after it, in one read. */
    private static final int INITIAL_BUFFER = 512;

    private final int maxBytes;

    /** @param maxBytes the most a v2 header may take, its 16 fixed bytes included: {@value #MIN_BYTES} to 65551 */
    public ProxyHeaderReader(int maxBytes) {
        if (maxBytes < MIN_BYTES || maxBytes > MAX_BYTES) {
            throw new IllegalArgumentException("a PROXY header limit of " + maxBytes + " bytes is not within "
                    + MIN_BYTES + " to " + MAX_BYTES);
        }
        this.maxBytes = maxBytes;
    }

    /**
     * The header, and what it took.
     *
     * @param header    what the header says
     * @param bytesRead the header's length: the bytes read and not given back
     */
    public record Result(ProxyHeader header, int bytesRead) {
    }

    /**
     * Reads one header; what follows it in the same reads is replayed into the transport.
     *
     * @param deadlineNanos when to give up, a {@link System#nanoTime()} value
     * @throws ProxyHeaderRefusal when the bytes are not one well-formed header within the limit, or the client goes
     *                            away or stalls first; it says how many bytes had been read
     */
    public Result read(Transport client, long deadlineNanos) throws IOException, ProxyHeaderRefusal {
        Reading reading = new Reading(deadlineNanos);
        try {
            return reading.readFrom(client);
        } catch (ProxyHeaderRefusal e) {
            throw e.afterReading(reading.length);
        }
    }

    /**
     * Whether these first bytes of a connection could begin a PROXY header: they are a prefix of v1's
     * {@code "PROXY "} or of v2's signature, or start with one. From an address not trusted to send a header, such
     * bytes are not to be passed on: an upstream reading the PROXY protocol would take the client for another.
     * Fewer bytes than a signature decide nothing yet: {@code "PR"} is true, and may go on as {@code "PRI * HTTP/2"}.
     */
    public static boolean couldStartHeader(ByteBuffer firstBytes) {
        return startsLike(firstBytes, TextHeaderParser.SIGNATURE)
                || startsLike(firstBytes, BinaryHeaderParser.SIGNATURE);
    }

    private static boolean startsLike(ByteBuffer bytes, byte[] signature) {
        int compared = Math.min(bytes.remaining(), signature.length);
        return bytes.slice(bytes.position(), compared).equals(ByteBuffer.wrap(signature, 0, compared));
    }

    /** One header being read: the bytes so far, and the version's parser once the first byte has chosen it. */
    private final class Reading {

        private final long deadline;
        private byte[] buffer = new byte[Math.min(INITIAL_BUFFER, maxBytes)];
        private int length;
        /** How many bytes the parser has checked. */
        private int checked;
        private HeaderParser parser;

        Reading(long deadline) {
            this.deadline = deadline;
        }

        Result readFrom(Transport client) throws IOException, ProxyHeaderRefusal {
            int headerLength;
            while ((headerLength = checkNewBytes()) < 0) {
                if (length == buffer.length) {
                    // A v1 line is refused before it fills the first buffer, and a v2 length beyond the limit at
                    // once: a full buffer is short of a v2 header within the limit.
                    buffer = Arrays.copyOf(buffer, Math.min(maxBytes, buffer.length * 2));
                }
                int read = readBeforeDeadline(client, ByteBuffer.wrap(buffer, length, buffer.length - length));
                if (read < 0) {
                    throw new ProxyHeaderRefusal(length == 0
                            ? "client closed the connection without sending anything"
                            : "client closed the connection after " + length + " bytes of an unfinished PROXY header");
                }
                length += read;
            }
            ProxyHeader header = parser.parse(buffer, headerLength);
            if (length > headerLength) {
                client.replay(ByteBuffer.wrap(buffer, headerLength, length - headerLength));
            }
            return new Result(header, headerLength);
        }

        private int readBeforeDeadline(Transport client, ByteBuffer into) throws IOException, ProxyHeaderRefusal {
            try {
                return client.readBefore(into, deadline);
            } catch (SocketTimeoutException e) {
                throw new ProxyHeaderRefusal(length == 0
                        ? "nothing sent before the deadline"
                        : "PROXY header not complete before the deadline");
            }
        }

        /** Checks the bytes read since the last call; the header's length once it is all in, else -1. */
        private int checkNewBytes() throws ProxyHeaderRefusal {
            if (checked == length) {
                return -1;
            }
            if (parser == null) {
                parser = switch (buffer[0]) {
                    case 'P' -> new TextHeaderParser();
                    case '\r' -> new BinaryHeaderParser(maxBytes);
                    default -> throw ProxyHeaderRefusal.notAHeader(buffer, 1);
                };
            }
            int headerLength = parser.check(buffer, checked, length);
            checked = length;
            return headerLength;
        }
    }
}
