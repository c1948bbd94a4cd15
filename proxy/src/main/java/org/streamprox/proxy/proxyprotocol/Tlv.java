package org.streamprox.proxy.proxyprotocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One type-length-value field of a v2 PROXY header: what the sending proxy publishes beyond the addresses.
 *
 * @param type  0 to 255: one of the constants here, or another (0xE0 to 0xEF are for applications)
 * @param value at most 65535 bytes; copied in and out, so a header cannot change once read
 */
public record Tlv(int type, byte[] value) {

    /** The application protocol the client negotiated (its ALPN name, as {@code h2}). */
    public static final int ALPN = 0x01;
    /** The host name the client asked for: its TLS server name (SNI) when it came over TLS. UTF-8. */
    public static final int AUTHORITY = 0x02;
    /** A CRC32c of the whole header; checked by the reader, which keeps it out of the list. */
    public static final int CRC32C = 0x03;
    /** Padding; the reader skips it. */
    public static final int NOOP = 0x04;
    /** An opaque identifier of the connection, up to 128 bytes, to follow it through several proxies. */
    public static final int UNIQUE_ID = 0x05;
    /** Whether and how the client connected over TLS: a flags byte, a verify result, then TLVs of its own. */
    public static final int SSL = 0x20;
    /** Within {@link #SSL}: the TLS version, as {@code TLSv1.3}. US-ASCII. */
    public static final int SSL_VERSION = 0x21;

    /** Type and length: the bytes of a TLV before its value. */
    static final int HEADER_BYTES = 3;
    /** In an {@link #SSL} TLV's value, before its own TLVs: a flags byte and a 32-bit verify result. */
    private static final int SSL_FIXED_BYTES = 5;

    public Tlv {
        if (type < 0 || type > 0xff) {
            throw new IllegalArgumentException("a TLV type is a byte, not " + type);
        }
        if (value.length > 0xffff) {
            throw new IllegalArgumentException("a TLV holds at most 65535 bytes, not " + value.length);
        }
        value = value.clone();
    }

    /** The host name the client asked for, to send an upstream. */
    public static Tlv authority(String hostName) {
        return new Tlv(AUTHORITY, hostName.getBytes(StandardCharsets.UTF_8));
    }

    /** The application protocol negotiated with the client, to send an upstream. */
    public static Tlv alpn(String protocol) {
        return new Tlv(ALPN, protocol.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** How many bytes it takes in a header. */
    int size() {
        return HEADER_BYTES + value.length;
    }

    void writeTo(ByteBuffer out) {
        out.put((byte) type).putShort((short) value.length).put(value);
    }

    /** An {@link #SSL} TLV's own TLVs; empty when they do not fit it. */
    Optional<List<Tlv>> sslTlvs() {
        return value.length < SSL_FIXED_BYTES ? Optional.empty() : split(value, SSL_FIXED_BYTES, value.length);
    }

    /** The TLVs that fill {@code bytes[from, to)} exactly, in order; empty when one does not fit. */
    static Optional<List<Tlv>> split(byte[] bytes, int from, int to) {
        List<Tlv> tlvs = new ArrayList<>();
        int at = from;
        while (at < to) {
            if (to - at < HEADER_BYTES) {
                return Optional.empty();
            }
            int start = at + HEADER_BYTES;
            int end = start + ((bytes[at + 1] & 0xff) << 8 | bytes[at + 2] & 0xff);
            if (end > to) {
                return Optional.empty();
            }
            tlvs.add(new Tlv(bytes[at] & 0xff, Arrays.copyOfRange(bytes, start, end)));
            at = end;
        }
        return Optional.of(tlvs);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Tlv tlv && type == tlv.type && Arrays.equals(value, tlv.value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return String.format("Tlv[type=0x%02x, value=%s]", type, Printable.escaped(value));
    }
}
