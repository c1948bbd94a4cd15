package org.streamprox.proxy.tls;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.streamprox.proxy.transport.Transport;

/**
 * Reads a connection's TLS ClientHello with blocking IO, without decrypting anything, keeping every byte read so
 * they can be replayed into a TLS engine or forwarded untouched to a passthrough upstream.
 *
 * <p>The hello may arrive in any number of reads and of handshake records: one with a post-quantum key share is
 * larger than a packet, and one cut into 1-byte records is legal. Record and handshake headers are checked as
 * their bytes arrive, so a client that does not start with a ClientHello is refused at once rather than at the
 * deadline; the hello itself is parsed ({@link ClientHelloParser}) when its last byte is in.
 */
public final class ClientHelloReader {

    /** Below this, ordinary hellos would be refused: clients pad theirs to 512 bytes, and key shares add more. */
    public static final int MIN_BYTES = 1024;
    /** The handshake length field allows 16 MiB; a hello needing more than this is an attack on memory. */
    public static final int MAX_BYTES = 1 << 20;
    /** Holds a browser's hello with a post-quantum key share (about 2 KB) without growing. */
    private static final int INITIAL_BUFFER = 4096;

    private static final int RECORD_HEADER = 5;
    private static final int HANDSHAKE_HEADER = 4;
    /** RFC 8446 5.1: a plaintext record carries at most 2^14 bytes. */
    private static final int MAX_RECORD_PAYLOAD = 1 << 14;
    private static final int CONTENT_TYPE_HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;

    private final int maxBytes;

    /** @param maxBytes how many bytes the hello, with its record headers, may take: 1 KiB to 1 MiB */
    public ClientHelloReader(int maxBytes) {
        if (maxBytes < MIN_BYTES || maxBytes > MAX_BYTES) {
            throw new IllegalArgumentException("a ClientHello limit of " + maxBytes + " bytes is not within "
                    + MIN_BYTES + " to " + MAX_BYTES);
        }
        this.maxBytes = maxBytes;
    }

    /**
     * The hello and the bytes read with it.
     *
     * @param hello     what the ClientHello says
     * @param buffered  everything read from the socket, from the first byte: the hello's records and whatever
     *                  followed them in the same reads
     * @param bytesRead how many bytes the reads returned in all
     */
    public record Result(ClientHello hello, ByteBuffer buffered, int bytesRead) {
    }

    /**
     * Reads until the ClientHello is complete.
     *
     * @param deadlineNanos when to give up, a {@link System#nanoTime()} value
     * @throws TlsRefusal when the bytes are not a well-formed ClientHello within the limit, or the client goes
     *                    away or stalls first; it says how many bytes had been read
     */
    public Result read(Transport client, long deadlineNanos) throws IOException, TlsRefusal {
        Reading reading = new Reading(deadlineNanos);
        try {
            return reading.readFrom(client);
        } catch (TlsRefusal e) {
            throw e.afterReading(reading.length);
        }
    }

    /** One hello being read: the bytes so far, and how far their records have been checked. */
    private final class Reading {

        private final long deadline;
        private byte[] buffer = new byte[Math.min(INITIAL_BUFFER, maxBytes)];
        private int length;
        /** The next byte to check. */
        private int checked;
        /** Where the record being checked starts, and where its payload ends once its header is in. */
        private int recordStart;
        private int recordEnd;
        private int records;
        /** Handshake bytes seen so far (the hello's header included), and how many it has in all once known. */
        private int messageBytes;
        private int helloLength;
        private int messageEnd = Integer.MAX_VALUE;

        Reading(long deadline) {
            this.deadline = deadline;
        }

        Result readFrom(Transport client) throws IOException, TlsRefusal {
            while (!checkNewBytes()) {
                if (length == buffer.length) {
                    if (length == maxBytes) {
                        throw new TlsRefusal(TlsAlert.HANDSHAKE_FAILURE,
                                "ClientHello not complete within " + maxBytes + " bytes");
                    }
                    buffer = Arrays.copyOf(buffer, Math.min(maxBytes, buffer.length * 2));
                }
                int read = readBeforeDeadline(client, ByteBuffer.wrap(buffer, length, buffer.length - length));
                if (read < 0) {
                    throw TlsRefusal.clientGone(length == 0
                            ? "client closed the connection without sending anything"
                            : "client closed the connection after " + length + " bytes of an unfinished ClientHello");
                }
                length += read;
            }
            // Almost every hello comes in one record and is parsed where it lies; only a fragmented one is copied.
            ClientHello hello = records == 1
                    ? ClientHelloParser.parse(buffer, RECORD_HEADER + HANDSHAKE_HEADER, helloLength)
                    : ClientHelloParser.parse(reassembled(), HANDSHAKE_HEADER, helloLength);
            return new Result(hello, ByteBuffer.wrap(buffer, 0, length), length);
        }

        private int readBeforeDeadline(Transport client, ByteBuffer into) throws IOException, TlsRefusal {
            try {
                return client.readBefore(into, deadline);
            } catch (SocketTimeoutException e) {
                // Closed without an alert, as HAProxy and nginx do: a client that sent nothing may be a speculative
                // connection or a scan, and one stalled mid-hello is slow or gone; the access log keeps the reason.
                throw TlsRefusal.tooLate(length == 0
                        ? "nothing sent before the deadline"
                        : "ClientHello not complete before the deadline");
            }
        }

        /** Checks the bytes read since the last call, in order; true once the hello's last byte is among them. */
        private boolean checkNewBytes() throws TlsRefusal {
            while (checked < length) {
                int inRecord = checked - recordStart;
                if (inRecord < RECORD_HEADER) {
                    checkRecordHeader(inRecord, buffer[checked++] & 0xff);
                    continue;
                }
                if (messageBytes < HANDSHAKE_HEADER) {
                    checkHandshakeHeader(messageBytes++, buffer[checked++] & 0xff);
                } else {
                    int taken = Math.min(Math.min(length, recordEnd) - checked, messageEnd - messageBytes);
                    checked += taken;
                    messageBytes += taken;
                }
                if (messageBytes == messageEnd) {
                    // RFC 8446 5.1: a ClientHello may precede a key change (early data), so it must end its record.
                    if (checked != recordEnd) {
                        throw new TlsRefusal(TlsAlert.UNEXPECTED_MESSAGE, "ClientHello does not end its record");
                    }
                    return true;
                }
                if (checked == recordEnd) {
                    recordStart = checked;
                }
            }
            return false;
        }

        private void checkRecordHeader(int index, int b) throws TlsRefusal {
            switch (index) {
                case 0 -> {
                    if (records == 0 && b >= 0x80) {
                        throw new TlsRefusal(TlsAlert.PROTOCOL_VERSION, "an SSL 2.0 ClientHello");
                    }
                    if (b != CONTENT_TYPE_HANDSHAKE) {
                        throw new TlsRefusal(TlsAlert.UNEXPECTED_MESSAGE,
                                "a record of content type " + b + " before the ClientHello was complete");
                    }
                }
                case 1 -> {
                    if (b != 3) {
                        throw new TlsRefusal(TlsAlert.PROTOCOL_VERSION, "record version major " + b);
                    }
                }
                case 2 -> {
                    if (b > 4) {
                        throw new TlsRefusal(TlsAlert.PROTOCOL_VERSION, "record version 3." + b);
                    }
                }
                case 4 -> {
                    int payload = (buffer[recordStart + 3] & 0xff) << 8 | b;
                    if (payload == 0) {
                        // RFC 8446 5.1 forbids empty handshake records; OpenSSL and Go answer them so.
                        throw new TlsRefusal(TlsAlert.UNEXPECTED_MESSAGE, "an empty handshake record");
                    }
                    if (payload > MAX_RECORD_PAYLOAD) {
                        throw new TlsRefusal(TlsAlert.RECORD_OVERFLOW, "a record of " + payload + " bytes");
                    }
                    recordEnd = recordStart + RECORD_HEADER + payload;
                    records++;
                }
                default -> {
                    // The length's first byte: read with the second.
                }
            }
        }

        private void checkHandshakeHeader(int index, int b) throws TlsRefusal {
            if (index == 0) {
                if (b != CLIENT_HELLO) {
                    throw new TlsRefusal(TlsAlert.UNEXPECTED_MESSAGE,
                            "a handshake message of type " + b + " instead of a ClientHello");
                }
                return;
            }
            helloLength = helloLength << 8 | b;
            if (index == HANDSHAKE_HEADER - 1) {
                // handshake_failure rather than record_overflow: the records are fine, the hello is more than this
                // proxy takes, and a client's error then points at the handshake rather than at its record layer.
                if (RECORD_HEADER + HANDSHAKE_HEADER + helloLength > maxBytes) {
                    throw new TlsRefusal(TlsAlert.HANDSHAKE_FAILURE, "a ClientHello of " + helloLength
                            + " bytes, more than the limit of " + maxBytes + " with its records");
                }
                messageEnd = HANDSHAKE_HEADER + helloLength;
            }
        }

        /** The hello's handshake message with the record headers between its fragments taken out. */
        private byte[] reassembled() {
            byte[] message = new byte[messageEnd];
            int copied = 0;
            for (int record = 0; copied < messageEnd; ) {
                int payload = (buffer[record + 3] & 0xff) << 8 | buffer[record + 4] & 0xff;
                int fragment = Math.min(payload, messageEnd - copied);
                System.arraycopy(buffer, record + RECORD_HEADER, message, copied, fragment);
                copied += fragment;
                record += RECORD_HEADER + payload;
            }
            return message;
        }
    }
}
